// Probing: read every sequence's position and the extremes of the columns it feeds, fast and within the lock
// table. One statement per sequence reads both (so they come from one snapshot); statements travel in batches of
// one round trip each, each batch its own READ ONLY transaction whose relation count is bounded, over a small
// pool of connections.
//
// Identifiers in this SQL are the server's own quote_ident()/format('%I') output from discovery, and numbers are
// bigint values printed by this code: no name or value from outside is pasted in.

import type pg from "pg";
import type { ColumnExtremes, ColumnLink, SequenceInfo, SequenceState } from "./types.ts";
import { integerLinks } from "./verdict.ts";

export type ProbeResult = { ok: true; state: SequenceState } | { ok: false; error: string };

export interface ProbeOptions {
  /** Connections used side by side. */
  concurrency: number;
  /** Bound on each statement, in milliseconds (0: none). */
  statementTimeoutMs: number;
  /** Most relations one transaction may lock (tables, their indexes and partitions, sequences). */
  lockBudget: number;
  /** Most statements per round trip. */
  batchSize: number;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_PROBE: Omit<ProbeOptions, "onProgress"> = {
  concurrency: 2,
  statementTimeoutMs: 30_000,
  lockBudget: 1000,
  batchSize: 250,
};

function typeName(link: ColumnLink): string {
  if (link.typeMax === 32767n) return "int2";
  if (link.typeMax === 2147483647n) return "int4";
  return "int8";
}

/** The range of a column that can collide with the sequence: the sequence's range cut to the column type's. */
export function collisionRange(seq: SequenceInfo, link: ColumnLink): { lo: bigint; hi: bigint } | null {
  const lo = seq.minValue > (link.typeMin as bigint) ? seq.minValue : (link.typeMin as bigint);
  const hi = seq.maxValue < (link.typeMax as bigint) ? seq.maxValue : (link.typeMax as bigint);
  return lo > hi ? null : { lo, hi };
}

/**
 * The one statement that reads a sequence's position and, for each integer column it feeds, the extreme that can
 * collide: max() when the sequence ascends, min() when it descends. With an index on the column that is one index
 * probe. A bound goes into the WHERE clause only where the sequence's range is narrower than the column type's
 * (values past it can never come from this sequence); the other side needs none: an extreme that falls short of
 * the range means no value lies in it, which parseRow turns into null.
 */
export function probeStatement(seq: SequenceInfo): string {
  const ascending = seq.increment > 0n;
  const cols: string[] = ["s.last_value::text AS lv", "s.is_called AS ic"];
  integerLinks(seq).forEach((link, i) => {
    const range = collisionRange(seq, link);
    if (!range) {
      cols.push(`NULL::text AS e${i}`);
      return;
    }
    const c = link.columnIdent;
    const t = typeName(link);
    let where = "";
    if (ascending && range.hi < (link.typeMax as bigint)) where = ` WHERE ${c} <= '${range.hi}'::${t}`;
    if (!ascending && range.lo > (link.typeMin as bigint)) where = ` WHERE ${c} >= '${range.lo}'::${t}`;
    cols.push(`(SELECT ${ascending ? "max" : "min"}(${c}) FROM ${link.table}${where})::text AS e${i}`);
  });
  return `SELECT ${cols.join(", ")} FROM ${seq.name} s`;
}

interface ProbeRow {
  lv: string;
  ic: boolean;
  [k: string]: string | boolean | null;
}

function parseRow(seq: SequenceInfo, row: ProbeRow): SequenceState {
  const ascending = seq.increment > 0n;
  const columns: ColumnExtremes[] = integerLinks(seq).map((link, i) => {
    const raw = row[`e${i}`];
    const range = collisionRange(seq, link);
    let v = typeof raw === "string" ? BigInt(raw) : null;
    // The extreme fell short of the range: no value of the column lies inside it.
    if (v !== null && range && (v < range.lo || v > range.hi)) v = null;
    return ascending ? { min: null, max: v } : { min: v, max: null };
  });
  return { lastValue: BigInt(row.lv), isCalled: row.ic, columns };
}

/** A reason a role cannot read what probing needs, or null. Checked from the catalog, before any query. */
export function privilegeProblem(seq: SequenceInfo): string | null {
  if (!seq.readable) {
    return `permission denied: the role cannot read the position of sequence ${seq.name}; grant it SELECT (GRANT SELECT ON SEQUENCE ${seq.name} TO <role>)`;
  }
  const col = integerLinks(seq).find((l) => !l.readable);
  if (col) {
    return `permission denied: the role cannot read column ${col.columnIdent} of table ${col.table}; grant it SELECT (GRANT SELECT ON ${col.table} TO <role>)`;
  }
  return null;
}

/** Relations a sequence's statement locks: the sequence, and each linked table with its indexes and children. */
export function lockCost(seq: SequenceInfo): number {
  return 1 + integerLinks(seq).reduce((n, l) => n + l.lockCount, 0);
}

/** Split sequences into batches: at most batchSize statements and lockBudget relations per transaction. */
export function planBatches<T extends SequenceInfo>(
  seqs: T[],
  opts: Pick<ProbeOptions, "lockBudget" | "batchSize">,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let locks = 0;
  for (const seq of seqs) {
    const cost = lockCost(seq);
    if (current.length > 0 && (current.length >= opts.batchSize || locks + cost > opts.lockBudget)) {
      batches.push(current);
      current = [];
      locks = 0;
    }
    current.push(seq);
    locks += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Explain a failed probe statement in words a user can act on. */
export function explainError(seq: SequenceInfo, err: unknown, statementTimeoutMs: number): string {
  const e = err as { code?: string; message?: string };
  if (e.code === "57014") {
    const cols = integerLinks(seq)
      .map((l) => `${l.table}(${l.columnIdent})`)
      .join(", ");
    return `timed out after ${statementTimeoutMs} ms reading ${cols}: a column without an index makes max() scan the whole table; add an index on it or raise --statement-timeout`;
  }
  if (e.code === "42501") return `permission denied: ${e.message ?? "insufficient privilege"}`;
  if (e.code === "55P03")
    return `could not lock the tables of ${seq.name} in time (--lock-timeout): they are busy`;
  return `could not read ${seq.name}: ${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
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
  return seqs.map((seq, i) =>
    parseRow(seq, (results[prefix.length + i] as pg.QueryResult<ProbeRow>).rows[0] as ProbeRow),
  );
}

function beginReadOnly(timeoutMs: number): string[] {
  return ["BEGIN READ ONLY", `SET LOCAL statement_timeout = ${Math.max(0, Math.trunc(timeoutMs))}`];
}

/** Probe one batch in a READ ONLY transaction; if it fails, probe each sequence alone to find the one at fault. */
async function probeBatch(
  client: pg.ClientBase,
  batch: SequenceInfo[],
  opts: ProbeOptions,
  out: Map<number, ProbeResult>,
): Promise<void> {
  try {
    const states = await readBatch(client, batch, beginReadOnly(opts.statementTimeoutMs), ["COMMIT"]);
    batch.forEach((seq, i) => {
      out.set(seq.oid, { ok: true, state: states[i] as SequenceState });
    });
    return;
  } catch {
    await client.query("ROLLBACK").catch(() => undefined);
  }
  for (const seq of batch) {
    try {
      const [state] = await readBatch(client, [seq], beginReadOnly(opts.statementTimeoutMs), ["COMMIT"]);
      out.set(seq.oid, { ok: true, state: state as SequenceState });
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      out.set(seq.oid, { ok: false, error: explainError(seq, err, opts.statementTimeoutMs) });
    }
  }
}

/** Run work items over a fixed set of workers, each taking the next item when free. */
export async function runPool<T>(
  items: T[],
  workers: number,
  work: (item: T, worker: number) => Promise<void>,
) {
  let next = 0;
  const run = async (w: number) => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item, w);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, (_, w) => run(w)));
}

/**
 * Probe every sequence given. `clients` are open connections (one per worker). Sequences the role cannot read get
 * an error result without a query.
 */
export async function probeAll(
  clients: pg.ClientBase[],
  seqs: SequenceInfo[],
  opts: ProbeOptions,
): Promise<Map<number, ProbeResult>> {
  const out = new Map<number, ProbeResult>();
  const readable: SequenceInfo[] = [];
  for (const seq of seqs) {
    const problem = privilegeProblem(seq);
    if (problem) out.set(seq.oid, { ok: false, error: problem });
    else readable.push(seq);
  }
  const batches = planBatches(readable, opts);
  let done = 0;
  await runPool(batches, clients.length, async (batch, w) => {
    await probeBatch(clients[w] as pg.ClientBase, batch, opts, out);
    done += batch.length;
    opts.onProgress?.(done, readable.length);
  });
  return out;
}
