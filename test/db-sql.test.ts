// The SQL that probing and fixing send (src/db/sql.ts) and the catalog rows discovery reads (src/db/catalog-sql.ts),
// read as text: what each statement says, that names appear as the server quoted them, and that int8 bounds are
// decimal literals, exact at the ends of the range. No server.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { IntegerLink } from "../src/core/types.ts";
import { type ExtraLink, jsonRowSql, LINK_CODES, rowReader, sequencesSql } from "../src/db/catalog-sql.ts";
import {
  ADVANCE_SQL,
  beginFix,
  beginReadOnly,
  collisionRange,
  extremeColumns,
  probeStatement,
  probeStatementFast,
  sessionSettings,
  stateStatement,
  timeouts,
} from "../src/db/sql.ts";
import { I8, link, q, seq } from "./sequence-fixtures.ts";

describe("probe statements", () => {
  test("position and extreme in one statement, the position read from the sequence after the snapshot", () => {
    assert.equal(
      probeStatement(seq()),
      "SELECT s.last_value::text AS lv, s.is_called AS ic, (SELECT max(id) FROM public.t)::text AS e0 FROM public.s s",
    );
  });

  test("a descending sequence reads min()", () => {
    const down = seq({
      increment: -1n,
      minValue: I8.min,
      maxValue: -1n,
      start: -1n,
      links: [link("bigint")],
    });
    assert.deepEqual(extremeColumns(down), ["(SELECT min(id) FROM public.t)::text AS e0"]);
  });

  test("a bound is written only where the sequence's range is narrower than the column type's", () => {
    // An integer column fed by a bigint sequence: the column's own range is the narrower, no WHERE.
    assert.deepEqual(extremeColumns(seq()), ["(SELECT max(id) FROM public.t)::text AS e0"]);
    // MAXVALUE 1000 cuts an integer column's range: values past it never come from this sequence.
    assert.deepEqual(extremeColumns(seq({ maxValue: 1000n })), [
      "(SELECT max(id) FROM public.t WHERE id <= '1000'::int4)::text AS e0",
    ]);
    // Descending with MINVALUE -1000 over a smallint column.
    const down = seq({
      increment: -1n,
      minValue: -1000n,
      maxValue: -1n,
      start: -1n,
      links: [link("smallint")],
    });
    assert.deepEqual(extremeColumns(down), [
      "(SELECT min(id) FROM public.t WHERE id >= '-1000'::int2)::text AS e0",
    ]);
  });

  test("int8 bounds are exact decimal literals at the ends of the range", () => {
    const top = seq({ maxValue: I8.max - 1n, links: [link("bigint")] });
    assert.deepEqual(extremeColumns(top), [
      "(SELECT max(id) FROM public.t WHERE id <= '9223372036854775806'::int8)::text AS e0",
    ]);
    const bottom = seq({
      increment: -1n,
      minValue: I8.min + 1n,
      maxValue: -1n,
      start: -1n,
      links: [link("bigint")],
    });
    assert.deepEqual(extremeColumns(bottom), [
      "(SELECT min(id) FROM public.t WHERE id >= '-9223372036854775807'::int8)::text AS e0",
    ]);
    // 2^53 + 1, which a double cannot hold.
    const odd = seq({ maxValue: 9007199254740993n, links: [link("bigint")] });
    assert.match(probeStatement(odd), /'9007199254740993'::int8/);
  });

  test("a column whose type cannot hold any of the sequence's values is not read", () => {
    const s = seq({ minValue: 3_000_000_000n, start: 3_000_000_000n });
    assert.equal(collisionRange(s, link("integer") as IntegerLink), null);
    assert.deepEqual(extremeColumns(s), ["NULL::text AS e0"]);
  });

  test("names appear exactly as the server quoted them; expression links are not read", () => {
    const s = seq({
      name: q('app."Order Seq"'),
      links: [
        link("integer", 'app."Order ""x"""', { columnIdent: q('"Id"') }),
        link("bigint", "app.sharded", { kind: "expression" }),
      ],
    });
    assert.equal(
      probeStatement(s),
      `SELECT s.last_value::text AS lv, s.is_called AS ic, (SELECT max("Id") FROM app."Order ""x""")::text AS e0 FROM app."Order Seq" s`,
    );
    assert.equal(
      stateStatement([s]),
      `SELECT pg_catalog.to_json(ARRAY[(SELECT last_value::text || ' ' || is_called::text FROM app."Order Seq")]::text[]) AS r`,
    );
  });

  test("verification's grouped statement: extremes, then the position by function, per sequence", () => {
    const a = seq({ oid: 11 });
    const b = seq({ oid: 12, links: [link("integer", "public.u"), link("bigint", "public.v")] });
    assert.equal(
      probeStatementFast([a, b], "pg_get_sequence_data"),
      "SELECT pg_catalog.to_json(ARRAY[(SELECT max(id) FROM public.t)::text, d0.last_value::text, d0.is_called::text, " +
        "(SELECT max(id) FROM public.u)::text, (SELECT max(id) FROM public.v)::text, " +
        "d1.last_value::text, d1.is_called::text]::text[]) AS r " +
        "FROM pg_catalog.pg_get_sequence_data(11::oid) d0, pg_catalog.pg_get_sequence_data(12::oid) d1",
    );
    assert.equal(
      probeStatementFast([a], "pg_sequence_last_value"),
      "SELECT pg_catalog.to_json(ARRAY[(SELECT max(id) FROM public.t)::text, pg_catalog.pg_sequence_last_value(11::oid)::text]::text[]) AS r",
    );
  });
});

describe("transactions and timeouts", () => {
  test("the lock wait ends before the statement timeout; 0 is no bound", () => {
    assert.deepEqual(timeouts(30_000, 5_000), { statement: 30_000, lock: 5_000 });
    assert.deepEqual(timeouts(1_000, 5_000), { statement: 1_000, lock: 900 });
    assert.deepEqual(timeouts(1_000, 0), { statement: 1_000, lock: 900 });
    assert.deepEqual(timeouts(0, 0), { statement: 0, lock: 0 });
    assert.deepEqual(timeouts(0, 2_500.7), { statement: 0, lock: 2_500 });
    assert.deepEqual(timeouts(1, 0), { statement: 1, lock: 1 });
  });

  test("every transaction pins search_path to pg_catalog and turns row security off", () => {
    assert.deepEqual(sessionSettings(30_000, 5_000), [
      "SET LOCAL search_path = pg_catalog",
      "SET LOCAL row_security = off",
      "SET LOCAL statement_timeout = 30000",
      "SET LOCAL lock_timeout = 5000",
    ]);
    assert.equal(beginReadOnly(30_000, 5_000)[0], "BEGIN READ ONLY");
  });

  test("a fix locks every table its sequences feed once, in name order, against inserts", () => {
    const s1 = seq({ links: [link("integer", "public.z"), link("integer", "public.a")] });
    const s2 = seq({ links: [link("integer", "public.a"), link("text", "public.notes")] });
    const begin = beginFix([s1, s2], 30_000, 5_000);
    assert.equal(begin[0], "BEGIN");
    assert.equal(begin.at(-1), "LOCK TABLE public.a, public.z IN SHARE ROW EXCLUSIVE MODE");
  });

  test("setval() goes by parameters (int8 arrays as decimal strings) and only forward", () => {
    assert.match(ADVANCE_SQL, /\$1::oid\[\]/);
    assert.match(ADVANCE_SQL, /\$2::int8\[\]/);
    assert.match(ADVANCE_SQL, /\$3::int8\[\]/);
    assert.match(ADVANCE_SQL, /f\.inc > 0 AND s\.lv <= f\.v\) OR \(f\.inc < 0 AND s\.lv >= f\.v/);
    assert.match(ADVANCE_SQL, /pg_catalog\.setval\(f\.o::regclass, f\.v, true\)/);
  });
});

describe("catalog rows as named records", () => {
  interface Pair {
    first: number;
    second: string;
  }

  test("a row spec writes its fields in order and reads them back by name", () => {
    const spec = { first: "x.a", second: "x.b" };
    assert.equal(jsonRowSql<Pair>(spec), "pg_catalog.json_build_array(x.a, x.b)");
    assert.deepEqual(rowReader<Pair>(spec)([7, "seven"]), { first: 7, second: "seven" });
  });

  test("every link code names a kind and how the report says it was found", () => {
    assert.equal(LINK_CODES.length, 7);
    assert.deepEqual(LINK_CODES[5], { kind: "trigger", via: "trigger" });
    assert.deepEqual(LINK_CODES[6], { kind: "expression", via: "default_text" });
  });

  test("links no dependency records go into the catalog pass as a constant of numbers only", () => {
    assert.doesNotMatch(sequencesSql(null), /jsonb_array_elements/);
    const extra: Record<string, ExtraLink[]> = { "16400": [{ tbl: 16390, attnum: 1, code: 4 }] };
    assert.match(sequencesSql(extra), /'\{"16400":\[\{"tbl":16390,"attnum":1,"code":4\}\]\}'::jsonb/);
  });
});
