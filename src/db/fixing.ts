// Fixing: advance behind sequences, safely on a live database. Each batch locks the tables its sequences feed in
// SHARE ROW EXCLUSIVE mode (an INSERT takes ROW EXCLUSIVE before it evaluates nextval(), so inserts wait), with a
// lock_timeout so a busy table is reported rather than waited on; then re-reads position and extremes under the
// lock, judges again, and calls setval() only for what is still behind, only ever forward.

import type pg from "pg";
import type { ProbeOptions } from "../core/engine-options.ts";
import type { SequenceInfo } from "../core/types.ts";
import { integerLinks, judge, type VerdictOptions } from "../core/verdict.ts";
import { explainError, lockCost, readBatch, runPool, sessionSettings } from "./probe.ts";

export type FixOptions = ProbeOptions;

export type FixResult =
  | { outcome: "advanced"; from: bigint; to: bigint }
  | { outcome: "not_needed" }
  | { outcome: "error"; error: string };

export interface Fixable extends SequenceInfo {
  canUpdate: boolean;
}

// The table locks stop inserts that draw from the sequence through a column default, but not every nextval():
// an application that allots ids itself (SELECT nextval(), then an INSERT with that id), a trigger, a function.
// Such a call between the read under the lock and setval() would be undone by an unconditional setval(), and the
// sequence would hand out its values again. So the position is read once more in the statement that sets it,
// and setval() runs (CASE evaluates in order) only while it still moves the sequence forward: last_value at or
// short of the target (NULL: is_called is still false, so nothing was handed out since the read).
const SET_SQL = `SELECT f.o::int8::text AS oid,
       CASE WHEN s.lv IS NULL OR (f.inc > 0 AND s.lv <= f.v) OR (f.inc < 0 AND s.lv >= f.v)
            THEN pg_catalog.setval(f.o::regclass, f.v, true) END IS NOT NULL AS set
FROM ROWS FROM (pg_catalog.unnest($1::oid[]), pg_catalog.unnest($2::int8[]), pg_catalog.unnest($3::int8[])) AS f (o, v, inc)
CROSS JOIN LATERAL (SELECT pg_catalog.pg_sequence_last_value(f.o::regclass) AS lv) AS s`;

/**
 * setval(oid, target, true) for each sequence that it still moves forward, read in the same statement. Returns
 * the OIDs (as text) left alone because another session had moved them to or past the target meanwhile.
 */
export async function advance(
  client: pg.ClientBase,
  oids: string[],
  targets: string[],
  increments: string[],
): Promise<Set<string>> {
  const notSet = new Set<string>();
  if (oids.length === 0) return notSet;
  const res = await client.query<{ oid: string; set: boolean }>(SET_SQL, [oids, targets, increments]);
  for (const r of res.rows) if (!r.set) notSet.add(r.oid);
  return notSet;
}

// Tables are locked in one global order (by name), so that two connections fixing sequences that share a table
// wait for each other briefly instead of deadlocking.
function lockStatement(seqs: SequenceInfo[]): string {
  const tables = [...new Set(seqs.flatMap((s) => integerLinks(s).map((l) => l.table)))].sort();
  return `LOCK TABLE ${tables.join(", ")} IN SHARE ROW EXCLUSIVE MODE`;
}

async function fixBatch(
  client: pg.ClientBase,
  batch: Fixable[],
  opts: FixOptions,
  verdictOpts: VerdictOptions,
  out: Map<number, FixResult>,
): Promise<void> {
  const states = await readBatch(client, batch, [
    "BEGIN",
    ...sessionSettings(opts.statementTimeoutMs, opts.lockTimeoutMs),
    lockStatement(batch),
  ]);
  const oids: string[] = [];
  const values: string[] = [];
  const increments: string[] = [];
  const planned: [Fixable, FixResult][] = [];
  batch.forEach((seq, i) => {
    const v = judge(seq, states[i] as never, verdictOpts);
    if (v.status !== "behind" || v.fixTo === null || v.next === null) {
      planned.push([seq, { outcome: "not_needed" }]);
      return;
    }
    // Forward only: the new next value (fixTo + increment) lies past the current one in the sequence's direction.
    const forward = seq.increment > 0n ? v.fixTo >= v.next : v.fixTo <= v.next;
    if (!forward) throw new Error(`refusing to move ${seq.name} backwards`);
    oids.push(String(seq.oid));
    values.push(v.fixTo.toString());
    increments.push(seq.increment.toString());
    planned.push([seq, { outcome: "advanced", from: v.next, to: v.fixTo + seq.increment }]);
  });
  const notSet = await advance(client, oids, values, increments);
  await client.query("COMMIT");
  // A sequence another session moved past the target meanwhile needs no fix: verifying again tells its state.
  for (const [seq, r] of planned)
    out.set(seq.oid, notSet.has(String(seq.oid)) ? { outcome: "not_needed" } : r);
}

/** Fix the given (behind) sequences. Returns what happened to each. */
export async function fixAll(
  clients: pg.ClientBase[],
  seqs: Fixable[],
  opts: FixOptions,
  verdictOpts: VerdictOptions,
): Promise<Map<number, FixResult>> {
  const out = new Map<number, FixResult>();
  const allowed: Fixable[] = [];
  for (const seq of seqs) {
    if (!seq.canUpdate) {
      out.set(seq.oid, {
        outcome: "error",
        error: `permission denied: fixing needs UPDATE on sequence ${seq.name} (GRANT UPDATE ON SEQUENCE ${seq.name} TO ${opts.role ?? "<role>"})`,
      });
    } else allowed.push(seq);
  }
  const batches = planFixBatches(allowed, opts);
  let done = 0;
  await runPool(batches, clients.length, async (batch, w) => {
    const client = clients[w] as pg.ClientBase;
    try {
      await fixBatch(client, batch, opts, verdictOpts, out);
    } catch {
      await client.query("ROLLBACK").catch(() => undefined);
      // Find the sequence at fault: one transaction each.
      for (const seq of batch) {
        try {
          await fixBatch(client, [seq], opts, verdictOpts, out);
        } catch (err) {
          await client.query("ROLLBACK").catch(() => undefined);
          out.set(seq.oid, { outcome: "error", error: explainFixError(seq, err, opts) });
        }
      }
    }
    done += batch.length;
    opts.onProgress?.(done, allowed.length);
  });
  return out;
}

/**
 * Sequences that share a table must go in one batch: SHARE ROW EXCLUSIVE conflicts with itself, so two workers
 * locking one table would wait on each other. Group them (union-find over tables), then fill batches by group.
 */
export function planFixBatches<T extends SequenceInfo>(
  seqs: T[],
  opts: Pick<FixOptions, "lockBudget" | "batchSize">,
): T[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(x, r);
    return r;
  };
  for (const seq of seqs) {
    const tables = integerLinks(seq).map((l) => l.table);
    for (const t of tables) if (!parent.has(t)) parent.set(t, t);
    for (const t of tables.slice(1)) parent.set(find(t), find(tables[0] as string));
  }
  const groups = new Map<string, T[]>();
  for (const seq of seqs) {
    const first = integerLinks(seq)[0];
    const key = first ? find(first.table) : `#${seq.oid}`;
    const g = groups.get(key) ?? [];
    g.push(seq);
    groups.set(key, g);
  }
  const batches: T[][] = [];
  let current: T[] = [];
  let locks = 0;
  for (const group of groups.values()) {
    const cost = group.reduce((n, s) => n + lockCost(s), 0);
    if (
      current.length > 0 &&
      (current.length + group.length > opts.batchSize || locks + cost > opts.lockBudget)
    ) {
      batches.push(current);
      current = [];
      locks = 0;
    }
    current.push(...group);
    locks += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function explainFixError(seq: SequenceInfo, err: unknown, opts: FixOptions): string {
  const e = err as { code?: string; message?: string };
  const tables = integerLinks(seq)
    .map((l) => l.table)
    .join(", ");
  if (e.code === "55P03") {
    return `could not lock ${tables} within ${opts.lockTimeoutMs} ms: the table is busy; run fix again when it is quieter or raise --lock-timeout`;
  }
  if (e.code === "42501" && /row-level security/.test(e.message ?? "")) return explainError(seq, err, 0);
  if (e.code === "42501") {
    return `permission denied: fixing locks ${tables} against writes, which needs UPDATE, DELETE or TRUNCATE on them (${e.message})`;
  }
  if (e.code === "25006") {
    return `could not fix ${seq.name}: the session is read-only (${e.message}); fix on the primary, or turn default_transaction_read_only off for this run (PGOPTIONS='-c default_transaction_read_only=off')`;
  }
  if (e.code === "57014") return explainError(seq, err, opts.statementTimeoutMs);
  return `could not fix ${seq.name}: ${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
}
