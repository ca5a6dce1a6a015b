// What every response and every state-changing request is checked for: a Content-Security-Policy with a per-request
// nonce (Next.js puts it on its own scripts), no framing, no MIME sniffing, a referrer kept on this site, and
// requests from other sites refused before they reach a procedure.
import { readEnv } from "./env";

/** The headers every response carries, pages and API alike (the CSP is per page: see contentSecurityPolicy). */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
};

/**
 * The page policy: scripts only from this site or carrying this request's nonce (and what they load), styles from
 * this site (inline style attributes allowed: charts and drag previews position elements with them), no plugins, no
 * framing by anyone, forms and connections to this site only. The dev server also needs eval for hot reload.
 */
export function contentSecurityPolicy(nonce: string, dev = process.env.NODE_ENV === "development"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A fresh nonce for one response. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * True when a request comes from another site: its Origin is neither the request's own origin nor the configured
 * public one (NEXTAUTH_URL), or the browser says so (Sec-Fetch-Site: cross-site). Scripts and curl send neither
 * header and are judged by their credentials alone.
 */
export function isCrossSite(req: { url: string; headers: Headers }): boolean {
  if (req.headers.get("sec-fetch-site") === "cross-site") return true;
  const origin = req.headers.get("origin");
  if (!origin) return false;
  return origin !== new URL(req.url).origin && origin !== configuredOrigin();
}

let publicOrigin: string | null | undefined;
/** NEXTAUTH_URL's origin, read once (the environment does not change while the server runs). */
function configuredOrigin(): string | null {
  if (publicOrigin === undefined) {
    const configured = readEnv().NEXTAUTH_URL;
    publicOrigin = configured ? new URL(configured).origin : null;
  }
  return publicOrigin;
}

/** The answer to a cross-site request: 403 with a sentence, never reaching a procedure. */
export function crossSiteRefusal(): Response {
  return Response.json({ error: "Requests from other sites are refused; use the app itself or an API token without an Origin header." }, { status: 403, headers: { "cache-control": "no-store" } });
}
