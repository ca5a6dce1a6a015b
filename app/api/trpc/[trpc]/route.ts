// The tRPC endpoint: every call gets the next-auth session and the request headers in its context.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getServerSession } from "next-auth";
import { authOptions } from "~/server/auth";
import { appRouter } from "~/server/routers/_app";
import { createTRPCContext } from "~/server/trpc";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => createTRPCContext({ headers: req.headers, session: await getServerSession(authOptions) }),
    onError({ error, path }) {
      // Unexpected failures are logged here; the client only ever sees the formatted, readable message.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
