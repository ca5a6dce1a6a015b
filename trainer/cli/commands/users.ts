// `rlhf users add`: accounts for annotators, researchers and admins.
import { getDb } from "../../../db/index";
import { ROLES, type Role } from "../../../db/schema";
import { createUser, findUserByEmail, resetPassword } from "../../../server/services/users";
import { CliError, UsageError } from "../args";
import type { Command } from "../types";

export const commands: Command[] = [
  {
    name: "users add",
    usage: `rlhf users add --email E --role ${ROLES.join("|")} [--password P] [--name N]`,
    async run(args) {
      const email = args.string("email", { required: true });
      const role = args.string("role", { required: true });
      const password = args.string("password");
      const name = args.string("name");
      args.assertAllUsed();
      if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")} (got '${role}')`);
      const { user, generatedPassword } = await createUser(getDb(), { email, role: role as Role, password, name });
      const json = { user: { id: user.id, email: user.email, name: user.name, role: user.role }, ...(generatedPassword ? { password: generatedPassword } : {}) };
      const text = `created ${user.role} ${user.email} (id ${user.id})` + (generatedPassword ? `\npassword: ${generatedPassword}  (shown once)` : "");
      return { json, text };
    },
  },
  {
    name: "users reset-password",
    usage: "rlhf users reset-password --email E [--password P]",
    help: "Without --password one is generated and printed once. Every session of that user ends at once.",
    async run(args) {
      const email = args.string("email", { required: true });
      const password = args.string("password");
      args.assertAllUsed();
      const db = getDb();
      const user = await findUserByEmail(db, email);
      if (!user) throw new CliError(`no user with the email '${email}'`);
      const r = await resetPassword(db, { id: user.id, password }, null);
      const json = { user: user.email, sessions_ended: r.sessionsEnded, ...(r.password ? { password: r.password } : {}) };
      const text = `reset the password of ${user.email}; ${r.sessionsEnded} session(s) ended` + (r.password ? `\npassword: ${r.password}  (shown once)` : "");
      return { json, text };
    },
  },
];
