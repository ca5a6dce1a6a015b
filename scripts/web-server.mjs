// The web server behind `npm start` (and the tests): Next.js's request handler under a plain node:http server, so
// the app learns each client's real address. The address goes to the app in the x-rlhf-client-ip header (any
// copy a client sends is dropped): the TCP peer, or, through proxies listed in TRUSTED_PROXIES, the address the
// nearest untrusted hop was seen from. Sign-in limits key on it.
//
//   node scripts/web-server.mjs [--port P] [--hostname H]      (PORT / HOSTNAME work too; defaults 3000 / all)
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { clientAddress, parseTrustedProxies } from "./client-address.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg("port") ?? process.env.PORT ?? 3000);
const hostname = arg("hostname") ?? process.env.HOSTNAME ?? undefined;

let isTrusted;
try {
  isTrusted = parseTrustedProxies(process.env.TRUSTED_PROXIES);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

const app = next({ dev: false, dir: root, hostname: hostname ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  delete req.headers["x-rlhf-client-ip"];
  const address = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], isTrusted);
  if (address) req.headers["x-rlhf-client-ip"] = address;
  handle(req, res);
});
server.listen(port, hostname, () => console.log(`- Local: http://${hostname ?? "localhost"}:${port}`));

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
