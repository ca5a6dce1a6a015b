// Export API tokens: random secrets shown once, stored only as a sha256 hash, tied to a user and their role, with a
// scope, an expiry (90 days unless asked otherwise), a last-used time, and revocation.
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { apiTokens, TOKEN_SCOPES, users, type TokenScope } from "../../db/schema";
import { writeAudit } from "./audit";
import { badRequest, conflict, notFound } from "./errors";
import { unprintableReason } from "./text-limits";

const PREFIX = "rlhf_";
/** A token that leaks from a laptop or a CI log stops working on its own after this long. */
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 3650;
const DAY_MS = 24 * 3600 * 1000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface NewToken {
  email: string;
  name: string;
  /** Days until it expires; default 90. */
  expiresDays?: number;
  scope?: TokenScope;
}

export type TokenInfo = {
  id: string;
  name: string;
  user: string;
  scope: TokenScope;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked: boolean;
  /** Usable now: not revoked, not expired, its user enabled. */
  active: boolean;
};

/** Creates a token for the user and returns it in clear: the only time it is ever shown. */
export async function createApiToken(db: Db, input: NewToken, actorId: string | null = null, now = new Date()): Promise<{ token: string } & TokenInfo & { role: string }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw badRequest("a token needs a name of 1-100 characters");
  const unprintable = unprintableReason(name, "A token name");
  if (unprintable) throw badRequest(unprintable);
  const days = input.expiresDays ?? DEFAULT_TOKEN_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) throw badRequest(`a token expires in 1 to ${MAX_TOKEN_DAYS} days (got ${days})`);
  const scope = input.scope ?? "export";
  if (!TOKEN_SCOPES.includes(scope)) throw badRequest(`a token's scope is one of ${TOKEN_SCOPES.join(", ")}`);
  const user = (await db.select().from(users).where(eq(users.email, input.email.trim().toLowerCase())))[0];
  if (!user) throw notFound(`no user with email '${input.email}'`);
  if (user.disabled) throw badRequest(`user '${input.email}' is disabled`);
  const token = PREFIX + randomBytes(24).toString("base64url");
  const row = await db.transaction(async (tx) => {
    const r = (await tx
      .insert(apiTokens)
      .values({ userId: user.id, name, tokenHash: hashToken(token), scope, createdAt: now, expiresAt: new Date(now.getTime() + days * DAY_MS) })
      .returning())[0];
    await writeAudit(tx, { userId: actorId, action: "token.create", entity: "api_token", entityId: r.id, detail: { user: user.email, name, scope, days } });
    return r;
  });
  return { token, role: user.role, ...describe(row, user.email, user.disabled, now) };
}

function describe(row: typeof apiTokens.$inferSelect, email: string, userDisabled: boolean, now: Date): TokenInfo {
  const expired = row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime();
  return {
    id: row.id,
    name: row.name,
    user: email,
    scope: row.scope,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt?.toISOString() ?? null,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked: row.revokedAt !== null,
    active: row.revokedAt === null && !expired && !userDisabled,
  };
}

/** Tokens, newest first: one user's (by id or email), or everyone's. */
export async function listApiTokens(db: Db, filter: { userId?: string; email?: string } = {}, now = new Date()): Promise<TokenInfo[]> {
  const where = filter.userId ? eq(users.id, filter.userId) : filter.email ? eq(users.email, filter.email.trim().toLowerCase()) : undefined;
  return (await db
    .select({ token: apiTokens, email: users.email, disabled: users.disabled })
    .from(apiTokens)
    .innerJoin(users, eq(apiTokens.userId, users.id))
    .where(where)
    .orderBy(desc(apiTokens.createdAt)))
    .map((r) => describe(r.token, r.email, r.disabled, now));
}

/** Revokes a token at once. With `ownerId`, only that user's own token may be revoked (the web's own-tokens page). */
export async function revokeApiToken(db: Db, id: string, opts: { ownerId?: string; actorId?: string | null } = {}, now = new Date()): Promise<TokenInfo> {
  return await db.transaction(async (tx) => {
    const row = (await tx.select({ token: apiTokens, email: users.email, disabled: users.disabled }).from(apiTokens).innerJoin(users, eq(apiTokens.userId, users.id)).where(eq(apiTokens.id, id)))[0];
    // Someone else's token reads as missing, so ids reveal nothing.
    if (!row || (opts.ownerId && row.token.userId !== opts.ownerId)) throw notFound(`no token with id '${id}'`);
    if (row.token.revokedAt) throw conflict(`token '${row.token.name}' (${id}) was already revoked`);
    const updated = (await tx.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, id)).returning())[0];
    await writeAudit(tx, { userId: opts.actorId ?? null, action: "token.revoke", entity: "api_token", entityId: id, detail: { user: row.email, name: row.token.name } });
    return describe(updated, row.email, row.disabled, now);
  });
}

/** The enabled user a bearer token belongs to, when the token is live and has the scope asked for; else undefined. */
export async function userForApiToken(db: Db, token: string, scope: TokenScope = "export", now = new Date()): Promise<{ id: string; email: string; role: string } | undefined> {
  if (!token.startsWith(PREFIX)) return undefined;
  const row = (await db
    .select({ token: apiTokens, id: users.id, email: users.email, role: users.role, disabled: users.disabled })
    .from(apiTokens)
    .innerJoin(users, eq(apiTokens.userId, users.id))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)))))[0];
  if (!row || row.disabled || row.token.revokedAt || row.token.scope !== scope) return undefined;
  if (row.token.expiresAt && row.token.expiresAt.getTime() <= now.getTime()) return undefined;
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.token.id));
  return { id: row.id, email: row.email, role: row.role };
}
