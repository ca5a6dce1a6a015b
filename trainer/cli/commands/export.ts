// `rlhf export`: a dataset in one of the export formats, streamed to a file (written beside it and renamed, so a
// killed export leaves nothing half-written) or to stdout.
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { getDb } from "../../../db/index";
import { EXPORT_FORMATS } from "../../../server/services/export-formats";
import { exportChunks, parseExportFormat, resolveExportFilter } from "../../../server/services/export";
import { pacedWriter } from "../../../server/services/paced-writer";
import { UsageError } from "../args";
import type { Command, Handler } from "../types";

const exportData: Handler = async (args, io) => {
  const format = parseExportFormat(args.string("format", { required: true }));
  const out = args.string("out");
  const raw = {
    project: args.string("project"),
    split: args.string("split"),
    since: args.string("since"),
    until: args.string("until"),
    model: args.string("model"),
    minAgreement: args.string("min-agreement"),
    annotator: args.string("annotator"),
    consensus: args.bool("consensus"),
    weights: args.bool("weights"),
    includeGold: args.bool("include-gold"),
  };
  args.assertAllUsed();
  if (!out && io.json) throw new UsageError("--json prints a summary, so it needs --out FILE for the records");
  const db = getDb();
  const filter = await resolveExportFilter(db, raw);

  if (!out) {
    let records = 0;
    for await (const chunk of exportChunks(db, format, filter)) {
      records += chunk.records;
      if (!process.stdout.write(chunk.bytes)) await once(process.stdout, "drain");
    }
    io.log(`exported ${records} ${format} records`);
    return { json: { format, records }, text: "" };
  }

  // Write beside the target and rename at the end, so a killed export never leaves a half-written file.
  const file = path.resolve(out);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const writer = pacedWriter(fs.createWriteStream(tmp));
  // The record count is only known at the end (pairs per ranking vary), so progress is a running count.
  const started = Date.now();
  let records = 0;
  let logged = 0;
  try {
    for await (const chunk of exportChunks(db, format, filter)) {
      records += chunk.records;
      await writer.write(chunk.bytes);
      if (records - logged >= 100_000 && !io.json) {
        logged = records;
        io.log(`export: ${records} records, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    }
    await writer.end();
    fs.renameSync(tmp, file);
  } catch (err) {
    await writer.abandon();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { json: { format, records, out: file }, text: `wrote ${records} ${format} records to ${file}` };
};

export const commands: Command[] = [
  {
    name: "export",
    usage: `rlhf export --format ${EXPORT_FORMATS.join("|")} [--out FILE] [--project P] [--split S] [--since DATE] [--until DATE] [--model M] [--min-agreement X] [--annotator EMAIL] [--consensus] [--weights] [--include-gold]`,
    run: exportData,
  },
];
