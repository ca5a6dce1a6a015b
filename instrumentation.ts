// Start-up hook: on the Node.js server (never during `next build`) open and migrate the database, create the
// first admin if there is none, and print its generated password once.

export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // `next build` may load this file to prerender pages; the build must never touch the database.
  if (process.env.NEXT_PHASE === "phase-production-build") return;

  const { getDb } = await import("./db/index");
  const { ensureBootstrap } = await import("./server/services/bootstrap");
  const db = getDb(); // migrations run here
  const result = await ensureBootstrap(db, process.env);
  const password = (result as { generatedPassword?: string | null } | undefined)?.generatedPassword;
  const email = (result as { adminEmail?: string; email?: string } | undefined)?.adminEmail ?? (result as { email?: string } | undefined)?.email;
  if (password) printCredentialsOnce(email ?? process.env.ADMIN_EMAIL ?? "admin", password);
}

function printCredentialsOnce(email: string, password: string) {
  const lines = ["First start: an admin account was created.", `  email:    ${email}`, `  password: ${password}`, "This password is shown only once. Change it after signing in."];
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const bar = "─".repeat(width);
  console.log(`\n┌${bar}┐\n${lines.map((l) => `│ ${l.padEnd(width - 1)}│`).join("\n")}\n└${bar}┘\n`);
}
