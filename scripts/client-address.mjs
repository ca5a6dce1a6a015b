// Which address a request really comes from: the TCP peer, unless that peer is a proxy the operator trusts
// (TRUSTED_PROXIES), in which case the address that proxy appended to X-Forwarded-For, and so on leftwards while
// the hops are trusted. Whatever a client writes into X-Forwarded-For itself is never believed.

/** "10.0.0.1, 10.1.0.0/16, ::1" → a test for an address. Empty (the default) trusts nobody. */
export function parseTrustedProxies(value) {
  const rules = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((rule) => {
      const [base, bits] = rule.split("/");
      const v4 = ipv4ToInt(base);
      if (bits !== undefined) {
        const n = Number(bits);
        if (v4 === null || !Number.isInteger(n) || n < 0 || n > 32) throw new Error(`TRUSTED_PROXIES: '${rule}' is not an IPv4 address/prefix (CIDR ranges are IPv4 only)`);
        const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
        return (ip) => {
          const x = ipv4ToInt(ip);
          return x !== null && (x & mask) >>> 0 === (v4 & mask) >>> 0;
        };
      }
      if (v4 === null && !base.includes(":")) throw new Error(`TRUSTED_PROXIES: '${rule}' is not an IP address`);
      return (ip) => ip === normalizeAddress(base);
    });
  return (ip) => rules.some((r) => r(ip));
}

function ipv4ToInt(ip) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip ?? "");
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** "::ffff:127.0.0.1" (an IPv4 peer on a dual-stack socket) → "127.0.0.1". */
export function normalizeAddress(ip) {
  const s = (ip ?? "").trim();
  return s.startsWith("::ffff:") && s.includes(".") ? s.slice(7) : s;
}

/** The client's address for a request from `peer` carrying `forwardedFor` (the raw X-Forwarded-For header, if any). */
export function clientAddress(peer, forwardedFor, isTrusted) {
  let address = normalizeAddress(peer);
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((s) => normalizeAddress(s))
    .filter(Boolean);
  while (address && isTrusted(address) && hops.length) address = hops.pop();
  return address || null;
}
