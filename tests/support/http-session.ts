// Signing in and out over HTTP as a browser does (next-auth v4: a CSRF token and its cookie, then the credentials
// callback), for tests and benchmarks that drive a running server with plain fetch.

/** A cookie jar that keeps what the server sets and renders the Cookie header. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }
  has(suffix: string): boolean {
    return [...this.cookies.keys()].some((k) => k.endsWith(suffix));
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

async function csrf(base: string, jar: CookieJar): Promise<string> {
  const res = await fetch(`${base}/api/auth/csrf`, { headers: { cookie: jar.header() } });
  jar.keep(res);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

/** Signs in with email and password; returns the Cookie header of the new session (throws when refused). */
export async function signInOverHttp(base: string, email: string, password: string): Promise<string> {
  const jar = new CookieJar();
  const csrfToken = await csrf(base, jar);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  jar.keep(res);
  if (!jar.has("next-auth.session-token")) throw new Error(`sign-in as ${email} failed (HTTP ${res.status})`);
  return jar.header();
}

/** Signs the session in `cookie` out, as the Sign out button does. */
export async function signOutOverHttp(base: string, cookie: string): Promise<void> {
  const res = await fetch(`${base}/api/auth/csrf`, { headers: { cookie } });
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const csrfCookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  await fetch(`${base}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: [cookie, csrfCookie].filter(Boolean).join("; ") },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
}
