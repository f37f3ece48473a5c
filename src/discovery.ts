// Discovery: one pass over the catalog finds every sequence and every column it feeds, through the three links
// PostgreSQL records in pg_depend: OWNED BY (deptype 'a'), identity (deptype 'i'), and a column DEFAULT that
// calls nextval() (the pg_attrdef row depends on the sequence, deptype 'n').

import type pg from "pg";
import type { ColumnLink, LinkKind, SequenceInfo } from "./types.ts";
import { INT_RANGES } from "./verdict.ts";

// OID of nextval(regclass): fixed in pg_proc.dat since PostgreSQL 8.1.
const NEXTVAL_OID = 1574;

const SEQUENCES_SQL = `
SELECT c.oid::int8::text AS oid, n.nspname AS schema, c.relname,
       format('%I.%I', n.nspname, c.relname) AS name,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart::text AS start, s.seqincrement::text AS increment,
       s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
       has_sequence_privilege(c.oid, 'SELECT') AS can_read,
       has_sequence_privilege(c.oid, 'UPDATE') AS can_update
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
WHERE c.relkind = 'S'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
ORDER BY n.nspname, c.relname`;

const LINKS_SQL = `
WITH l AS (
  SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid AS attnum,
         CASE d.deptype WHEN 'i' THEN 'identity' ELSE 'owned' END AS kind
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION
  SELECT d.refobjid, ad.adrelid, ad.adnum, 'default'
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype = 'n' AND ad.adbin::text LIKE '%:funcid ${NEXTVAL_OID} %'
)
SELECT l.seq::int8::text AS seq, l.tbl::int8::text AS tbl,
       format('%I.%I', n.nspname, c.relname) AS table_name,
       quote_ident(a.attname) AS column_ident, a.attname AS column_name,
       format_type(a.atttypid, a.atttypmod) AS type,
       format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL) AS base_type,
       array_agg(DISTINCT l.kind) AS kinds,
       has_column_privilege(l.tbl, l.attnum::int2, 'SELECT') AS can_read,
       (SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = l.tbl)::int AS indexes
FROM l
JOIN pg_catalog.pg_class s ON s.oid = l.seq AND s.relkind = 'S'
JOIN pg_catalog.pg_class c ON c.oid = l.tbl AND c.relkind IN ('r', 'p', 'f', 'm')
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = l.tbl AND a.attnum = l.attnum AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
GROUP BY l.seq, l.tbl, l.attnum, n.nspname, c.relname, a.attname, a.atttypid, a.atttypmod, t.typtype, t.typbasetype
ORDER BY l.seq, n.nspname, c.relname, l.attnum`;

// Parent/child pairs of inheritance and declarative partitioning, with each child's index count.
const INHERITS_SQL = `
SELECT i.inhrelid::int8::text AS child, i.inhparent::int8::text AS parent,
       (SELECT count(*) FROM pg_catalog.pg_index x WHERE x.indrelid = i.inhrelid)::int AS indexes
FROM pg_catalog.pg_inherits i`;

interface SeqRow {
  oid: string;
  schema: string;
  relname: string;
  name: string;
  data_type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  can_read: boolean;
  can_update: boolean;
}

interface LinkRow {
  seq: string;
  tbl: string;
  table_name: string;
  column_ident: string;
  column_name: string;
  type: string;
  base_type: string;
  kinds: string[] | string;
  can_read: boolean;
  indexes: number;
}

export interface DiscoveredSequence extends SequenceInfo {
  canUpdate: boolean;
}

const KIND_ORDER: LinkKind[] = ["identity", "owned", "default"];

/** Find every sequence of the database and the columns it feeds. Children already covered by a parent are dropped. */
export async function discover(client: pg.ClientBase): Promise<DiscoveredSequence[]> {
  const seqRows = (await client.query<SeqRow>(SEQUENCES_SQL)).rows;
  const linkRows = (await client.query<LinkRow>(LINKS_SQL)).rows;
  const inhRows = (await client.query<{ child: string; parent: string; indexes: number }>(INHERITS_SQL)).rows;

  const parents = new Map<string, string[]>();
  const children = new Map<string, { child: string; indexes: number }[]>();
  for (const r of inhRows) {
    const p = parents.get(r.child) ?? [];
    p.push(r.parent);
    parents.set(r.child, p);
    const c = children.get(r.parent) ?? [];
    c.push({ child: r.child, indexes: r.indexes });
    children.set(r.parent, c);
  }

  // Which (sequence, table, column name) triples are linked: used to drop a child whose ancestor is linked too,
  // since max() over the parent already covers it.
  const linked = new Set(linkRows.map((r) => `${r.seq}/${r.tbl}/${r.column_name}`));
  const ancestorLinked = (r: LinkRow): boolean => {
    const seen = new Set<string>();
    const stack = [...(parents.get(r.tbl) ?? [])];
    while (stack.length > 0) {
      const p = stack.pop() as string;
      if (seen.has(p)) continue;
      seen.add(p);
      if (linked.has(`${r.seq}/${p}/${r.column_name}`)) return true;
      stack.push(...(parents.get(p) ?? []));
    }
    return false;
  };
  const lockCount = (tbl: string, indexes: number): number => {
    let n = 1 + indexes;
    const stack = [...(children.get(tbl) ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const c = stack.pop() as { child: string; indexes: number };
      if (seen.has(c.child)) continue;
      seen.add(c.child);
      n += 1 + c.indexes;
      stack.push(...(children.get(c.child) ?? []));
    }
    return n;
  };

  const linksBySeq = new Map<string, ColumnLink[]>();
  for (const r of linkRows) {
    if (ancestorLinked(r)) continue;
    const kinds = parseArray(r.kinds);
    const range = INT_RANGES[r.base_type];
    const link: ColumnLink = {
      tableOid: Number(r.tbl),
      table: r.table_name,
      columnIdent: r.column_ident,
      column: r.column_name,
      type: r.type,
      typeMin: range ? range.min : null,
      typeMax: range ? range.max : null,
      kind: KIND_ORDER.find((k) => kinds.includes(k)) ?? "default",
      readable: r.can_read,
      lockCount: lockCount(r.tbl, r.indexes),
    };
    const list = linksBySeq.get(r.seq) ?? [];
    list.push(link);
    linksBySeq.set(r.seq, list);
  }

  return seqRows.map((r) => ({
    oid: Number(r.oid),
    name: r.name,
    schema: r.schema,
    relname: r.relname,
    dataType: r.data_type,
    start: BigInt(r.start),
    increment: BigInt(r.increment),
    minValue: BigInt(r.min),
    maxValue: BigInt(r.max),
    cache: BigInt(r.cache),
    cycle: r.cycle,
    readable: r.can_read,
    canUpdate: r.can_update,
    links: linksBySeq.get(r.oid) ?? [],
  }));
}

/** node-postgres parses text[] but not every array type; accept both shapes. */
function parseArray(v: string[] | string): string[] {
  if (Array.isArray(v)) return v;
  return v
    .replace(/^\{|\}$/g, "")
    .split(",")
    .filter((s) => s.length > 0);
}
