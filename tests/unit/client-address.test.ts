// The client address sign-in limits key on: the TCP peer, or through trusted proxies the nearest untrusted hop; a
// client's own X-Forwarded-For is never believed.
import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustedProxies } from "../../scripts/client-address.mjs";

describe("clientAddress", () => {
  it("with no trusted proxy (the default) is the peer, whatever X-Forwarded-For says", () => {
    const none = parseTrustedProxies("");
    expect(clientAddress("203.0.113.9", "1.2.3.4", none)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", undefined, none)).toBe("203.0.113.9");
  });

  it("through trusted proxies is the address the nearest untrusted hop was seen from", () => {
    const trusted = parseTrustedProxies("127.0.0.1, 10.0.0.0/8");
    // The client forged "6.6.6.6"; the proxy appended what it saw (198.51.100.7).
    expect(clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.7", trusted)).toBe("198.51.100.7");
    // Two trusted hops: the edge proxy (10.1.2.3) appended the client, the inner one appended the edge.
    expect(clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", trusted)).toBe("198.51.100.7");
    expect(clientAddress("127.0.0.1", undefined, trusted)).toBe("127.0.0.1");
    expect(clientAddress("198.51.100.8", "6.6.6.6", trusted)).toBe("198.51.100.8");
  });

  it("refuses a TRUSTED_PROXIES entry it cannot read", () => {
    expect(() => parseTrustedProxies("10.0.0.0/40")).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies("proxy.example")).toThrow(/not an IP address/);
    expect(parseTrustedProxies("::1")("::1")).toBe(true);
  });
});
