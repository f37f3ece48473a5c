// The batch loop of the `seq-guard sql` script: the one query whose rows psql's \gexec runs, cell by cell, left to
// right. It finds every sequence's links once (mirroring src/db/discovery.ts), cuts the sequences into batches
// (mirroring src/db/batches.ts's planning), and emits per batch the statements that check (and, with --fix, fix)
// it. Printed once, at the end of the script.

import { plainNextvalSql, resolveLinksSql, TEXT_DEFAULTS_SQL } from "../db/catalog-sql.ts";

/** Schemas never looked at, as src/db/discovery.ts skips them. */
const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'`;

/**
 * Indent a query pasted inside another, for the reader. Left as it is when a line break may fall inside a string
 * literal (a line with an odd number of quotes), where indenting would change the literal.
 */
function indented(sql: string, spaces: number): string {
  const lines = sql.split("\n");
  if (lines.some((line) => (line.match(/'/g)?.length ?? 0) % 2 === 1)) return sql;
  return lines.map((line) => " ".repeat(spaces) + line).join("\n");
}

/**
 * The batch loop. Per batch (at most 250 sequences and about 1000 locked relations: tables, their indexes,
 * partitions and children, so that no transaction overflows the server's lock table), in this order:
 * SET seq_guard.batch_sequences and seq_guard.batch_links (the batch), [with --fix, the fixing step,] BEGIN READ
 * ONLY, the reading step, EXECUTE seq_guard_verdicts (the batch's rows of the report), COMMIT.
 */
export function batchLoop(fix: boolean): string {
  return `WITH RECURSIVE
-- Every sequence outside the system schemas.
sequences AS (
  SELECT c.oid AS sequence_oid, n.nspname AS schema_name, c.relname AS relation_name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S' AND ${SYSTEM_SCHEMAS}
),
-- Every column a sequence feeds, and how:
--   identity                an identity column (pg_depend, deptype 'i');
--   owned_by                OWNED BY (deptype 'a');
--   default                 a DEFAULT that is nextval() itself, through type coercions only;
--   computing_default       a DEFAULT that computes with nextval() (nextval() * 1024 + 7: its column holds other
--                           values than the sequence's, so it is never judged);
--   text_default            DEFAULT nextval('name'::text), which records no dependency: found from the default's
--                           expression and the name resolved as src/db/discovery.ts resolves it;
--   computing_text_default  the same, computing with it.
-- Links made by BEFORE INSERT triggers are not read here (see the unlinked reason and docs/sequences.md).
found_links AS (
  SELECT d.objid AS sequence_oid, d.refobjid AS table_oid, d.refobjsubid AS column_number,
         CASE d.deptype WHEN 'i' THEN 'identity' ELSE 'owned_by' END AS how
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 AND d.objid IN (SELECT sequences.sequence_oid FROM sequences)
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum,
         CASE WHEN ${plainNextvalSql("ad.adbin::text")}
              THEN 'default' ELSE 'computing_default' END
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype = 'n' AND d.refobjid IN (SELECT sequences.sequence_oid FROM sequences)
    AND ad.adbin::text LIKE '%:funcid 1574 %'
  UNION ALL
  SELECT text_links.seq, text_links.tbl, text_links.attnum,
         CASE text_links.kind WHEN 4 THEN 'text_default' ELSE 'computing_text_default' END
  -- The defaults that call nextval('name'::text) (kind 4 the call itself, 6 computing with it), each name resolved
  -- to the sequence nextval() would draw from: the same SQL as seq-guard check's (src/db/catalog-sql.ts).
  FROM (
${indented(resolveLinksSql(TEXT_DEFAULTS_SQL), 4)}
  ) AS text_links
  WHERE text_links.seq IN (SELECT sequences.sequence_oid FROM sequences)
),
-- Each linked table and, recursively, its partitions and inheritance children: a read locks them all.
table_trees (root_oid, table_oid) AS (
  SELECT DISTINCT found_links.table_oid, found_links.table_oid FROM found_links
  UNION
  SELECT table_trees.root_oid, i.inhrelid
  FROM table_trees JOIN pg_catalog.pg_inherits i ON i.inhparent = table_trees.table_oid
),
index_counts AS (
  SELECT x.indrelid AS table_oid, pg_catalog.count(*) AS index_count FROM pg_catalog.pg_index x GROUP BY x.indrelid
),
-- The relations a read of each linked table locks: the tables of its tree and their indexes.
table_costs AS (
  SELECT table_trees.root_oid, pg_catalog.sum(1 + COALESCE(index_counts.index_count, 0)) AS relations
  FROM table_trees LEFT JOIN index_counts ON index_counts.table_oid = table_trees.table_oid
  GROUP BY table_trees.root_oid
),
-- The relations a read of each sequence locks: itself and every table it feeds (with theirs).
sequence_costs AS (
  SELECT sequences.sequence_oid, sequences.schema_name, sequences.relation_name,
         1 + COALESCE(pg_catalog.sum(table_costs.relations), 0) AS relations
  FROM sequences
  LEFT JOIN (SELECT DISTINCT found_links.sequence_oid, found_links.table_oid FROM found_links) AS fed
         ON fed.sequence_oid = sequences.sequence_oid
  LEFT JOIN table_costs ON table_costs.root_oid = fed.table_oid
  GROUP BY sequences.sequence_oid, sequences.schema_name, sequences.relation_name
),
-- Each sequence weighs the larger of its share of 250 sequences and its share of 1000 relations, in units of
-- 1/250000; a running total in name order cut every 250000 puts at most 250 sequences and about 1000 relations
-- in one batch.
placed AS (
  SELECT sequence_costs.sequence_oid, pg_catalog.row_number() OVER by_name AS name_order,
         pg_catalog.div(pg_catalog.sum(GREATEST(sequence_costs.relations * 250, 1000)) OVER by_name
                        - GREATEST(sequence_costs.relations * 250, 1000), 250000) AS batch
  FROM sequence_costs
  WINDOW by_name AS (ORDER BY sequence_costs.schema_name, sequence_costs.relation_name, sequence_costs.sequence_oid)
),
batches AS (
  SELECT placed.batch, pg_catalog.min(placed.name_order) AS first_in_order,
         pg_catalog.array_agg(placed.sequence_oid ORDER BY placed.name_order) AS sequence_oids
  FROM placed GROUP BY placed.batch
  UNION ALL
  -- No sequence at all: one empty batch, so that the report still prints its header.
  SELECT -1, -1, '{}'::pg_catalog.oid[] WHERE NOT EXISTS (SELECT FROM placed)
),
-- Each batch's links, as a JSON array of found_links rows, for seq_guard_sequences.
batch_links AS (
  SELECT placed.batch, pg_catalog.jsonb_agg(pg_catalog.to_jsonb(found_links)) AS links
  FROM placed JOIN found_links ON found_links.sequence_oid = placed.sequence_oid GROUP BY placed.batch
)
SELECT pg_catalog.format('SET seq_guard.batch_sequences = %L', batches.sequence_oids) AS set_batch_sequences,
       pg_catalog.format('SET seq_guard.batch_links = %L', COALESCE(batch_links.links, '[]')) AS set_batch_links,${
         fix ? "\n       pg_catalog.current_setting('seq_guard.fix_step') AS fix_step," : ""
       }
       'BEGIN READ ONLY' AS begin_read_only,
       pg_catalog.current_setting('seq_guard.read_step') AS read_step,
       'EXECUTE seq_guard_verdicts' AS report,
       'COMMIT' AS commit_
FROM batches LEFT JOIN batch_links ON batch_links.batch = batches.batch
ORDER BY batches.first_in_order`;
}
