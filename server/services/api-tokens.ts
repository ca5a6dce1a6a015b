// Export API tokens: random secrets shown once, stored only as a sha256 hash, tied to a user and their role.
import { createHash, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { apiTokens, users } from "../../db/schema";
import { badRequest, notFound } from "./errors";

const PREFIX = "rlhf_";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Creates a token for the user and returns it in clear: the only time it is ever shown. */
export function createApiToken(db: Db, email: string, name: string): { token: string; id: string; user: string; role: string } {
  if (!name.trim() || name.length > 100) throw badRequest("a token needs a name of 1-100 characters");
  const user = db.select().from(users).where(eq(users.email, email)).get();
  if (!user) throw notFound(`no user with email '${email}'`);
  if (user.disabled) throw badRequest(`user '${email}' is disabled`);
  const token = PREFIX + randomBytes(24).toString("base64url");
  const row = db.insert(apiTokens).values({ userId: user.id, name: name.trim(), tokenHash: hashToken(token) }).returning().get();
  return { token, id: row.id, user: user.email, role: user.role };
}

/** The enabled user a bearer token belongs to, or undefined. */
export function userForApiToken(db: Db, token: string): { id: string; email: string; role: string } | undefined {
  if (!token.startsWith(PREFIX)) return undefined;
  const row = db
    .select({ tokenId: apiTokens.id, id: users.id, email: users.email, role: users.role, disabled: users.disabled })
    .from(apiTokens)
    .innerJoin(users, eq(apiTokens.userId, users.id))
    .where(eq(apiTokens.tokenHash, hashToken(token)))
    .get();
  if (!row || row.disabled) return undefined;
  db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.tokenId)).run();
  return { id: row.id, email: row.email, role: row.role };
}
