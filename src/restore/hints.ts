// Root-cause hints: when sequences come out behind, say why for each one when the dump shows it. An archive whose
// table of contents (as restored) holds table data but no SEQUENCE SET entry for a sequence restored no position
// for it; a plain script that inserts rows and never calls setval for a sequence leaves it at its start; a
// setval with a fixed value (pg_dump's setval(seq, 1, false) for a sequence never used at the source) sets it
// below the rows. Also what the plain SQL filter left out that the user should know of. Pure.

import { dirname, isAbsolute, join } from "node:path";
import type { SequenceReport } from "../core/types.ts";
import { say } from "../core/words.ts";
import type { PlainFacts, PositionSet, QualifiedName } from "./plain/facts.ts";
import { splitQualified } from "./plain/names.ts";

export interface ArchiveListStats {
  tableData: number;
  sequenceSet: number;
  /** What follows "SEQUENCE SET" on each entry: "schema name owner" (pg_restore -l does not quote names). */
  sequenceSets: string[];
}

/** Count TABLE DATA and SEQUENCE SET entries in `pg_restore -l` output (comment lines start with ';'). */
export function archiveListStats(list: string): ArchiveListStats {
  const stats: ArchiveListStats = { tableData: 0, sequenceSet: 0, sequenceSets: [] };
  for (const line of list.split("\n")) {
    const m = /^\s*\d+;\s+\d+\s+\d+\s+(TABLE DATA|SEQUENCE SET)\s(.*)$/.exec(line);
    if (m?.[1] === "TABLE DATA") stats.tableData++;
    else if (m?.[1] === "SEQUENCE SET") {
      stats.sequenceSet++;
      stats.sequenceSets.push((m[2] as string).trimEnd());
    }
  }
  return stats;
}

/** Add the entries of another archive restored into the same database. */
export function mergeListStats(a: ArchiveListStats, b: ArchiveListStats): ArchiveListStats {
  return {
    tableData: a.tableData + b.tableData,
    sequenceSet: a.sequenceSet + b.sequenceSet,
    sequenceSets: [...a.sequenceSets, ...b.sequenceSets],
  };
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

/** Whether the archive's SEQUENCE SET entries name this sequence. */
function hasSequenceSet(stats: ArchiveListStats, sequence: string): boolean {
  const q = splitQualified(sequence);
  if (!q) return true; // unknown: claim nothing
  const tag = `${q.schema} ${q.name}`;
  return stats.sequenceSets.some((e) => e === tag || e.startsWith(`${tag} `));
}

/** "public.a_seq", "public.a_seq and public.b_seq", "public.a_seq, public.b_seq and 3 more". */
function nameList(names: string[], max = 5): string {
  if (names.length === 1) return names[0] as string;
  if (names.length <= max) return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Behind (or, in fix mode, fixed) sequences whose archive entry lacks a SEQUENCE SET. */
export function archiveHints(
  stats: ArchiveListStats,
  behind: SequenceReport[],
  selection: string[],
): string[] {
  if (behind.length === 0 || stats.tableData === 0) return [];
  const missing = behind.filter((s) => !hasSequenceSet(stats, s.sequence)).map((s) => s.sequence);
  if (missing.length === 0) return [];
  const tables = plural(stats.tableData, "table");
  const them = missing.length === 1 ? "its" : "their";
  if (stats.sequenceSet === 0) {
    if (selection.length > 0) {
      return [
        `the restore selected part of the archive (${selection.join(" ")}): the selection holds data for ${tables} but no SEQUENCE SET entry, so no sequence position was restored (pg_restore -t and -L leave SEQUENCE SET entries out unless they are named). Add the sequences to the selection, or ${say.runMode("fix")}.`,
      ];
    }
    return [
      `the archive's table of contents holds data for ${tables} but no SEQUENCE SET entry, so no sequence position was restored: it was made with pg_dump --data-only -t (or -t of tables whose sequences they do not own), or edited by hand. Dump the sequences too (pg_dump -t SEQUENCE), or ${say.runMode("fix")} after restoring.`,
    ];
  }
  const others = `it has ${plural(stats.sequenceSet, "SEQUENCE SET entry", "SEQUENCE SET entries")} for other sequences`;
  if (selection.length > 0) {
    return [
      `the restore selected part of the archive (${selection.join(" ")}): the selection leaves out the SEQUENCE SET entry of ${nameList(missing)} (${others}), so ${them} position was not restored. Add ${missing.length === 1 ? "it" : "them"} to the selection, or ${say.runMode("fix")}.`,
    ];
  }
  return [
    `the archive's table of contents has no SEQUENCE SET entry for ${nameList(missing)} (${others}), so ${them} position was not restored: the dump left ${missing.length === 1 ? "it" : "them"} out (pg_dump --exclude-table-data, or -t of tables that do not own ${missing.length === 1 ? "it" : "them"}), or the list was edited by hand. Dump the sequences too, or ${say.runMode("fix")} after restoring.`,
  ];
}

const sameTable = (reported: string, t: QualifiedName) => {
  const q = splitQualified(reported);
  return q !== null && q.name === t.name && (t.schema === null || t.schema === q.schema);
};

/** A plain script restored, and what it did. */
export interface PlainScript {
  path: string;
  facts: PlainFacts;
}

/** The last setval / RESTART of the scripts (restored in this order) that moved this sequence, if any. */
function lastPositionFor(scripts: PlainScript[], s: SequenceReport): { p: PositionSet; path: string } | null {
  const q = splitQualified(s.sequence);
  let best: { p: PositionSet; path: string } | null = null;
  for (const script of scripts) {
    for (const p of script.facts.positions.values()) {
      const t = p.target;
      const hit =
        t.kind === "sequence"
          ? q !== null && t.name === q.name && (t.schema === null || t.schema === q.schema)
          : t.kind === "column"
            ? s.columns.some((c) => c.column === t.column && sameTable(c.table, t.table))
            : s.columns.some((c) => sameTable(c.table, t.table));
      // A later script wins over an earlier one, and in one script the later statement.
      if (hit && (best === null || best.path !== script.path || p.order > best.p.order))
        best = { p, path: script.path };
    }
  }
  return best;
}

/** Where a position was set: FILE:LINE in the dump, or in the file it includes (named from the dump's folder). */
function whereOf(p: PositionSet, path: string): string {
  if (p.file === null) return `${path}:${p.line}`;
  return `${isAbsolute(p.file) ? p.file : join(dirname(path), p.file)}:${p.line}`;
}

/** The hint for a sequence whose last setval / RESTART in the script explains where it stands. */
function positionHint(p: PositionSet, s: SequenceReport, path: string, pgDump: boolean): string | null {
  const where = whereOf(p, path);
  const value = s.max ?? s.min;
  const col = s.columns.find((c) => (c.max ?? c.min) === value) ?? s.columns[0];
  const holds = `${col ? `${col.table}.${col.column}` : "its column"} holds values ${s.max !== null ? "up" : "down"} to ${value}`;
  const fix = `or end the script with ${say.fixStatements()}, or ${say.runMode("fix")} after restoring`;
  if (p.reset) {
    return `${where}: ${p.text} puts ${s.sequence} back to its start, and the rows loaded after it keep their ids (${holds}): restarting a sequence does not account for rows loaded later. Restart it before loading, ${fix}.`;
  }
  if (p.value === null || p.isCalled === null || s.next_value === null) return null;
  const next = p.isCalled ? BigInt(p.value) + BigInt(s.increment) : BigInt(p.value);
  // Something moved it after the setval (rows inserted through the default): the setval is not the cause.
  if (next.toString() !== s.next_value) return null;
  const unused = !p.isCalled && (p.value === "1" || p.value === s.min_value);
  if (pgDump) {
    return `${where}: ${p.text} restores ${s.sequence} where it stood in the database pg_dump dumped (next value ${next}), though ${holds}: it was already behind there, its rows loaded with explicit ids${unused ? " (setval(seq, 1, false) is what pg_dump writes for a sequence never used)" : ""}. Fix the source database (${say.mode("fix")} there), or ${say.runMode("fix")} after restoring.`;
  }
  if (unused) {
    return `${where}: ${p.text} puts ${s.sequence} back to its start (next value ${next}) though ${holds}. Drop the call, ${fix}.`;
  }
  return `${where}: ${p.text} sets ${s.sequence} to hand out ${next} next, though ${holds}: a setval with a fixed value goes stale as rows are added. Compute it from the rows after loading them, ${fix}.`;
}

/** Behind (or fixed) sequences explained from what the plain scripts restored into their database did. */
export function plainHints(scripts: PlainScript[], behind: SequenceReport[]): string[] {
  if (scripts.length === 0) return [];
  const out: string[] = [];
  const never: string[] = [];
  // A setval seq-guard cannot read (in a function body, with a computed name) may be the one: claim nothing then.
  const opaque = scripts.some((x) => x.facts.opaqueSetvals > 0);
  const loaders = scripts.filter((x) => x.facts.inserts + x.facts.copies > 0);
  for (const s of behind) {
    const found = lastPositionFor(scripts, s);
    if (found) {
      const pgDump = scripts.find((x) => x.path === found.path)?.facts.pgDump != null;
      const h = positionHint(found.p, s, found.path, pgDump);
      if (h) out.push(h);
    } else if (!opaque && loaders.length > 0) {
      never.push(s.sequence);
    }
  }
  if (never.length > 0) {
    const inserts = loaders.reduce((n, x) => n + x.facts.inserts, 0);
    const copies = loaders.reduce((n, x) => n + x.facts.copies, 0);
    const parts: string[] = [];
    if (inserts > 0) parts.push(plural(inserts, "INSERT statement"));
    if (copies > 0) parts.push(plural(copies, "COPY block"));
    out.unshift(
      `${loaders.map((x) => x.path).join(" + ")} ${loaders.length === 1 ? "inserts" : "insert"} rows (${parts.join(", ")}) and never calls setval for ${nameList(never)}: rows inserted with explicit ids do not move their sequence. Insert through the column default, end the script with ${say.fixStatements()}, or ${say.runMode("fix")} after loading it (a bare setval(seq, max(id)) fails on an empty table and can move a sequence backwards).`,
    );
  }
  return out;
}

/** What the plain SQL filter left out that outlives nothing but the user should know of: roles, tablespaces. */
export function plainNotes(facts: PlainFacts, path: string): string[] {
  if (facts.skippedCluster === 0) return [];
  const more = facts.skippedCluster - facts.cluster.length;
  return [
    `${path}: left out ${plural(facts.skippedCluster, "role or tablespace statement")} (${facts.cluster.join(", ")}${more > 0 ? ` and ${more} more` : ""}): roles and tablespaces belong to the whole server and would stay on it after the scratch database is dropped (a second run would then fail on them). If the restore needs them, create them on the server first.`,
  ];
}
