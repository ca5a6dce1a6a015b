// The tRPC endpoint: every call gets the next-auth session and the request headers in its context. The session is
// decoded from the cookie directly (a tenth of getServerSession's cost); page loads still roll the cookie.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getRequestSession } from "~/server/auth";
import { crossSiteRefusal, isCrossSite } from "~/server/http-security";
import { appRouter } from "~/server/routers/_app";
import { createTRPCContext, trpcResponseMeta } from "~/server/trpc";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  // A page on another site may make the browser send the user's cookie; such a request never reaches a procedure.
  if (isCrossSite(req)) return crossSiteRefusal();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => createTRPCContext({ headers: req.headers, session: await getRequestSession(req.headers) }),
    responseMeta: trpcResponseMeta,
    onError({ error, path }) {
      // Unexpected failures are logged here; the client only ever sees the formatted, readable message.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
