// Batch planning: which sequences go together into one transaction. A transaction's lock table share is bounded
// (max_locks_per_transaction), and a round trip should carry enough statements to be worth it, so a batch holds
// at most batchSize statements and lockBudget relations. Pure.

import type { ProbeOptions } from "../core/engine-options.ts";
import type { SequenceInfo } from "../core/types.ts";
import { integerLinks } from "../core/verdict.ts";

export type BatchLimits = Pick<ProbeOptions, "lockBudget" | "batchSize">;

/** Relations a sequence's statement locks: the sequence, and each linked table with its indexes and children. */
export function lockCost(seq: SequenceInfo): number {
  return 1 + integerLinks(seq).reduce((n, l) => n + l.lockCount, 0);
}

/**
 * Fill batches with groups that must stay together, in order: a group starts a new batch when it would take the
 * current one past either limit. A group larger than the limits is a batch of its own.
 */
function fillBatches<T extends SequenceInfo>(groups: Iterable<T[]>, limits: BatchLimits): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let locks = 0;
  for (const group of groups) {
    const cost = group.reduce((n, s) => n + lockCost(s), 0);
    if (
      current.length > 0 &&
      (current.length + group.length > limits.batchSize || locks + cost > limits.lockBudget)
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

/** Verification's batches: the sequences in order, each batch within the limits. */
export function planBatches<T extends SequenceInfo>(seqs: T[], limits: BatchLimits): T[][] {
  return fillBatches(
    seqs.map((s) => [s]),
    limits,
  );
}

/**
 * Fixing's batches. Sequences that share a table must go in one batch: SHARE ROW EXCLUSIVE conflicts with itself,
 * so two workers locking one table would wait on each other. Group them (union-find over tables), then fill
 * batches by group.
 */
export function planFixBatches<T extends SequenceInfo>(seqs: T[], limits: BatchLimits): T[][] {
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
  return fillBatches(groups.values(), limits);
}
