// plain/positions.ts: where a statement sets a sequence's position, read from its tokens.
import assert from "node:assert/strict";
import { test } from "node:test";
import { restartPosition, setvalPosition, truncatePositions } from "../src/restore/plain/positions.ts";
import type { Token } from "../src/restore/plain/tokens.ts";

/** Tokens as the lexer makes them: words upper-cased, 's' strings, numbers, punctuation. */
function toks(...parts: (string | number)[]): Token[] {
  return parts.map((p) => {
    if (typeof p === "number") return { k: "n", v: String(p) };
    if (p.startsWith("'")) return { k: "s", v: p.slice(1, -1) };
    if (/^\w+$/.test(p)) return { k: "w", v: p.toUpperCase(), raw: p };
    return { k: "p", v: p };
  });
}

test("setval by name or by pg_get_serial_sequence, with its value and is_called", () => {
  assert.deepEqual(setvalPosition(toks("'public.t_id_seq'", ",", 42, ",", "false")), {
    target: { kind: "sequence", schema: "public", name: "t_id_seq" },
    value: "42",
    isCalled: false,
    reset: false,
    text: "setval('public.t_id_seq', 42, false)",
  });
  const p = setvalPosition(toks("pg_get_serial_sequence", "(", "'app.T'", ",", "'Id'", ")", ",", "-", 7));
  assert.notEqual(p, "opaque");
  if (p !== "opaque") {
    assert.deepEqual(p.target, { kind: "column", table: { schema: "app", name: "t" }, column: "Id" });
    assert.equal(p.value, "-7");
    assert.equal(p.isCalled, true);
  }
  assert.equal(setvalPosition(toks("seqname", ",", 1)), "opaque");
  const computed = setvalPosition(toks("'s'", ",", "max", "(", "id", ")"));
  assert.ok(computed !== "opaque" && computed.value === null && computed.isCalled === null);
});

test("ALTER ... RESTART: a sequence or an identity column; no RESTART is no position", () => {
  const seq = restartPosition(toks("ALTER", "SEQUENCE", "IF", "EXISTS", "s", "RESTART", "WITH", 100));
  assert.ok(seq !== null && seq !== "opaque");
  assert.deepEqual(seq.target, { kind: "sequence", schema: null, name: "s" });
  assert.equal(seq.value, "100");
  assert.equal(seq.reset, false);
  const col = restartPosition(
    toks("ALTER", "TABLE", "ONLY", "a", ".", "t", "ALTER", "COLUMN", "id", "RESTART"),
  );
  assert.ok(col !== null && col !== "opaque");
  assert.deepEqual(col.target, { kind: "column", table: { schema: "a", name: "t" }, column: "id" });
  assert.equal(col.reset, true);
  assert.equal(restartPosition(toks("ALTER", "TABLE", "t", "ADD", "COLUMN", "c", "int")), null);
  assert.equal(restartPosition(toks("ALTER", "TABLE", "t", "RESTART")), "opaque");
});

test("TRUNCATE ... RESTART IDENTITY: every table named", () => {
  const all = truncatePositions(
    toks("TRUNCATE", "TABLE", "ONLY", "a", ",", "b", ".", "c", "*", "RESTART", "IDENTITY"),
  );
  assert.deepEqual(
    all.map((p) => p.target),
    [
      { kind: "table", table: { schema: null, name: "a" } },
      { kind: "table", table: { schema: "b", name: "c" } },
    ],
  );
  assert.ok(all.every((p) => p.reset && p.value === null));
});
