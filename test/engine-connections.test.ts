// How many connections a run opens: the first one alone up to MORE_CONNECTIONS_AFTER sequences (one batch: a
// second connection would have nothing to do); up to DISCOVERY_ALONE_AFTER, --concurrency in all, the first one
// verifying too once the catalog is read; beyond, --concurrency more that verify while the first reads the
// catalog. Counted by the server (pg_stat_database.sessions, PostgreSQL 14 on), read from another database so
// that the count is seq-guard's alone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  DEFAULT_ENGINE,
  DISCOVERY_ALONE_AFTER,
  MORE_CONNECTIONS_AFTER,
  verifyDatabase,
} from "../src/db/engine.ts";
import { adminUrl, type ScratchDb, scratchDb, withClient } from "./helpers.ts";

/** Sessions ever opened on the database (flushed by each backend as it exits). */
async function sessions(db: ScratchDb): Promise<number> {
  return withClient(adminUrl(), async (c) => {
    await c.query("SELECT pg_stat_clear_snapshot()");
    const r = await c.query<{ n: string }>(
      "SELECT sessions::text AS n FROM pg_stat_database WHERE datname = $1",
      [db.name],
    );
    return Number(r.rows[0]?.n ?? 0);
  });
}

/** Sessions a run opened: waits (bounded) for the backends' exit to be counted, then reads once more. */
async function sessionsOpenedBy(
  db: ScratchDb,
  run: () => Promise<unknown>,
  atLeast: number,
): Promise<number> {
  const before = await sessions(db);
  await run();
  let n = 0;
  for (let i = 0; i < 100; i++) {
    n = (await sessions(db)) - before;
    if (n >= atLeast) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // A session still on its way out would show up now.
  await new Promise((r) => setTimeout(r, 300));
  return (await sessions(db)) - before;
}

/** A database of `n` serial tables (20 rows each), in schemas of 100. */
async function tables(n: number): Promise<ScratchDb> {
  const ddl: string[] = [];
  for (let s = 0; s * 100 < n; s++) {
    ddl.push(`CREATE SCHEMA s${s}`);
    ddl.push(`DO $$ BEGIN FOR i IN 0..${Math.min(100, n - s * 100) - 1} LOOP
      EXECUTE format('CREATE TABLE s${s}.t_%s (id serial PRIMARY KEY)', i);
      EXECUTE format('INSERT INTO s${s}.t_%s SELECT FROM generate_series(1, 20)', i);
    END LOOP; END $$`);
  }
  return scratchDb(ddl.join(";\n"));
}

describe("connections opened by a run", () => {
  const one = MORE_CONNECTIONS_AFTER;
  const some = 600;
  const many = DISCOVERY_ALONE_AFTER + 1;
  const dbs = new Map<number, ScratchDb>();
  before(async () => {
    assert.ok(some > MORE_CONNECTIONS_AFTER && some <= DISCOVERY_ALONE_AFTER);
    for (const n of [one, some, many]) dbs.set(n, await tables(n));
  });
  after(async () => {
    for (const db of dbs.values()) await db.drop();
  });

  /**
   * Connections a run over the database of `n` sequences opened (a check unless told otherwise); its verdicts are
   * checked on the way: `ok` sequences ok (all of them unless told otherwise).
   */
  async function opened(
    n: number,
    concurrency: number,
    atLeast: number,
    more: Partial<Parameters<typeof verifyDatabase>[1]> = {},
    ok = n,
  ): Promise<number> {
    const db = dbs.get(n) as ScratchDb;
    let result: Awaited<ReturnType<typeof verifyDatabase>> | undefined;
    const count = await sessionsOpenedBy(
      db,
      async () => {
        result = await verifyDatabase(
          { connectionString: db.url },
          { ...DEFAULT_ENGINE, mode: "check", concurrency, ...more },
        );
      },
      atLeast,
    );
    assert.equal(result?.summary.ok, ok, JSON.stringify(result?.summary));
    return count;
  }

  test(`up to ${MORE_CONNECTIONS_AFTER} sequences (one batch), one connection`, async () => {
    assert.equal(await opened(one, DEFAULT_ENGINE.concurrency, 1), 1);
  });

  test(`up to ${DISCOVERY_ALONE_AFTER} sequences, --concurrency connections in all (2 by default)`, async () => {
    assert.equal(await opened(some, DEFAULT_ENGINE.concurrency, 2), DEFAULT_ENGINE.concurrency);
    assert.equal(await opened(some, 3, 3), 3);
  });

  test("beyond, --concurrency more besides the first, which reads the catalog", async () => {
    const n = await opened(many, DEFAULT_ENGINE.concurrency, 1 + DEFAULT_ENGINE.concurrency);
    assert.equal(n, 1 + DEFAULT_ENGINE.concurrency);
  });

  test(`fix keeps one connection up to ${DISCOVERY_ALONE_AFTER} sequences: each connection fixes its own batches`, async () => {
    assert.equal(await opened(some, DEFAULT_ENGINE.concurrency, 1, { mode: "fix" }), 1);
  });

  test("the count follows the schemas setting: one schema of 100 sequences in a database of more, one connection", async () => {
    const n = await opened(many, DEFAULT_ENGINE.concurrency, 1, { schemas: ["s0"] }, 100);
    assert.equal(n, 1);
  });

  test("with --concurrency 1, the first connection alone at any size", async () => {
    assert.equal(await opened(many, 1, 1), 1);
    assert.equal(await opened(some, 1, 1), 1);
  });
});
