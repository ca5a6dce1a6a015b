// User accounts: create with a bcrypt-hashed password, list, change role/name/disabled, reset passwords.
import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import { and, asc, count, eq, ne} from "drizzle-orm";
import type { Db } from "../../db/index";
import { rowsChanged } from "../../db/sql-fragments";
import { lockFor } from "../../db/statements";
import { users, type Role } from "../../db/schema";
import { writeAudit } from "./audit";
import { badRequest, conflict, notFound } from "./errors";
import { endUserSessions } from "./sessions";
import { terminalSafe, unprintableReason } from "./text-limits";

/** bcrypt cost 10: about 75 ms a hash in pure JS, the usual balance for an interactive sign-in. */
const BCRYPT_COST = 10;

export const MIN_PASSWORD_LENGTH = 8;

export function hashPassword(password: string): string {
  return bcrypt.hashSync(password, BCRYPT_COST);
}

export function verifyPassword(password: string, hash: string): boolean {
  return bcrypt.compareSync(password, hash);
}

/** A random password a person can type: 16 base32-ish characters, about 80 bits. */
export function generatePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(16);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  disabled: users.disabled,
  createdAt: users.createdAt,
};

export type PublicUser = { id: string; email: string; name: string; role: Role; disabled: boolean; createdAt: Date };

/** The email normalised, or a one-line error when it is not one. */
export function checkedEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || unprintableReason(email, "")) throw badRequest(`'${terminalSafe(raw)}' is not an email address.`);
  return email;
}

export async function findUserByEmail(db: Db, email: string) {
  return (await db.select().from(users).where(eq(users.email, normalizeEmail(email))))[0];
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  return await db.select(publicColumns).from(users).orderBy(asc(users.email));
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw badRequest(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
}

/**
 * Creates a user. Without a password one is generated and returned, so the caller can show it once.
 * `actorId` is the admin doing it (null for the CLI and bootstrap); the action is audited either way.
 */
export async function createUser(
  db: Db,
  input: { email: string; role: Role; name?: string; password?: string },
  actorId: string | null = null,
): Promise<{ user: PublicUser; generatedPassword: string | null }> {
  const email = checkedEmail(input.email);
  assertPrintableName(input.name);
  const generatedPassword = input.password ? null : generatePassword();
  const password = input.password ?? generatedPassword!;
  checkPassword(password);
  if (await findUserByEmail(db, email)) throw conflict(`A user with the email ${email} already exists.`);
  const passwordHash = hashPassword(password);
  const user = await db.transaction(async (tx) => {
    const row = (await tx
      .insert(users)
      .values({ email, name: input.name?.trim() ?? "", role: input.role, passwordHash })
      .returning(publicColumns))[0];
    await writeAudit(tx, { userId: actorId, action: "user.create", entity: "user", entityId: row.id, detail: { email, role: input.role } });
    return row;
  });
  return { user, generatedPassword };
}

async function countOtherActiveAdmins(db: Db, exceptId: string): Promise<number> {
  return (await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.disabled, false), ne(users.id, exceptId))))[0]!.n;
}

/** A user's display name, trimmed; control, bidi and zero-width characters are refused. */
function assertPrintableName(name: string | undefined): string {
  const trimmed = name?.trim() ?? "";
  const reason = unprintableReason(trimmed, "A user's name");
  if (reason) throw badRequest(reason);
  return trimmed;
}

/** Changes role, name or disabled. Refuses to remove the last enabled admin, so nobody locks everyone out. */
export async function updateUser(
  db: Db,
  input: { id: string; role?: Role; name?: string; disabled?: boolean },
  actorId: string | null,
): Promise<PublicUser> {
  return await db.transaction(async (tx) => {
    // Two admins taking each other's rights at once must not both see the other still there.
    await lockFor(tx, "admins");
    const before = (await tx.select(publicColumns).from(users).where(eq(users.id, input.id)))[0];
    if (!before) throw notFound("No such user.");
    const losesAdmin = before.role === "admin" && !before.disabled && ((input.role && input.role !== "admin") || input.disabled === true);
    if (losesAdmin && await countOtherActiveAdmins(tx as unknown as Db, input.id) === 0)
      throw badRequest("This is the last enabled admin; make another admin first.");
    const changes: Partial<typeof users.$inferInsert> = {};
    if (input.role !== undefined) changes.role = input.role;
    if (input.name !== undefined) changes.name = assertPrintableName(input.name);
    if (input.disabled !== undefined) changes.disabled = input.disabled;
    if (Object.keys(changes).length === 0) return before;
    const after = (await tx.update(users).set(changes).where(eq(users.id, input.id)).returning(publicColumns))[0];
    // A disabled user, or one whose role changed, signs in again: no old cookie keeps the old rights, and
    // re-enabling an account never revives its old sessions.
    const ended = (changes.disabled === true || (changes.role !== undefined && changes.role !== before.role)) ? await endUserSessions(tx, input.id) : 0;
    await writeAudit(tx, { userId: actorId, action: "user.update", entity: "user", entityId: input.id, detail: { ...changes, ...(ended ? { sessions_ended: ended } : {}) } });
    return after;
  });
}

/**
 * Sets a new password (given or generated) and ends every session of that user, so whoever held the old one is
 * signed out at once; the generated password is returned to be shown once.
 */
export async function resetPassword(db: Db, input: { id: string; password?: string }, actorId: string | null): Promise<{ password: string | null; sessionsEnded: number }> {
  const password = input.password ?? generatePassword();
  checkPassword(password);
  const passwordHash = hashPassword(password);
  const sessionsEnded = await db.transaction(async (tx) => {
    const res = await tx.update(users).set({ passwordHash }).where(eq(users.id, input.id));
    if (rowsChanged(res) === 0) throw notFound("No such user.");
    const ended = await endUserSessions(tx, input.id);
    await writeAudit(tx, { userId: actorId, action: "user.reset_password", entity: "user", entityId: input.id, detail: { sessions_ended: ended } });
    return ended;
  });
  return { password: input.password ? null : password, sessionsEnded };
}

/**
 * A user changes their own password: the current one must be right. Their other sessions end; the one making the
 * change stays signed in.
 */
export async function changeOwnPassword(db: Db, input: { userId: string; sessionId: string; current: string; next: string }): Promise<{ sessionsEnded: number }> {
  const row = (await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, input.userId)))[0];
  if (!row) throw notFound("No such user.");
  if (!verifyPassword(input.current, row.passwordHash)) throw badRequest("The current password is not right.");
  if (input.current === input.next) throw badRequest("The new password must differ from the current one.");
  checkPassword(input.next);
  const passwordHash = hashPassword(input.next);
  const sessionsEnded = await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, input.userId));
    const ended = await endUserSessions(tx, input.userId, { keep: input.sessionId });
    await writeAudit(tx, { userId: input.userId, action: "user.change_password", entity: "user", entityId: input.userId, detail: { sessions_ended: ended } });
    return ended;
  });
  return { sessionsEnded };
}
