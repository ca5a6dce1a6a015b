// next-auth v4 options: email + password credentials, JWT sessions carrying the user id and role, sign-in
// rate limits, and a secret generated on first start and kept in the data folder.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { DefaultSession, NextAuthOptions, Session } from "next-auth";
import CredentialsImport from "next-auth/providers/credentials";
import { getDb } from "../db/index";
import { dataHome } from "../db/paths";
import type { Role } from "../db/schema";
import { decodeSessionToken, encodeSessionToken } from "./auth-jwt";
import { clientIp } from "./client-ip";
import { readEnv } from "./env";
import { authenticate } from "./services/authenticate";
import { endSession, SESSION_MAX_AGE_S, startSession } from "./services/sessions";

declare module "next-auth" {
  interface Session extends DefaultSession {
    /** `sid` names the sessions row that keeps this cookie alive (server/services/sessions). */
    user: { id: string; role: Role; sid?: string } & DefaultSession["user"];
  }
  interface User {
    role: Role;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    id?: string;
    role?: Role;
    sid?: string;
  }
}

// next-auth ships CommonJS: Next's bundler unwraps its default export, plain Node ESM (tsx, vitest) may not.
const CredentialsProvider = ((CredentialsImport as unknown as { default?: typeof CredentialsImport }).default ?? CredentialsImport) as typeof CredentialsImport;

const globalForSecret = globalThis as unknown as { __rlhfAuthSecret?: string };

/**
 * NEXTAUTH_SECRET if set, else the one in dataHome()/auth-secret, created on first use. Read lazily, so building
 * the app never touches the data folder.
 */
export function authSecret(): string {
  if (globalForSecret.__rlhfAuthSecret) return globalForSecret.__rlhfAuthSecret;
  const env = readEnv();
  let secret = env.NEXTAUTH_SECRET;
  if (!secret) {
    const file = path.join(dataHome(), "auth-secret");
    try {
      secret = fs.readFileSync(file, "utf8").trim();
    } catch {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      secret = randomBytes(32).toString("base64url");
      try {
        fs.writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
      } catch {
        // Another process wrote it first: use theirs so every process signs with the same key.
        secret = fs.readFileSync(file, "utf8").trim();
      }
    }
  }
  globalForSecret.__rlhfAuthSecret = secret;
  return secret;
}

export const authOptions: NextAuthOptions = {
  // A getter: next-auth reads it per request, so the secret is loaded at the first sign-in, not at build time.
  get secret() {
    return authSecret();
  },
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
  jwt: { encode: encodeSessionToken, decode: decodeSessionToken },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        const email = credentials?.email?.trim();
        const password = credentials?.password;
        if (!email || !password) return null;
        const result = await authenticate(getDb(), { email, password, ip: clientIp(req?.headers) });
        if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name || result.user.email, role: result.user.role };
        if (result.reason === "rate_limited") {
          const minutes = Math.ceil(result.retryAfterMs / 60000);
          // next-auth passes a thrown message to the sign-in page as ?error=…
          throw new Error(`Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
        }
        return null;
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        // A sign-in: the cookie is good only while this session row is live (revocable, unlike a bare JWT).
        token.id = user.id;
        token.role = user.role;
        token.sid = await startSession(getDb(), user.id);
      }
      return token;
    },
    session({ session, token }) {
      if (token.id && token.role) session.user = { ...session.user, id: token.id, role: token.role, sid: token.sid };
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      if (token?.sid) await endSession(getDb(), token.sid);
    },
  },
};

/** next-auth's session cookie name: the `__Secure-` form when the site is served over https. */
function sessionCookieName(): string {
  return readEnv().NEXTAUTH_URL?.startsWith("https://") ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  const parts = new Map<string, string>();
  for (const pair of header.split(/;\s*/)) {
    const eq = pair.indexOf("=");
    if (eq > 0) parts.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1)));
  }
  if (parts.has(name)) return parts.get(name);
  // next-auth splits tokens over 4 KB into name.0, name.1, …
  const chunks: string[] = [];
  for (let i = 0; parts.has(`${name}.${i}`); i++) chunks.push(parts.get(`${name}.${i}`)!);
  return chunks.length ? chunks.join("") : undefined;
}

/**
 * The session from a request's cookie, decoded directly: the same answer as getServerSession(authOptions) for
 * API calls, at about a tenth of the cost (no rolling re-issue of the cookie, which page loads still do).
 */
export async function getRequestSession(headers: Headers): Promise<Session | null> {
  const token = readCookie(headers.get("cookie"), sessionCookieName());
  if (!token) return null;
  try {
    const jwt = await decodeSessionToken({ token, secret: authSecret() });
    if (!jwt?.id || !jwt.role || typeof jwt.exp !== "number") return null;
    return {
      user: { id: jwt.id, role: jwt.role, sid: jwt.sid, email: jwt.email ?? null, name: jwt.name ?? null },
      expires: new Date(jwt.exp * 1000).toISOString(),
    };
  } catch {
    // A token from an old secret or a tampered cookie is simply no session.
    return null;
  }
}
