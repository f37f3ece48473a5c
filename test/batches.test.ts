// Batch planning (src/db/batches.ts), the shared work queue and "the batch, then one by one"
// (src/db/pool.ts), and the messages of src/db/explain.ts in a front end's words. No server.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type pg from "pg";
import { SQLSTATE } from "../src/core/sqlstate.ts";
import type { SequenceInfo } from "../src/core/types.ts";
import { CLI_WORDS as CLI, inWords } from "../src/core/words.ts";
import { lockCost, planBatches, planFixBatches } from "../src/db/batches.ts";
import {
  explainCatalogError,
  explainFixError,
  explainProbeError,
  privilegeProblem,
} from "../src/db/explain.ts";
import { batchThenEach, WorkQueue } from "../src/db/pool.ts";
import { link, seq } from "./sequence-fixtures.ts";

/** Sequence `oid` feeding the given tables, each link locking `locks` relations (the table and its indexes). */
function feeding(oid: number, tables: string[], locks = 2): SequenceInfo {
  return seq({ oid, links: tables.map((t) => link("integer", t, { lockCount: locks })) });
}

const oids = (batches: SequenceInfo[][]) => batches.map((b) => b.map((s) => s.oid));

describe("batch planning", () => {
  test("a sequence's lock cost: itself and each integer link's relations; other links are not read", () => {
    assert.equal(lockCost(feeding(1, ["public.a"], 3)), 4);
    assert.equal(lockCost(feeding(1, ["public.a", "public.b"], 3)), 7);
    const mixed = seq({
      links: [
        link("integer", "public.a", { lockCount: 5 }),
        link("text", "public.b"),
        link("bigint", "public.c", { kind: "expression" }),
      ],
    });
    assert.equal(lockCost(mixed), 6);
  });

  test("at most batchSize statements per batch, in order", () => {
    const seqs = [1, 2, 3, 4, 5].map((i) => feeding(i, [`public.t${i}`]));
    assert.deepEqual(oids(planBatches(seqs, { batchSize: 2, lockBudget: 1000 })), [[1, 2], [3, 4], [5]]);
  });

  test("at most lockBudget relations per transaction", () => {
    // Each costs 3 (the sequence, the table, its index): a budget of 7 holds two.
    const seqs = [1, 2, 3, 4, 5].map((i) => feeding(i, [`public.t${i}`]));
    assert.deepEqual(oids(planBatches(seqs, { batchSize: 250, lockBudget: 7 })), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(oids(planBatches(seqs, { batchSize: 250, lockBudget: 6 })), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(oids(planBatches(seqs, { batchSize: 250, lockBudget: 5 })), [[1], [2], [3], [4], [5]]);
  });

  test("a sequence over the budget on its own is still a batch (of one)", () => {
    const big = feeding(2, ["public.huge"], 5000);
    const seqs = [feeding(1, ["public.a"]), big, feeding(3, ["public.b"])];
    assert.deepEqual(oids(planBatches(seqs, { batchSize: 250, lockBudget: 1000 })), [[1], [2], [3]]);
  });

  test("no sequences, no batches", () => {
    assert.deepEqual(planBatches([], { batchSize: 250, lockBudget: 1000 }), []);
    assert.deepEqual(planFixBatches([], { batchSize: 250, lockBudget: 1000 }), []);
  });

  test("fixing keeps sequences that share a table, even through another table, in one batch", () => {
    // 1 and 3 share nothing directly, but 2 links a and c: one group of three, which no batch size splits.
    const seqs = [
      feeding(1, ["public.a"]),
      feeding(4, ["public.d"]),
      feeding(2, ["public.a", "public.c"]),
      feeding(3, ["public.c"]),
      feeding(5, ["public.e"]),
    ];
    assert.deepEqual(oids(planFixBatches(seqs, { batchSize: 2, lockBudget: 1000 })), [
      [1, 2, 3],
      [4, 5],
    ]);
    assert.deepEqual(oids(planFixBatches(seqs, { batchSize: 1, lockBudget: 1000 })), [[1, 2, 3], [4], [5]]);
  });

  test("fixing's groups count against the lock budget as a whole", () => {
    const seqs = [feeding(1, ["public.a"]), feeding(2, ["public.a"]), feeding(3, ["public.b"])];
    // Group {1, 2} costs 6, {3} costs 3: a budget of 8 cannot take both.
    assert.deepEqual(oids(planFixBatches(seqs, { batchSize: 250, lockBudget: 8 })), [[1, 2], [3]]);
    assert.deepEqual(oids(planFixBatches(seqs, { batchSize: 250, lockBudget: 9 })), [[1, 2, 3]]);
  });
});

describe("the work queue and the batch, then one by one", () => {
  test("items added while workers run are all done, each once, on the workers there are", async () => {
    const done: [number, string][] = [];
    const queue = new WorkQueue<number, string>(async (item, worker) => {
      await new Promise((r) => setImmediate(r));
      done.push([item, worker]);
    });
    queue.add([1, 2, 3]);
    queue.addWorker("a");
    queue.addWorker("b");
    await queue.room(0);
    queue.add([4, 5]);
    await queue.finish();
    assert.deepEqual(done.map(([i]) => i).sort(), [1, 2, 3, 4, 5]);
    assert.deepEqual([...new Set(done.map(([, w]) => w))].sort(), ["a", "b"]);
  });

  test("run() uses no more workers than there are items", async () => {
    const used = new Set<string>();
    const queue = new WorkQueue<number, string>(async (_item, worker) => {
      used.add(worker);
    });
    queue.add([1]);
    await queue.run(["a", "b", "c"]);
    assert.deepEqual([...used], ["a"]);
  });

  test("a failing batch is rolled back and done one by one; only the item at fault fails", async () => {
    const statements: string[] = [];
    const client = { query: async (sql: string) => statements.push(sql) } as unknown as pg.ClientBase;
    const ran: number[][] = [];
    const failed: number[] = [];
    await batchThenEach(
      client,
      [1, 2, 3],
      async (items) => {
        ran.push(items);
        if (items.includes(2)) throw new Error("bad");
      },
      (item) => failed.push(item),
    );
    assert.deepEqual(ran, [[1, 2, 3], [1], [2], [3]]);
    assert.deepEqual(failed, [2]);
    assert.deepEqual(statements, ["ROLLBACK", "ROLLBACK"]);
  });
});

describe("messages name settings, never one front end's flags", () => {
  const err = (code: string, message = "boom") => Object.assign(new Error(message), { code });
  const s = seq();

  test("a probe timeout and a lock wait say which setting to raise", () => {
    const timeout = explainProbeError(s, err(SQLSTATE.queryCanceled), 50);
    assert.doesNotMatch(timeout, /--/);
    assert.equal(
      inWords(timeout, CLI),
      "timed out after 50 ms reading public.t(id): a column without an index makes max() scan the whole table; add an index on it or raise --statement-timeout",
    );
    assert.match(
      inWords(explainProbeError(s, err(SQLSTATE.lockNotAvailable), 50), CLI),
      /raise --lock-timeout$/,
    );
    assert.match(
      inWords(
        explainFixError(s, err(SQLSTATE.lockNotAvailable), { statementTimeoutMs: 1, lockTimeoutMs: 7 }),
        CLI,
      ),
      /^could not lock public\.t within 7 ms: the table is busy; run fix again when it is quieter or raise --lock-timeout$/,
    );
    assert.equal(explainProbeError(s, err("XX000"), 50), "could not read public.s: boom (SQLSTATE XX000)");
  });

  test("row-level security names the role to run as", () => {
    const hidden = seq({ links: [link("integer", "public.t", { rowSecurity: "forced" })] });
    const text = privilegeProblem(hidden, "app") ?? "";
    assert.doesNotMatch(text, /run seq-guard/);
    assert.match(
      inWords(text, CLI),
      /: run seq-guard as a role with BYPASSRLS \(ALTER ROLE app BYPASSRLS\)$/,
    );
  });

  test("a catalog read that timed out names the floor and the setting", () => {
    assert.equal(
      inWords(explainCatalogError(err(SQLSTATE.queryCanceled), 50), CLI),
      "reading the catalog took longer than 30000 ms (--statement-timeout, at least 30 s for the catalog): another session may hold a lock on a catalog table (a long migration?); run again when it is done, or raise --statement-timeout",
    );
  });
});
