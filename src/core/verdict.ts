// Verdict arithmetic: pure, exact (bigint only), no I/O. Given what the catalog says of a sequence and what
// probing read, decide ok / behind / exhausted / skipped and what setval() would fix it.

import type { IntegerLink, QuotedIdent, SequenceInfo, SequenceState, SkipReason, Warning } from "./types.ts";

export interface VerdictOptions {
  /** Warn when this share (percent) of the effective range is used. */
  headroomThreshold: number;
}

/** How much of the effective range is used, and how many values nextval() can still hand out. */
export interface Headroom {
  usedPct: number;
  remaining: bigint;
}

/** What every judged sequence has: it was read, so its next value, bound and headroom are known. */
interface Judged {
  /** The value nextval() hands out next. */
  next: bigint;
  /** MAXVALUE (MINVALUE when descending) or the narrowest linked integer column's bound, whichever comes first. */
  bound: bigint;
  warnings: Warning[];
  headroom: Headroom;
}

/** Nothing collides, and the range lasts. */
export interface OkVerdict extends Judged {
  status: "ok";
}

/** A linked column already holds the next value: setval(seq, fixTo, true) makes the next one fixTo + increment. */
export interface BehindVerdict extends Judged {
  status: "behind";
  reason: string;
  /** The colliding extreme: largest linked value >= next (ascending), smallest <= next (descending). */
  collision: bigint;
  /** The setval() target, always the collision: the sequence moves only forward, and only as far as it must. */
  fixTo: bigint;
}

/** The next value (or the one after the collision) lies past the bound: setval() cannot help. */
export interface ExhaustedVerdict extends Judged {
  status: "exhausted";
  reason: string;
  /** The colliding extreme when the sequence is also behind; null when its own next value is past the bound. */
  collision: bigint | null;
}

/** Never judged: the reason is known from the catalog alone, before anything is read. */
export interface SkippedVerdict {
  status: "skipped";
  reason: string;
  skipReason: SkipReason;
}

/** The verdict on one sequence: each status carries exactly what it has, so no caller re-checks a null. */
export type Verdict = OkVerdict | BehindVerdict | ExhaustedVerdict | SkippedVerdict;

export const INT_RANGES: Record<string, { min: bigint; max: bigint }> = {
  smallint: { min: -32768n, max: 32767n },
  integer: { min: -2147483648n, max: 2147483647n },
  bigint: { min: -9223372036854775808n, max: 9223372036854775807n },
};

export function nextValue(lastValue: bigint, isCalled: boolean, increment: bigint): bigint {
  return isCalled ? lastValue + increment : lastValue;
}

/**
 * The links that are judged: integer columns fed by the sequence's own values (never an expression around
 * nextval()), in the order probing reads them.
 */
export function integerLinks(seq: SequenceInfo): IntegerLink[] {
  return seq.links.filter(
    (l): l is IntegerLink => l.typeMin !== null && l.typeMax !== null && l.kind !== "expression",
  );
}

/** Why a sequence is skipped before anything is read, or null when it must be probed. */
export function skipReasonOf(seq: SequenceInfo): SkipReason | null {
  if (seq.links.length === 0) return "unlinked";
  if (seq.links.every((l) => l.typeMin === null)) return "non_integer_column";
  if (integerLinks(seq).length === 0) return "expression_default";
  if (seq.cycle) return "cycle";
  return null;
}

const SKIP_TEXT: Record<SkipReason, string> = {
  unlinked:
    "feeds no column: no OWNED BY or identity column, no DEFAULT calling nextval() of it (by regclass, or by a text name resolved on the database's search_path) and no BEFORE INSERT trigger assigning nextval() of it to a column links it to one (a sequence drawn only by application code is not inspected)",
  expression_default:
    "feeds its columns only through a DEFAULT that computes with nextval() (such as nextval(...) * 1024 + 7), so their values are not the sequence's and cannot be compared with it",
  non_integer_column: "feeds only columns that are not integers",
  cycle: "CYCLE sequence: it may legitimately sit below old data, so it is never judged or fixed",
  excluded: "excluded by the schema or exclude filters",
};

export function skipped(seq: SequenceInfo, reason: SkipReason): SkippedVerdict {
  return {
    status: "skipped",
    reason:
      reason === "non_integer_column"
        ? `${SKIP_TEXT[reason]} (${describeTypes(seq)})`
        : reason === "expression_default"
          ? `${SKIP_TEXT[reason]} (${seq.links
              .filter((l) => l.kind === "expression")
              .map((l) => `${l.table}.${l.columnIdent}`)
              .join(", ")})`
          : SKIP_TEXT[reason],
    skipReason: reason,
  };
}

function describeTypes(seq: SequenceInfo): string {
  return seq.links.map((l) => `${l.table}.${l.columnIdent} is ${l.type}`).join(", ");
}

/** The effective bound: where the sequence runs out, by its own limit or the narrowest linked integer column. */
export function effectiveBound(seq: SequenceInfo): { bound: bigint; by: string } {
  const ascending = seq.increment > 0n;
  let bound = ascending ? seq.maxValue : seq.minValue;
  let by = ascending ? `MAXVALUE of ${seq.name}` : `MINVALUE of ${seq.name}`;
  for (const l of integerLinks(seq)) {
    const colBound = ascending ? l.typeMax : l.typeMin;
    if (ascending ? colBound < bound : colBound > bound) {
      bound = colBound;
      by = `${l.type} column ${l.table}.${l.columnIdent}`;
    }
  }
  return { bound, by };
}

/**
 * Decide the verdict of a sequence that was read. Values outside the sequence's own MINVALUE..MAXVALUE never
 * count: the sequence can never hand them out, so they cannot collide with it.
 */
export function judge(seq: SequenceInfo, state: SequenceState, opts: VerdictOptions): Verdict {
  const skip = skipReasonOf(seq);
  if (skip) return skipped(seq, skip);
  const inc = seq.increment;
  const ascending = inc > 0n;
  const next = nextValue(state.lastValue, state.isCalled, inc);
  const { bound, by } = effectiveBound(seq);

  // The colliding extreme over every linked column, inside the sequence's range.
  let collision: bigint | null = null;
  for (const c of state.columns) {
    const v = ascending ? c.max : c.min;
    if (v === null || v < seq.minValue || v > seq.maxValue) continue;
    if (ascending ? v >= next : v <= next) {
      if (collision === null || (ascending ? v > collision : v < collision)) collision = v;
    }
  }

  const warnings: Warning[] = [];
  const beyond = (v: bigint) => (ascending ? v > bound : v < bound);
  // The next value handed out once any collision is fixed.
  const effectiveNext = collision === null ? next : collision + inc;
  const headroom = headroomOf(seq, effectiveNext, bound);

  if (beyond(next) || (collision !== null && beyond(effectiveNext))) {
    const what =
      collision === null
        ? `its next value ${next} lies beyond ${bound}, the bound set by the ${by}`
        : `it is behind (a linked column holds ${collision}) and ${collision} ${ascending ? "+" : "-"} ${abs(inc)} = ${effectiveNext} lies beyond ${bound}, the bound set by the ${by}`;
    return {
      status: "exhausted",
      reason: `exhausted: ${what}. setval() cannot help: ${remedy(seq, by)}`,
      next,
      collision,
      bound,
      warnings,
      headroom: { usedPct: 100, remaining: 0n },
    };
  }

  if (headroom.usedPct >= opts.headroomThreshold) {
    warnings.push({
      code: "near_exhaustion",
      message: `${headroom.usedPct}% of the range up to ${bound} (the ${by}) is used; ${headroom.remaining} values remain`,
    });
  }

  if (collision !== null) {
    return {
      status: "behind",
      reason: `next value ${next} ${ascending ? "<=" : ">="} ${collision}, a value already in a linked column: the next insert collides`,
      next,
      collision,
      fixTo: collision,
      bound,
      warnings,
      headroom,
    };
  }
  return { status: "ok", next, bound, warnings, headroom };
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

function remedy(seq: SequenceInfo, by: string): string {
  if (by.startsWith("MAXVALUE") || by.startsWith("MINVALUE")) {
    return seq.dataType === "bigint"
      ? `raise the sequence's ${seq.increment > 0n ? "MAXVALUE" : "MINVALUE"} (ALTER SEQUENCE ${seq.name} ${seq.increment > 0n ? "MAXVALUE" : "MINVALUE"} ...)`
      : `widen it (ALTER SEQUENCE ${seq.name} AS bigint) and its columns`;
  }
  return `widen the ${by} (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)`;
}

/**
 * How much of the effective range is used. The range starts at START (values below it are never handed out
 * unless someone restarts the sequence) and ends at the effective bound. `remaining` counts the values nextval()
 * can still hand out, the next one included.
 */
export function headroomOf(seq: SequenceInfo, effectiveNext: bigint, bound: bigint): Headroom {
  const ascending = seq.increment > 0n;
  const step = abs(seq.increment);
  const start = seq.start;
  const span = ascending ? bound - start + 1n : start - bound + 1n;
  let used = ascending ? effectiveNext - start : start - effectiveNext;
  if (used < 0n) used = 0n;
  const left = ascending ? bound - effectiveNext : effectiveNext - bound;
  const remaining = left < 0n ? 0n : left / step + 1n;
  if (span <= 0n) return { usedPct: 100, remaining };
  // One decimal of percent, computed exactly, then made a number (a percentage is safe as a double).
  const permille = (used * 1000n) / span;
  const usedPct = Number(permille > 1000n ? 1000n : permille) / 10;
  return { usedPct, remaining };
}

/** The setval() statement a person can paste into psql, with the (server-quoted) name as a SQL literal. */
export function fixSql(seqName: QuotedIdent, fixTo: bigint): string {
  return `SELECT setval(${quoteLiteral(seqName)}, ${fixTo}, true);`;
}

/** Quote text as a SQL string literal (standard_conforming_strings on, as on every supported server). */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
