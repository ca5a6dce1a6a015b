// Guards the app's areas before anything renders: a visitor without a valid session goes to /login (remembering the
// exact page, query included), and a signed-in user whose current role may not open the area goes to their own
// home page, so a redirect never carries the page it refused. The layouts check again, as a second line.
import { NextResponse, type NextRequest } from "next/server";
import { areaOf, AREA_ROLES, HOME_FOR_ROLE, isRole } from "~/app/_lib/roles";
import { getDb } from "~/db/index";
import { getRequestSession } from "~/server/auth";
import { findSessionUser } from "~/server/services/sessions";

function toLogin(request: NextRequest) {
  const login = new URL("/login", request.url);
  login.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export async function proxy(request: NextRequest) {
  const area = areaOf(request.nextUrl.pathname);
  if (!area) return NextResponse.next();
  const session = await getRequestSession(request.headers);
  if (!session?.user?.id) return toLogin(request);
  // The session row and the role as the database has them now: a signed-out cookie or a disabled account stops here.
  const user = findSessionUser(getDb(), session.user);
  if (!user || !isRole(user.role)) return toLogin(request);
  if (!AREA_ROLES[area].includes(user.role)) return NextResponse.redirect(new URL(HOME_FOR_ROLE[user.role], request.url));
  return NextResponse.next();
}

export const config = {
  matcher: ["/annotate/:path*", "/admin/:path*", "/research/:path*", "/account/:path*"],
};
