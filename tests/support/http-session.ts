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

/**
 * One sign-in attempt: the Cookie header of the new session, or the error next-auth reports (null for a plain wrong
 * password, the message for a refusal such as "Too many failed sign-in attempts…"). `headers` are extra request
 * headers (X-Forwarded-For, as a proxy would add).
 */
export async function signInAttempt(base: string, email: string, password: string, headers: Record<string, string> = {}): Promise<{ cookie: string } | { error: string | null; status: number }> {
  const jar = new CookieJar();
  const csrfToken = await csrf(base, jar);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header(), ...headers },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  jar.keep(res);
  if (jar.has("next-auth.session-token")) return { cookie: jar.header() };
  const location = res.headers.get("location") ?? ((await res.json().catch(() => ({}))) as { url?: string }).url ?? "";
  const error = location ? new URL(location, base).searchParams.get("error") : null;
  return { error: error === "CredentialsSignin" ? null : error, status: res.status };
}

/** Signs in with email and password; returns the Cookie header of the new session (throws when refused). */
export async function signInOverHttp(base: string, email: string, password: string): Promise<string> {
  const r = await signInAttempt(base, email, password);
  if ("cookie" in r) return r.cookie;
  throw new Error(`sign-in as ${email} failed (HTTP ${r.status}${r.error ? `: ${r.error}` : ""})`);
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
