// Discovery: one pass over the catalog finds every sequence and every column it feeds, through the three links
// PostgreSQL records in pg_depend: OWNED BY (deptype 'a'), identity (deptype 'i'), and a column DEFAULT that
// calls nextval() (the pg_attrdef row depends on the sequence, deptype 'n').

import type pg from "pg";
import type { ColumnLink, LinkKind, SequenceInfo } from "./types.ts";
import { INT_RANGES } from "./verdict.ts";

// OID of nextval(regclass): fixed in pg_proc.dat since PostgreSQL 8.1.
const NEXTVAL_OID = 1574;

// Privilege functions cost a catalog lookup each; a superuser may read and update everything, so they are asked
// only for other roles (CASE evaluates its branches in order).
const SUPER = "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)";

const SEQUENCES_SQL = `
SELECT c.oid::int8::text AS oid, n.nspname AS schema, c.relname,
       format('%I.%I', n.nspname, c.relname) AS name,
       CASE s.seqtypid WHEN 20 THEN 'bigint' WHEN 23 THEN 'integer' WHEN 21 THEN 'smallint'
            ELSE format_type(s.seqtypid, NULL) END AS data_type,
       s.seqstart::text AS start, s.seqincrement::text AS increment,
       s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
       CASE WHEN su.is THEN true ELSE has_sequence_privilege(c.oid, 'SELECT') END AS can_read,
       CASE WHEN su.is THEN true ELSE has_sequence_privilege(c.oid, 'UPDATE') END AS can_update
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
CROSS JOIN (SELECT coalesce(${SUPER}, false) AS is) su
WHERE c.relkind = 'S'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
ORDER BY n.nspname, c.relname`;

// One row per (sequence, column, kind of link); a serial column has two (OWNED BY and its default), merged in
// code. Rows come in no particular order: sorting is cheaper in code than in a sort that spills to disk.
const LINKS_SQL = `
WITH l AS (
  SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid::int2 AS attnum,
         CASE d.deptype WHEN 'i' THEN 'identity' ELSE 'owned' END AS kind
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum, 'default'
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype = 'n' AND ad.adbin::text LIKE '%:funcid ${NEXTVAL_OID} %'
)
SELECT l.seq::int8::text AS seq, l.tbl::int8::text AS tbl, l.kind,
       format('%I.%I', n.nspname, c.relname) AS table_name,
       quote_ident(a.attname) AS column_ident, a.attname AS column_name,
       CASE WHEN a.atttypid IN (20, 21, 23) THEN format_type(a.atttypid, NULL)
            ELSE format_type(a.atttypid, a.atttypmod) END AS type,
       CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END::int AS base_type,
       CASE WHEN su.is THEN true ELSE has_column_privilege(l.tbl, l.attnum, 'SELECT') END AS can_read
FROM l
JOIN pg_catalog.pg_class s ON s.oid = l.seq AND s.relkind = 'S'
JOIN pg_catalog.pg_class c ON c.oid = l.tbl AND c.relkind IN ('r', 'p', 'f', 'm')
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = l.tbl AND a.attnum = l.attnum AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
CROSS JOIN (SELECT coalesce(${SUPER}, false) AS is) su`;

// Parent/child pairs of inheritance and declarative partitioning.
const INHERITS_SQL = `
SELECT i.inhrelid::int8::text AS child, i.inhparent::int8::text AS parent FROM pg_catalog.pg_inherits i`;

// How many indexes each table has: a scan's planning locks them all, so they count against the lock budget.
const INDEXES_SQL = `
SELECT indrelid::int8::text AS rel, count(*)::int AS n FROM pg_catalog.pg_index GROUP BY indrelid`;

// Integer types by OID: int2, int4, int8 (a domain over one of them counts as it).
const INT_TYPE_BY_OID: Record<number, string> = { 21: "smallint", 23: "integer", 20: "bigint" };

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
  kind: LinkKind;
  table_name: string;
  column_ident: string;
  column_name: string;
  type: string;
  base_type: number;
  can_read: boolean;
}

export interface DiscoveredSequence extends SequenceInfo {
  canUpdate: boolean;
}

const KIND_ORDER: LinkKind[] = ["identity", "owned", "default"];

/**
 * Run a catalog query through a cursor and hand its rows over in chunks: at 100,000 sequences a whole result set
 * (and the rows node-postgres builds from it) would cost far more memory than the few fields kept of each row.
 */
async function eachChunk<R extends pg.QueryResultRow>(
  client: pg.ClientBase,
  sql: string,
  onRows: (rows: R[]) => void,
  chunk = 5000,
): Promise<void> {
  await client.query(`DECLARE seq_guard_discovery NO SCROLL CURSOR FOR ${sql}`);
  for (;;) {
    const { rows } = await client.query<R>(`FETCH ${chunk} FROM seq_guard_discovery`);
    if (rows.length === 0) break;
    onRows(rows);
  }
  await client.query("CLOSE seq_guard_discovery");
}

/** Find every sequence of the database and the columns it feeds. Children already covered by a parent are dropped. */
export async function discover(client: pg.ClientBase): Promise<DiscoveredSequence[]> {
  // One snapshot for every query, read only; cursors plan for the whole result, not the first rows.
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL cursor_tuple_fraction = 1");
  try {
    const result = await discoverInTransaction(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

async function discoverInTransaction(client: pg.ClientBase): Promise<DiscoveredSequence[]> {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const r of (await client.query<{ child: string; parent: string }>(INHERITS_SQL)).rows) {
    const p = parents.get(r.child) ?? [];
    p.push(r.parent);
    parents.set(r.child, p);
    const c = children.get(r.parent) ?? [];
    c.push(r.child);
    children.set(r.parent, c);
  }
  const indexCount = new Map<number, number>();
  await eachChunk<{ rel: string; n: number }>(client, INDEXES_SQL, (rows) => {
    for (const r of rows) indexCount.set(Number(r.rel), r.n);
  });
  const lockCount = (tbl: string): number => {
    let n = 1 + (indexCount.get(Number(tbl)) ?? 0);
    const stack = [...(children.get(tbl) ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const c = stack.pop() as string;
      if (seen.has(c)) continue;
      seen.add(c);
      n += 1 + (indexCount.get(Number(c)) ?? 0);
      stack.push(...(children.get(c) ?? []));
    }
    return n;
  };

  const linksBySeq = new Map<number, ColumnLink[]>();
  await eachChunk<LinkRow>(client, LINKS_SQL, (rows) => {
    for (const r of rows) {
      const seq = Number(r.seq);
      const list = linksBySeq.get(seq) ?? [];
      const tableOid = Number(r.tbl);
      // A serial column is linked twice (OWNED BY and its default): keep the strongest kind.
      const had = list.find((l) => l.tableOid === tableOid && l.column === r.column_name);
      if (had) {
        if (KIND_ORDER.indexOf(r.kind) < KIND_ORDER.indexOf(had.kind)) had.kind = r.kind;
        continue;
      }
      const intType = INT_TYPE_BY_OID[r.base_type];
      const range = intType ? INT_RANGES[intType] : undefined;
      list.push({
        tableOid,
        table: r.table_name,
        columnIdent: r.column_ident,
        column: r.column_name,
        type: r.type,
        typeMin: range ? range.min : null,
        typeMax: range ? range.max : null,
        kind: r.kind,
        readable: r.can_read,
        lockCount: lockCount(r.tbl),
      });
      linksBySeq.set(seq, list);
    }
  });
  indexCount.clear();

  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const out: DiscoveredSequence[] = [];
  await eachChunk<SeqRow>(client, SEQUENCES_SQL, (rows) => {
    for (const r of rows) {
      const oid = Number(r.oid);
      let links = linksBySeq.get(oid) ?? [];
      linksBySeq.delete(oid);
      // A child whose ancestor feeds from the same sequence through the same column is covered by max() over
      // the ancestor (no ONLY): drop it rather than scan it twice.
      if (parents.size > 0 && links.length > 1)
        links = links.filter((l) => !ancestorLinked(l, links, parents));
      if (links.length > 1) links.sort((x, y) => cmp(x.table, y.table) || cmp(x.column, y.column));
      out.push({
        oid,
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
        links,
      });
    }
  });
  return out;
}

/** Is one of the link's table's ancestors linked to the same sequence through a column of the same name? */
function ancestorLinked(link: ColumnLink, links: ColumnLink[], parents: Map<string, string[]>): boolean {
  const seen = new Set<string>();
  const stack = [...(parents.get(String(link.tableOid)) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop() as string;
    if (seen.has(p)) continue;
    seen.add(p);
    if (links.some((l) => String(l.tableOid) === p && l.column === link.column)) return true;
    stack.push(...(parents.get(p) ?? []));
  }
  return false;
}
