// The two PL/pgSQL steps of the `seq-guard sql` script: DO blocks (plpgsql is in every database; a DO block creates
// nothing), because only PL/pgSQL can catch one sequence's error and go on with the next. Each is printed once, as
// the value of a session setting (seq_guard.read_step, seq_guard.fix_step) that the batch loop runs for every
// batch; the fixing step runs the reading step too. They take their input from, and leave their output in,
// settings:
//
//   seq_guard.batch_sequences, seq_guard.batch_links  the batch (set by the batch loop)   read by seq_guard_sequences
//   seq_guard.readings     what the reading step read (this transaction only)           read by seq_guard_verdicts
//   seq_guard.fix_log      what the fixing step did to the batch                        read by seq_guard_verdicts
//
// The only dynamic SQL in them: EXECUTE of the two prepared statements (a FOR loop over a prepared statement's
// rows needs it), of the reading step, of each sequence's reading statement (built by seq_guard_sequences with
// format('%I')), and LOCK TABLE of the tables seq_guard_sequences named the same way.

/**
 * The reading step: each sequence of the batch (seq_guard_sequences) read by its one statement, each in a block
 * of its own, so that a sequence that cannot be read (a lock held past lock_timeout, a timeout, a table gone) is
 * that sequence's error, as in the engine (src/db/pool.ts, src/db/explain.ts), and the rest of the batch is still read. A DO block
 * writes nothing, so this runs in a READ ONLY transaction (and on a standby).
 */
export const READ_STEP = `DO $$
DECLARE
  target record;
  last_value numeric;
  is_called boolean;
  extreme numeric;
  read_error text;
  readings jsonb[] := '{}';
BEGIN
  FOR target IN EXECUTE 'EXECUTE seq_guard_sequences' LOOP
    last_value := NULL;
    is_called := NULL;
    extreme := NULL;
    read_error := NULL;
    IF target.read_statement IS NOT NULL THEN
      BEGIN
        EXECUTE target.read_statement INTO last_value, is_called, extreme;
      EXCEPTION WHEN OTHERS THEN
        read_error := CASE
          WHEN SQLSTATE = '55P03' THEN pg_catalog.format('could not read %s: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise --lock-timeout', pg_catalog.array_to_string(target.tables_to_lock, ', '))
          WHEN SQLSTATE = '57014' THEN pg_catalog.format('timed out reading %s: a column without an index makes max() scan the whole table; add an index on it or raise statement_timeout', pg_catalog.array_to_string(target.tables_to_lock, ', '))
          WHEN SQLSTATE = '42501' AND SQLERRM LIKE '%row-level security%' THEN pg_catalog.format('row-level security hides rows from this role (%s), so the largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS', SQLERRM)
          WHEN SQLSTATE = '42501' THEN 'permission denied: ' || SQLERRM
          ELSE pg_catalog.format('could not read %s: %s (SQLSTATE %s)', target.sequence_name, SQLERRM, SQLSTATE) END;
        RAISE WARNING 'seq-guard: %', read_error;
      END;
    END IF;
    readings := readings || ((pg_catalog.to_jsonb(target) - 'read_statement')
                             || pg_catalog.jsonb_build_object('last_value', last_value, 'is_called', is_called,
                                                              'extreme', extreme, 'read_error', read_error));
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.readings', pg_catalog.to_jsonb(readings)::text, true);
END
$$`;

/**
 * The fixing step, for one batch: find what is behind, then lock, re-read and advance it, in short transactions
 * (src/db/fixing.ts). It commits as it goes, so it runs outside the report's READ ONLY transaction.
 */
export const FIX_STEP = `DO $$
DECLARE
  verdict record;
  reading jsonb;
  extreme numeric;
  behind jsonb[] := '{}';
  attempted jsonb[];
  attempt int := 0;
  tables text;
  lock_ms text := (SELECT s.setting FROM pg_catalog.pg_settings s WHERE s.name = 'lock_timeout');
  fix_log jsonb[] := '{}';
  advanced jsonb[];
  did_set boolean;
  err text;
  errstate text;
BEGIN
  PERFORM pg_catalog.set_config('seq_guard.fix_log', '[]', false);

  -- 1. Read and judge the batch without locking anything but for reading. Note each behind sequence: the role
  -- may advance it (UPDATE on it), or it is an error.
  EXECUTE pg_catalog.current_setting('seq_guard.read_step');
  FOR verdict IN EXECUTE 'EXECUTE seq_guard_verdicts' LOOP
    CONTINUE WHEN verdict.status <> 'behind';
    SELECT e.e INTO reading
    FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS e (e)
    WHERE e.e ->> 'sequence_name' = verdict.sequence;
    IF (reading ->> 'can_update')::boolean THEN
      behind := behind || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid',
                            'sequence_name', verdict.sequence, 'increment', reading -> 'increment',
                            'next_value', verdict.next_value, 'tables_to_lock', reading -> 'tables_to_lock',
                            'fix_sql', verdict.fix_sql);
    ELSE
      fix_log := fix_log || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid', 'outcome', 'error',
        'reason', pg_catalog.format('permission denied: fixing needs UPDATE on sequence %s (GRANT UPDATE ON SEQUENCE %s TO %s)',
                                    verdict.sequence, verdict.sequence, pg_catalog.quote_ident(CURRENT_USER)));
      RAISE WARNING 'seq-guard: % is behind but the role may not advance it (it needs UPDATE on the sequence)', verdict.sequence;
    END IF;
  END LOOP;
  COMMIT;

  -- 2. Lock the tables of what is behind against writes (an INSERT takes ROW EXCLUSIVE before it calls nextval(),
  -- so inserts wait; the session's lock_timeout bounds the wait), read again under the lock, advance only what is
  -- still behind and only forward, commit. All of the batch's behind sequences at once (attempt 0); when that
  -- fails, one transaction each (attempt n: the n-th alone), to find the one at fault.
  WHILE pg_catalog.cardinality(behind) > 0 LOOP
    attempted := CASE WHEN attempt = 0 THEN behind ELSE ARRAY[behind[attempt]] END;
    SELECT pg_catalog.string_agg(DISTINCT t.t, ', ') INTO tables
    FROM pg_catalog.unnest(attempted) AS e (e)
    CROSS JOIN LATERAL pg_catalog.jsonb_array_elements_text(e.e -> 'tables_to_lock') AS t (t);
    advanced := '{}';
    err := NULL;
    BEGIN
      EXECUTE 'LOCK TABLE ' || tables || ' IN SHARE ROW EXCLUSIVE MODE';
      PERFORM pg_catalog.set_config('seq_guard.batch_sequences',
        (SELECT pg_catalog.array_agg((e.e ->> 'sequence_oid')::pg_catalog.oid) FROM pg_catalog.unnest(attempted) AS e (e))::text,
        true);
      EXECUTE pg_catalog.current_setting('seq_guard.read_step');
      FOR verdict IN EXECUTE 'EXECUTE seq_guard_verdicts' LOOP
        SELECT e.e INTO reading FROM pg_catalog.unnest(attempted) AS e (e) WHERE e.e ->> 'sequence_name' = verdict.sequence;
        IF verdict.status = 'error' THEN
          advanced := advanced || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid',
                                    'outcome', 'error', 'reason', verdict.reason);
        END IF;
        CONTINUE WHEN verdict.status <> 'behind';
        -- The colliding value as read under the lock (the report's "max / min" cell is text: "min -50").
        SELECT (e.e ->> 'extreme')::numeric INTO extreme
        FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS e (e)
        WHERE e.e ->> 'sequence_name' = verdict.sequence;
        CONTINUE WHEN extreme IS NULL;
        IF ((reading ->> 'increment')::numeric > 0 AND extreme < verdict.next_value)
           OR ((reading ->> 'increment')::numeric < 0 AND extreme > verdict.next_value) THEN
          RAISE EXCEPTION 'refusing to move % backwards', verdict.sequence;
        END IF;
        -- setval() only while it still moves the sequence forward, read in the same statement: a nextval() by
        -- another session since the read (one that does not insert through the locked tables) is never undone.
        SELECT CASE WHEN p.last_value IS NULL
                         OR ((reading ->> 'increment')::numeric > 0 AND p.last_value <= extreme)
                         OR ((reading ->> 'increment')::numeric < 0 AND p.last_value >= extreme)
                    THEN pg_catalog.setval((reading ->> 'sequence_oid')::pg_catalog.oid, extreme::pg_catalog.int8, true)
               END IS NOT NULL
        INTO did_set
        FROM pg_catalog.pg_sequence_last_value((reading ->> 'sequence_oid')::pg_catalog.oid) AS p (last_value);
        IF did_set THEN
          advanced := advanced || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid',
            'outcome', 'done', 'next_value_before', reading ->> 'next_value', 'fix_sql', reading ->> 'fix_sql',
            'note', pg_catalog.format('seq-guard: advanced %s: next value %s -> %s', verdict.sequence,
                                      verdict.next_value, extreme + (reading ->> 'increment')::numeric));
        END IF;
      END LOOP;
    EXCEPTION WHEN OTHERS THEN
      err := SQLERRM;
      errstate := SQLSTATE;
    END;
    COMMIT;
    IF err IS NULL THEN
      fix_log := fix_log || advanced;
      FOR i IN 1 .. COALESCE(pg_catalog.cardinality(advanced), 0) LOOP
        CONTINUE WHEN advanced[i] ->> 'note' IS NULL;
        RAISE NOTICE '%', advanced[i] ->> 'note';
      END LOOP;
      EXIT WHEN attempt = 0;
    ELSIF attempt > 0 OR pg_catalog.cardinality(behind) = 1 THEN
      fix_log := fix_log || pg_catalog.jsonb_build_object('sequence_oid', attempted[1] -> 'sequence_oid',
        'outcome', 'error', 'reason',
        CASE errstate
          WHEN '55P03' THEN pg_catalog.format('could not lock %s within %s ms: the table is busy; run fix again when it is quieter or raise --lock-timeout', tables, lock_ms)
          WHEN '42501' THEN pg_catalog.format('permission denied: fixing locks %s against writes, which needs UPDATE, DELETE or TRUNCATE on them (%s)', tables, err)
          ELSE pg_catalog.format('could not fix %s: %s (SQLSTATE %s)', attempted[1] ->> 'sequence_name', err, errstate) END);
      RAISE WARNING 'seq-guard: could not fix %: % (SQLSTATE %)', attempted[1] ->> 'sequence_name', err, errstate;
    END IF;
    EXIT WHEN attempt >= pg_catalog.cardinality(behind) OR (attempt = 0 AND pg_catalog.cardinality(behind) = 1);
    attempt := attempt + 1;
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.fix_log', pg_catalog.to_jsonb(fix_log)::text, false);
END
$$`;
