// next-auth v4's standard endpoints (/api/auth/csrf, /callback/credentials, /session, /signout, …).
import NextAuth from "next-auth";
import { authOptions } from "~/server/auth";

const handler = NextAuth(authOptions);

export { handler as GET, handler as POST };
