// The engine against a real PostgreSQL: every case of the corpus gets its verdict; check changes nothing; fix
// changes exactly the behind sequences, exactly, and only forward.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { SequenceReport } from "../src/core/types.ts";
import { skipReasonOf } from "../src/core/verdict.ts";
import { discover } from "../src/db/discovery.ts";
import { DEFAULT_ENGINE, verifyDatabase } from "../src/db/engine.ts";
import { readBatch, readBatchFast, type StateReader, stateReader } from "../src/db/probe.ts";
import { CORPUS_SQL, EXPECTED } from "./corpus.ts";
import { type ScratchDb, scratchDb, sequenceStates, withClient } from "./helpers.ts";

function byName(seqs: SequenceReport[]): Map<string, SequenceReport> {
  return new Map(seqs.map((s) => [s.sequence, s]));
}

function assertExpected(r: SequenceReport | undefined, name: string) {
  const exp = EXPECTED[name];
  assert.ok(exp, `no expectation for ${name}`);
  assert.ok(r, `sequence ${name} was not reported`);
  assert.equal(r.status, exp.status, `${name}: status (reason: ${r.reason})`);
  if (exp.next) assert.equal(r.next_value, exp.next, `${name}: next value`);
  if (exp.collision) assert.equal(r.max ?? r.min, exp.collision, `${name}: colliding value`);
  if (exp.columns)
    assert.deepEqual(r.columns.map((c) => `${c.table}.${c.column}`).sort(), exp.columns, `${name}: columns`);
  if (exp.skipReason) assert.match(r.reason ?? "", /./, `${name}: a skip reason is given`);
  assert.equal(r.skip_reason, exp.skipReason ?? null, `${name}: skip_reason`);
  assert.deepEqual(
    r.warnings.map((w) => w.code),
    exp.warnings ?? [],
    `${name}: warnings`,
  );
}

describe("engine on the corpus", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(CORPUS_SQL);
  });
  after(async () => {
    await db.drop();
  });

  test("check gives every sequence its expected verdict, and changes nothing", async () => {
    const beforeStates = await sequenceStates(db);
    const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "check" });
    const got = byName(res.sequences);
    assert.deepEqual([...got.keys()].sort(), Object.keys(EXPECTED).sort(), "exactly the corpus's sequences");
    for (const name of Object.keys(EXPECTED)) assertExpected(got.get(name), name);
    assert.deepEqual(await sequenceStates(db), beforeStates, "check must not move any sequence");
    assert.equal(res.summary.sequences, Object.keys(EXPECTED).length);
  });

  test("skip reasons name the cause", async () => {
    const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "report" });
    const got = byName(res.sequences);
    assert.match(got.get("public.lonely")?.reason ?? "", /feeds no column/);
    assert.match(got.get("public.order_codes")?.reason ?? "", /not integers.*text/);
    assert.match(got.get("public.cyc")?.reason ?? "", /CYCLE/);
    assert.match(
      got.get("public.shard_seq")?.reason ?? "",
      /computes with nextval\(\).*\(public\.sharded\.id\)/,
    );
    assert.match(got.get("public.big_on_int")?.reason ?? "", /integer column public\.int_top\.id/);
    assert.match(got.get("public.small_full_id_seq")?.reason ?? "", /32768 lies beyond 32767/);
  });

  test("the JSON keeps int8 values as exact decimal strings", async () => {
    const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "check" });
    const huge = byName(res.sequences).get("public.huge_id_seq");
    assert.equal(huge?.max, "9007199254740993");
    assert.equal(huge?.columns[0]?.max, "9007199254740993");
    assert.equal(huge?.fix_sql, "SELECT setval('public.huge_id_seq', 9007199254740993, true);");
    const quoted = byName(res.sequences).get('public."it\'s.a ""seq"""');
    assert.equal(quoted?.fix_sql, `SELECT setval('public."it''s.a ""seq"""', 8, true);`);
  });

  test("filters: --schema keeps one schema, --exclude drops by glob", async () => {
    const res = await verifyDatabase(
      { connectionString: db.url },
      { ...DEFAULT_ENGINE, mode: "check", schemas: ["public"], exclude: ["public.user*", "public.tiny_*"] },
    );
    const got = byName(res.sequences);
    assert.equal(got.get('"Weird Schema"."Mixed Case_Id_seq"')?.status, "skipped");
    assert.match(got.get('"Weird Schema"."Mixed Case_Id_seq"')?.reason ?? "", /excluded/);
    assert.equal(got.get("public.users_id_seq")?.status, "skipped");
    assert.equal(got.get("public.tiny_id_seq")?.status, "skipped");
    assert.equal(got.get("public.by_ten")?.status, "behind");
  });
});

// A sequence that feeds more columns than a function takes arguments (100): verification's statement must carry
// all of its extremes.
const WIDE_SQL = `CREATE SEQUENCE public.wide_seq;
DO $$ BEGIN
  FOR i IN 1..120 LOOP
    EXECUTE format('CREATE TABLE public.wide_%s (id bigint DEFAULT nextval(''public.wide_seq''))', i);
    EXECUTE format('INSERT INTO public.wide_%s VALUES (%s)', i, i * 10);
  END LOOP;
END $$`;

describe("verification's read", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(CORPUS_SQL);
    await withClient(db.url, (c) => c.query(WIDE_SQL));
  });
  after(async () => {
    await db.drop();
  });

  test("reads what the reference read (the sequence relation and max/min in one statement) reads", async () => {
    await withClient(db.url, async (c) => {
      const seqs = (await discover(c)).filter((s) => skipReasonOf(s) === null && s.readable);
      assert.ok(seqs.length > 20, "the corpus has sequences of every kind to read");
      const uncalled = (await sequenceStates(db)).values();
      assert.ok(
        [...uncalled].some((v) => v.endsWith("/false")),
        "some are not called yet (second read)",
      );
      await c.query("BEGIN READ ONLY");
      const reference = await readBatch(c, seqs);
      await c.query("COMMIT");
      const wide = seqs.findIndex((s) => s.name === "public.wide_seq");
      assert.equal(seqs[wide]?.links.length, 120, "the wide sequence feeds 120 columns");
      const wideMax = reference[wide]?.columns.map((col) => col.max);
      assert.equal(wideMax?.length, 120);
      assert.ok(wideMax?.includes(1200n), "the reference read every column's max");
      const best = await stateReader(c);
      const readers = [...new Set<StateReader>([best, "pg_sequence_last_value"])];
      for (const reader of readers) {
        // Group sizes that put sequences of every kind at the start, middle and end of a statement.
        for (const group of [1, 3, 16, seqs.length]) {
          const fast = await readBatchFast(
            c,
            seqs,
            reader,
            { statementTimeoutMs: 10_000, lockTimeoutMs: 10_000 },
            group,
          );
          seqs.forEach((seq, i) => {
            assert.deepEqual(fast[i], reference[i], `${seq.name} (${reader}, ${group} per statement)`);
          });
        }
      }
    });
  });
});

describe("a database in read-only mode (a standby, default_transaction_read_only)", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(CORPUS_SQL);
    await withClient(db.url, (c) =>
      c.query(`ALTER DATABASE ${new URL(db.url).pathname.slice(1)} SET default_transaction_read_only = on`),
    );
  });
  after(async () => {
    await db.drop();
  });

  test("check and report work there (they only read); fix says why it cannot and what to do", async () => {
    for (const mode of ["check", "report"] as const) {
      const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode });
      assert.equal(
        res.summary.error,
        0,
        `${mode}: ${JSON.stringify(res.sequences.find((s) => s.status === "error"))}`,
      );
      assert.equal(res.summary.behind, Object.values(EXPECTED).filter((e) => e.status === "behind").length);
    }
    const fix = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "fix" });
    const users = byName(fix.sequences).get("public.users_id_seq");
    assert.equal(users?.status, "error");
    assert.match(users?.reason ?? "", /the session is read-only.*fix on the primary/);
  });
});

describe("fix on the corpus", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(CORPUS_SQL);
  });
  after(async () => {
    await db.drop();
  });

  test("advances exactly the behind sequences, to exactly max + increment", async () => {
    const beforeStates = await sequenceStates(db);
    const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "fix" });
    const got = byName(res.sequences);
    const afterStates = await sequenceStates(db);
    for (const [name, exp] of Object.entries(EXPECTED)) {
      const r = got.get(name);
      if (exp.status === "behind") {
        assert.equal(r?.status, "fixed", `${name} is fixed (${r?.reason})`);
        assert.equal(r?.fixed_next_value, exp.fixedNext, `${name}: next value after the fix`);
        assert.equal(afterStates.get(name), `${exp.collision}/true`, `${name}: setval(collision, true)`);
      } else {
        assert.equal(r?.status, exp.status, `${name} keeps its verdict`);
        assert.equal(afterStates.get(name), beforeStates.get(name), `${name} is not touched`);
      }
    }
    // A second check now passes for everything that was behind.
    const again = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "check" });
    for (const r of again.sequences)
      assert.notEqual(r.status, "behind", `${r.sequence} is not behind after fix`);
    // And the next insert works where it used to collide.
    await db.query("INSERT INTO users (name) VALUES ('new')");
    await db.query("INSERT INTO billing.credits DEFAULT VALUES");
    await db.query("INSERT INTO down_t DEFAULT VALUES");
    const [down] = await db.query<{ m: number }>("SELECT min(id) AS m FROM down_t");
    assert.equal(down?.m, -11);
  });

  test("fix twice: the second run touches nothing", async () => {
    const beforeStates = await sequenceStates(db);
    const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "fix" });
    assert.equal(res.summary.fixed, 0);
    assert.deepEqual(await sequenceStates(db), beforeStates);
  });
});

describe("privileges and timeouts", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(`
      CREATE TABLE open_t (id serial PRIMARY KEY); INSERT INTO open_t VALUES (3);
      CREATE TABLE secret_t (id serial PRIMARY KEY); INSERT INTO secret_t VALUES (4);
      CREATE TABLE seq_hidden (id serial PRIMARY KEY); INSERT INTO seq_hidden VALUES (5);
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sg_reader') THEN
          CREATE ROLE sg_reader LOGIN PASSWORD 'reader-pw';
        END IF;
      END $$;
      GRANT SELECT ON open_t, seq_hidden TO sg_reader;
      GRANT SELECT ON open_t_id_seq, secret_t_id_seq TO sg_reader;
      -- Row-level security would hide every row of rls_t from sg_reader: reading it would see an empty table.
      CREATE TABLE rls_t (id serial PRIMARY KEY); INSERT INTO rls_t VALUES (9);
      ALTER TABLE rls_t ENABLE ROW LEVEL SECURITY;
      CREATE POLICY nobody ON rls_t USING (false);
      GRANT SELECT ON rls_t, rls_t_id_seq TO sg_reader;
    `);
  });
  after(async () => {
    await db.drop();
  });

  test("a role that cannot read gets error with the missing privilege; the rest is verified", async () => {
    const u = new URL(db.url);
    u.username = "sg_reader";
    u.password = "reader-pw";
    const res = await verifyDatabase(
      { connectionString: u.toString() },
      { ...DEFAULT_ENGINE, mode: "check" },
    );
    const got = byName(res.sequences);
    assert.equal(got.get("public.open_t_id_seq")?.status, "behind");
    assert.equal(got.get("public.secret_t_id_seq")?.status, "error");
    assert.match(
      got.get("public.secret_t_id_seq")?.reason ?? "",
      /permission denied.*column id of table public\.secret_t.*GRANT SELECT/,
    );
    assert.equal(got.get("public.seq_hidden_id_seq")?.status, "error");
    assert.match(
      got.get("public.seq_hidden_id_seq")?.reason ?? "",
      /sequence public\.seq_hidden_id_seq.*GRANT SELECT ON SEQUENCE public\.seq_hidden_id_seq TO sg_reader\)/,
    );
    // Never a false "ok" from the rows the policy lets through: an error that says why.
    assert.equal(got.get("public.rls_t_id_seq")?.status, "error");
    assert.match(
      got.get("public.rls_t_id_seq")?.reason ?? "",
      /row-level security hides rows of table public\.rls_t/,
    );
  });

  test("a superuser bypasses row-level security: it reads the whole table", async () => {
    const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "check" });
    assert.equal(byName(res.sequences).get("public.rls_t_id_seq")?.status, "behind");
  });

  test("a table another session keeps locked is reported busy after --lock-timeout; the rest is verified", async () => {
    await withClient(db.url, async (other) => {
      await other.query("BEGIN; LOCK TABLE secret_t IN ACCESS EXCLUSIVE MODE");
      const res = await verifyDatabase(
        { connectionString: db.url },
        { ...DEFAULT_ENGINE, mode: "check", lockTimeoutMs: 200 },
      );
      await other.query("ROLLBACK");
      const got = byName(res.sequences);
      assert.equal(got.get("public.secret_t_id_seq")?.status, "error");
      assert.match(
        got.get("public.secret_t_id_seq")?.reason ?? "",
        /could not read public\.secret_t: another session held a lock on it longer than the lock timeout/,
      );
      assert.equal(got.get("public.open_t_id_seq")?.status, "behind");
    });
  });

  test("a catalog another session keeps locked stops the run within the timeouts, with a message", async () => {
    await withClient(db.url, async (other) => {
      await other.query("BEGIN; LOCK TABLE pg_catalog.pg_depend IN ACCESS EXCLUSIVE MODE");
      const t0 = Date.now();
      await assert.rejects(
        verifyDatabase(
          { connectionString: db.url },
          { ...DEFAULT_ENGINE, mode: "check", statementTimeoutMs: 500 },
        ),
        (err: Error) => {
          assert.match(err.message, /verification stopped: reading the catalog (waited|took) longer than/);
          return true;
        },
      );
      assert.ok(Date.now() - t0 < 5_000, `bounded by the timeouts (${Date.now() - t0} ms)`);
      await other.query("ROLLBACK");
    });
  });

  test("another session's temporary table that copied a default is not read", async () => {
    await withClient(db.url, async (other) => {
      await other.query("CREATE TEMP TABLE staging (LIKE open_t INCLUDING DEFAULTS)");
      await other.query("INSERT INTO staging VALUES (1000)");
      const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "check" });
      const open = byName(res.sequences).get("public.open_t_id_seq");
      assert.equal(open?.status, "behind");
      assert.equal(open?.max, "3");
      assert.deepEqual(
        open?.columns.map((c) => c.table),
        ["public.open_t"],
      );
    });
  });
});
