// Where a finding is annotated: each dump inside the workspace by its path, and for plain SQL the line where its
// table's data begins (found by reading the file once, for the tables of the findings only).

import { createReadStream, existsSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { createInterface } from "node:readline";
import { isProblem } from "../core/report.ts";
import type { Report, SequenceReport, TargetReport } from "../core/types.ts";
import { type Place, TableDataLocator, tableOf } from "../render/annotations.ts";

/** Where each annotated sequence's table data begins, for plain SQL dumps inside the workspace. */
export async function locator(
  report: Report,
  workspace: string,
): Promise<(t: TargetReport, seq: SequenceReport | null) => Place | null> {
  const files = new Map<TargetReport, string>();
  const lineOf = new Map<TargetReport, Map<string, number>>();
  for (const t of report.targets) {
    if (t.dump === null) continue;
    const abs = resolve(t.dump);
    // Several dumps restored into one database ("schema.sql + data.sql") name no single file to annotate.
    if (!existsSync(abs)) continue;
    const rel = relative(workspace, abs);
    if (rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) continue;
    files.set(t, rel.split(sep).join("/"));
    if (t.format !== "plain") continue;
    const wanted = new Set<string>();
    for (const r of t.sequences) {
      if (isProblem(r)) {
        const table = tableOf(r);
        if (table) wanted.add(table);
      }
    }
    if (wanted.size === 0) continue;
    try {
      const loc = new TableDataLocator(wanted);
      const rl = createInterface({
        input: createReadStream(abs, "utf8"),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      let n = 0;
      for await (const line of rl) {
        loc.feed(line, ++n);
        if (loc.done) break;
      }
      rl.close();
      lineOf.set(t, loc.lines);
    } catch {
      // no line numbers: the annotation sits on the file
    }
  }
  return (t, seq) => {
    const file = files.get(t);
    if (!file) return null;
    if (!seq) return { file };
    const table = tableOf(seq);
    const line = table ? lineOf.get(t)?.get(table) : undefined;
    return line !== undefined ? { file, line } : { file };
  };
}
