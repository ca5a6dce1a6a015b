/** Next.js config: native and TensorFlow.js packages stay out of the bundle (the web process never loads tfjs). */
const nextConfig = {
  serverExternalPackages: [
    "better-sqlite3",
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node",
    "@tensorflow/tfjs-node-gpu",
  ],
  poweredByHeader: false,
};
export default nextConfig;
