// Fixing a live database: inserts go on through the sequences from several connections while fix runs. Afterwards
// no insert collided once the fix was in, no sequence was ever seen moving backwards, and check passes. Also: a
// busy table is reported, not waited on forever; an unindexed column is bounded by the statement timeout.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { CLI_WORDS, inWords } from "../src/core/words.ts";
import { DEFAULT_ENGINE, verifyDatabase } from "../src/db/engine.ts";
import { advance } from "../src/db/fixing.ts";
import { type ScratchDb, scratchDb, withClient } from "./helpers.ts";

const TABLES = 30;
const BEHIND_BY = 300;

describe("fix on a live database", () => {
  let db: ScratchDb;
  before(async () => {
    const ddl: string[] = [];
    for (let i = 0; i < TABLES; i++) {
      ddl.push(`CREATE TABLE live_${i} (id serial PRIMARY KEY, w text)`);
      ddl.push(`INSERT INTO live_${i} (id, w) SELECT g, 'seed' FROM generate_series(1, ${BEHIND_BY}) g`);
    }
    db = await scratchDb(ddl.join(";\n"));
  });
  after(async () => {
    await db.drop();
  });

  test("concurrent inserts: no collision after the fix, never backwards, check passes", async () => {
    let stop = false;
    let fixDoneAt = Number.POSITIVE_INFINITY;
    const lateCollisions: string[] = [];
    let inserted = 0;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      let i = w;
      try {
        while (!stop) {
          const t = i++ % TABLES;
          const startedAt = performance.now();
          try {
            await c.query(`INSERT INTO live_${t} (w) VALUES ('writer')`);
            inserted++;
          } catch (err) {
            const e = err as { code?: string; message?: string };
            if (e.code !== "23505") throw err;
            // A duplicate key is expected before the fix (the sequence is behind); never once the fix committed.
            if (startedAt > fixDoneAt) lateCollisions.push(`live_${t}: ${e.message}`);
          }
        }
      } finally {
        await c.end();
      }
    });
    // A watcher reads every sequence's position over and over: it must never go down.
    const backwards: string[] = [];
    const watcher = (async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const last = new Map<number, bigint>();
      try {
        while (!stop) {
          for (let t = 0; t < TABLES; t++) {
            const { rows } = await c.query<{ v: string }>(
              `SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END)::text AS v FROM live_${t}_id_seq`,
            );
            const v = BigInt(rows[0]?.v ?? "0");
            const prev = last.get(t);
            if (prev !== undefined && v < prev) backwards.push(`live_${t}_id_seq: ${prev} -> ${v}`);
            last.set(t, v);
          }
        }
      } finally {
        await c.end();
      }
    })();

    await new Promise((r) => setTimeout(r, 100));
    const res = await verifyDatabase(
      { connectionString: db.url },
      { ...DEFAULT_ENGINE, mode: "fix", concurrency: 2 },
    );
    fixDoneAt = performance.now();
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all([...writers, watcher]);

    assert.ok(res.summary.fixed > 0, `fix had work to do (${JSON.stringify(res.summary)})`);
    assert.equal(res.summary.error, 0, JSON.stringify(res.sequences.filter((s) => s.status === "error")));
    assert.deepEqual(lateCollisions, [], "no insert collided after the fix");
    assert.deepEqual(backwards, [], "no sequence moved backwards");
    assert.ok(inserted > 0, "the writers did insert");
    const again = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "check" });
    assert.equal(again.summary.behind, 0);
    const dup = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM (${Array.from({ length: TABLES }, (_, t) => `SELECT id FROM live_${t} GROUP BY id HAVING count(*) > 1`).join(" UNION ALL ")}) d`,
    );
    assert.equal(dup[0]?.n, "0");
  });
});

describe("setval only ever forward, even against nextval() outside the locked tables", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(`
      CREATE SEQUENCE up_s; SELECT setval('up_s', 110, true);
      CREATE SEQUENCE down_s INCREMENT -1 MAXVALUE -1 START -1; SELECT setval('down_s', -110, true);
      CREATE SEQUENCE fresh_s;
    `);
  });
  after(async () => {
    await db.drop();
  });

  test("a sequence another session moved past the target is left alone; the others are advanced", async () => {
    // As if an application had allotted ids itself (SELECT nextval(), then an INSERT with that id) between the
    // fix's read under its lock (up_s at 50, down_s at -50) and its setval(..., 100): setting 100 would undo them.
    const oid = async (name: string) =>
      (await db.query<{ o: string }>(`SELECT '${name}'::regclass::oid::text AS o`))[0]?.o as string;
    const [up, down, fresh] = [await oid("up_s"), await oid("down_s"), await oid("fresh_s")];
    const notSet = await withClient(db.url, (c) =>
      advance(c, [up, down, fresh], ["100", "-100", "100"], ["1", "-1", "1"]),
    );
    assert.deepEqual([...notSet].sort(), [up, down].sort());
    const states = await db.query<{ s: string }>(
      "SELECT format('%s %s %s', l.last_value, d.last_value, f.last_value) AS s FROM up_s l, down_s d, fresh_s f",
    );
    assert.equal(states[0]?.s, "110 -110 100", "up_s and down_s untouched, fresh_s advanced");
    // At or short of the target, it is set: 110 -> 120.
    assert.equal((await withClient(db.url, (c) => advance(c, [up], ["120"], ["1"]))).size, 0);
  });
});

describe("busy tables and slow columns", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(`
      CREATE TABLE busy (id serial PRIMARY KEY); INSERT INTO busy VALUES (5);
      CREATE TABLE calm (id serial PRIMARY KEY); INSERT INTO calm VALUES (7);
      CREATE TABLE big_unindexed (id serial, pad int);
      INSERT INTO big_unindexed (id, pad) SELECT g, g FROM generate_series(1, 3000000) g;
      ANALYZE;
    `);
  });
  after(async () => {
    await db.drop();
  });

  test("a table locked by someone else is reported as busy; the others are fixed", async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query("BEGIN; LOCK TABLE busy IN ROW EXCLUSIVE MODE");
      const t0 = Date.now();
      const res = await verifyDatabase(
        { connectionString: db.url },
        { ...DEFAULT_ENGINE, mode: "fix", lockTimeoutMs: 300, exclude: ["public.big_unindexed_id_seq"] },
      );
      assert.ok(Date.now() - t0 < 20_000, "did not wait forever");
      const busy = res.sequences.find((s) => s.sequence === "public.busy_id_seq");
      assert.equal(busy?.status, "error");
      // The engine names the setting; each front end words it (here the CLI's).
      assert.match(
        inWords(busy?.reason ?? "", CLI_WORDS),
        /could not lock public\.busy within 300 ms.*--lock-timeout/,
      );
      assert.equal(res.sequences.find((s) => s.sequence === "public.calm_id_seq")?.status, "fixed");
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    const [row] = await db.query<{ v: string }>("SELECT last_value::text AS v FROM busy_id_seq");
    assert.equal(row?.v, "1", "the busy table's sequence was not touched");
  });

  test("max() over an unindexed column is bounded by the statement timeout, with a hint to index it", async () => {
    const res = await verifyDatabase(
      { connectionString: db.url },
      { ...DEFAULT_ENGINE, mode: "check", statementTimeoutMs: 50 },
    );
    const slow = res.sequences.find((s) => s.sequence === "public.big_unindexed_id_seq");
    assert.equal(slow?.status, "error");
    assert.match(
      slow?.reason ?? "",
      /timed out after 50 ms reading public\.big_unindexed\(id\).*add an index/,
    );
    // The other sequences are still verified on their own (calm was fixed by the test before). Its own read is
    // bounded by the same 50 ms, which a loaded machine can pass: then it is its own timeout, never the big table's.
    const calm = res.sequences.find((s) => s.sequence === "public.calm_id_seq");
    if (calm?.status !== "ok") {
      assert.equal(calm?.status, "error", `calm: ${calm?.status} ${calm?.reason}`);
      assert.match(calm?.reason ?? "", /timed out after 50 ms reading public\.calm\(id\)/);
    }
  });
});
