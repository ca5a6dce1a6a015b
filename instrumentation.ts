// Start-up hook: on the Node.js server (never during `next build`) open and migrate the database, create the
// first admin if there is none, and print its generated password once.

export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // `next build` may load this file to prerender pages; the build must never touch the database.
  if (process.env.NEXT_PHASE === "phase-production-build") return;

  const { getDb } = await import("./db/index");
  const { DatabaseUrlError } = await import("./db/paths");
  const { ensureBootstrap } = await import("./server/services/bootstrap");
  let db: ReturnType<typeof getDb>;
  try {
    db = getDb(); // opening the database applies the migrations
  } catch (err) {
    // A DATABASE_URL this build cannot open: say so in one line and stop, rather than serve pages that all fail.
    if (!(err instanceof DatabaseUrlError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
  const { DatabaseUnavailableError } = await import("./db/postgres");
  // A PostgreSQL server that is down at start: one line naming it, pages and /api/health answer 503 meanwhile, and
  // the first-start work runs once the server is back.
  const bootstrap = async (): Promise<void> => {
    try {
      report(await ensureBootstrap(db, process.env));
    } catch (err) {
      if (!(err instanceof DatabaseUnavailableError)) throw err;
      console.error(`${err.message} (retrying every 5 s)`);
      setTimeout(() => void bootstrap().catch((e: unknown) => console.error(e)), 5000).unref();
    }
  };
  await bootstrap();
}

function report(result: { adminEmail?: string | null; generatedPassword?: string | null; seededDemo?: boolean }) {
  if (result.adminEmail && result.generatedPassword) printBox(["First start: an admin account was created.", `  email:    ${result.adminEmail}`, `  password: ${result.generatedPassword}`, "The password is shown only this once."]);
  else if (result.adminEmail) console.log(`Admin account ${result.adminEmail} created with the password from ADMIN_PASSWORD.`);
  if (result.seededDemo) console.log("Seeded a demo project with prompts and ranking tasks.");
}

function printBox(lines: string[]) {
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const bar = "─".repeat(width);
  console.log(`\n┌${bar}┐\n${lines.map((l) => `│ ${l.padEnd(width - 1)}│`).join("\n")}\n└${bar}┘\n`);
}
