// Where a user may be sent after signing in: a path on this site, resolved the way a browser resolves it, so that
// "/\evil.example", "/%09/evil.example" or "//evil.example" (which browsers read as other sites) never leave it.

/** A placeholder origin: any absolute URL or protocol-relative trick resolves to a different one. */
const HERE = "http://this-site.invalid";

/** The callback as a same-site path (query and hash kept), or "/" when it would leave the site or loop to /login. */
export function safeCallback(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw || !raw.startsWith("/")) return "/";
  // Browsers drop tabs and newlines anywhere in a URL and read "\" as "/", so check what the browser will follow.
  let url: URL;
  try {
    url = new URL(raw, HERE);
  } catch {
    return "/";
  }
  if (url.origin !== HERE) return "/";
  if (url.pathname === "/login" || url.pathname.startsWith("/login/")) return "/";
  const path = url.pathname + url.search + url.hash;
  // A path that still starts with "//" after resolution would be read as protocol-relative by a later redirect.
  return path.startsWith("//") ? "/" : path;
}
