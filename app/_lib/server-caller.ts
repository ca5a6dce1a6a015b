// A tRPC caller for server components: the same procedures and role checks as HTTP, without the round trip.
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { authOptions } from "~/server/auth";
import { createCaller } from "~/server/routers/_app";
import { createTRPCContext } from "~/server/trpc";

export async function serverCaller() {
  const [requestHeaders, session] = await Promise.all([headers(), getServerSession(authOptions)]);
  return createCaller(createTRPCContext({ headers: new Headers(requestHeaders), session }));
}
