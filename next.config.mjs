/** Next.js config: native and TensorFlow.js packages stay out of the bundle (the web process never loads tfjs). */
const nextConfig = {
  serverExternalPackages: [
    "better-sqlite3",
    "pg",
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node",
    "@tensorflow/tfjs-node-gpu",
  ],
  poweredByHeader: false,
  // Browsers and tools that ask for /favicon.ico without reading the page's <link rel="icon"> get the app icon too.
  async rewrites() {
    return [{ source: "/favicon.ico", destination: "/icon.svg" }];
  },
  // API responses get the static security headers here; pages get them, with their CSP, from proxy.ts. The list is
  // STATIC_SECURITY_HEADERS in server/http-security.ts (this file cannot import TypeScript);
  // tests/e2e/security-headers.test.ts checks that both carry the same.
  async headers() {
    return [
      {
        source: "/api/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};
export default nextConfig;
