// Verdict arithmetic on its own: worked examples, then properties against a plain BigInt model over the whole
// int8 range, both directions and every increment.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { verdictReport } from "../src/core/report.ts";
import type { SequenceInfo } from "../src/core/types.ts";
import {
  effectiveBound,
  fixSql,
  headroomOf,
  INT_RANGES,
  judge,
  nextValue,
  type Verdict,
} from "../src/core/verdict.ts";
import { I8, link, q, seq } from "./sequence-fixtures.ts";

/** The verdict, asserted to have `status`, as that status's variant. */
function expectStatus<S extends Verdict["status"]>(v: Verdict, status: S): Extract<Verdict, { status: S }> {
  assert.equal(v.status, status);
  return v as Extract<Verdict, { status: S }>;
}

const opts = { headroomThreshold: 80 };
const state = (lastValue: bigint, isCalled: boolean, ...cols: [bigint | null, bigint | null][]) => ({
  lastValue,
  isCalled,
  columns: cols.map(([min, max]) => ({ min, max })),
});

describe("verdict examples", () => {
  test("next value follows is_called", () => {
    assert.equal(nextValue(10n, false, 1n), 10n);
    assert.equal(nextValue(10n, true, 1n), 11n);
    assert.equal(nextValue(-10n, true, -5n), -15n);
  });

  test("behind at the boundary: next == max is behind, next == max + 1 is ok", () => {
    assert.equal(judge(seq(), state(10n, false, [1n, 10n]), opts).status, "behind");
    assert.equal(judge(seq(), state(10n, true, [1n, 10n]), opts).status, "ok");
  });

  test("empty and all-NULL columns are never behind", () => {
    assert.equal(judge(seq(), state(1n, false, [null, null]), opts).status, "ok");
  });

  test("fix target is the colliding extreme, so the next value becomes extreme + increment", () => {
    const v = expectStatus(judge(seq({ increment: 10n }), state(1n, false, [1n, 95n]), opts), "behind");
    assert.equal(v.fixTo, 95n);
    assert.equal(fixSql(q("public.s"), v.fixTo), "SELECT setval('public.s', 95, true);");
  });

  test("descending: the smallest value at or below next collides", () => {
    const s = seq({ increment: -1n, minValue: I8.min, maxValue: -1n, start: -1n });
    const v = expectStatus(judge(s, state(-1n, false, [-10n, -3n]), opts), "behind");
    assert.equal(v.collision, -10n);
    assert.equal(v.fixTo, -10n);
  });

  test("values outside the sequence's range never count", () => {
    const s = seq({ minValue: 1n, maxValue: 1000n });
    assert.equal(judge(s, state(5n, true, [2000n, 5000n]), opts).status, "ok");
  });

  test("the narrowest integer column bounds the sequence", () => {
    const s = seq({ links: [link("bigint", "public.a"), link("integer", "public.b")] });
    assert.equal(effectiveBound(s).bound, 2147483647n);
    assert.match(effectiveBound(s).by, /integer column public\.b/);
    const v = judge(s, state(1n, false, [null, null], [1n, 2147483647n]), opts);
    assert.equal(v.status, "exhausted");
  });

  test("exhausted when the next value already lies beyond the bound", () => {
    const s = seq({ dataType: "smallint", maxValue: 32767n, links: [link("smallint")] });
    const v = expectStatus(judge(s, state(32767n, true, [null, null]), opts), "exhausted");
    assert.equal("fixTo" in v, false);
    assert.equal(v.collision, null);
    assert.match(v.reason, /AS bigint/);
  });

  test("near exhaustion is a warning on an ok sequence", () => {
    const v = expectStatus(judge(seq(), state(2000000000n, true, [null, null]), opts), "ok");
    assert.deepEqual(
      v.warnings.map((w) => w.code),
      ["near_exhaustion"],
    );
    assert.equal(v.headroom.usedPct, 93.1);
  });

  test("skips: unlinked, non-integer, cycle", () => {
    const skip = (s: SequenceInfo, st = state(1n, false)) => expectStatus(judge(s, st, opts), "skipped");
    assert.equal(skip(seq({ links: [] })).skipReason, "unlinked");
    assert.equal(skip(seq({ links: [link("text")] })).skipReason, "non_integer_column");
    assert.equal(skip(seq({ cycle: true }), state(1n, false, [1n, 9n])).skipReason, "cycle");
  });

  test("a default that computes with nextval() is never judged", () => {
    const expr = { ...link("bigint", "public.sharded"), kind: "expression" as const };
    const only = seq({ links: [expr] });
    const skippedOnly = expectStatus(judge(only, state(1n, false), opts), "skipped");
    assert.equal(skippedOnly.skipReason, "expression_default");
    assert.match(skippedOnly.reason, /computes with nextval\(\).*public\.sharded\.id/);
    // Beside a plain link, the expression's column is not read: the state holds the plain column only.
    const mixed = seq({ links: [expr, link("bigint", "public.plain")] });
    const v = judge(mixed, state(3n, true, [null, 3n]), opts);
    assert.equal(v.status, "ok");
    assert.equal(
      expectStatus(judge(seq({ links: [expr, link("text")] }), state(1n, false), opts), "skipped").skipReason,
      "expression_default",
    );
  });

  test("text defaults and trigger assignments are judged like a default; unlinked says what was looked for", () => {
    for (const kind of ["default_text", "trigger"] as const) {
      const v = expectStatus(
        judge(seq({ links: [{ ...link(), kind }] }), state(1n, false, [null, 40n]), opts),
        "behind",
      );
      assert.equal(v.fixTo, 40n, kind);
    }
    const reason = expectStatus(judge(seq({ links: [] }), state(1n, false), opts), "skipped").reason;
    assert.match(reason, /by a text name resolved on the database's search_path/);
    assert.match(reason, /no BEFORE INSERT trigger/);
    assert.doesNotMatch(reason, /drawn only by a trigger/);
  });

  test("9007199254740993 survives (no double rounding)", () => {
    const v = judge(seq({ links: [link("bigint")] }), state(1n, false, [1n, 9007199254740993n]), opts);
    assert.equal(expectStatus(v, "behind").fixTo.toString(), "9007199254740993");
  });

  test("headroom counts the values left, the next one included", () => {
    const h = headroomOf(seq({ maxValue: 100n }), 91n, 100n);
    assert.equal(h.remaining, 10n);
    assert.equal(h.usedPct, 90);
  });
});

describe("the verdict union: each status carries exactly its fields", () => {
  const fields = (v: Verdict) => Object.keys(v).sort();
  const judged = ["bound", "headroom", "next", "status", "warnings"];

  test("ok: next, bound, warnings and headroom; no reason, collision or fix", () => {
    assert.deepEqual(fields(judge(seq(), state(10n, true, [1n, 10n]), opts)), judged);
  });

  test("behind: and the reason, the collision and the fix target, all set", () => {
    const v = judge(seq(), state(5n, true, [1n, 10n]), opts);
    assert.deepEqual(fields(v), [...judged, "collision", "fixTo", "reason"].sort());
    const b = expectStatus(v, "behind");
    assert.equal(b.fixTo, b.collision);
    assert.equal(b.next, 6n);
  });

  test("exhausted: a reason and the collision (null when the next value itself is past the bound), never a fix", () => {
    const small = seq({ dataType: "smallint", maxValue: 32767n, links: [link("smallint")] });
    const past = judge(small, state(32767n, true, [null, null]), opts);
    assert.deepEqual(fields(past), [...judged, "collision", "reason"].sort());
    assert.equal(expectStatus(past, "exhausted").collision, null);
    const behindToo = expectStatus(judge(small, state(1n, true, [1n, 32767n]), opts), "exhausted");
    assert.equal(behindToo.collision, 32767n);
    assert.deepEqual(behindToo.headroom, { usedPct: 100, remaining: 0n });
  });

  test("skipped: a reason and its code only, nothing read", () => {
    assert.deepEqual(fields(judge(seq({ cycle: true }), state(1n, false, [1n, 9n]), opts)), [
      "reason",
      "skipReason",
      "status",
    ]);
  });

  test("the report of each variant keeps the JSON contract (decimal strings, nulls where a status has nothing)", () => {
    const s = seq();
    const st = state(5n, true, [1n, 10n]);
    const behind = verdictReport(s, st, judge(s, st, opts));
    assert.equal(behind.status, "behind");
    assert.equal(behind.next_value, "6");
    assert.equal(behind.max, "10");
    assert.equal(behind.min, null);
    assert.equal(behind.skip_reason, null);
    assert.equal(behind.fix_sql, "SELECT setval('public.s', 10, true);");
    assert.deepEqual(behind.headroom, { used_pct: 0, remaining: "2147483637" });
    const ok = verdictReport(s, state(10n, true, [1n, 10n]), judge(s, state(10n, true, [1n, 10n]), opts));
    assert.equal(ok.reason, null);
    assert.equal(ok.max, null);
    assert.equal(ok.fix_sql, null);
    const down = seq({ increment: -1n, minValue: I8.min, maxValue: -1n, start: -1n });
    const dst = state(-1n, false, [-10n, -3n]);
    const descending = verdictReport(down, dst, judge(down, dst, opts));
    assert.equal(descending.min, "-10");
    assert.equal(descending.max, null);
    const cyc = seq({ cycle: true });
    const skippedReport = verdictReport(cyc, null, judge(cyc, state(1n, false, [1n, 9n]), opts));
    assert.equal(skippedReport.skip_reason, "cycle");
    assert.equal(skippedReport.next_value, null);
    assert.equal(skippedReport.headroom, null);
    assert.deepEqual(skippedReport.warnings, []);
    assert.deepEqual(
      Object.keys(skippedReport),
      Object.keys(behind),
      "every status writes the same fields in the same order",
    );
  });

  test("9223372036854775807 and its neighbours stay exact in the report", () => {
    const s = seq({ links: [link("bigint")] });
    const st = state(1n, false, [1n, I8.max - 1n]);
    const r = verdictReport(s, st, judge(s, st, opts));
    assert.equal(r.max, "9223372036854775806");
    assert.equal(r.fix_sql, "SELECT setval('public.s', 9223372036854775806, true);");
  });
});

// ---- property tests: the engine's verdict against a plain model -------------------------------------------

const TYPES = ["smallint", "integer", "bigint"] as const;
const int8 = fc.bigInt({ min: I8.min, max: I8.max });

/** A valid sequence: min < max, a non-zero increment that fits, last_value inside the range. */
const arbCase = fc
  .record({
    a: int8,
    b: int8,
    inc: fc.oneof(
      fc.bigInt({ min: 1n, max: 10n }),
      fc.bigInt({ min: -10n, max: -1n }),
      fc.bigInt({ min: I8.min + 1n, max: I8.max }),
    ),
    lastPick: fc.bigInt({ min: 0n, max: I8.max }),
    isCalled: fc.boolean(),
    cols: fc.array(fc.record({ type: fc.constantFrom(...TYPES), values: fc.array(int8, { maxLength: 6 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    edge: fc.constantFrom("none", "last=max", "last=min", "value=next"),
  })
  .filter(({ a, b, inc }) => a !== b && inc !== 0n)
  .map(({ a, b, inc, lastPick, isCalled, cols, edge }) => {
    const minValue = a < b ? a : b;
    const maxValue = a < b ? b : a;
    const span = maxValue - minValue;
    const increment = inc > span ? span : inc < -span ? -span : inc;
    let lastValue = minValue + (lastPick % (span + 1n));
    if (edge === "last=max") lastValue = maxValue;
    if (edge === "last=min") lastValue = minValue;
    const columns = cols.map((c) => {
      const r = INT_RANGES[c.type] as { min: bigint; max: bigint };
      let values = c.values.map((v) => (v < r.min ? r.min : v > r.max ? r.max : v));
      if (edge === "value=next") {
        const n = isCalled ? lastValue + increment : lastValue;
        if (n >= r.min && n <= r.max) values = [...values, n];
      }
      return { type: c.type, values };
    });
    return { minValue, maxValue, increment: increment === 0n ? 1n : increment, lastValue, isCalled, columns };
  });

type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

/** The model: the rules of the issue, written as plainly as possible. */
function model(c: Case) {
  const asc = c.increment > 0n;
  const next = c.isCalled ? c.lastValue + c.increment : c.lastValue;
  const inRange = c.columns.flatMap((col) => col.values).filter((v) => v >= c.minValue && v <= c.maxValue);
  const colliding = inRange.filter((v) => (asc ? v >= next : v <= next));
  const collision =
    colliding.length === 0 ? null : colliding.reduce((x, y) => (asc ? (y > x ? y : x) : y < x ? y : x));
  let bound = asc ? c.maxValue : c.minValue;
  for (const col of c.columns) {
    const r = INT_RANGES[col.type] as { min: bigint; max: bigint };
    if (asc && r.max < bound) bound = r.max;
    if (!asc && r.min > bound) bound = r.min;
  }
  const beyond = (v: bigint) => (asc ? v > bound : v < bound);
  if (beyond(next) || (collision !== null && beyond(collision + c.increment)))
    return { status: "exhausted", collision };
  return { status: collision === null ? "ok" : "behind", collision };
}

function toEngine(c: Case) {
  const s = seq({
    minValue: c.minValue,
    maxValue: c.maxValue,
    increment: c.increment,
    start: c.increment > 0n ? c.minValue : c.maxValue,
    links: c.columns.map((col) => link(col.type)),
  });
  // What probing returns: per column, min and max of the values inside the sequence's range.
  const columns = c.columns.map((col) => {
    const r = INT_RANGES[col.type] as { min: bigint; max: bigint };
    const lo = c.minValue > r.min ? c.minValue : r.min;
    const hi = c.maxValue < r.max ? c.maxValue : r.max;
    const vs = col.values.filter((v) => v >= lo && v <= hi);
    return {
      min: vs.length ? vs.reduce((x, y) => (y < x ? y : x)) : null,
      max: vs.length ? vs.reduce((x, y) => (y > x ? y : x)) : null,
    };
  });
  return { s, state: { lastValue: c.lastValue, isCalled: c.isCalled, columns } };
}

describe("verdict properties (fast-check, whole int8 range)", () => {
  test("the verdict and the colliding value agree with the model", () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const { s, state: st } = toEngine(c);
        const v = judge(s, st, opts);
        const m = model(c);
        assert.equal(v.status, m.status);
        if (v.status === "behind") assert.equal(v.collision, m.collision);
      }),
      { numRuns: 3000 },
    );
  });

  test("a fix only ever moves forward, lands inside the range, and clears the collision", () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const { s, state: st } = toEngine(c);
        const v = judge(s, st, opts);
        if (v.status !== "behind") {
          assert.equal("fixTo" in v, false, "only a behind sequence gets a fix");
          return;
        }
        const fixTo = v.fixTo;
        const oldNext = v.next;
        const newNext = fixTo + c.increment;
        assert.ok(
          fixTo >= c.minValue && fixTo <= c.maxValue,
          "setval's value lies inside MINVALUE..MAXVALUE",
        );
        if (c.increment > 0n) assert.ok(newNext > oldNext, "forward (ascending)");
        else assert.ok(newNext < oldNext, "forward (descending)");
        // After the fix, judging again with the sequence at setval(fixTo, true) gives ok.
        const after = judge(s, { ...st, lastValue: fixTo, isCalled: true }, opts);
        assert.equal(after.status, "ok");
      }),
      { numRuns: 3000 },
    );
  });

  test("headroom never goes negative or past 100%", () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const { s, state: st } = toEngine(c);
        const v = judge(s, st, opts);
        if (v.status === "skipped") return;
        assert.ok(v.headroom.usedPct >= 0 && v.headroom.usedPct <= 100);
        assert.ok(v.headroom.remaining >= 0n);
      }),
      { numRuns: 2000 },
    );
  });
});
