// Sends visitors without a session cookie to /login, remembering the exact page (query included) to come back to.
// Only a cheap cookie check: the page layouts verify the session and the role against the database.
import { NextResponse, type NextRequest } from "next/server";

/** next-auth v4's session cookie, plain or __Secure- (https), whole or split into .0, .1 chunks. */
function hasSessionCookie(request: NextRequest): boolean {
  return request.cookies.getAll().some((c) => /^(__Secure-)?next-auth\.session-token(\.\d+)?$/.test(c.name));
}

export function proxy(request: NextRequest) {
  if (hasSessionCookie(request)) return NextResponse.next();
  const login = new URL("/login", request.url);
  login.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/annotate/:path*", "/admin/:path*", "/research/:path*"],
};
