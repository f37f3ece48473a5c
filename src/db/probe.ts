// Probing: read every sequence's position and the extremes of the columns it feeds, fast and within the lock
// table. Statements (./sql.ts) travel in batches (./batches.ts) of one round trip each, each batch its own READ
// ONLY transaction whose relation count is bounded, over a small pool of connections (./pool.ts) that can start
// on the first sequences discovery hands over while it reads the rest.
//
// Order matters on a live database: the position is read after the extremes' snapshot is taken. Every row that
// snapshot sees was inserted by a transaction that called nextval() before it committed, so a position read
// later already counts it; read the other way round, a concurrent insert would look like a collision.

import type pg from "pg";
import type { ProbeOptions } from "../core/engine-options.ts";
import type { ColumnExtremes, SequenceInfo, SequenceState } from "../core/types.ts";
import { integerLinks } from "../core/verdict.ts";
import { planBatches } from "./batches.ts";
import { explainProbeError, privilegeProblem } from "./explain.ts";
import { batchThenEach, WorkQueue } from "./pool.ts";
import {
  beginReadOnly,
  collisionRange,
  probeStatement,
  probeStatementFast,
  STATE_READER_SQL,
  type StateReader,
  stateStatement,
} from "./sql.ts";

export type { StateReader } from "./sql.ts";

export type ProbeResult = { ok: true; state: SequenceState } | { ok: false; error: string };

/**
 * Each integer column's extreme from the text the statement read (`field(i)` for the column at index i), as the
 * verdict wants it: the max of an ascending sequence, the min of a descending one, null when no value lies in
 * the range that can collide (an extreme that falls short of it).
 */
function parseExtremes(seq: SequenceInfo, field: (i: number) => unknown): ColumnExtremes[] {
  const ascending = seq.increment > 0n;
  return integerLinks(seq).map((link, i) => {
    const raw = field(i);
    const range = collisionRange(seq, link);
    let v = typeof raw === "string" ? BigInt(raw) : null;
    if (v !== null && range && (v < range.lo || v > range.hi)) v = null;
    return ascending ? { min: null, max: v } : { min: v, max: null };
  });
}

/** A row of probeStatement(): the position and the extremes, int8 as text. */
interface ProbeRow {
  lv: string;
  ic: boolean;
  [extreme: `e${number}`]: string | null;
}

/**
 * Run one batch's statements in one round trip, after `prefix` (statements that return no rows of interest, such
 * as BEGIN and SET LOCAL) and before `suffix` (such as COMMIT). Returns the states in order; when any statement
 * fails the server skips the rest and the error is thrown (the caller rolls back).
 */
export async function readBatch(
  client: pg.ClientBase,
  seqs: SequenceInfo[],
  prefix: string[] = [],
  suffix: string[] = [],
): Promise<SequenceState[]> {
  const sql = [...prefix, ...seqs.map(probeStatement), ...suffix].join(";\n");
  if (sql === "") return [];
  const res = (await client.query(sql)) as unknown as pg.QueryResult<ProbeRow> | pg.QueryResult<ProbeRow>[];
  const results = Array.isArray(res) ? res : [res];
  return seqs.map((seq, i) => {
    const row = (results[prefix.length + i] as pg.QueryResult<ProbeRow>).rows[0] as ProbeRow;
    return {
      lastValue: BigInt(row.lv),
      isCalled: row.ic === true,
      columns: parseExtremes(seq, (k) => row[`e${k}`]),
    };
  });
}

/**
 * Sequences per verification statement. Measured on 10,000 sequences (PostgreSQL 15, 2 cores): 10 to 25 per
 * statement cost the server and the client about a quarter less CPU than one per statement; 50 no less again.
 */
const GROUP = 16;

function groupsOf<T>(items: T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

/**
 * Verification's read of one batch: one round trip of READ ONLY statements that read the extremes and then the
 * positions by function; where the function cannot tell (pg_sequence_last_value() says NULL for is_called =
 * false), a second round trip reads those sequences themselves, still after the extremes' snapshots.
 */
export async function readBatchFast(
  client: pg.ClientBase,
  seqs: SequenceInfo[],
  reader: StateReader,
  timeouts: Pick<ProbeOptions, "statementTimeoutMs" | "lockTimeoutMs">,
  perStatement = GROUP,
): Promise<SequenceState[]> {
  const begin = beginReadOnly(timeouts.statementTimeoutMs, timeouts.lockTimeoutMs);
  const groups = groupsOf(seqs, perStatement);
  const sql = [...begin, ...groups.map((g) => probeStatementFast(g, reader)), "COMMIT"].join(";\n");
  // Each statement's row is one JSON array (the json type arrives parsed), in the order probeStatementFast writes.
  type Values = (string | null)[];
  const res = (await client.query({ text: sql, rowMode: "array" })) as unknown as pg.QueryResult<[Values]>[];
  const unknown: number[] = [];
  const states: SequenceState[] = [];
  const withIc = reader !== "pg_sequence_last_value";
  groups.forEach((group, g) => {
    const values = ((res[begin.length + g] as pg.QueryResult<[Values]>).rows[0] as [Values])[0];
    let at = 0;
    for (const seq of group) {
      const n = integerLinks(seq).length;
      const base = at;
      const lv = values[base + n] as string | null;
      const isCalled = withIc ? values[base + n + 1] === "true" : lv !== null;
      at += n + (withIc ? 2 : 1);
      if (lv === null) unknown.push(states.length);
      const columns = parseExtremes(seq, (k) => values[base + k]);
      states.push({ lastValue: lv === null ? 0n : BigInt(lv), isCalled, columns });
    }
  });
  if (unknown.length > 0) {
    const ugroups = groupsOf(unknown, perStatement);
    const again = [
      ...begin,
      ...ugroups.map((g) => stateStatement(g.map((i) => seqs[i] as SequenceInfo))),
      "COMMIT",
    ].join(";\n");
    const res2 = (await client.query({ text: again, rowMode: "array" })) as unknown as pg.QueryResult<
      [string[]]
    >[];
    ugroups.forEach((g, k) => {
      const positions = ((res2[begin.length + k] as pg.QueryResult<[string[]]>).rows[0] as [string[]])[0];
      g.forEach((i, j) => {
        const [lv, ic] = (positions[j] as string).split(" ");
        const state = states[i] as SequenceState;
        state.lastValue = BigInt(lv as string);
        state.isCalled = ic === "true";
      });
    });
  }
  return states;
}

/**
 * Probing as a queue: sequences are added as discovery finds them, and connections join as they open; each takes
 * the next batch when free. finish() says no more sequences come and waits for every batch to be read.
 */
export class Prober<T extends SequenceInfo = SequenceInfo> {
  readonly results = new Map<number, ProbeResult>();
  private readonly queue: WorkQueue<T[], pg.ClientBase>;
  private added = 0;
  private done = 0;

  /**
   * With `onResult`, each result is handed over as soon as its batch is read and not kept in `results`: at
   * 100,000 sequences the states would otherwise all be alive at once.
   */
  constructor(
    private readonly opts: ProbeOptions,
    private readonly reader: StateReader,
    private readonly onResult?: (seq: T, result: ProbeResult) => void,
    /**
     * Work to do on the same connection once a batch is read and its results handed over (fix mode fixes the
     * batch's behind sequences here), before the connection takes the next batch.
     */
    private readonly afterBatch?: (client: pg.ClientBase, batch: T[]) => Promise<void>,
  ) {
    this.queue = new WorkQueue((batch, client) => this.probe(batch, client));
  }

  private put(seq: T, result: ProbeResult) {
    if (this.onResult) this.onResult(seq, result);
    else this.results.set(seq.oid, result);
  }

  /** Batches waiting for a connection. */
  get pending(): number {
    return this.queue.pending;
  }

  /** Sequences handed over so far (not counting those refused from the catalog). */
  get total(): number {
    return this.added;
  }

  add(seqs: T[]): void {
    const readable: T[] = [];
    for (const seq of seqs) {
      const problem = privilegeProblem(seq, this.opts.role);
      if (problem) this.put(seq, { ok: false, error: problem });
      else readable.push(seq);
    }
    this.added += readable.length;
    this.queue.add(planBatches(readable, this.opts));
  }

  addWorker(client: pg.ClientBase): void {
    this.queue.addWorker(client);
  }

  /** Connections working the queue. */
  get workerCount(): number {
    return this.queue.workerCount;
  }

  /** Resolves once at most `batches` batches wait (see WorkQueue.room). */
  room(batches: number): Promise<void> {
    return this.queue.room(batches);
  }

  async finish(): Promise<Map<number, ProbeResult>> {
    await this.queue.finish();
    return this.results;
  }

  /** Work the queue on these connections (no more than there are batches), then finish. */
  async run(clients: pg.ClientBase[]): Promise<Map<number, ProbeResult>> {
    await this.queue.run(clients);
    return this.results;
  }

  /** Read one batch; if it fails, each sequence alone, to find the one at fault. */
  private async probe(batch: T[], client: pg.ClientBase): Promise<void> {
    const { opts, reader } = this;
    await batchThenEach(
      client,
      batch,
      async (seqs) => {
        const states = await readBatchFast(client, seqs, reader, opts);
        seqs.forEach((seq, i) => {
          this.put(seq, { ok: true, state: states[i] as SequenceState });
        });
      },
      (seq, err) => this.put(seq, { ok: false, error: explainProbeError(seq, err, opts.statementTimeoutMs) }),
    );
    if (this.afterBatch) await this.afterBatch(client, batch);
    this.done += batch.length;
    opts.onProgress?.(this.done, this.added);
  }
}

/** The best way this server offers to read sequence positions by function. */
export async function stateReader(client: pg.ClientBase): Promise<StateReader> {
  const { rows } = await client.query<{ reader: StateReader }>(STATE_READER_SQL);
  return (rows[0] as { reader: StateReader }).reader;
}

/**
 * Probe every sequence given. `clients` are open connections (one per worker). Sequences the role cannot read get
 * an error result without a query.
 */
export async function probeAll<T extends SequenceInfo>(
  clients: pg.ClientBase[],
  seqs: T[],
  opts: ProbeOptions,
  reader?: StateReader,
): Promise<Map<number, ProbeResult>> {
  const prober = new Prober<T>(opts, reader ?? (await stateReader(clients[0] as pg.ClientBase)));
  prober.add(seqs);
  return await prober.run(clients);
}
