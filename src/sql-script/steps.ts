// The two PL/pgSQL steps of the `seq-guard sql` script: DO blocks (plpgsql is in every database; a DO block creates
// nothing), because only PL/pgSQL can catch one sequence's error and go on with the next. Each is printed once, as
// the value of a session setting (seq_guard.read_step, seq_guard.fix_step) that the batch loop runs for every batch;
// the fixing step runs the reading step too. They take their input from, and leave their output in, settings:
//
//   seq_guard.oids, seq_guard.links   the batch (set by the batch loop)          read by seq_guard_sequences
//   seq_guard.readings                what the reading step read (this transaction)  read by seq_guard_verdicts
//   seq_guard.fix_log                 what the fixing step did to the batch       read by seq_guard_verdicts

/**
 * The reading step: each sequence of the batch (seq_guard_sequences) read by its one statement, each in a block
 * of its own, so that a sequence that cannot be read (a lock held past lock_timeout, a timeout, a table gone) is
 * that sequence's error, as in the engine (src/probe.ts's explainError), and the rest of the batch is still read.
 * A DO block writes nothing, so this runs in a READ ONLY transaction (and on a standby).
 */
export const READ_STEP = `DO $$
DECLARE
  s record;
  lv numeric;
  ic boolean;
  ex numeric;
  err text;
  readings jsonb[] := '{}';
BEGIN
  FOR s IN EXECUTE 'EXECUTE seq_guard_sequences' LOOP
    lv := NULL;
    ic := NULL;
    ex := NULL;
    err := NULL;
    IF s.probe IS NOT NULL THEN
      BEGIN
        EXECUTE s.probe INTO lv, ic, ex;
      EXCEPTION WHEN OTHERS THEN
        err := CASE
          WHEN SQLSTATE = '55P03' THEN pg_catalog.format('could not read %s: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise --lock-timeout', pg_catalog.array_to_string(s.lock_tables, ', '))
          WHEN SQLSTATE = '57014' THEN pg_catalog.format('timed out reading %s: a column without an index makes max() scan the whole table; add an index on it or raise statement_timeout', pg_catalog.array_to_string(s.lock_tables, ', '))
          WHEN SQLSTATE = '42501' AND SQLERRM LIKE '%row-level security%' THEN pg_catalog.format('row-level security hides rows from this role (%s), so the largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS', SQLERRM)
          WHEN SQLSTATE = '42501' THEN 'permission denied: ' || SQLERRM
          ELSE pg_catalog.format('could not read %s: %s (SQLSTATE %s)', s.name, SQLERRM, SQLSTATE) END;
        RAISE WARNING 'seq-guard: %', err;
      END;
    END IF;
    readings := readings || ((pg_catalog.to_jsonb(s) - 'probe')
                             || pg_catalog.jsonb_build_object('lv', lv, 'ic', ic, 'ex', ex, 'read_error', err));
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.readings', pg_catalog.to_jsonb(readings)::text, true);
END
$$`;

/**
 * The fixing step, for one batch: find what is behind, then lock, re-read and advance it, in short transactions
 * (src/fixing.ts). It commits as it goes, so it runs outside the report's READ ONLY transaction.
 */
export const FIX_STEP = `DO $$
DECLARE
  v record;
  r jsonb;
  behind jsonb[] := '{}';
  cur jsonb[];
  attempt int := 0;
  tables text;
  lock_ms text := (SELECT s.setting FROM pg_catalog.pg_settings s WHERE s.name = 'lock_timeout');
  log jsonb[] := '{}';
  advanced jsonb[];
  did_set boolean;
  err text;
  errstate text;
BEGIN
  PERFORM pg_catalog.set_config('seq_guard.fix_log', '[]', false);

  -- 1. Read and judge the batch without locking anything but for reading. Note each behind sequence: the role
  -- may advance it (UPDATE on it), or it is an error.
  EXECUTE pg_catalog.current_setting('seq_guard.read_step');
  FOR v IN EXECUTE 'EXECUTE seq_guard_verdicts' LOOP
    CONTINUE WHEN v.status <> 'behind';
    SELECT e.e INTO r
    FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS e (e)
    WHERE e.e ->> 'name' = v.sequence;
    IF (r ->> 'can_update')::boolean THEN
      behind := behind || pg_catalog.jsonb_build_object('seq', r -> 'seq', 'name', v.sequence, 'inc', r -> 'inc',
                            'next', v.next_value, 'tables', r -> 'lock_tables', 'fix_sql', v.fix_sql);
    ELSE
      log := log || pg_catalog.jsonb_build_object('seq', r -> 'seq', 'outcome', 'error', 'reason',
        pg_catalog.format('permission denied: fixing needs UPDATE on sequence %s (GRANT UPDATE ON SEQUENCE %s TO %s)',
                          v.sequence, v.sequence, pg_catalog.quote_ident(CURRENT_USER)));
      RAISE WARNING 'seq-guard: % is behind but the role may not advance it (it needs UPDATE on the sequence)', v.sequence;
    END IF;
  END LOOP;
  COMMIT;

  -- 2. Lock the tables of what is behind against writes (an INSERT takes ROW EXCLUSIVE before it calls nextval(),
  -- so inserts wait; the session's lock_timeout bounds the wait), read again under the lock, advance only what is
  -- still behind and only forward, commit. All of the batch's behind sequences at once (attempt 0); when that
  -- fails, one transaction each (attempt n: the n-th alone), to find the one at fault.
  WHILE pg_catalog.cardinality(behind) > 0 LOOP
    cur := CASE WHEN attempt = 0 THEN behind ELSE ARRAY[behind[attempt]] END;
    SELECT pg_catalog.string_agg(DISTINCT t.t, ', ') INTO tables
    FROM pg_catalog.unnest(cur) AS e (e) CROSS JOIN LATERAL pg_catalog.jsonb_array_elements_text(e.e -> 'tables') AS t (t);
    advanced := '{}';
    err := NULL;
    BEGIN
      EXECUTE 'LOCK TABLE ' || tables || ' IN SHARE ROW EXCLUSIVE MODE';
      PERFORM pg_catalog.set_config('seq_guard.oids',
        (SELECT pg_catalog.array_agg((e.e ->> 'seq')::pg_catalog.oid) FROM pg_catalog.unnest(cur) AS e (e))::text, true);
      EXECUTE pg_catalog.current_setting('seq_guard.read_step');
      FOR v IN EXECUTE 'EXECUTE seq_guard_verdicts' LOOP
        SELECT e.e INTO r FROM pg_catalog.unnest(cur) AS e (e) WHERE e.e ->> 'name' = v.sequence;
        IF v.status = 'error' THEN
          advanced := advanced || pg_catalog.jsonb_build_object('seq', r -> 'seq', 'outcome', 'error', 'reason', v.reason);
        END IF;
        CONTINUE WHEN v.status <> 'behind' OR v.max IS NULL;
        IF ((r ->> 'inc')::numeric > 0 AND v.max < v.next_value) OR ((r ->> 'inc')::numeric < 0 AND v.max > v.next_value) THEN
          RAISE EXCEPTION 'refusing to move % backwards', v.sequence;
        END IF;
        -- setval() only while it still moves the sequence forward, read in the same statement: a nextval() by
        -- another session since the read (one that does not insert through the locked tables) is never undone.
        SELECT CASE WHEN p.lv IS NULL OR ((r ->> 'inc')::numeric > 0 AND p.lv <= v.max)
                                      OR ((r ->> 'inc')::numeric < 0 AND p.lv >= v.max)
                    THEN pg_catalog.setval((r ->> 'seq')::pg_catalog.oid, v.max::pg_catalog.int8, true) END IS NOT NULL
        INTO did_set
        FROM pg_catalog.pg_sequence_last_value((r ->> 'seq')::pg_catalog.oid) AS p (lv);
        IF did_set THEN
          advanced := advanced || pg_catalog.jsonb_build_object('seq', r -> 'seq', 'outcome', 'done',
            'before', r ->> 'next', 'fix_sql', r ->> 'fix_sql',
            'note', pg_catalog.format('seq-guard: advanced %s: next value %s -> %s', v.sequence, v.next_value,
                                      v.max + (r ->> 'inc')::numeric));
        END IF;
      END LOOP;
    EXCEPTION WHEN OTHERS THEN
      err := SQLERRM;
      errstate := SQLSTATE;
    END;
    COMMIT;
    IF err IS NULL THEN
      log := log || advanced;
      FOR i IN 1 .. COALESCE(pg_catalog.cardinality(advanced), 0) LOOP
        CONTINUE WHEN advanced[i] ->> 'note' IS NULL;
        RAISE NOTICE '%', advanced[i] ->> 'note';
      END LOOP;
      EXIT WHEN attempt = 0;
    ELSIF attempt > 0 OR pg_catalog.cardinality(behind) = 1 THEN
      log := log || pg_catalog.jsonb_build_object('seq', cur[1] -> 'seq', 'outcome', 'error', 'reason',
        CASE errstate
          WHEN '55P03' THEN pg_catalog.format('could not lock %s within %s ms: the table is busy; run fix again when it is quieter or raise --lock-timeout', tables, lock_ms)
          WHEN '42501' THEN pg_catalog.format('permission denied: fixing locks %s against writes, which needs UPDATE, DELETE or TRUNCATE on them (%s)', tables, err)
          ELSE pg_catalog.format('could not fix %s: %s (SQLSTATE %s)', cur[1] ->> 'name', err, errstate) END);
      RAISE WARNING 'seq-guard: could not fix %: % (SQLSTATE %)', cur[1] ->> 'name', err, errstate;
    END IF;
    EXIT WHEN attempt >= pg_catalog.cardinality(behind) OR (attempt = 0 AND pg_catalog.cardinality(behind) = 1);
    attempt := attempt + 1;
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.fix_log', pg_catalog.to_jsonb(log)::text, false);
END
$$`;
