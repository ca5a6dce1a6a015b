// The client's address as the web server (scripts/web-server.mjs) determined it from the TCP peer and the trusted
// proxies; never X-Forwarded-For itself, which any client can write. Null when the app runs without that server.
export const CLIENT_IP_HEADER = "x-rlhf-client-ip";

export function clientIp(headers: Headers | Record<string, unknown> | undefined): string | null {
  if (!headers) return null;
  const value = headers instanceof Headers ? headers.get(CLIENT_IP_HEADER) : headers[CLIENT_IP_HEADER];
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === "string" && one.trim() ? one.trim() : null;
}
