// First start: create an admin when there is none (from ADMIN_EMAIL/ADMIN_PASSWORD, or with a generated password
// that start-up prints once), seed the demo project while there are no projects, and register the built-in base
// policy. Idempotent.
import { count, eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { lockFor } from "../../db/statements";
import { projects, users } from "../../db/schema";
import { ensureBuiltinModel } from "./builtin-model";
import { recoverInterruptedImports } from "./prompt-import-job";
import { seedDemoProject } from "./seed";
import { readEnv } from "../env";
import { createUser } from "./users";

export interface BootstrapResult {
  /** The admin created now; null when an admin already existed. */
  adminEmail: string | null;
  /** Only when it was generated now: show it once, it is stored only as a hash. */
  generatedPassword: string | null;
  seededDemo: boolean;
}

export const DEFAULT_ADMIN_EMAIL = "admin@localhost";

export async function ensureBootstrap(db: Db, env: Record<string, string | undefined> = process.env): Promise<BootstrapResult> {
  const { ADMIN_EMAIL, ADMIN_PASSWORD } = readEnv(env);
  let adminEmail: string | null = null;
  let generatedPassword: string | null = null;
  let seededDemo = false;
  // Several web instances (and workers) may start together on a new database: one of them does the first-start work.
  await db.transaction(async (tx) => {
    await lockFor(tx, "bootstrap");
    const admins = (await db.select({ n: count() }).from(users).where(eq(users.role, "admin")))[0]!.n;
    if (admins === 0) {
      const created = await createUser(db, { email: ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL, role: "admin", name: "Admin", password: ADMIN_PASSWORD });
      adminEmail = created.user.email;
      generatedPassword = created.generatedPassword;
    }
    if ((await db.select({ n: count() }).from(projects))[0]!.n === 0) {
      await seedDemoProject(db);
      seededDemo = true;
    }
    // The shipped base policy, so the new-run form and `--base base` work from the first start.
    await ensureBuiltinModel(db);
  });
  // A prompt import whose process died is taken back (or finished) before anyone works on its tasks.
  await recoverInterruptedImports(db);
  return { adminEmail, generatedPassword, seededDemo };
}
