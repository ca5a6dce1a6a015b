// Every mutation, over HTTP against `next start`, signed in as an admin (who may call them all), with malformed
// bodies: not JSON, the wrong JSON types, missing and extra fields, huge and odd strings, prototype keys. Not one
// server error, and no stack trace or internal message in any answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/routers/_app";
import { signInOverHttp } from "../support/http-session";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  cookie = await signInOverHttp(server.url, server.admin.email, server.admin.password);
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

const mutations = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
  .filter(([, p]) => p._def.type === "mutation")
  .map(([name]) => name)
  .sort();

/** Raw request bodies, each sent as is. */
const BODIES: string[] = [
  "",
  "not json",
  "{",
  "null",
  "[]",
  "42",
  '"text"',
  "{}",
  '{"json": null}',
  '{"json": []}',
  '{"json": "x"}',
  '{"json": {"id": 12, "name": [], "config": "x", "kind": {"a": 1}, "ranking": "first", "timeMs": -1}}',
  '{"json": {"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}}',
  JSON.stringify({ json: { id: "x".repeat(100_000), name: "\u0000\u202E\uD800", email: "a@b", text: "\uFFFF".repeat(70_000) } }),
  JSON.stringify({ json: { id: "nope", password: "p", projectId: "nope", assignmentId: "nope", format: "csv", content: "\u0000" } }),
  JSON.stringify({ json: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])) }),
  JSON.stringify({ json: JSON.parse("[".repeat(200) + "]".repeat(200)) }),
  JSON.stringify({ json: {}, meta: { values: { createdAt: ["Date"], x: ["bigint"] } } }),
];

describe("malformed bodies on every mutation", () => {
  it("covers every mutation of the router", () => {
    expect(mutations.length).toBeGreaterThanOrEqual(15);
  });

  it(`never answers 5xx or leaks internals (${BODIES.length} bodies × every mutation)`, async () => {
    const bad: string[] = [];
    let sent = 0;
    for (const name of mutations) {
      for (const [i, body] of BODIES.entries()) {
        for (const contentType of ["application/json", "text/plain", "multipart/form-data; boundary=x"]) {
          if (contentType !== "application/json" && i > 2) continue;
          const res = await fetch(`${server.url}/api/trpc/${name}`, { method: "POST", headers: { "content-type": contentType, cookie, origin: server.url }, body });
          sent++;
          const text = await res.text();
          if (res.status >= 500) bad.push(`${name} body#${i} ${contentType}: HTTP ${res.status} ${text.slice(0, 200)}`);
          else if (/\n\s+at |SQLITE|TypeError|ReferenceError|node_modules/.test(text)) bad.push(`${name} body#${i}: leaks ${text.slice(0, 200)}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(mutations.length * BODIES.length);
    expect(bad).toEqual([]);
    expect(server.logs()).not.toMatch(/tRPC .* failed:/); // nothing reached the unexpected-error log either
  }, 240_000);
});
