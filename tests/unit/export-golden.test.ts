// Exports are the same bytes as the reference files in tests/fixtures/export-golden/, written by the exporter before
// it was rewritten for speed: every format and option set on a fixture with ties, gold, adjudication and chat.
// UPDATE_GOLDEN=1 rewrites the files (only when a format changes on purpose).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportChunks, parseExportFormat, resolveExportFilter } from "../../server/services/export";
import { createTempDb, type TempDb } from "../support/db";
import { buildExportFixture, GOLDEN_EXPORTS } from "../support/export-fixture";

const GOLDEN = path.join(__dirname, "../fixtures/export-golden");
let t: TempDb;

beforeAll(async () => {
  t = createTempDb("rlhf-export-golden-");
  await buildExportFixture(t.db);
});
afterAll(() => t.close());

describe("exports are byte-identical to the reference files", () => {
  for (const { name, format, filter } of GOLDEN_EXPORTS)
    it(name, async () => {
      const parts: Uint8Array[] = [];
      let records = 0;
      for await (const chunk of exportChunks(t.db, parseExportFormat(format), await resolveExportFilter(t.db, filter))) {
        parts.push(chunk.bytes);
        records += chunk.records;
      }
      const text = Buffer.concat(parts).toString("utf8");
      expect(records).toBe(text ? text.split("\n").length - 1 : 0);
      const file = path.join(GOLDEN, `${name}.jsonl`);
      if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(file, text);
      expect(text).toBe(fs.readFileSync(file, "utf8"));
    });
});
