// Runs before every page and API route. It guards the app's areas before anything renders: a visitor without a live
// session goes to /login (remembering the exact page, query included), and a signed-in user whose current role may
// not open the area goes to their own home page, so a redirect never carries the page it refused (the layouts check
// again, as a second line). And it sets the security headers: a Content-Security-Policy with a fresh nonce, which
// Next.js puts on its own scripts, no framing, no sniffing, a same-site referrer.
import { NextResponse, type NextRequest } from "next/server";
import { areaOf, AREA_ROLES, HOME_FOR_ROLE, isRole } from "~/app/_lib/roles";
import { getDb } from "~/db/index";
import { getRequestSession } from "~/server/auth";
import { contentSecurityPolicy, newNonce, STATIC_SECURITY_HEADERS } from "~/server/http-security";
import { findSessionUser } from "~/server/services/sessions";

function withSecurityHeaders(res: NextResponse, csp: string): NextResponse {
  res.headers.set("Content-Security-Policy", csp);
  for (const [k, v] of Object.entries(STATIC_SECURITY_HEADERS)) res.headers.set(k, v);
  return res;
}

/** Where the area guard sends this request, or null to let it through. */
async function guardRedirect(request: NextRequest): Promise<URL | null> {
  const area = areaOf(request.nextUrl.pathname);
  if (!area) return null;
  const toLogin = () => {
    const login = new URL("/login", request.url);
    login.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
    return login;
  };
  const session = await getRequestSession(request.headers);
  if (!session?.user?.id) return toLogin();
  // The session row and the role as the database has them now: a signed-out cookie or a disabled account stops here.
  const user = await findSessionUser(getDb(), session.user);
  if (!user || !isRole(user.role)) return toLogin();
  if (!AREA_ROLES[area].includes(user.role)) return new URL(HOME_FOR_ROLE[user.role], request.url);
  return null;
}

export async function proxy(request: NextRequest) {
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce);
  const redirect = await guardRedirect(request);
  if (redirect) return withSecurityHeaders(NextResponse.redirect(redirect), csp);
  // Next.js reads the policy from the request to put the nonce on the scripts it renders.
  const headers = new Headers(request.headers);
  headers.set("Content-Security-Policy", csp);
  headers.set("x-nonce", nonce);
  return withSecurityHeaders(NextResponse.next({ request: { headers } }), csp);
}

export const config = {
  // Pages only: not the build's static files, and not /api, whose handlers check sessions and origins themselves
  // and get the static headers from next.config.mjs (running the proxy there doubled the cost of a tRPC call).
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
