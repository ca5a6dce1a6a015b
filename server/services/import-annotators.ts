// Who ranked an imported line: the `annotator` email of a rankings file names an existing user, or, when the import
// asks for it (`--create-annotators`), a disabled annotator account made for the purpose (it can be enabled later).
import { eq } from "drizzle-orm";
import type { Db } from "../../db/index";
import { users } from "../../db/schema";
import type { DbOrTx } from "./audit";
import { badRequest, ServiceError } from "./errors";
import { checkedEmail, generatePassword, hashPassword } from "./users";

export interface AnnotatorOptions {
  /** Make a disabled annotator account for an email no user has. */
  createAnnotators?: boolean;
}

/** One hash for every account an import makes: they are disabled, and nobody knows the password. */
let placeholderHash: string | undefined;

/** The user id for an annotator email, made when allowed; a ServiceError (a line error) otherwise. */
export async function annotatorIdFor(tx: DbOrTx, raw: string, opts: AnnotatorOptions): Promise<string> {
  const email = checkedEmail(raw);
  const found = (await tx.select({ id: users.id }).from(users).where(eq(users.email, email)))[0];
  if (found) return found.id;
  if (!opts.createAnnotators) throw badRequest(unknownAnnotatorMessage(email));
  placeholderHash ??= hashPassword(generatePassword());
  return (await tx.insert(users).values({ email, role: "annotator", disabled: true, passwordHash: placeholderHash }).returning({ id: users.id }))[0].id;
}

function unknownAnnotatorMessage(email: string): string {
  return `no user with the email ${email}: add them first, or import with --create-annotators`;
}

/**
 * Checks a file's annotator emails before anything is written: returns each bad one (as written in the file) with
 * its one-line message. Emails no user has are bad only without `createAnnotators`.
 */
export async function checkAnnotators(db: Db, emails: readonly (string | undefined)[], opts: AnnotatorOptions): Promise<Map<string, string>> {
  const bad = new Map<string, string>();
  for (const raw of new Set(emails)) {
    if (raw === undefined) continue;
    let email: string;
    try {
      email = checkedEmail(raw);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      bad.set(raw, err.message);
      continue;
    }
    if (!opts.createAnnotators && !(await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]) bad.set(raw, unknownAnnotatorMessage(email));
  }
  return bad;
}
