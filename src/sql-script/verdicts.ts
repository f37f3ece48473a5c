// seq_guard_verdicts, the second prepared statement of the `seq-guard sql` script: the report, one row per
// sequence of the batch, with src/core/verdict.ts's arithmetic done in numeric (exact at the int8 bounds). Printed
// once; its text is the same whatever options the script was generated with, which it reads from the settings
// section (seq_guard.headroom_threshold).
//
// Input: setting seq_guard.readings (each sequence's row of seq_guard_sequences and what its read returned), left
// by the reading step in the same transaction; with --fix, setting seq_guard.fix_log (what the fixing step did to
// the batch). Output: the report's rows, which psql prints, and which the fixing step reads to find what is behind.

export const VERDICTS_QUERY = `WITH
-- What the reading step read: last_value and is_called of the sequence, the colliding extreme of its columns
-- (NULL when they hold nothing in range), read_error when the read failed.
readings AS (
  SELECT reading.*, reading.increment > 0 AS ascending
  FROM pg_catalog.jsonb_to_recordset(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS reading (
    sequence_oid pg_catalog.oid, sequence_name text, data_type text, start_value numeric, increment numeric,
    cache_size numeric, columns text, column_types text, computed_columns text, skip_reason text,
    trigger_note text, unreadable_reason text, range_bound numeric, range_bound_by text, column_bound_by text,
    last_value numeric, is_called boolean, extreme numeric, read_error text)
),
-- The value nextval() hands out next.
next_values AS (
  SELECT readings.*,
    CASE WHEN readings.is_called THEN readings.last_value + readings.increment ELSE readings.last_value END AS next_value
  FROM readings
),
-- The colliding value: a column value at or past the next value, in the sequence's direction.
collisions AS (
  SELECT next_values.*,
    CASE WHEN next_values.ascending AND next_values.extreme >= next_values.next_value THEN next_values.extreme
         WHEN NOT next_values.ascending AND next_values.extreme <= next_values.next_value THEN next_values.extreme
    END AS collision
  FROM next_values
),
-- The next value once fixed (the next value itself when nothing collides), and whether the next value or the fix
-- lies beyond the bound of the range.
reach AS (
  SELECT collisions.*,
    COALESCE(collisions.collision + collisions.increment, collisions.next_value) AS next_value_once_fixed,
    CASE WHEN collisions.ascending
         THEN collisions.next_value > collisions.range_bound
              OR collisions.collision + collisions.increment > collisions.range_bound
         ELSE collisions.next_value < collisions.range_bound
              OR collisions.collision + collisions.increment < collisions.range_bound END AS beyond_bound
  FROM collisions
),
-- The range from START to the bound: its size, the part used, what is left.
ranges AS (
  SELECT reach.*,
    CASE WHEN reach.ascending THEN reach.range_bound - reach.start_value + 1
         ELSE reach.start_value - reach.range_bound + 1 END AS range_size,
    GREATEST(0, CASE WHEN reach.ascending THEN reach.next_value_once_fixed - reach.start_value
                     ELSE reach.start_value - reach.next_value_once_fixed END) AS range_used,
    CASE WHEN reach.ascending THEN reach.range_bound - reach.next_value_once_fixed
         ELSE reach.next_value_once_fixed - reach.range_bound END AS range_left
  FROM reach
),
-- Headroom: the share used, in tenths of a percent (rounded down), and the values nextval() can still hand out.
headroom AS (
  SELECT ranges.*,
    CASE WHEN ranges.range_size <= 0 THEN 1000
         ELSE LEAST(pg_catalog.div(ranges.range_used * 1000, ranges.range_size), 1000) END AS used_permille,
    CASE WHEN ranges.range_left < 0 THEN 0
         ELSE pg_catalog.div(ranges.range_left, pg_catalog.abs(ranges.increment)) + 1 END AS values_remaining
  FROM ranges
),
verdicts AS (
  SELECT headroom.*,
    CASE WHEN headroom.skip_reason IS NOT NULL THEN 'skipped'
         WHEN headroom.unreadable_reason IS NOT NULL OR headroom.read_error IS NOT NULL THEN 'error'
         WHEN headroom.beyond_bound THEN 'exhausted'
         WHEN headroom.collision IS NOT NULL THEN 'behind'
         ELSE 'ok' END AS status,
    pg_catalog.div(headroom.used_permille, 10)::text
      || CASE WHEN pg_catalog.mod(headroom.used_permille, 10) <> 0
              THEN '.' || pg_catalog.mod(headroom.used_permille, 10)::text ELSE '' END AS used_percent
  FROM headroom
),
-- The words of the report: the reason of every verdict but ok, the headroom warning, the setval() that fixes.
explained AS (
  SELECT verdicts.*,
    CASE verdicts.status
      WHEN 'skipped' THEN CASE verdicts.skip_reason
        WHEN 'excluded' THEN 'excluded by the schema or exclude filters'
        WHEN 'unlinked' THEN 'feeds no column: no OWNED BY or identity column, no DEFAULT calling nextval() of it (by regclass, or by a text name resolved on the database''s search_path) and no BEFORE INSERT trigger assigning nextval() of it to a column links it to one (a sequence drawn only by application code is not inspected)' || COALESCE(verdicts.trigger_note, '')
        WHEN 'non_integer_column' THEN 'feeds only columns that are not integers (' || verdicts.column_types || ')'
        WHEN 'expression_default' THEN 'feeds its columns only through a DEFAULT that computes with nextval() (such as nextval(...) * 1024 + 7), so their values are not the sequence''s and cannot be compared with it (' || verdicts.computed_columns || ')'
        ELSE 'CYCLE sequence: it may legitimately sit below old data, so it is never judged or fixed' END
      WHEN 'error' THEN COALESCE(verdicts.unreadable_reason, verdicts.read_error)
      WHEN 'exhausted' THEN 'exhausted: '
        || CASE WHEN verdicts.collision IS NULL
             THEN pg_catalog.format('its next value %s lies beyond %s, the bound set by the %s',
                    verdicts.next_value, verdicts.range_bound, verdicts.range_bound_by)
             ELSE pg_catalog.format('it is behind (a linked column holds %s) and %s %s %s = %s lies beyond %s, the bound set by the %s',
                    verdicts.collision, verdicts.collision, CASE WHEN verdicts.ascending THEN '+' ELSE '-' END,
                    pg_catalog.abs(verdicts.increment), verdicts.next_value_once_fixed, verdicts.range_bound,
                    verdicts.range_bound_by) END
        || '. setval() cannot help: '
        || CASE WHEN verdicts.column_bound_by IS NOT NULL
             THEN 'widen the ' || verdicts.range_bound_by || ' (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)'
             WHEN verdicts.data_type = 'bigint'
             THEN pg_catalog.format('raise the sequence''s %1$s (ALTER SEQUENCE %2$s %1$s ...)',
                    CASE WHEN verdicts.ascending THEN 'MAXVALUE' ELSE 'MINVALUE' END, verdicts.sequence_name)
             ELSE pg_catalog.format('widen it (ALTER SEQUENCE %s AS bigint) and its columns', verdicts.sequence_name) END
      WHEN 'behind' THEN pg_catalog.format('next value %s %s %s, a value already in a linked column: the next insert collides',
        verdicts.next_value, CASE WHEN verdicts.ascending THEN '<=' ELSE '>=' END, verdicts.collision)
    END AS reason,
    CASE WHEN verdicts.status IN ('ok', 'behind')
              AND verdicts.used_permille >= pg_catalog.current_setting('seq_guard.headroom_threshold')::numeric * 10
         THEN pg_catalog.format('near_exhaustion: %s%% of the range up to %s (the %s) is used; %s values remain',
                verdicts.used_percent, verdicts.range_bound, verdicts.range_bound_by, verdicts.values_remaining) END
      AS warning,
    CASE WHEN verdicts.status = 'behind'
         THEN 'SELECT setval(''' || pg_catalog.replace(verdicts.sequence_name, '''', '''''') || ''', '
              || verdicts.collision || ', true);' END AS fix_sql
  FROM verdicts
),
-- What the fixing step did to this batch (--fix only; none in the checking script): the sequences it advanced,
-- with their next value before, and those it could not fix, with why.
fix_log AS (
  SELECT fixed.sequence_oid, fixed.outcome, fixed.next_value_before, fixed.reason, fixed.fix_sql
  FROM pg_catalog.jsonb_to_recordset(
         COALESCE(NULLIF(pg_catalog.current_setting('seq_guard.fix_log', true), ''), '[]')::pg_catalog.jsonb)
       AS fixed (sequence_oid pg_catalog.oid, outcome text, next_value_before text, reason text, fix_sql text)
),
-- The verdict, or what the fix made of it: fixed (with the statement that fixed it and the next value now), or
-- the error that stopped it.
report AS (
  SELECT explained.sequence_name, explained.columns, explained.ascending,
    CASE WHEN fix_log.outcome = 'error' THEN NULL
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'ok' THEN fix_log.fix_sql
         ELSE explained.fix_sql END AS fix_sql,
    CASE WHEN fix_log.outcome = 'error' THEN 'error'
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'ok' THEN 'fixed'
         ELSE explained.status END AS status,
    CASE WHEN fix_log.outcome = 'error' THEN fix_log.reason
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'ok'
         THEN pg_catalog.format('advanced from %s to %s', fix_log.next_value_before, explained.next_value)
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'behind'
         THEN 'the fix did not hold: ' || explained.reason
         ELSE explained.reason END AS reason,
    CASE WHEN fix_log.outcome = 'error' THEN NULL ELSE explained.next_value END AS next_value,
    CASE WHEN fix_log.outcome = 'error' THEN NULL ELSE explained.extreme END AS extreme,
    CASE WHEN fix_log.sequence_oid IS NOT NULL AND fix_log.outcome <> 'error' AND explained.status = 'ok'
              AND explained.cache_size > 1
         THEN pg_catalog.concat_ws(' | ', explained.warning, pg_catalog.format(
                'cached_sessions: CACHE %s: sessions connected before the fix may still hand out up to %s cached values each; reconnect them',
                explained.cache_size, explained.cache_size))
         WHEN fix_log.outcome = 'error' THEN NULL
         ELSE explained.warning END AS warning
  FROM explained LEFT JOIN fix_log ON fix_log.sequence_oid = explained.sequence_oid
)
-- What needs attention first. The colliding extreme is a max for an ascending sequence and a min for a
-- descending one, as in seq-guard check's table: under the header "max / min", a descending row's value reads
-- "min -50".
SELECT report.status, report.sequence_name AS sequence, report.columns,
       CASE WHEN report.ascending THEN report.extreme::text ELSE 'min ' || report.extreme END AS "max / min",
       report.next_value, report.fix_sql, report.reason, report.warning
FROM report
ORDER BY CASE report.status WHEN 'error' THEN 0 WHEN 'exhausted' THEN 1 WHEN 'behind' THEN 2 WHEN 'fixed' THEN 3
                            WHEN 'ok' THEN 4 ELSE 5 END,
         report.warning IS NULL, report.sequence_name COLLATE "C"`;
