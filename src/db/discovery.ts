// Discovery: one pass over the catalog finds every sequence and every column it feeds, through the three links
// PostgreSQL records in pg_depend: OWNED BY (deptype 'a'), identity (deptype 'i'), and a column DEFAULT that
// calls nextval() (the pg_attrdef row depends on the sequence, deptype 'n'); and through two that it does not
// record, found beforehand where they exist (see extraLinks()): a DEFAULT that names the sequence as text,
// nextval('users_seq'::text), and a BEFORE INSERT row trigger whose PL/pgSQL function assigns
// NEW.id := nextval('users_seq').
//
// A default feeds the column the sequence's own values only when it is nextval() itself, at most wrapped in type
// coercions (a serial int column's default is int4(nextval(...))). A default that computes with it
// (nextval(...) * 1024 + 7, an offset, a negation) puts other values in the column: comparing those with the
// sequence would call it behind when it is fine, and a fix would then push it on without end. Such links are kept
// as kind "expression" and never judged.

import type pg from "pg";
import type { ColumnLink, LinkKind, LinkVia, SequenceInfo } from "../core/types.ts";
import { INT_RANGES } from "../core/verdict.ts";
import { findTriggerFeeds } from "./plpgsql-scan.ts";

// OID of nextval(regclass): fixed in pg_proc.dat since PostgreSQL 8.1. There is no nextval(text) any more:
// nextval('s'::text) calls it through regclass(text), OID 1079, which looks the name up at every call.
const NEXTVAL_OID = 1574;
const REGCLASS_TEXT_OID = 1079;

// Privilege functions cost a catalog lookup each; a superuser may read and update everything, so they are asked
// only for other roles (CASE evaluates its branches in order).
const SUPER = "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)";
const BYPASS = "(SELECT rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user)";

/**
 * SQL that tells whether a default's expression tree (`tree`, pg_attrdef.adbin as text) is nextval() on a
 * constant regclass wrapped in nothing but type coercions: casts (FUNCEXPR with funcformat 1 explicit or 2
 * implicit), domain coercions, relabelings, I/O coercions. Checked with string functions, not a regular
 * expression (one took 250 µs a default): when no node but those coercions and one constant is present, and
 * only one FUNCEXPR is a plain call (funcformat 0), that call being nextval() of the constant, every coercion
 * has one argument and the tree is a chain that ends in nextval(regclass constant). Each '{' in the text opens
 * a node; constants print their value as bytes, never braces.
 */
export function plainNextvalSql(tree: string, byText = false): string {
  // nextval('s'::text) is nextval(regclass) of a text-to-regclass cast (regclass(text), OID 1079, funcformat 1
  // or 2) of a text constant: the cast is one more coercion in the chain.
  const call = byText
    ? `{FUNCEXPR :funcid ${NEXTVAL_OID} %:args ({FUNCEXPR :funcid ${REGCLASS_TEXT_OID} %:args ({CONST :consttype 25 %`
    : `{FUNCEXPR :funcid ${NEXTVAL_OID} %:args ({CONST :consttype 2205 %`;
  const strip = ["{FUNCEXPR ", "{COERCETODOMAIN ", "{RELABELTYPE ", "{COERCEVIAIO ", "{CONST "].reduce(
    (t, node) => `pg_catalog.replace(${t}, '${node}', '')`,
    tree,
  );
  const once = (p: string) =>
    `pg_catalog.strpos(pg_catalog.substr(${tree}, pg_catalog.strpos(${tree}, '${p}') + 1), '${p}') = 0`;
  return `(${tree} LIKE '%${call}'
    AND ${once("{CONST ")} AND ${once(":funcformat 0 ")} AND pg_catalog.strpos(${strip}, '{') = 0)`;
}

/**
 * The integer type at the bottom of a domain, through domains over domains (typbasetype names only the next one
 * down). Evaluated for domain columns only.
 */
const BASE_TYPE = `(WITH RECURSIVE b (oid, base, typtype) AS (
                   SELECT t.oid, t.typbasetype, t.typtype
                   UNION ALL
                   SELECT bt.oid, bt.typbasetype, bt.typtype FROM b JOIN pg_catalog.pg_type bt ON bt.oid = b.base
                   WHERE b.typtype = 'd')
                 SELECT b.oid FROM b WHERE b.typtype <> 'd' LIMIT 1)`;

// ---------------------------------------------------------------------------------------------------------------
// Links pg_depend does not record. Found by two small queries before the catalog pass, only where such defaults
// and triggers exist, and handed to it as a constant: the catalog pass itself is unchanged when there are none.

const UPPER = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
const LOWER = "'abcdefghijklmnopqrstuvwxyz'";

/** SQL: one name of a qualified name or of a search_path, as PostgreSQL reads it: "quoted" as is, else folded. */
function identOf(tok: string): string {
  return `CASE WHEN ${tok} LIKE '"%' THEN pg_catalog.replace(pg_catalog.substr(${tok}, 2, pg_catalog.length(${tok}) - 2), '""', '"')
               ELSE pg_catalog.translate(${tok}, ${UPPER}, ${LOWER}) END`;
}

/** SQL: the schemas of a search_path setting (a text expression) in order, as text[]; "$user" is the current role. */
export function searchPathSql(setting: string): string {
  return `ARRAY(SELECT CASE WHEN p.e = '$user' THEN CURRENT_USER::text ELSE p.e END
       FROM (SELECT ${identOf("(x.m)[1]")} AS e, x.i
             FROM pg_catalog.regexp_matches(${setting}, '"(?:[^"]|"")*"|[^[:space:]",]+', 'g') WITH ORDINALITY AS x (m, i)) p
       ORDER BY p.i)`;
}

/**
 * SQL: the search_path an inserting session is taken to have: the database's (ALTER DATABASE ... SET search_path,
 * in pg_db_role_setting), else the one a session of the connecting role gets (the server's setting unless
 * ALTER ROLE or the connection changed it: pg_settings.reset_val, which discovery's SET LOCAL does not touch).
 */
export const DEFAULT_PATH_SQL = `COALESCE(
  (SELECT pg_catalog.substr(cfg.cfg, 13) FROM pg_catalog.pg_db_role_setting rs
   CROSS JOIN LATERAL pg_catalog.unnest(rs.setconfig) AS cfg (cfg)
   WHERE rs.setrole = 0 AND cfg.cfg LIKE 'search_path=%'
     AND rs.setdatabase = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
   LIMIT 1),
  (SELECT st.reset_val FROM pg_catalog.pg_settings st WHERE st.name = 'search_path'))`;

// A name as regclass input reads it: one to three dot-separated names, each "quoted" or a run of other characters.
const QUALIFIED_NAME = `'^[[:space:]]*(?:"(?:[^"]|"")+"|[^[:space:]".]+)(?:[[:space:]]*[.][[:space:]]*(?:"(?:[^"]|"")+"|[^[:space:]".]+)){0,2}[[:space:]]*$'`;
const NAME_PART = `'"(?:[^"]|"")+"|[^[:space:]".]+'`;

/**
 * SQL: the sequence each candidate names, resolved the way nextval() resolves its text at each call (regclass
 * input): a qualified name exactly (a three-part name only in the current database); an unqualified one as the
 * first relation of that name on the search_path, pg_catalog first unless the path places it, which must be a
 * sequence. `cand` is a SELECT of candidates (tbl, attnum, name, path, kind): path is the search_path text to use (a
 * function's own SET search_path), null for the inserting session's.
 *
 * Checked on PostgreSQL 15: table a.t with DEFAULT nextval('s'::text), sequences a.s and public.s. An insert with
 * search_path public drew from public.s, with search_path a from a.s, with "a, public" from a.s, with "public, a"
 * from public.s, and with pg_catalog alone failed (relation "s" does not exist): the inserting session's
 * search_path decides, not the table's schema. No session's path can be known from the catalog, so the
 * database's default is used (DEFAULT_PATH_SQL), and such links say so in their note.
 */
export function resolveLinksSql(cand: string): string {
  // OFFSET 0 keeps the candidates a subquery of their own, read once: else the planner may join pg_attribute
  // first, or scan pg_attrdef in every parallel worker.
  return `SELECT r.seq, cand.tbl, cand.attnum, cand.kind, cand.name, cand.path, r.qualified, a.attname::text AS attname
FROM (${cand} OFFSET 0) AS cand
JOIN pg_catalog.pg_attribute a ON a.attrelid = cand.tbl AND a.attnum = cand.attnum AND NOT a.attisdropped
CROSS JOIN LATERAL (
  SELECT ARRAY(SELECT ${identOf("(x.m)[1]")}
               FROM pg_catalog.regexp_matches(cand.name, ${NAME_PART}, 'g') WITH ORDINALITY AS x (m, i)
               ORDER BY x.i) AS parts,
         ${searchPathSql(`COALESCE(cand.path, ${DEFAULT_PATH_SQL})`)} AS schemas) np
CROSS JOIN LATERAL (
  SELECT c.oid AS seq, c.relkind, true AS qualified
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE pg_catalog.cardinality(np.parts) > 1
    AND c.relname = np.parts[pg_catalog.cardinality(np.parts)] AND n.nspname = np.parts[pg_catalog.cardinality(np.parts) - 1]
    AND (pg_catalog.cardinality(np.parts) = 2 OR np.parts[1] = pg_catalog.current_database())
  UNION ALL
  (SELECT c.oid, c.relkind, false
   FROM pg_catalog.unnest(CASE WHEN 'pg_catalog' = ANY (np.schemas) THEN np.schemas ELSE ARRAY['pg_catalog'] || np.schemas END)
        WITH ORDINALITY AS p (nsp, i)
   JOIN pg_catalog.pg_namespace n ON n.nspname = p.nsp
   JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = np.parts[1]
   WHERE pg_catalog.cardinality(np.parts) = 1
   ORDER BY p.i LIMIT 1)) r
WHERE cand.name ~ ${QUALIFIED_NAME} AND r.relkind = 'S'`;
}

/**
 * SQL: the defaults that call nextval('name'::text), one row per call (one scan of pg_attrdef with one LIKE for
 * the regclass(text) call: 6-25 ms at 10,000 defaults on a busy 2-CPU machine; pg_get_expr() only on the hits), as candidates for resolveLinksSql(): kind
 * 4 when the default is that call itself (through type coercions only), 6 when it computes with it. The name is
 * read from pg_get_expr(), which prints the constant as 'name'::text with quotes doubled (a name holding a
 * backslash prints as E'...' when standard_conforming_strings is off: not matched, so not linked).
 */
export const TEXT_DEFAULTS_SQL = `SELECT ad.adrelid AS tbl, ad.adnum AS attnum,
       pg_catalog.replace((m.m)[1], '''''', '''') AS name, NULL::text AS path,
       CASE WHEN ${plainNextvalSql("ad.adbin::text", true)} THEN 4 ELSE 6 END AS kind
FROM pg_catalog.pg_attrdef ad
CROSS JOIN LATERAL pg_catalog.regexp_matches(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
  'nextval[(][(]''((?:[^'']|'''')*)''::text[)]::regclass[)]', 'g') AS m (m)
WHERE ad.adbin::text LIKE '%:funcid ${REGCLASS_TEXT_OID} %'`;

/**
 * BEFORE INSERT row triggers (tgtype bits ROW 1, BEFORE 2, INSERT 4) that an ordinary insert fires (tgenabled
 * 'O', the default, or 'A' always; not 'D' disabled nor 'R', which fires only with session_replication_role =
 * replica) with a PL/pgSQL function that
 * mentions nextval, with the function's own search_path (proconfig) when it sets one. Partition clones of a
 * parent's trigger are listed too (PostgreSQL 13 on); discovery drops a child covered by its parent.
 */
const TRIGGERS_SQL = `SELECT t.tgrelid::int8 AS tbl, p.oid::int8 AS fn, p.prosrc AS src,
       (SELECT pg_catalog.substr(cfg.cfg, 13) FROM pg_catalog.unnest(p.proconfig) AS cfg (cfg)
        WHERE cfg.cfg LIKE 'search_path=%' LIMIT 1) AS path
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_language lg ON lg.oid = p.prolang
WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'A') AND (t.tgtype::int & 7) = 7 AND lg.lanname = 'plpgsql'
  AND p.prosrc ILIKE '%nextval%'`;

// The candidates of trigger assignments ($1: a JSON array of {tbl, col, name, path}), on integer columns only.
const TRIGGER_LINKS_SQL = resolveLinksSql(`
  SELECT (e.e ->> 'tbl')::oid AS tbl, a.attnum, e.e ->> 'name' AS name, e.e ->> 'path' AS path, 5 AS kind
  FROM pg_catalog.jsonb_array_elements($1::jsonb) AS e (e)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = (e.e ->> 'tbl')::oid AND a.attname = (e.e ->> 'col')
       AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  WHERE CASE WHEN t.typtype = 'd' THEN ${BASE_TYPE} ELSE a.atttypid END IN (20, 21, 23)`);

const EXTRA_SQL = `SELECT ${DEFAULT_PATH_SQL} AS default_path,
  (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(x.seq::int8, x.tbl::int8, x.attnum, x.kind, x.name,
                                                          x.qualified, x.attname))
   FROM (${resolveLinksSql(TEXT_DEFAULTS_SQL)}) x) AS defaults,
  (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(tr.tbl, tr.fn, tr.src, tr.path)) FROM (${TRIGGERS_SQL}) tr) AS triggers`;

/** [sequence oid, table oid, attnum, kind, name as written, qualified, column] */
type ResolvedRow = [number, number, number, number, string, boolean, string];

interface ExtraLinks {
  /** Per sequence oid: [table oid, attnum, kind] of each link; null when there are none. */
  bySeq: Record<string, [number, number, number][]> | null;
  /** Per `seq/table oid/column`: how an unqualified name was resolved, for the report. */
  notes: Map<string, string>;
}

/** The links no dependency records: text defaults and trigger assignments, resolved to sequences. */
async function extraLinks(client: pg.ClientBase): Promise<ExtraLinks> {
  const { rows } = await client.query<{
    default_path: string | null;
    defaults: ResolvedRow[] | null;
    triggers: [number, number, string, string | null][] | null;
  }>(EXTRA_SQL);
  const head = rows[0];
  const resolved: ResolvedRow[] = [...(head?.defaults ?? [])];
  // Trigger assignments whose function sets its own search_path: resolved on it, whatever the session's.
  const ownPath = new Set<string>();
  if (head?.triggers) {
    // One scan per function, however many tables its triggers sit on.
    const feeds = new Map<number, ReturnType<typeof findTriggerFeeds>>();
    const cands: { tbl: number; col: string; name: string; path: string | null }[] = [];
    const seen = new Set<string>();
    for (const [tbl, fn, src, path] of head.triggers) {
      let f = feeds.get(fn);
      if (!f) {
        f = findTriggerFeeds(src);
        feeds.set(fn, f);
      }
      for (const feed of f) {
        const key = JSON.stringify([tbl, feed.column, feed.sequence, path]);
        if (seen.has(key)) continue;
        seen.add(key);
        cands.push({ tbl, col: feed.column, name: feed.sequence, path });
        if (path !== null) ownPath.add(JSON.stringify([tbl, feed.column, feed.sequence]));
      }
    }
    if (cands.length > 0) {
      const res = await client.query<{ r: ResolvedRow }>({
        text: `SELECT pg_catalog.json_build_array(x.seq::int8, x.tbl::int8, x.attnum, x.kind, x.name, x.qualified,
                                                  x.attname) AS r
               FROM (${TRIGGER_LINKS_SQL}) x`,
        values: [JSON.stringify(cands)],
      });
      for (const row of res.rows) resolved.push(row.r);
    }
  }
  if (resolved.length === 0) return { bySeq: null, notes: new Map() };
  const bySeq: Record<string, [number, number, number][]> = {};
  const notes = new Map<string, string>();
  const path = head?.default_path ?? "";
  for (const [seq, tbl, attnum, kind, name, qualified, attname] of resolved) {
    const list = bySeq[String(seq)] ?? [];
    list.push([tbl, attnum, kind]);
    bySeq[String(seq)] = list;
    if (qualified || (kind === 5 && ownPath.has(JSON.stringify([tbl, attname, name])))) continue;
    const what =
      kind === 5
        ? `the trigger function's nextval('${name}') names no schema and the function sets no search_path`
        : `nextval('${name}'::text) names no schema`;
    notes.set(
      `${seq}/${tbl}/${attname}`,
      `${what}: resolved on the database's search_path (${path}); a session with another search_path draws from the first ${name} on its own`,
    );
  }
  return { bySeq, notes };
}

// One row per sequence, in a stable order, with the columns it feeds gathered into a JSON array: one pass over
// the catalog that a cursor can hand out in chunks (so verification can start on the first chunk while the rest
// is read). A link is (table, column) with its strongest kind: a serial column is linked twice (OWNED BY and its
// default) and counts once, as owned.
function sequencesSql(extra: string | null): string {
  return `
WITH l AS (
  SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid::int2 AS attnum,
         CASE d.deptype WHEN 'i' THEN 0 ELSE 1 END AS kind
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum, CASE WHEN ${plainNextvalSql("ad.adbin::text")} THEN 2 ELSE 3 END
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype = 'n' AND ad.adbin::text LIKE '%:funcid ${NEXTVAL_OID} %'
)
SELECT c.oid::int8::text AS oid, n.nspname AS schema, c.relname,
       format('%I.%I', n.nspname, c.relname) AS name,
       CASE s.seqtypid WHEN 20 THEN 'bigint' WHEN 23 THEN 'integer' WHEN 21 THEN 'smallint'
            ELSE format_type(s.seqtypid, NULL) END AS data_type,
       s.seqstart::text AS start, s.seqincrement::text AS increment,
       s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
       CASE WHEN su.is THEN true ELSE has_sequence_privilege(c.oid, 'SELECT') END AS can_read,
       CASE WHEN su.is THEN true ELSE has_sequence_privilege(c.oid, 'UPDATE') END AS can_update,
       quote_ident(n.nspname) AS schema_ident,
       CASE WHEN su.is THEN true ELSE has_schema_privilege(n.oid, 'USAGE') END AS schema_usage,
       (SELECT json_agg(json_build_array(
                 g.tbl::int8, g.kind, format('%I.%I', tn.nspname, tc.relname), quote_ident(a.attname), a.attname,
                 CASE WHEN a.atttypid IN (20, 21, 23) THEN format_type(a.atttypid, NULL)
                      ELSE format_type(a.atttypid, a.atttypmod) END,
                 CASE WHEN t.typtype = 'd' THEN ${BASE_TYPE} ELSE a.atttypid END::int8,
                 CASE WHEN su.is THEN true ELSE has_column_privilege(g.tbl, g.attnum, 'SELECT') END,
                 (SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = g.tbl),
                 quote_ident(tn.nspname),
                 CASE WHEN su.is THEN true ELSE has_schema_privilege(tn.oid, 'USAGE') END,
                 CASE WHEN su.is OR su.bypass OR NOT tc.relrowsecurity THEN 0
                      WHEN tc.relforcerowsecurity THEN 2
                      WHEN pg_has_role(tc.relowner, 'USAGE') THEN 0 ELSE 1 END))
        FROM (SELECT l.tbl, l.attnum,
                     CASE WHEN bool_or(l.kind = 0) THEN 0
                          WHEN bool_or(l.kind IN (3, 6)) AND NOT bool_or(l.kind IN (2, 4, 5))
                            THEN max(l.kind) FILTER (WHERE l.kind IN (3, 6))
                          WHEN bool_or(l.kind = 1) THEN 1 WHEN bool_or(l.kind = 2) THEN 2
                          WHEN bool_or(l.kind = 4) THEN 4 WHEN bool_or(l.kind = 5) THEN 5 ELSE 2 END AS kind
              FROM ${
                extra === null
                  ? "l WHERE l.seq = c.oid"
                  : `(SELECT l.tbl, l.attnum, l.kind FROM l WHERE l.seq = c.oid
                      UNION ALL
                      SELECT (e.e ->> 0)::oid, (e.e ->> 1)::int2, (e.e ->> 2)::int
                      FROM jsonb_array_elements('${extra}'::jsonb -> (c.oid::text)) AS e (e)) l`
              } GROUP BY l.tbl, l.attnum) g
        -- Temporary tables are skipped: another session's rows live in its own buffers, out of anyone else's reach.
        JOIN pg_catalog.pg_class tc ON tc.oid = g.tbl AND tc.relkind IN ('r', 'p', 'f', 'm') AND tc.relpersistence <> 't'
        JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = g.tbl AND a.attnum = g.attnum AND NOT a.attisdropped
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid) AS links
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
CROSS JOIN (SELECT coalesce(${SUPER}, false) AS is, coalesce(${BYPASS}, false) AS bypass) su
WHERE c.relkind = 'S'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
`;
}

// Parent/child pairs of inheritance and declarative partitioning, with the number of indexes of each child: a
// scan of a parent locks its children and their indexes too, so they count against the lock budget.
const INHERITS_SQL = `
SELECT i.inhrelid::int8::text AS child, i.inhparent::int8::text AS parent,
       (SELECT count(*) FROM pg_catalog.pg_index x WHERE x.indrelid = i.inhrelid)::int AS indexes
FROM pg_catalog.pg_inherits i`;

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
  schema_ident: string;
  schema_usage: boolean;
  /**
   * [table oid, kind (0 identity, 1 owned, 2 default, 3 expression, 4 text default, 5 trigger, 6 expression of a
   * text default), table, column ident, column, type, base type
   * oid, readable, indexes, schema ident, schema usable, row security (0 none, 1 policies apply, 2 forced)]
   */
  links:
    | [number, number, string, string, string, string, number, boolean, number, string, boolean, number][]
    | null;
}

export interface DiscoveredSequence extends SequenceInfo {
  canUpdate: boolean;
}

const KINDS: LinkKind[] = [
  "identity",
  "owned",
  "default",
  "expression",
  "default_text",
  "trigger",
  "expression",
];
const VIA: LinkVia[] = ["identity", "owned", "default", "default", "default_text", "trigger", "default_text"];

export interface DiscoverOptions {
  /** Rows per round trip of the cursor. */
  chunk?: number;
  /**
   * Called with each chunk of sequences as it is read, before discover() returns; the next chunk is fetched once
   * the promise it returns settles (so the caller can hold discovery back). When given, discover() keeps nothing
   * itself and returns an empty list, so that a caller that hands sequences on holds no second copy.
   */
  onChunk?: (seqs: DiscoveredSequence[]) => void | Promise<void>;
}

/**
 * Find every sequence of the database and the columns it feeds. Children already covered by a parent are
 * dropped. The catalog is read in one snapshot, through a cursor in chunks: at 100,000 sequences a whole result
 * set (and the rows node-postgres builds from it) would cost far more memory than the few fields kept of each
 * row.
 */
/**
 * The catalog reads wait at least this long (when a statement timeout is set at all): --statement-timeout is the
 * bound on reading a table's column, which a short one (50 ms, to find unindexed columns fast) must not turn into
 * a failed catalog read on a busy machine, where a fresh session's first catalog query alone took 120-200 ms.
 * Lock waits still end at --lock-timeout.
 */
export const CATALOG_TIMEOUT_FLOOR_MS = 30_000;

export async function discover(
  client: pg.ClientBase,
  opts: DiscoverOptions = {},
): Promise<DiscoveredSequence[]> {
  // One snapshot for every query, read only; the cursor plans for the whole result, not the first rows. JIT is
  // off: the per-sequence subqueries make the planner's estimate large enough (453,000 at 10,000 sequences) to
  // compile the query, which on a server built with LLVM (Debian's, the postgres Docker image) cost 130-240 ms
  // more than it saved at 10,000 sequences. The jit setting exists from PostgreSQL 11 on.
  // No parallel workers: a cursor never uses them, and for the small queries before it (extraLinks) each worker
  // scanned pg_attrdef again (3 scans of it on a 2-CPU machine).
  await client.query(
    `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL cursor_tuple_fraction = 1; SET LOCAL search_path = pg_catalog;
     SET LOCAL max_parallel_workers_per_gather = 0;
     SELECT pg_catalog.set_config('jit', 'off', true) WHERE pg_catalog.current_setting('server_version_num')::int >= 110000;
     SELECT pg_catalog.set_config('statement_timeout', GREATEST(s.setting::int, ${CATALOG_TIMEOUT_FLOOR_MS})::text, true)
     FROM pg_catalog.pg_settings s WHERE s.name = 'statement_timeout' AND s.setting::int > 0`,
  );
  try {
    const result = await discoverInTransaction(client, opts);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

async function discoverInTransaction(
  client: pg.ClientBase,
  opts: DiscoverOptions,
): Promise<DiscoveredSequence[]> {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  const childIndexes = new Map<string, number>();
  for (const r of (await client.query<{ child: string; parent: string; indexes: number }>(INHERITS_SQL))
    .rows) {
    const p = parents.get(r.child) ?? [];
    p.push(r.parent);
    parents.set(r.child, p);
    const c = children.get(r.parent) ?? [];
    c.push(r.child);
    children.set(r.parent, c);
    childIndexes.set(r.child, r.indexes);
  }
  // Relations a scan of the table locks: itself, its indexes, and every descendant with its indexes.
  const lockCount = (tbl: string, indexes: number): number => {
    let n = 1 + indexes;
    if (children.size === 0) return n;
    const stack = [...(children.get(tbl) ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const c = stack.pop() as string;
      if (seen.has(c)) continue;
      seen.add(c);
      n += 1 + (childIndexes.get(c) ?? 0);
      stack.push(...(children.get(c) ?? []));
    }
    return n;
  };

  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const out: DiscoveredSequence[] = [];
  const chunk = opts.chunk ?? 2000;
  const extra = await extraLinks(client);
  const sql = sequencesSql(extra.bySeq === null ? null : JSON.stringify(extra.bySeq));
  await client.query(`DECLARE seq_guard_discovery NO SCROLL CURSOR FOR ${sql}`);
  for (;;) {
    const { rows } = await client.query<SeqRow>(`FETCH ${chunk} FROM seq_guard_discovery`);
    if (rows.length === 0) break;
    const seqs = rows.map((r) => sequenceOf(r, lockCount, extra.notes));
    for (const seq of seqs) {
      // A child whose ancestor feeds from the same sequence through the same column is covered by max() over
      // the ancestor (no ONLY): drop it rather than scan it twice.
      if (parents.size > 0 && seq.links.length > 1)
        seq.links = seq.links.filter((l) => !ancestorLinked(l, seq.links, parents));
      if (seq.links.length > 1) seq.links.sort((x, y) => cmp(x.table, y.table) || cmp(x.column, y.column));
    }
    if (opts.onChunk) await opts.onChunk(seqs);
    else out.push(...seqs);
  }
  await client.query("CLOSE seq_guard_discovery");
  return out;
}

// Type and column names repeat across thousands of rows ("integer", "id"): keep one copy of each.
const names = new Map<string, string>();
function shared(v: string): string {
  const hit = names.get(v);
  if (hit !== undefined) return hit;
  if (names.size < 20_000) names.set(v, v);
  return v;
}

// Likewise the numbers of a sequence's definition (start 1, increment 1, the type bounds, cache 1).
const numbers = new Map<string, bigint>();
function int8(v: string): bigint {
  const hit = numbers.get(v);
  if (hit !== undefined) return hit;
  const n = BigInt(v);
  if (numbers.size < 20_000) numbers.set(v, n);
  return n;
}

function sequenceOf(
  r: SeqRow,
  lockCount: (tbl: string, indexes: number) => number,
  notes: Map<string, string>,
): DiscoveredSequence {
  const links: ColumnLink[] = (r.links ?? []).map(
    ([
      tableOid,
      kind,
      table,
      columnIdent,
      column,
      type,
      baseType,
      readable,
      indexes,
      schemaIdent,
      schemaUsable,
      rls,
    ]) => {
      const intType = INT_TYPE_BY_OID[baseType];
      const range = intType ? INT_RANGES[intType] : undefined;
      const via = VIA[kind] as LinkVia;
      const note =
        notes.size > 0 && (via === "default_text" || via === "trigger")
          ? notes.get(`${r.oid}/${tableOid}/${column}`)
          : undefined;
      return {
        tableOid,
        table,
        columnIdent: shared(columnIdent),
        column: shared(column),
        type: shared(type),
        typeMin: range ? range.min : null,
        typeMax: range ? range.max : null,
        kind: KINDS[kind] as LinkKind,
        via,
        ...(note === undefined ? {} : { note }),
        readable,
        schemaIdent: shared(schemaIdent),
        schemaUsable,
        ...(rls === 1
          ? { rowSecurity: "enabled" as const }
          : rls === 2
            ? { rowSecurity: "forced" as const }
            : {}),
        lockCount: lockCount(String(tableOid), indexes),
      };
    },
  );
  return {
    oid: Number(r.oid),
    name: r.name,
    schema: shared(r.schema),
    relname: r.relname,
    dataType: shared(r.data_type),
    start: int8(r.start),
    increment: int8(r.increment),
    minValue: int8(r.min),
    maxValue: int8(r.max),
    cache: int8(r.cache),
    cycle: r.cycle,
    readable: r.can_read,
    schemaIdent: shared(r.schema_ident),
    schemaUsable: r.schema_usage,
    canUpdate: r.can_update,
    links,
  };
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
