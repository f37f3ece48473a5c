// What a plain SQL script did, as the reader notes it for the root-cause hints (hints.ts): rows loaded (INSERT,
// COPY), every setval / RESTART with its target and value, and what was left out (ownership, privileges,
// database- and cluster-level statements). An included file's facts are added to the including script's. Pure.

export interface QualifiedName {
  /** Null when the script did not qualify it (search_path decides). */
  schema: string | null;
  name: string;
}

/** What a setval / RESTART moves: a sequence by name, the sequence of a column, or every identity of a table. */
export type PositionTarget =
  | ({ kind: "sequence" } & QualifiedName)
  | { kind: "column"; table: QualifiedName; column: string }
  | { kind: "table"; table: QualifiedName };

/** One statement of the script that sets a sequence's position. */
export interface PositionSet {
  target: PositionTarget;
  /** The value given as a literal; null when computed (max(id)) or the sequence's start (RESTART, TRUNCATE). */
  value: string | null;
  /** setval's third argument (true when left out); false for RESTART; null when computed. */
  isCalled: boolean | null;
  /** Back to the sequence's start: RESTART without a value, or TRUNCATE ... RESTART IDENTITY. */
  reset: boolean;
  /** The call as written, shortened: setval('public.t_id_seq', 1, false). */
  text: string;
  /** The included file it is in (from the dump's folder, or absolute when outside it); null for the dump itself. */
  file: string | null;
  line: number;
  /** Order in the whole script (includes count where they are included). */
  order: number;
}

export interface PlainFacts {
  /** Lines seen. */
  lines: number;
  inserts: number;
  copies: number;
  /** setval() calls and RESTART statements. */
  setvals: number;
  /** The last position set per target (key: what it targets). */
  positions: Map<string, PositionSet>;
  /** setval or RESTART inside a function body, a string or a call seq-guard cannot read: the target is unknown. */
  opaqueSetvals: number;
  /** Statements left out: ownership, privileges, database-level, cluster-level (roles, tablespaces). */
  skippedOwner: number;
  skippedPrivileges: number;
  skippedDatabase: number;
  skippedCluster: number;
  /** The first cluster-level statements left out, for the hint: "CREATE USER pgexercises". */
  cluster: string[];
  /** The script says it was written by pg_dump (this version): its setval calls are the source's positions. */
  pgDump: string | null;
}

export function emptyFacts(): PlainFacts {
  return {
    lines: 0,
    inserts: 0,
    copies: 0,
    setvals: 0,
    positions: new Map(),
    opaqueSetvals: 0,
    skippedOwner: 0,
    skippedPrivileges: 0,
    skippedDatabase: 0,
    skippedCluster: 0,
    cluster: [],
    pgDump: null,
  };
}

/** Add what an included file did to the facts of the script that includes it. */
export function mergeIncluded(f: PlainFacts, g: PlainFacts): void {
  f.inserts += g.inserts;
  f.copies += g.copies;
  f.setvals += g.setvals;
  f.opaqueSetvals += g.opaqueSetvals;
  for (const [k, p] of g.positions) {
    const had = f.positions.get(k);
    if (!had || had.order < p.order) f.positions.set(k, p);
  }
}

/** What a position set targets, as a key: the last set of each target is the one that counts. */
export function targetKey(t: PositionTarget): string {
  if (t.kind === "sequence") return `s:${t.schema ?? ""}\0${t.name}`;
  if (t.kind === "column") return `c:${t.table.schema ?? ""}\0${t.table.name}\0${t.column}`;
  return `t:${t.table.schema ?? ""}\0${t.table.name}`;
}
