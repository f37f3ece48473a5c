// seq_guard_sequences, the first prepared statement of the `seq-guard sql` script: one batch's sequences with
// what src/db/discovery.ts knows of each (its definition, the columns it feeds, whether it is skipped or cannot be
// read for want of a privilege, the bound of its range) and the one statement that reads it (src/db/sql.ts's),
// built on the server with format('%I') from catalog names. Printed once; its text is the same whatever options
// the script was generated with, which it reads from the settings section (seq_guard.schemas,
// seq_guard.exclude_pattern).
//
// Input: settings seq_guard.batch_sequences (the batch's OIDs) and seq_guard.batch_links (their links), set by the
// batch loop. Output: one row per sequence, run by the reading step, which keeps each row (less read_statement)
// with what its read returned in seq_guard.readings for seq_guard_verdicts.

export const SEQUENCES_QUERY = `WITH RECURSIVE
-- What the settings section chose: --schema (none: every schema) and --exclude (as one regular expression; none:
-- exclude nothing).
chosen AS (
  SELECT pg_catalog.current_setting('seq_guard.schemas')::text[] AS schemas,
         NULLIF(pg_catalog.current_setting('seq_guard.exclude_pattern'), '') AS exclude_pattern
),
-- The batch's sequences and their definitions, in numeric (which holds every int8 and every int8 + increment).
sequences AS (
  SELECT c.oid AS sequence_oid, n.nspname AS schema_name, c.relname AS relation_name,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS sequence_name,
         pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
         s.seqstart::numeric AS start_value, s.seqincrement::numeric AS increment,
         s.seqmin::numeric AS min_value, s.seqmax::numeric AS max_value, s.seqcache AS cache_size,
         s.seqcycle AS cycles,
         pg_catalog.has_sequence_privilege(c.oid, 'SELECT') AS can_read,
         pg_catalog.has_sequence_privilege(c.oid, 'UPDATE') AS can_update,
         pg_catalog.quote_ident(n.nspname) AS quoted_schema,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         -- Left out by --schema or --exclude: reported, never read.
         (pg_catalog.cardinality(chosen.schemas) > 0 AND NOT (n.nspname = ANY (chosen.schemas)))
           OR COALESCE((n.nspname || '.' || c.relname) ~ chosen.exclude_pattern, false) AS excluded
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
  CROSS JOIN chosen
  WHERE c.relkind = 'S'
    AND c.oid = ANY (pg_catalog.current_setting('seq_guard.batch_sequences')::pg_catalog.oid[])
),
-- Their links, as the batch loop found them (how: identity, owned_by, default, computing_default, text_default,
-- computing_text_default; see the batch loop).
found_links AS (
  SELECT link.sequence_oid, link.table_oid, link.column_number, link.how
  FROM pg_catalog.jsonb_to_recordset(pg_catalog.current_setting('seq_guard.batch_links')::pg_catalog.jsonb)
       AS link (sequence_oid pg_catalog.oid, table_oid pg_catalog.oid, column_number int, how text)
  WHERE link.sequence_oid IN (SELECT sequences.sequence_oid FROM sequences)
),
-- One row per (sequence, column): judged when identity, a plain default, or OWNED BY with no computing default.
column_links AS (
  SELECT found_links.sequence_oid, found_links.table_oid, found_links.column_number,
         pg_catalog.bool_or(found_links.how IN ('identity', 'default', 'text_default'))
           OR (pg_catalog.bool_or(found_links.how = 'owned_by')
               AND NOT pg_catalog.bool_or(found_links.how IN ('computing_default', 'computing_text_default')))
           AS judged
  FROM found_links GROUP BY found_links.sequence_oid, found_links.table_oid, found_links.column_number
),
-- Whether this role bypasses row-level security.
this_role AS (
  SELECT r.rolsuper OR r.rolbypassrls AS bypasses_rls FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER
),
-- Each linked column: its table, type (a domain's base type too) and what this role may read of it.
linked_columns AS (
  SELECT column_links.sequence_oid, column_links.table_oid, a.attnum AS column_number, column_links.judged,
         n.nspname AS table_schema, c.relname AS table_relation,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS table_name,
         pg_catalog.quote_ident(a.attname) AS quoted_column, a.attname::text AS column_name,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS column_type,
         pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN (
           WITH RECURSIVE domain_chain (oid, base, typtype) AS (
             SELECT t.oid, t.typbasetype, t.typtype
             UNION ALL
             SELECT bt.oid, bt.typbasetype, bt.typtype
             FROM domain_chain JOIN pg_catalog.pg_type bt ON bt.oid = domain_chain.base
             WHERE domain_chain.typtype = 'd')
           SELECT domain_chain.oid FROM domain_chain WHERE domain_chain.typtype <> 'd' LIMIT 1)
           ELSE a.atttypid END, NULL) AS base_type,
         pg_catalog.has_column_privilege(column_links.table_oid, a.attnum, 'SELECT') AS can_read,
         pg_catalog.quote_ident(n.nspname) AS quoted_table_schema,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         -- Row-level security that would hide rows: 'policies' apply to this role, or 'forced' on the owner too.
         CASE WHEN COALESCE((SELECT this_role.bypasses_rls FROM this_role), false) OR NOT c.relrowsecurity THEN NULL
              WHEN c.relforcerowsecurity THEN 'forced'
              WHEN pg_catalog.pg_has_role(c.relowner, 'USAGE') THEN NULL ELSE 'policies' END AS rows_hidden_by
  FROM column_links
  JOIN pg_catalog.pg_class s ON s.oid = column_links.sequence_oid AND s.relkind = 'S'
  -- Another session's temporary table: its rows live in that session's buffers, out of reach.
  JOIN pg_catalog.pg_class c
    ON c.oid = column_links.table_oid AND c.relkind IN ('r', 'p', 'f', 'm') AND c.relpersistence <> 't'
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a
    ON a.attrelid = column_links.table_oid AND a.attnum = column_links.column_number AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
),
-- Ancestors of every linked table (inheritance and partitioning): a child whose ancestor is linked to the same
-- sequence through a column of the same name is already covered by max() over the ancestor.
ancestors (table_oid, ancestor_oid) AS (
  SELECT i.inhrelid, i.inhparent FROM pg_catalog.pg_inherits i
  WHERE i.inhrelid IN (SELECT linked_columns.table_oid FROM linked_columns)
  UNION
  SELECT ancestors.table_oid, i.inhparent FROM ancestors JOIN pg_catalog.pg_inherits i ON i.inhrelid = ancestors.ancestor_oid
),
covered AS (
  SELECT DISTINCT ancestors.table_oid, parent.sequence_oid, parent.column_name
  FROM ancestors JOIN linked_columns parent ON parent.table_oid = ancestors.ancestor_oid
),
-- The columns each sequence feeds, less the covered children, numbered in (schema, table, column) order.
fed_columns AS (
  SELECT linked_columns.*,
         pg_catalog.row_number() OVER (PARTITION BY linked_columns.sequence_oid
                                       ORDER BY linked_columns.table_schema, linked_columns.table_relation,
                                                linked_columns.column_number) AS link_order
  FROM linked_columns
  LEFT JOIN covered
    ON covered.table_oid = linked_columns.table_oid AND covered.sequence_oid = linked_columns.sequence_oid
   AND covered.column_name = linked_columns.column_name
  WHERE covered.table_oid IS NULL
),
-- The judged integer columns, with the range of values that can collide (collision_low to collision_high): the
-- sequence's range cut to the column type's.
integer_columns AS (
  SELECT fed_columns.*, integer_types.type_min, integer_types.type_max, integer_types.type_name,
         GREATEST(sequences.min_value, integer_types.type_min) AS collision_low,
         LEAST(sequences.max_value, integer_types.type_max) AS collision_high,
         sequences.increment > 0 AS ascending,
         CASE WHEN sequences.increment > 0 THEN integer_types.type_max < sequences.max_value
              ELSE integer_types.type_min > sequences.min_value END AS narrower_than_sequence
  FROM fed_columns
  JOIN sequences ON sequences.sequence_oid = fed_columns.sequence_oid AND fed_columns.judged
  JOIN (VALUES ('smallint', -32768::numeric, 32767::numeric, 'int2'),
               ('integer', -2147483648::numeric, 2147483647::numeric, 'int4'),
               ('bigint', -9223372036854775808::numeric, 9223372036854775807::numeric, 'int8'))
       AS integer_types (base_type, type_min, type_max, type_name) ON integer_types.base_type = fed_columns.base_type
),
-- Per sequence: the columns it feeds, as the report names them.
column_lists AS (
  SELECT fed_columns.sequence_oid, pg_catalog.count(*) AS link_count,
    pg_catalog.count(*) FILTER (WHERE fed_columns.base_type IN ('smallint', 'integer', 'bigint')) AS integer_count,
    pg_catalog.string_agg(fed_columns.table_name || '.' || fed_columns.quoted_column, ', '
                          ORDER BY fed_columns.link_order) FILTER (WHERE NOT fed_columns.judged) AS computed_columns,
    -- Quoted as the CLI's table quotes them: public."Weird ""Tbl"."Id", not public."Weird ""Tbl".Id.
    pg_catalog.string_agg(fed_columns.table_name || '.' || fed_columns.quoted_column, ', '
                          ORDER BY fed_columns.link_order) AS columns,
    pg_catalog.string_agg(fed_columns.table_name || '.' || fed_columns.quoted_column || ' is ' || fed_columns.column_type,
                          ', ' ORDER BY fed_columns.link_order) AS column_types
  FROM fed_columns GROUP BY fed_columns.sequence_oid
),
-- Per sequence: its integer columns' tables to lock, the first privilege missing to read them, the narrowest
-- column type, and the pieces of the reading statement.
integer_lists AS (
  SELECT integer_columns.sequence_oid, pg_catalog.count(*) AS judged_integer_count,
    pg_catalog.array_agg(DISTINCT integer_columns.table_name) AS tables_to_lock,
    (pg_catalog.array_agg(CASE WHEN NOT integer_columns.can_use_schema THEN pg_catalog.format(
       'permission denied: the role cannot use schema %s, which holds table %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
       integer_columns.quoted_table_schema, integer_columns.table_name, integer_columns.quoted_table_schema,
       pg_catalog.quote_ident(CURRENT_USER))
       WHEN NOT integer_columns.can_read THEN pg_catalog.format(
       'permission denied: the role cannot read column %s of table %s; grant it SELECT (GRANT SELECT ON %s TO %s)',
       integer_columns.quoted_column, integer_columns.table_name, integer_columns.table_name,
       pg_catalog.quote_ident(CURRENT_USER))
       WHEN integer_columns.rows_hidden_by = 'forced' THEN pg_catalog.format(
       'row-level security hides rows of table %s from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: run seq-guard as a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       integer_columns.table_name, pg_catalog.quote_ident(CURRENT_USER))
       ELSE pg_catalog.format(
       'row-level security hides rows of table %s from this role, so its largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       integer_columns.table_name, pg_catalog.quote_ident(CURRENT_USER)) END ORDER BY integer_columns.link_order)
       FILTER (WHERE NOT integer_columns.can_read OR NOT integer_columns.can_use_schema
                     OR integer_columns.rows_hidden_by IS NOT NULL))[1] AS column_unreadable_reason,
    -- The narrowest integer column whose type ends the range before the sequence's own limit does (first in link
    -- order among equals).
    (pg_catalog.array_agg(CASE WHEN integer_columns.ascending THEN integer_columns.type_max ELSE integer_columns.type_min END
       ORDER BY CASE WHEN integer_columns.ascending THEN integer_columns.type_max ELSE -integer_columns.type_min END,
                integer_columns.link_order)
       FILTER (WHERE integer_columns.narrower_than_sequence))[1] AS column_bound,
    (pg_catalog.array_agg(integer_columns.column_type || ' column ' || integer_columns.table_name || '.'
                          || integer_columns.quoted_column
       ORDER BY CASE WHEN integer_columns.ascending THEN integer_columns.type_max ELSE -integer_columns.type_min END,
                integer_columns.link_order)
       FILTER (WHERE integer_columns.narrower_than_sequence))[1] AS column_bound_by,
    -- One statement reads the position and the colliding extreme (max ascending, min descending) of every
    -- integer column inside its collision range: with an index, one index probe per column. Column N is read by
    -- the subquery column_N; these are its select list and its FROM items.
    pg_catalog.string_agg(pg_catalog.format('column_%s.extreme::pg_catalog.int8', integer_columns.link_order), ', '
                          ORDER BY integer_columns.link_order)
      FILTER (WHERE integer_columns.collision_low <= integer_columns.collision_high) AS column_extremes,
    pg_catalog.string_agg(pg_catalog.format(
        ', (SELECT pg_catalog.%1$s(%2$s) AS extreme FROM %3$s WHERE %2$s BETWEEN %4$L::pg_catalog.%5$s AND %6$L::pg_catalog.%5$s) AS column_%7$s',
        CASE WHEN integer_columns.ascending THEN 'max' ELSE 'min' END, integer_columns.quoted_column,
        integer_columns.table_name, integer_columns.collision_low, integer_columns.type_name,
        integer_columns.collision_high, integer_columns.link_order),
      '' ORDER BY integer_columns.link_order)
      FILTER (WHERE integer_columns.collision_low <= integer_columns.collision_high) AS column_subqueries
  FROM integer_columns GROUP BY integer_columns.sequence_oid
),
-- Everything known of each sequence before reading it.
facts AS MATERIALIZED (
  SELECT sequences.*,
    COALESCE(column_lists.link_count, 0) AS link_count, COALESCE(column_lists.integer_count, 0) AS integer_count,
    COALESCE(integer_lists.judged_integer_count, 0) AS judged_integer_count,
    column_lists.columns, column_lists.column_types, column_lists.computed_columns,
    integer_lists.column_unreadable_reason, integer_lists.tables_to_lock, integer_lists.column_bound,
    integer_lists.column_bound_by, integer_lists.column_extremes, integer_lists.column_subqueries
  FROM sequences
  LEFT JOIN column_lists ON column_lists.sequence_oid = sequences.sequence_oid
  LEFT JOIN integer_lists ON integer_lists.sequence_oid = sequences.sequence_oid
),
-- Why a sequence is not judged (skip_reason), or cannot be read (unreadable_reason); the bound of its range and
-- what sets it.
plans AS (
  SELECT facts.*,
    CASE WHEN facts.excluded THEN 'excluded'
         WHEN facts.link_count = 0 THEN 'unlinked'
         WHEN facts.integer_count = 0 THEN 'non_integer_column'
         WHEN facts.judged_integer_count = 0 THEN 'expression_default'
         WHEN facts.cycles THEN 'cycle' END AS skip_reason,
    CASE WHEN NOT facts.can_use_schema THEN pg_catalog.format(
           'permission denied: the role cannot use schema %s, which holds sequence %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
           facts.quoted_schema, facts.sequence_name, facts.quoted_schema, pg_catalog.quote_ident(CURRENT_USER))
         WHEN NOT facts.can_read THEN pg_catalog.format(
           'permission denied: the role cannot read the position of sequence %s; grant it SELECT (GRANT SELECT ON SEQUENCE %s TO %s)',
           facts.sequence_name, facts.sequence_name, pg_catalog.quote_ident(CURRENT_USER))
         ELSE facts.column_unreadable_reason END AS unreadable_reason,
    CASE WHEN facts.column_bound IS NOT NULL THEN facts.column_bound
         WHEN facts.increment > 0 THEN facts.max_value ELSE facts.min_value END AS range_bound,
    COALESCE(facts.column_bound_by,
             CASE WHEN facts.increment > 0 THEN 'MAXVALUE of ' ELSE 'MINVALUE of ' END || facts.sequence_name)
      AS range_bound_by
  FROM facts
)
SELECT plans.sequence_oid, plans.sequence_name, plans.data_type, plans.start_value, plans.increment,
  plans.cache_size, plans.can_update, plans.columns, plans.column_types, plans.computed_columns,
  plans.tables_to_lock, plans.skip_reason, plans.unreadable_reason, plans.range_bound, plans.range_bound_by,
  plans.column_bound_by,
  -- This script does not read trigger bodies (seq-guard check does): say so where one may draw from an unlinked
  -- sequence.
  CASE WHEN plans.skip_reason = 'unlinked' THEN (
    SELECT '. This script does not read trigger bodies, and BEFORE INSERT trigger function '
           || pg_catalog.string_agg(DISTINCT pg_catalog.format('%I.%I()', pn.nspname, p.proname), ', ')
           || ' names it: run seq-guard check to judge it'
    FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
    JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
    JOIN pg_catalog.pg_language lg ON lg.oid = p.prolang AND lg.lanname = 'plpgsql'
    WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype::int & 7) = 7
      AND pg_catalog.strpos(pg_catalog.lower(p.prosrc), pg_catalog.lower(plans.relation_name)) > 0
      AND p.prosrc ILIKE '%nextval%') END AS trigger_note,
  -- The one statement that reads the sequence: last_value, is_called, and the colliding extreme of its columns.
  CASE WHEN plans.skip_reason IS NULL AND plans.unreadable_reason IS NULL THEN
    'SELECT s.last_value, s.is_called, '
      || COALESCE(CASE WHEN plans.increment > 0 THEN 'GREATEST(' ELSE 'LEAST(' END || plans.column_extremes || ')',
                  'NULL::pg_catalog.int8')
      || ' AS extreme FROM ' || plans.sequence_name || ' AS s' || COALESCE(plans.column_subqueries, '')
  END AS read_statement
FROM plans`;
