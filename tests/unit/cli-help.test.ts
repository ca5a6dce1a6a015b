// The CLI's own list of commands is the contract: the README's CLI section shows exactly the lines `rlhf --help`
// prints, every run kind has its `rlhf train` command, and each command's --help lists what it accepts.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RUN_KIND_DESCRIPTORS, runConfigFields, TRAINING_KINDS } from "../../server/services/run-kinds/index";
import { allCommands, helpText } from "../../trainer/cli";
import { rlhf } from "../support/cli";

const README = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");

describe("rlhf --help", () => {
  it("the README's CLI section matches it line for line", async () => {
    const section = README.slice(README.indexOf("## The `rlhf` CLI"));
    const block = /```\n([\s\S]*?)\n```/.exec(section)![1]!.split("\n");
    const help = (await helpText()).split("\n").filter((l) => l.startsWith("  rlhf ")).map((l) => l.trim());
    expect(block).toEqual(help);
  });

  it("has one train command per run kind, named by its CLI verb", async () => {
    const names = (await allCommands()).map((c) => c.name);
    expect(names.filter((n) => n.startsWith("train ")).sort()).toEqual(TRAINING_KINDS.map((k) => `train ${RUN_KIND_DESCRIPTORS[k].cliVerb}`).sort());
    expect(new Set(names).size).toBe(names.length);
    for (const noun of ["projects create", "projects list", "import rankings", "eval rm", "worker"]) expect(names).toContain(noun);
  });

  it("`rlhf train ppo --help` lists every PPO config key with its default", async () => {
    const r = await rlhf("train", "ppo", "--help");
    expect(r.code).toBe(0);
    for (const f of runConfigFields("ppo")) expect(r.out).toContain(`${f.key} (${JSON.stringify(f.default)})`);
  });

  it("an unknown command or flag is a one-line usage error", async () => {
    expect((await rlhf("frobnicate")).code).toBe(2);
    const r = await rlhf("projects", "list", "--colour", "--json");
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ ok: false, error: expect.stringMatching(/^unknown flag --colour/) });
  });
});
