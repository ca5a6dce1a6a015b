// The audit log: every admin action records who did what to which row, in the same transaction as the change.
import { count, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { auditLog, users } from "../../db/schema";

/** A database handle or the transaction handle drizzle passes to `db.transaction` callbacks. */
export type DbOrTx = Pick<Db, "select" | "insert" | "update" | "delete" | "run" | "all" | "get">;

export interface AuditEntry {
  userId: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  detail?: Record<string, unknown> | null;
}

export async function writeAudit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog)
    .values({ userId: entry.userId, action: entry.action, entity: entry.entity, entityId: entry.entityId ?? null, detail: entry.detail ?? null });
}

/** Newest first, with the actor's email. */
export async function listAudit(db: Db, opts: { page: number; pageSize: number }) {
  const items = await db
    .select({
      id: auditLog.id,
      userId: auditLog.userId,
      userEmail: users.email,
      action: auditLog.action,
      entity: auditLog.entity,
      entityId: auditLog.entityId,
      detail: auditLog.detail,
      createdAt: auditLog.createdAt,
    })
    .from(auditLog)
    .leftJoin(users, eq(auditLog.userId, users.id))
    .orderBy(desc(auditLog.id))
    .limit(opts.pageSize)
    .offset((opts.page - 1) * opts.pageSize);
  const total = (await db.select({ n: count() }).from(auditLog))[0]!.n;
  return { items, total, page: opts.page, pageSize: opts.pageSize };
}
