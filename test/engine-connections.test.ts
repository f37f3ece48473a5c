// How many connections a run opens: the first one alone up to MORE_CONNECTIONS_AFTER sequences (a second one
// would cost about what it saves); beyond, --concurrency more that verify while the first reads the catalog. Counted by the server (pg_stat_database.sessions,
// PostgreSQL 14 on), read from another database so that the count is seq-guard's alone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_ENGINE, MORE_CONNECTIONS_AFTER, verifyDatabase } from "../src/db/engine.ts";
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
  // Several batches (250 sequences each) but not more than MORE_CONNECTIONS_AFTER: one connection does it all.
  const few = 600;
  const many = MORE_CONNECTIONS_AFTER + 1;
  let small: ScratchDb;
  let large: ScratchDb;
  before(async () => {
    assert.ok(few <= MORE_CONNECTIONS_AFTER && few > DEFAULT_ENGINE.concurrency * 250);
    small = await tables(few);
    large = await tables(many);
  });
  after(async () => {
    await small?.drop();
    await large?.drop();
  });

  test(`up to ${MORE_CONNECTIONS_AFTER} sequences, one connection verifies them all`, async () => {
    let result: Awaited<ReturnType<typeof verifyDatabase>> | undefined;
    const opened = await sessionsOpenedBy(
      small,
      async () => {
        result = await verifyDatabase({ connectionString: small.url }, { ...DEFAULT_ENGINE, mode: "check" });
      },
      1,
    );
    assert.equal(result?.summary.ok, few, JSON.stringify(result?.summary));
    assert.equal(opened, 1);
  });

  test("beyond, --concurrency more (2 by default) besides the first; with --concurrency 1, none", async () => {
    let result: Awaited<ReturnType<typeof verifyDatabase>> | undefined;
    const opened = await sessionsOpenedBy(
      large,
      async () => {
        result = await verifyDatabase({ connectionString: large.url }, { ...DEFAULT_ENGINE, mode: "check" });
      },
      1 + DEFAULT_ENGINE.concurrency,
    );
    assert.equal(result?.summary.ok, many, JSON.stringify(result?.summary));
    assert.equal(opened, 1 + DEFAULT_ENGINE.concurrency);
    const one = await sessionsOpenedBy(
      large,
      () =>
        verifyDatabase({ connectionString: large.url }, { ...DEFAULT_ENGINE, mode: "check", concurrency: 1 }),
      1,
    );
    assert.equal(one, 1);
  });
});
