// Names are printable text: control, bidi-override and zero-width characters are refused with a sentence that names
// the character, and text printed to a terminal never carries a raw control character.
import { describe, expect, it } from "vitest";
import { terminalSafe, unprintableReason } from "../../server/services/text-limits";
import { createProject, updateProject } from "../../server/services/projects";
import { createUser, updateUser } from "../../server/services/users";
import { createTempDb } from "../support/db";

describe("printable names", () => {
  it.each([
    ["\x1b[31mred\x1b[0m", "U+001B"],
    ["evil\u202Etxt.exe", "U+202E"],
    ["a\u200Bb", "U+200B"],
    ["two\nlines", "U+000A"],
    ["\u2066isolate", "U+2066"],
  ])("refuses %j (%s)", (name, code) => {
    expect(unprintableReason(name, "Project name")).toBe(`Project name may not contain control, bidi or zero-width characters (found ${code})`);
  });

  it("accepts ordinary names in any script", () => {
    for (const name of ["Support bot v2", "Évaluation — été", "日本語のプロジェクト", "Ünïcödé 🚀"]) expect(unprintableReason(name, "x")).toBeNull();
  });

  it("projects and users refuse them through the services (every caller: tRPC, CLI, seeds)", async () => {
    const t = createTempDb();
    try {
      await expect(async () => await createProject(t.db, { name: "x\u202Egnp.exe" }, null)).rejects.toThrow(/found U\+202E/);
      const p = await createProject(t.db, { name: "Fine" }, null);
      await expect(async () => await updateProject(t.db, { id: p.id, name: "\x1b]0;pwned\x07" }, null)).rejects.toThrow(/found U\+001B/);
      await expect(async () => await createUser(t.db, { email: "a@b.test", role: "annotator", name: "\u200Dadmin", password: "long-enough-pw" })).rejects.toThrow(/found U\+200D/);
      await expect(async () => await createUser(t.db, { email: "a\x1b@b.test", role: "annotator", password: "long-enough-pw" })).rejects.toThrow(/is not an email address/);
      const { user } = await createUser(t.db, { email: "c@d.test", role: "annotator", password: "long-enough-pw" });
      await expect(async () => await updateUser(t.db, { id: user.id, name: "bell\x07" }, null)).rejects.toThrow(/found U\+0007/);
    } finally {
      await t.close();
    }
  });

  it("terminalSafe escapes controls and bidi characters but keeps lines and tabs", () => {
    expect(terminalSafe("ok\tcol\n\x1b[2Jgone\u202E")).toBe("ok\tcol\n\\u{1b}[2Jgone\\u{202e}");
  });
});
