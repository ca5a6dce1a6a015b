// The tRPC set-up in three parts: 1. the request context, 2. init (superjson, readable errors),
// 3. the procedure builders, each stating in one place which role may call it.
import { initTRPC, TRPCError } from "@trpc/server";
import type { Session } from "next-auth";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { databaseUnavailable, isDatabaseBusy } from "../db/postgres";
import { getDb, type Db } from "../db/index";
import type { Role } from "../db/schema";
import { ServiceError } from "./services/errors";
import { clientIp } from "./client-ip";
import { findSessionUser, type SessionUser } from "./services/sessions";
import { startWalCheckpointer } from "./wal-checkpointer";

/*
 * 1. CONTEXT
 * What every procedure can read: the database, the next-auth session (or null) and the request headers.
 */

export interface TRPCContext {
  db: Db;
  session: Session | null;
  headers: Headers;
  /** The client address as the proxy or socket reported it; used for rate limits and the audit log. */
  ip: string | null;
}

/** Reads the client address from the usual proxy headers; null when there is none (tests, direct calls). */

/**
 * Builds the context for one request. The route handler passes the session from getServerSession(authOptions);
 * tests pass their own session and database.
 */
export function createTRPCContext(opts: { headers: Headers; session: Session | null; db?: Db }): TRPCContext {
  let db = opts.db;
  if (!db) {
    db = getDb();
    // The web process keeps WAL checkpoints (and their fsyncs) off the event loop; started once per process.
    startWalCheckpointer(db);
  }
  return { db, session: opts.session, headers: opts.headers, ip: clientIp(opts.headers) };
}

/*
 * 2. INITIALIZATION
 * superjson carries Dates; input errors are flattened into `zodError` so forms can show them per field (the
 * message itself is made one readable sentence by the middleware in part 3).
 */

function readableZodMessage(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "input"}: ${issue.message}`)
    .join("; ");
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      message: shape.message,
      data: { ...shape.data, zodError: zodError ? z.flattenError(zodError) : null },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/*
 * 3. PROCEDURES
 * Services throw ServiceError (plain TypeScript, shared with the CLI); the first middleware maps it to the
 * matching tRPC code, and turns zod's issue list into one readable message.
 * Roles are checked against the database on every call, so disabling a user or changing a role takes effect
 * at once instead of when their JWT expires.
 */

const readableErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof ServiceError) throw new TRPCError({ code: cause.code, message: cause.message, cause });
  // Input errors get the readable message here too, so server-side callers see the same text as HTTP clients.
  if (cause instanceof ZodError) throw new TRPCError({ code: "BAD_REQUEST", message: `Invalid input: ${readableZodMessage(cause)}`, cause });
  // Another process holds the database's write lock past busy_timeout (a long import, a backup), or PostgreSQL
  // gave up on a lock or a connection: the request may simply be tried again, and the client never sees the
  // database's own words.
  if (isDatabaseBusy(cause)) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "The database is busy with other work; try again in a few seconds.", cause });
  // A PostgreSQL server that is down or restarting: the same answer, and the pool reconnects when it is back.
  if (databaseUnavailable(cause)) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "The database is not reachable; try again in a few seconds.", cause });
  return result;
});

/** Response headers for a tRPC answer: a busy database is worth retrying, so say when, as HTTP does for 503. */
export function trpcResponseMeta({ errors }: { errors: readonly TRPCError[] }): { headers?: Headers } {
  return errors.some((e) => e.code === "SERVICE_UNAVAILABLE") ? { headers: new Headers({ "Retry-After": "2" }) } : {};
}

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure.use(readableErrors);

/** The signed-in user as the database knows them now. */
export type { SessionUser };

const signedIn = t.middleware(async ({ ctx, next }) => {
  const claims = ctx.session?.user;
  if (!claims?.id) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please sign in first." });
  const user = await findSessionUser(ctx.db, claims);
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended (signed out, password changed, or account disabled); sign in again." });
  return next({ ctx: { ...ctx, user, sessionId: claims.sid! } });
});

/** Middleware that lets through only the given roles (admin is always listed explicitly where allowed). */
function requireRole(allowed: readonly Role[], who: string) {
  return t.middleware(({ ctx, next }) => {
    const user = (ctx as { user?: SessionUser }).user;
    if (!user || !allowed.includes(user.role))
      throw new TRPCError({ code: "FORBIDDEN", message: `Only ${who} can do this.` });
    return next();
  });
}

/** Any signed-in, enabled user. */
export const protectedProcedure = publicProcedure.use(signedIn);
/** Annotators (and admins, who may try the queue themselves). */
export const annotatorProcedure = protectedProcedure.use(requireRole(["annotator", "admin"], "annotators and admins"));
/** Researchers (and admins): datasets, progress, browsing. */
export const researcherProcedure = protectedProcedure.use(requireRole(["researcher", "admin"], "researchers and admins"));
/** Reviewers (and admins): the review queue, adjudicating items that annotators disagree on. */
export const reviewerProcedure = protectedProcedure.use(requireRole(["reviewer", "admin"], "reviewers and admins"));
/** Admins only: users, projects, imports, the audit log. */
export const adminProcedure = protectedProcedure.use(requireRole(["admin"], "admins"));
