// The three queries of the `seq-guard sql` script, each printed once. They mirror src/discovery.ts (which columns
// a sequence feeds), src/probe.ts (the one statement that reads a sequence and its columns) and src/verdict.ts (the
// verdict arithmetic) rule for rule; test/sql-script.test.ts runs them and the engine on the same databases.
//
//   batchLoop()         finds every sequence's links, cuts the sequences into batches, and emits, per batch, the
//                       statements psql's \gexec runs (the batch's OIDs and links go into session settings)
//   SEQUENCES_QUERY     seq_guard_sequences: one batch's sequences, what they feed and the statement that reads each
//   verdictsQuery()     seq_guard_verdicts: the verdict of each sequence of the batch from what the reading step read
//
// No identifier is pasted in by this code: every name in a statement the script runs is produced on the server by
// format('%I.%I') / quote_ident() from the catalog. The user's options come in as literals (filtersExpr,
// threshold), compared with catalog text, never executed.

import { plainNextvalSql, resolveLinksSql, TEXT_DEFAULTS_SQL } from "../db/discovery.ts";

/** Schemas never looked at, as src/discovery.ts skips them. */
const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'`;

/** The statements \gexec runs for each batch, in order (a null step is left out). */
export interface BatchSteps {
  /** Fix mode: the setting that holds the fixing step (a DO block), run before the batch's report. */
  fixStep: string | null;
}

/**
 * The batch loop: one query whose rows psql's \gexec runs cell by cell. It finds every sequence's links once
 * (the three pg_depend records and DEFAULT nextval('name'::text), as src/discovery.ts), cuts the sequences in name
 * order into batches of at most 250 sequences and about 1000 locked relations (tables, their indexes, partitions
 * and children, as src/probe.ts batches them) so that no transaction overflows the server's lock table, and emits
 * per batch: the batch's OIDs and links as session settings, [the fixing step,] then BEGIN READ ONLY, the reading
 * step, EXECUTE seq_guard_verdicts, COMMIT.
 */
export function batchLoop(steps: BatchSteps): string {
  return `WITH RECURSIVE
-- Every sequence outside the system schemas.
sequences AS (
  SELECT c.oid AS seq, n.nspname AS nsp, c.relname AS rel
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S' AND ${SYSTEM_SCHEMAS}
),
-- Every column a sequence feeds, with how (kind): 0 identity, 1 OWNED BY, 2 a DEFAULT that is nextval() itself
-- (through type coercions only), 3 a DEFAULT that computes with nextval() (nextval() * 1024 + 7: its column holds
-- other values than the sequence's), 4 and 6 the same for DEFAULT nextval('name'::text), which records no
-- dependency and is found from the default's expression, resolved as src/discovery.ts resolves it. (Links made by
-- BEFORE INSERT triggers are not read here: see the unlinked reason and docs/sequences.md.)
found_links AS (
  SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid AS attnum, CASE d.deptype WHEN 'i' THEN 0 ELSE 1 END AS kind
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 AND d.objid IN (SELECT sequences.seq FROM sequences)
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum, CASE WHEN ${plainNextvalSql("ad.adbin::text")} THEN 2 ELSE 3 END
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype = 'n' AND d.refobjid IN (SELECT sequences.seq FROM sequences)
    AND ad.adbin::text LIKE '%:funcid 1574 %'
  UNION ALL
  SELECT text_links.seq, text_links.tbl, text_links.attnum, text_links.kind
  FROM (${resolveLinksSql(TEXT_DEFAULTS_SQL)}) AS text_links
  WHERE text_links.seq IN (SELECT sequences.seq FROM sequences)
),
-- Each linked table and, recursively, its partitions and inheritance children: a read locks them all.
table_trees (root, rel) AS (
  SELECT DISTINCT found_links.tbl, found_links.tbl FROM found_links
  UNION
  SELECT table_trees.root, i.inhrelid FROM table_trees JOIN pg_catalog.pg_inherits i ON i.inhparent = table_trees.rel
),
index_counts AS (
  SELECT x.indrelid, pg_catalog.count(*) AS n FROM pg_catalog.pg_index x GROUP BY x.indrelid
),
-- The relations a read of each linked table locks: the tables of its tree and their indexes.
table_costs AS (
  SELECT table_trees.root, pg_catalog.sum(1 + COALESCE(index_counts.n, 0)) AS cost
  FROM table_trees LEFT JOIN index_counts ON index_counts.indrelid = table_trees.rel GROUP BY table_trees.root
),
-- The relations a read of each sequence locks: itself and every table it feeds (with theirs).
sequence_costs AS (
  SELECT sequences.seq, sequences.nsp, sequences.rel, 1 + COALESCE(pg_catalog.sum(table_costs.cost), 0) AS cost
  FROM sequences
  LEFT JOIN (SELECT DISTINCT found_links.seq, found_links.tbl FROM found_links) AS fed ON fed.seq = sequences.seq
  LEFT JOIN table_costs ON table_costs.root = fed.tbl
  GROUP BY sequences.seq, sequences.nsp, sequences.rel
),
-- Each sequence weighs the larger of its share of 250 sequences and its share of 1000 relations, in units of
-- 1/250000; a running total in name order cut every 250000 puts at most 250 sequences and about 1000 relations
-- in one batch.
placed AS (
  SELECT sequence_costs.seq, pg_catalog.row_number() OVER running AS pos,
         pg_catalog.div(pg_catalog.sum(GREATEST(sequence_costs.cost * 250, 1000)) OVER running
                        - GREATEST(sequence_costs.cost * 250, 1000), 250000) AS batch
  FROM sequence_costs
  WINDOW running AS (ORDER BY sequence_costs.nsp, sequence_costs.rel, sequence_costs.seq)
),
batches AS (
  SELECT placed.batch, pg_catalog.min(placed.pos) AS first, pg_catalog.array_agg(placed.seq ORDER BY placed.pos) AS oids
  FROM placed GROUP BY placed.batch
  UNION ALL
  -- No sequence at all: one empty batch, so that the report still prints its header.
  SELECT -1, -1, '{}'::pg_catalog.oid[] WHERE NOT EXISTS (SELECT FROM placed)
),
-- Each batch's links as [sequence, table, column number, kind], for seq_guard_sequences.
batch_links AS (
  SELECT placed.batch,
         pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(found_links.seq, found_links.tbl, found_links.attnum, found_links.kind)) AS links
  FROM placed JOIN found_links ON found_links.seq = placed.seq GROUP BY placed.batch
)
SELECT pg_catalog.format('SET seq_guard.oids = %L', batches.oids) AS set_oids,
       pg_catalog.format('SET seq_guard.links = %L', COALESCE(batch_links.links, '[]')) AS set_links,${
         steps.fixStep ? `\n       pg_catalog.current_setting('${steps.fixStep}') AS fix,` : ""
       }
       'BEGIN READ ONLY' AS begin_,
       pg_catalog.current_setting('seq_guard.read_step') AS read,
       'EXECUTE seq_guard_verdicts' AS verdicts,
       'COMMIT' AS commit_
FROM batches LEFT JOIN batch_links ON batch_links.batch = batches.batch
ORDER BY batches.first`;
}

/**
 * seq_guard_sequences: the sequences of the batch (setting seq_guard.oids), with what src/discovery.ts knows of
 * each: its definition, the columns it feeds (from the links in seq_guard.links), whether it is skipped or cannot
 * be read for want of a privilege, the bound of its range, and the one statement that reads it (src/probe.ts's),
 * built on the server with format() from catalog names. `filtersExpr` is true for a sequence the --schema and
 * --exclude options leave out (over pg_namespace n and pg_class c).
 */
export function sequencesQuery(filtersExpr: string): string {
  return `WITH RECURSIVE
-- The batch's sequences and their definitions, in numeric (which holds every int8 and every int8 + increment).
sequences AS (
  SELECT c.oid AS seq, n.nspname AS nsp, c.relname AS rel,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS name,
         pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
         s.seqstart::numeric AS start, s.seqincrement::numeric AS inc,
         s.seqmin::numeric AS minv, s.seqmax::numeric AS maxv, s.seqcache AS cache, s.seqcycle AS cycle,
         pg_catalog.has_sequence_privilege(c.oid, 'SELECT') AS can_read,
         pg_catalog.has_sequence_privilege(c.oid, 'UPDATE') AS can_update,
         pg_catalog.quote_ident(n.nspname) AS nsp_ident,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         ${filtersExpr} AS excluded
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
  WHERE c.relkind = 'S' AND c.oid = ANY (pg_catalog.current_setting('seq_guard.oids')::pg_catalog.oid[])
),
-- Their links, as the batch loop found them: kind 0 identity, 1 OWNED BY, 2 and 4 a DEFAULT that is nextval()
-- itself, 3 and 6 a DEFAULT that computes with nextval().
found_links AS (
  SELECT (l.l ->> 0)::pg_catalog.oid AS seq, (l.l ->> 1)::pg_catalog.oid AS tbl, (l.l ->> 2)::int AS attnum,
         (l.l ->> 3)::int AS kind
  FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('seq_guard.links')::pg_catalog.jsonb) AS l (l)
  WHERE (l.l ->> 0)::pg_catalog.oid IN (SELECT sequences.seq FROM sequences)
),
-- One row per (sequence, column): judged when identity, a plain default, or OWNED BY with no computing default.
links AS (
  SELECT f.seq, f.tbl, f.attnum,
         pg_catalog.bool_or(f.kind IN (0, 2, 4))
           OR (pg_catalog.bool_or(f.kind = 1) AND NOT pg_catalog.bool_or(f.kind IN (3, 6))) AS judged
  FROM found_links f GROUP BY f.seq, f.tbl, f.attnum
),
-- Whether this role bypasses row-level security.
this_role AS (
  SELECT r.rolsuper OR r.rolbypassrls AS bypass FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER
),
-- Each linked column: its table, type (a domain's base type too) and what this role may read of it.
linked_columns AS (
  SELECT links.seq, links.tbl, a.attnum, links.judged, n.nspname AS tnsp, c.relname AS trel,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS table_name,
         pg_catalog.quote_ident(a.attname) AS column_ident, a.attname::text AS column_name,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS col_type,
         pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN (
           WITH RECURSIVE b (oid, base, typtype) AS (
             SELECT t.oid, t.typbasetype, t.typtype
             UNION ALL
             SELECT bt.oid, bt.typbasetype, bt.typtype FROM b JOIN pg_catalog.pg_type bt ON bt.oid = b.base
             WHERE b.typtype = 'd')
           SELECT b.oid FROM b WHERE b.typtype <> 'd' LIMIT 1) ELSE a.atttypid END, NULL) AS base_type,
         pg_catalog.has_column_privilege(links.tbl, a.attnum, 'SELECT') AS can_read,
         pg_catalog.quote_ident(n.nspname) AS tnsp_ident,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         -- Row-level security that would hide rows: 1 policies apply to this role, 2 forced on the owner too.
         CASE WHEN COALESCE((SELECT this_role.bypass FROM this_role), false) OR NOT c.relrowsecurity THEN 0
              WHEN c.relforcerowsecurity THEN 2
              WHEN pg_catalog.pg_has_role(c.relowner, 'USAGE') THEN 0 ELSE 1 END AS rls
  FROM links
  JOIN pg_catalog.pg_class s ON s.oid = links.seq AND s.relkind = 'S'
  -- Another session's temporary table: its rows live in that session's buffers, out of reach.
  JOIN pg_catalog.pg_class c ON c.oid = links.tbl AND c.relkind IN ('r', 'p', 'f', 'm') AND c.relpersistence <> 't'
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = links.tbl AND a.attnum = links.attnum AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
),
-- Ancestors of every linked table (inheritance and partitioning): a child whose ancestor is linked to the same
-- sequence through a column of the same name is already covered by max() over the ancestor.
ancestors (tbl, parent) AS (
  SELECT i.inhrelid, i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid IN (SELECT linked_columns.tbl FROM linked_columns)
  UNION
  SELECT ancestors.tbl, i.inhparent FROM ancestors JOIN pg_catalog.pg_inherits i ON i.inhrelid = ancestors.parent
),
covered AS (
  SELECT DISTINCT ancestors.tbl, p.seq, p.column_name FROM ancestors JOIN linked_columns p ON p.tbl = ancestors.parent
),
-- The columns each sequence feeds, less the covered children, numbered in (schema, table, column) order.
fed_columns AS (
  SELECT lc.*, pg_catalog.row_number() OVER (PARTITION BY lc.seq ORDER BY lc.tnsp, lc.trel, lc.attnum) AS pos
  FROM linked_columns lc
  LEFT JOIN covered cv ON cv.tbl = lc.tbl AND cv.seq = lc.seq AND cv.column_name = lc.column_name
  WHERE cv.tbl IS NULL
),
-- The judged integer columns, with the range of values that can collide: the sequence's range cut to the column
-- type's.
integer_columns AS (
  SELECT fc.*, r.tmin, r.tmax, r.tn,
         GREATEST(sequences.minv, r.tmin) AS lo, LEAST(sequences.maxv, r.tmax) AS hi, sequences.inc > 0 AS ascending,
         CASE WHEN sequences.inc > 0 THEN r.tmax < sequences.maxv ELSE r.tmin > sequences.minv END AS narrower
  FROM fed_columns fc
  JOIN sequences ON sequences.seq = fc.seq AND fc.judged
  JOIN (VALUES ('smallint', -32768::numeric, 32767::numeric, 'int2'),
               ('integer', -2147483648::numeric, 2147483647::numeric, 'int4'),
               ('bigint', -9223372036854775808::numeric, 9223372036854775807::numeric, 'int8'))
       AS r (base_type, tmin, tmax, tn) ON r.base_type = fc.base_type
),
-- Per sequence: the columns it feeds, as the report names them.
column_lists AS (
  SELECT fc.seq, pg_catalog.count(*) AS n_links,
    pg_catalog.count(*) FILTER (WHERE fc.base_type IN ('smallint', 'integer', 'bigint')) AS n_int_any,
    pg_catalog.string_agg(fc.table_name || '.' || fc.column_ident, ', ' ORDER BY fc.pos)
      FILTER (WHERE NOT fc.judged) AS expressions,
    pg_catalog.string_agg(fc.table_name || '.' || fc.column_name, ', ' ORDER BY fc.pos) AS columns,
    pg_catalog.string_agg(fc.table_name || '.' || fc.column_ident || ' is ' || fc.col_type, ', ' ORDER BY fc.pos) AS types
  FROM fed_columns fc GROUP BY fc.seq
),
-- Per sequence: its integer columns' tables to lock, the first privilege missing to read them, the narrowest
-- column type, and the FROM items of the reading statement.
integer_lists AS (
  SELECT ic.seq, pg_catalog.count(*) AS n_int,
    pg_catalog.array_agg(DISTINCT ic.table_name) AS lock_tables,
    (pg_catalog.array_agg(CASE WHEN NOT ic.can_use_schema THEN pg_catalog.format(
       'permission denied: the role cannot use schema %s, which holds table %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
       ic.tnsp_ident, ic.table_name, ic.tnsp_ident, pg_catalog.quote_ident(CURRENT_USER))
       WHEN NOT ic.can_read THEN pg_catalog.format(
       'permission denied: the role cannot read column %s of table %s; grant it SELECT (GRANT SELECT ON %s TO %s)',
       ic.column_ident, ic.table_name, ic.table_name, pg_catalog.quote_ident(CURRENT_USER))
       WHEN ic.rls = 2 THEN pg_catalog.format(
       'row-level security hides rows of table %s from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: run seq-guard as a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       ic.table_name, pg_catalog.quote_ident(CURRENT_USER))
       ELSE pg_catalog.format(
       'row-level security hides rows of table %s from this role, so its largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       ic.table_name, pg_catalog.quote_ident(CURRENT_USER)) END ORDER BY ic.pos)
       FILTER (WHERE NOT ic.can_read OR NOT ic.can_use_schema OR ic.rls > 0))[1] AS col_denied,
    -- The narrowest integer column whose type ends the range before the sequence's own limit does (first in link
    -- order among equals).
    (pg_catalog.array_agg(CASE WHEN ic.ascending THEN ic.tmax ELSE ic.tmin END
       ORDER BY CASE WHEN ic.ascending THEN ic.tmax ELSE -ic.tmin END, ic.pos) FILTER (WHERE ic.narrower))[1] AS col_bound,
    (pg_catalog.array_agg(ic.col_type || ' column ' || ic.table_name || '.' || ic.column_ident
       ORDER BY CASE WHEN ic.ascending THEN ic.tmax ELSE -ic.tmin END, ic.pos) FILTER (WHERE ic.narrower))[1] AS col_by,
    -- One statement reads the position and the colliding extreme (max ascending, min descending) of every
    -- integer column inside its collision range: with an index, one index probe per column.
    pg_catalog.string_agg(pg_catalog.format('c%s.ex::pg_catalog.int8', ic.pos), ', ' ORDER BY ic.pos)
      FILTER (WHERE ic.lo <= ic.hi) AS ex_list,
    pg_catalog.string_agg(pg_catalog.format(
        ', (SELECT pg_catalog.%1$s(%2$s) AS ex FROM %3$s WHERE %2$s BETWEEN %4$L::pg_catalog.%5$s AND %6$L::pg_catalog.%5$s) AS c%7$s',
        CASE WHEN ic.ascending THEN 'max' ELSE 'min' END, ic.column_ident, ic.table_name, ic.lo, ic.tn, ic.hi, ic.pos),
      '' ORDER BY ic.pos) FILTER (WHERE ic.lo <= ic.hi) AS from_list
  FROM integer_columns ic GROUP BY ic.seq
),
-- Everything known of each sequence before reading it.
facts AS MATERIALIZED (
  SELECT sequences.*,
    COALESCE(column_lists.n_links, 0) AS n_links, COALESCE(column_lists.n_int_any, 0) AS n_int_any,
    COALESCE(integer_lists.n_int, 0) AS n_int,
    column_lists.columns, column_lists.types, column_lists.expressions,
    integer_lists.col_denied, integer_lists.lock_tables, integer_lists.col_bound, integer_lists.col_by,
    integer_lists.ex_list, integer_lists.from_list
  FROM sequences
  LEFT JOIN column_lists ON column_lists.seq = sequences.seq
  LEFT JOIN integer_lists ON integer_lists.seq = sequences.seq
),
-- Why a sequence is not judged (skip_reason), or cannot be read (denied); the bound of its range and what sets it.
judged AS (
  SELECT facts.*,
    CASE WHEN facts.excluded THEN 'excluded'
         WHEN facts.n_links = 0 THEN 'unlinked'
         WHEN facts.n_int_any = 0 THEN 'non_integer_column'
         WHEN facts.n_int = 0 THEN 'expression_default'
         WHEN facts.cycle THEN 'cycle' END AS skip_reason,
    CASE WHEN NOT facts.can_use_schema THEN pg_catalog.format(
           'permission denied: the role cannot use schema %s, which holds sequence %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
           facts.nsp_ident, facts.name, facts.nsp_ident, pg_catalog.quote_ident(CURRENT_USER))
         WHEN NOT facts.can_read THEN pg_catalog.format(
           'permission denied: the role cannot read the position of sequence %s; grant it SELECT (GRANT SELECT ON SEQUENCE %s TO %s)',
           facts.name, facts.name, pg_catalog.quote_ident(CURRENT_USER))
         ELSE facts.col_denied END AS denied,
    CASE WHEN facts.col_bound IS NOT NULL THEN facts.col_bound WHEN facts.inc > 0 THEN facts.maxv ELSE facts.minv END AS bound,
    COALESCE(facts.col_by, CASE WHEN facts.inc > 0 THEN 'MAXVALUE of ' ELSE 'MINVALUE of ' END || facts.name) AS bound_by
  FROM facts
)
SELECT judged.seq, judged.name, judged.data_type, judged.start, judged.inc, judged.cache, judged.can_update,
  judged.columns, judged.types, judged.expressions, judged.lock_tables, judged.skip_reason, judged.denied,
  judged.bound, judged.bound_by, judged.col_by,
  -- This script does not read trigger bodies (seq-guard check does): say so where one may draw from an unlinked
  -- sequence.
  CASE WHEN judged.skip_reason = 'unlinked' THEN (
    SELECT '. This script does not read trigger bodies, and BEFORE INSERT trigger function '
           || pg_catalog.string_agg(DISTINCT pg_catalog.format('%I.%I()', pn.nspname, p.proname), ', ')
           || ' names it: run seq-guard check to judge it'
    FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
    JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
    JOIN pg_catalog.pg_language lg ON lg.oid = p.prolang AND lg.lanname = 'plpgsql'
    WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype::int & 7) = 7
      AND pg_catalog.strpos(pg_catalog.lower(p.prosrc), pg_catalog.lower(judged.rel)) > 0
      AND p.prosrc ILIKE '%nextval%') END AS trigger_note,
  -- The one statement that reads the sequence: last_value, is_called, and the colliding extreme of its columns.
  CASE WHEN judged.skip_reason IS NULL AND judged.denied IS NULL THEN
    'SELECT s.last_value AS lv, s.is_called AS ic, '
      || COALESCE(CASE WHEN judged.inc > 0 THEN 'GREATEST(' ELSE 'LEAST(' END || judged.ex_list || ')', 'NULL::pg_catalog.int8')
      || ' AS ex FROM ' || judged.name || ' AS s' || COALESCE(judged.from_list, '') END AS probe
FROM judged`;
}

/**
 * seq_guard_verdicts: the report, one row per sequence of the batch, from what the reading step left in the
 * setting seq_guard.readings (each sequence's row of seq_guard_sequences and what its read returned), with
 * src/verdict.ts's arithmetic in numeric; in fix mode, overlaid with what the fixing step did to the batch
 * (setting seq_guard.fix_log). `threshold`: the --headroom-threshold literal.
 */
export function verdictsQuery(threshold: string): string {
  return `WITH
-- What the reading step read: lv last_value, ic is_called, ex the colliding extreme of the columns (NULL when
-- they hold nothing in range), read_error when the read failed.
readings AS (
  SELECT r.*, r.inc > 0 AS ascending
  FROM pg_catalog.jsonb_to_recordset(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS r (
    seq pg_catalog.oid, name text, data_type text, start numeric, inc numeric, cache numeric, columns text,
    types text, expressions text, skip_reason text, trigger_note text, denied text, bound numeric, bound_by text,
    col_by text, lv numeric, ic boolean, ex numeric, read_error text)
),
-- The value nextval() hands out next.
next_values AS (
  SELECT readings.*, CASE WHEN readings.ic THEN readings.lv + readings.inc ELSE readings.lv END AS nxt FROM readings
),
-- The colliding value: a column value at or past the next value, in the sequence's direction.
collisions AS (
  SELECT nv.*,
    CASE WHEN nv.ascending AND nv.ex >= nv.nxt THEN nv.ex
         WHEN NOT nv.ascending AND nv.ex <= nv.nxt THEN nv.ex END AS collision
  FROM next_values nv
),
-- The next value once fixed (eff_next), and whether the next value or the fix lies beyond the bound.
reach AS (
  SELECT co.*,
    COALESCE(co.collision + co.inc, co.nxt) AS eff_next,
    CASE WHEN co.ascending
         THEN co.nxt > co.bound OR co.collision + co.inc > co.bound
         ELSE co.nxt < co.bound OR co.collision + co.inc < co.bound END AS beyond
  FROM collisions co
),
-- The range from START to the bound: its size, the part used, what is left.
ranges AS (
  SELECT reach.*,
    CASE WHEN reach.ascending THEN reach.bound - reach.start + 1 ELSE reach.start - reach.bound + 1 END AS span,
    GREATEST(0, CASE WHEN reach.ascending THEN reach.eff_next - reach.start ELSE reach.start - reach.eff_next END) AS used,
    CASE WHEN reach.ascending THEN reach.bound - reach.eff_next ELSE reach.eff_next - reach.bound END AS left_
  FROM reach
),
-- Headroom: the share used, in tenths of a percent (rounded down), and the values nextval() can still hand out.
headroom AS (
  SELECT ranges.*,
    CASE WHEN ranges.span <= 0 THEN 1000 ELSE LEAST(pg_catalog.div(ranges.used * 1000, ranges.span), 1000) END AS permille,
    CASE WHEN ranges.left_ < 0 THEN 0 ELSE pg_catalog.div(ranges.left_, pg_catalog.abs(ranges.inc)) + 1 END AS remaining
  FROM ranges
),
verdicts AS (
  SELECT headroom.*,
    CASE WHEN headroom.skip_reason IS NOT NULL THEN 'skipped'
         WHEN headroom.denied IS NOT NULL OR headroom.read_error IS NOT NULL THEN 'error'
         WHEN headroom.beyond THEN 'exhausted'
         WHEN headroom.collision IS NOT NULL THEN 'behind'
         ELSE 'ok' END AS status,
    pg_catalog.div(headroom.permille, 10)::text
      || CASE WHEN pg_catalog.mod(headroom.permille, 10) <> 0 THEN '.' || pg_catalog.mod(headroom.permille, 10)::text ELSE '' END AS used_pct
  FROM headroom
),
-- The words of the report: the reason of every verdict but ok, the headroom warning, the setval() that fixes.
explained AS (
  SELECT v.*,
    CASE v.status
      WHEN 'skipped' THEN CASE v.skip_reason
        WHEN 'excluded' THEN 'excluded by the schema or exclude filters'
        WHEN 'unlinked' THEN 'feeds no column: no OWNED BY or identity column, no DEFAULT calling nextval() of it (by regclass, or by a text name resolved on the database''s search_path) and no BEFORE INSERT trigger assigning nextval() of it to a column links it to one (a sequence drawn only by application code is not inspected)' || COALESCE(v.trigger_note, '')
        WHEN 'non_integer_column' THEN 'feeds only columns that are not integers (' || v.types || ')'
        WHEN 'expression_default' THEN 'feeds its columns only through a DEFAULT that computes with nextval() (such as nextval(...) * 1024 + 7), so their values are not the sequence''s and cannot be compared with it (' || v.expressions || ')'
        ELSE 'CYCLE sequence: it may legitimately sit below old data, so it is never judged or fixed' END
      WHEN 'error' THEN COALESCE(v.denied, v.read_error)
      WHEN 'exhausted' THEN 'exhausted: '
        || CASE WHEN v.collision IS NULL
             THEN pg_catalog.format('its next value %s lies beyond %s, the bound set by the %s', v.nxt, v.bound, v.bound_by)
             ELSE pg_catalog.format('it is behind (a linked column holds %s) and %s %s %s = %s lies beyond %s, the bound set by the %s',
                    v.collision, v.collision, CASE WHEN v.ascending THEN '+' ELSE '-' END, pg_catalog.abs(v.inc),
                    v.eff_next, v.bound, v.bound_by) END
        || '. setval() cannot help: '
        || CASE WHEN v.col_by IS NOT NULL
             THEN 'widen the ' || v.bound_by || ' (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)'
             WHEN v.data_type = 'bigint'
             THEN pg_catalog.format('raise the sequence''s %1$s (ALTER SEQUENCE %2$s %1$s ...)',
                    CASE WHEN v.ascending THEN 'MAXVALUE' ELSE 'MINVALUE' END, v.name)
             ELSE pg_catalog.format('widen it (ALTER SEQUENCE %s AS bigint) and its columns', v.name) END
      WHEN 'behind' THEN pg_catalog.format('next value %s %s %s, a value already in a linked column: the next insert collides',
        v.nxt, CASE WHEN v.ascending THEN '<=' ELSE '>=' END, v.collision)
    END AS reason,
    CASE WHEN v.status IN ('ok', 'behind') AND v.permille >= ${threshold} * 10
         THEN pg_catalog.format('near_exhaustion: %s%% of the range up to %s (the %s) is used; %s values remain',
                v.used_pct, v.bound, v.bound_by, v.remaining) END AS warning,
    CASE WHEN v.status = 'behind'
         THEN 'SELECT setval(''' || pg_catalog.replace(v.name, '''', '''''') || ''', ' || v.collision || ', true);' END AS fix_sql
  FROM verdicts v
),
-- What the fixing step did to this batch (fix mode only; none in check mode): the sequences it advanced (with
-- their next value before) and those it could not fix.
fix_log AS (
  SELECT (e ->> 'seq')::pg_catalog.oid AS seq, e ->> 'outcome' AS outcome, e ->> 'before' AS before, e ->> 'reason' AS reason,
         e ->> 'fix_sql' AS fix_sql
  FROM pg_catalog.jsonb_array_elements(
         COALESCE(NULLIF(pg_catalog.current_setting('seq_guard.fix_log', true), ''), '[]')::pg_catalog.jsonb) AS e
),
-- The verdict, or what the fix made of it: fixed (with the statement that fixed it), or the error that stopped it.
report AS (
  SELECT x.name, x.columns,
    CASE WHEN fl.outcome = 'error' THEN NULL
         WHEN fl.seq IS NOT NULL AND x.status = 'ok' THEN fl.fix_sql ELSE x.fix_sql END AS fix_sql,
    CASE WHEN fl.outcome = 'error' THEN 'error'
         WHEN fl.seq IS NOT NULL AND x.status = 'ok' THEN 'fixed'
         ELSE x.status END AS status,
    CASE WHEN fl.outcome = 'error' THEN fl.reason
         WHEN fl.seq IS NOT NULL AND x.status = 'ok' THEN pg_catalog.format('advanced from %s to %s', fl.before, x.nxt)
         WHEN fl.seq IS NOT NULL AND x.status = 'behind' THEN 'the fix did not hold: ' || x.reason
         ELSE x.reason END AS reason,
    CASE WHEN fl.outcome = 'error' THEN NULL
         WHEN fl.seq IS NOT NULL THEN fl.before::numeric ELSE x.nxt END AS nxt,
    CASE WHEN fl.outcome = 'error' THEN NULL ELSE x.ex END AS ex,
    CASE WHEN fl.seq IS NOT NULL AND fl.outcome <> 'error' AND x.status = 'ok' AND x.cache > 1
         THEN pg_catalog.concat_ws(' | ', x.warning, pg_catalog.format(
                'cached_sessions: CACHE %s: sessions connected before the fix may still hand out up to %s cached values each; reconnect them',
                x.cache, x.cache))
         WHEN fl.outcome = 'error' THEN NULL
         ELSE x.warning END AS warning
  FROM explained x LEFT JOIN fix_log fl ON fl.seq = x.seq
)
-- What needs attention first.
SELECT report.status, report.name AS sequence, report.columns, report.ex AS max, report.nxt AS next_value,
       report.fix_sql, report.reason, report.warning
FROM report
ORDER BY CASE report.status WHEN 'error' THEN 0 WHEN 'exhausted' THEN 1 WHEN 'behind' THEN 2 WHEN 'fixed' THEN 3
                            WHEN 'ok' THEN 4 ELSE 5 END,
         report.warning IS NULL, report.name COLLATE "C"`;
}
