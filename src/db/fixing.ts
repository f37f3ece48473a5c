// Fixing: advance behind sequences, safely on a live database. Each batch locks the tables its sequences feed in
// SHARE ROW EXCLUSIVE mode (an INSERT takes ROW EXCLUSIVE before it evaluates nextval(), so inserts wait), with a
// lock_timeout so a busy table is reported rather than waited on; then re-reads position and extremes under the
// lock, judges again, and calls setval() only for what is still behind, only ever forward.

import type pg from "pg";
import type { ProbeOptions } from "../core/engine-options.ts";
import type { SequenceState } from "../core/types.ts";
import { judge, type VerdictOptions } from "../core/verdict.ts";
import { planFixBatches } from "./batches.ts";
import type { DiscoveredSequence } from "./discovery.ts";
import { explainFixError, fixPrivilegeProblem } from "./explain.ts";
import { batchThenEach, WorkQueue } from "./pool.ts";
import { readBatch } from "./probe.ts";
import { ADVANCE_SQL, beginFix } from "./sql.ts";

export type FixOptions = ProbeOptions;

export type FixResult =
  | { outcome: "advanced"; from: bigint; to: bigint }
  | { outcome: "not_needed" }
  | { outcome: "error"; error: string };

/** A sequence fixing may be given: what discovery found, with whether the role may update it. */
export type Fixable = DiscoveredSequence;

/**
 * setval(oid, target, true) for each sequence that it still moves forward, read in the same statement (see
 * ADVANCE_SQL). OIDs, targets and increments are decimal strings, so int8 values never pass through a JS number.
 * Returns the OIDs (as text) left alone because another session had moved them to or past the target meanwhile.
 */
export async function advance(
  client: pg.ClientBase,
  oids: string[],
  targets: string[],
  increments: string[],
): Promise<Set<string>> {
  const notSet = new Set<string>();
  if (oids.length === 0) return notSet;
  const res = await client.query<{ oid: string; set: boolean }>(ADVANCE_SQL, [oids, targets, increments]);
  for (const r of res.rows) if (!r.set) notSet.add(r.oid);
  return notSet;
}

/** Lock, read again, judge again and advance what is still behind, in one transaction. */
async function fixBatch(
  client: pg.ClientBase,
  batch: Fixable[],
  opts: FixOptions,
  verdictOpts: VerdictOptions,
  out: Map<number, FixResult>,
): Promise<void> {
  const states = await readBatch(client, batch, beginFix(batch, opts.statementTimeoutMs, opts.lockTimeoutMs));
  const oids: string[] = [];
  const values: string[] = [];
  const increments: string[] = [];
  const planned: [Fixable, FixResult][] = [];
  batch.forEach((seq, i) => {
    const v = judge(seq, states[i] as SequenceState, verdictOpts);
    if (v.status !== "behind") {
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
    const problem = fixPrivilegeProblem(seq, opts.role);
    if (problem) out.set(seq.oid, { outcome: "error", error: problem });
    else allowed.push(seq);
  }
  let done = 0;
  const queue = new WorkQueue<Fixable[], pg.ClientBase>(async (batch, client) => {
    await batchThenEach(
      client,
      batch,
      (items) => fixBatch(client, items, opts, verdictOpts, out),
      (seq, err) => out.set(seq.oid, { outcome: "error", error: explainFixError(seq, err, opts) }),
    );
    done += batch.length;
    opts.onProgress?.(done, allowed.length);
  });
  queue.add(planFixBatches(allowed, opts));
  await queue.run(clients);
  return out;
}
