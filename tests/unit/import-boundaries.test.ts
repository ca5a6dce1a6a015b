// The design's import rules, checked on the source: app → server → db, trainer → server/services → db, and the web
// process never loads TensorFlow.js (so a trainer crash or a heavy import can never take the web app down).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mjs|js)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every import of a file, as a repo-relative path for local imports or the bare package name. */
function importsOf(file: string): string[] {
  const src = fs.readFileSync(file, "utf8");
  return [...src.matchAll(IMPORT_RE)].map((m) => {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    if (spec.startsWith(".")) return path.relative(ROOT, path.resolve(path.dirname(file), spec));
    if (spec.startsWith("~/")) return spec.slice(2);
    return spec;
  });
}

function violations(dirs: string[], forbidden: (target: string) => boolean): string[] {
  return dirs.flatMap(sourceFiles).flatMap((f) =>
    importsOf(f).filter(forbidden).map((t) => `${path.relative(ROOT, f)} imports ${t}`),
  );
}

describe("import boundaries", () => {
  it("the web side (app, server, db, instrumentation) never imports trainer/ or TensorFlow.js", () => {
    const webFiles = ["app", "server", "db"];
    const bad = violations(webFiles, (t) => t.startsWith("trainer") || t.startsWith("@tensorflow/"));
    for (const f of ["instrumentation.ts", "middleware.ts", "proxy.ts"].filter((f) => fs.existsSync(path.join(ROOT, f))))
      bad.push(...importsOf(path.join(ROOT, f)).filter((t) => t.startsWith("trainer") || t.startsWith("@tensorflow/")).map((t) => `${f} imports ${t}`));
    expect(bad).toEqual([]);
  });

  it("server and db never import app/; db never imports server/", () => {
    expect(violations(["server", "db"], (t) => t.startsWith("app/") || t === "app")).toEqual([]);
    expect(violations(["db"], (t) => t.startsWith("server/"))).toEqual([]);
  });

  it("the trainer reaches the server only through server/services", () => {
    expect(violations(["trainer"], (t) => t.startsWith("server/") && !t.startsWith("server/services/"))).toEqual([]);
    expect(violations(["trainer"], (t) => t.startsWith("app/"))).toEqual([]);
  });

  it("the run framework, the worker and the trainers never import CLI code (web-queued runs speak no CLI flags)", () => {
    const runners = ["trainer/runs", "trainer/algorithms", "trainer/rl", "trainer/sft"];
    const bad = violations(runners, (t) => t.startsWith("trainer/cli"));
    bad.push(...importsOf(path.join(ROOT, "trainer/worker.ts")).filter((t) => t.startsWith("trainer/cli")).map((t) => `trainer/worker.ts imports ${t}`));
    expect(bad).toEqual([]);
  });

  it("checks real files (the scan is not empty)", () => {
    expect(sourceFiles("server").length).toBeGreaterThan(3);
    expect(sourceFiles("trainer").length).toBeGreaterThan(3);
  });
});
