// Root-cause hints: when sequences come out behind, say why when the dump shows it. An archive whose table of
// contents (as restored) holds table data but no SEQUENCE SET entry restored no sequence position at all; a plain
// script that inserts rows and never calls setval leaves every sequence at its start. Pure.

import type { PlainFacts } from "./plain.ts";

export interface ArchiveListStats {
  tableData: number;
  sequenceSet: number;
}

/** Count TABLE DATA and SEQUENCE SET entries in `pg_restore -l` output (comment lines start with ';'). */
export function archiveListStats(list: string): ArchiveListStats {
  const stats: ArchiveListStats = { tableData: 0, sequenceSet: 0 };
  for (const line of list.split("\n")) {
    const m = /^\s*\d+;\s+\d+\s+\d+\s+(TABLE DATA|SEQUENCE SET)\s/.exec(line);
    if (m?.[1] === "TABLE DATA") stats.tableData++;
    else if (m?.[1] === "SEQUENCE SET") stats.sequenceSet++;
  }
  return stats;
}

/** pg_restore options that select part of an archive, with whether each takes a value. */
const SELECTING: Record<string, boolean> = {
  "-t": true,
  "--table": true,
  "-n": true,
  "--schema": true,
  "-N": true,
  "--exclude-schema": true,
  "-L": true,
  "--use-list": true,
  "-I": true,
  "--index": true,
  "-P": true,
  "--function": true,
  "-T": true,
  "--trigger": true,
  "--section": true,
  "-a": false,
  "--data-only": false,
  "-s": false,
  "--schema-only": false,
};

/** The arguments among --restore-arg values that narrow what pg_restore restores (for `pg_restore -l`). */
export function selectionArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    if (name in SELECTING) {
      if (SELECTING[name] && name === a) {
        const v = args[i + 1];
        if (v !== undefined) {
          out.push(a, v);
          i++;
        }
      } else {
        out.push(a);
      }
    } else if (/^-[tnNLIPT]./.test(a)) {
      out.push(a); // -tusers
    }
  }
  return out;
}

export function archiveHints(stats: ArchiveListStats, behind: number, selection: string[]): string[] {
  if (behind === 0 || stats.tableData === 0 || stats.sequenceSet > 0) return [];
  const tables = `${stats.tableData} table${stats.tableData === 1 ? "" : "s"}`;
  if (selection.length > 0) {
    return [
      `the restore selected part of the archive (${selection.join(" ")}): the selection holds data for ${tables} but no SEQUENCE SET entry, so no sequence position was restored (pg_restore -t and -L leave SEQUENCE SET entries out unless they are named). Add the sequences to the selection, or run seq-guard fix.`,
    ];
  }
  return [
    `the archive's table of contents holds data for ${tables} but no SEQUENCE SET entry, so no sequence position was restored: it was made with pg_dump --data-only -t (or -t of tables whose sequences they do not own), or edited by hand. Dump the sequences too (pg_dump -t SEQUENCE), or run seq-guard fix after restoring.`,
  ];
}

export function plainHints(facts: PlainFacts, behind: number, path: string): string[] {
  if (behind === 0 || facts.setvals > 0 || facts.inserts + facts.copies === 0) return [];
  const parts: string[] = [];
  if (facts.inserts > 0) parts.push(`${facts.inserts} INSERT statement${facts.inserts === 1 ? "" : "s"}`);
  if (facts.copies > 0) parts.push(`${facts.copies} COPY block${facts.copies === 1 ? "" : "s"}`);
  return [
    `${path} inserts rows (${parts.join(", ")}) and never calls setval: rows inserted with explicit ids do not move their sequence. Insert through the column default, end the script with the setval() calls that seq-guard fix prints, or run seq-guard fix after loading it (a bare setval(seq, max(id)) fails on an empty table and can move a sequence backwards).`,
  ];
}
