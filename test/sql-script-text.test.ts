// The text of the `seq-guard sql` script, as a DBA reviews it, without a server: each query and step printed once,
// the same text whatever the options (they are only in the settings section), every seq_guard.* setting a query
// reads written before, at most two levels of dollar quotes, and dynamic SQL that runs only what the reader sees.
// (That the script reaches the engine's verdicts is tested against a server in sql-script.test.ts.)
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batchLoop } from "../src/sql-script/batches.ts";
import { type SqlScriptOptions, sqlScript } from "../src/sql-script/index.ts";
import { SEQUENCES_QUERY } from "../src/sql-script/sequences.ts";
import { FIX_STEP, READ_STEP } from "../src/sql-script/steps.ts";
import { VERDICTS_QUERY } from "../src/sql-script/verdicts.ts";

const DEFAULTS: SqlScriptOptions = {
  fix: false,
  schemas: [],
  exclude: [],
  headroomThreshold: 80,
  lockTimeoutMs: 5000,
};

const check = sqlScript(DEFAULTS);
const fix = sqlScript({ ...DEFAULTS, fix: true });

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** The script without its comment lines (whole-line comments, also those inside the queries). */
function code(text: string): string {
  return text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n");
}

describe("seq-guard sql: each query printed once", () => {
  test("the queries and steps appear once each, whole", () => {
    for (const [name, text] of [
      ["check", check],
      ["fix", fix],
    ] as const) {
      assert.equal(count(text, SEQUENCES_QUERY), 1, `${name}: seq_guard_sequences once`);
      assert.equal(count(text, VERDICTS_QUERY), 1, `${name}: seq_guard_verdicts once`);
      assert.equal(count(text, READ_STEP), 1, `${name}: the reading step once`);
      assert.equal(count(text, batchLoop(name === "fix")), 1, `${name}: the batch loop once`);
      assert.equal(count(text, FIX_STEP), name === "fix" ? 1 : 0, `${name}: the fixing step`);
    }
  });

  test("no copy of a query hides elsewhere: a distinctive clause of each occurs once", () => {
    const clauses = [
      "PREPARE seq_guard_sequences AS",
      "PREPARE seq_guard_verdicts AS",
      // seq_guard_verdicts: the behind reason and the headroom arithmetic.
      "a value already in a linked column: the next insert collides",
      "AS used_permille",
      // seq_guard_sequences: the reading statement it builds.
      "AS read_statement",
      // The batch loop's cut into batches.
      "WINDOW by_name AS",
      // The reading step's loop.
      "FOR target IN EXECUTE 'EXECUTE seq_guard_sequences' LOOP",
    ];
    for (const text of [check, fix]) {
      for (const clause of clauses) assert.equal(count(code(text), clause), 1, clause);
    }
    assert.equal(count(code(fix), "IN SHARE ROW EXCLUSIVE MODE'"), 1, "the fixing step's lock");
    assert.equal(count(code(check), "IN SHARE ROW EXCLUSIVE MODE'"), 0, "the check script locks nothing");
  });

  test("the options are only in the settings section: every statement after it reads the same", () => {
    const after = (text: string) => text.slice(text.indexOf("PREPARE seq_guard_sequences AS"));
    const chosen = {
      schemas: ["public", "My App"],
      exclude: ["public.tmp_*", "*.{a,b}"],
      headroomThreshold: 93.1,
      lockTimeoutMs: 300,
    };
    assert.equal(after(sqlScript({ ...DEFAULTS, ...chosen })), after(check));
    assert.equal(after(sqlScript({ ...DEFAULTS, ...chosen, fix: true })), after(fix));
    const settings = sqlScript({ ...DEFAULTS, ...chosen })
      .split("\n")
      .filter((line) => line.startsWith("SET "));
    assert.deepEqual(settings.slice(0, 5), [
      "SET row_security = off;",
      "SET lock_timeout = 300;",
      `SET seq_guard.schemas = '{"public","My App"}';`,
      "SET seq_guard.exclude_pattern = E'^(?:public\\\\.tmp_[^/]*)$|^(?:[^/]*\\\\.a|[^/]*\\\\.b)$';",
      "SET seq_guard.headroom_threshold = '93.1';",
    ]);
  });

  test("every seq_guard.* setting a statement reads is written before by SET or set_config()", () => {
    for (const text of [check, fix]) {
      const read = new Set([...text.matchAll(/current_setting\('(seq_guard\.[a-z_]+)'/g)].map((m) => m[1]));
      const written = new Set([
        ...[...text.matchAll(/^SET (seq_guard\.[a-z_]+) =/gm)].map((m) => m[1]),
        ...[...text.matchAll(/format\('SET (seq_guard\.[a-z_]+) =/g)].map((m) => m[1]),
        ...[...text.matchAll(/set_config\('(seq_guard\.[a-z_]+)'/g)].map((m) => m[1]),
      ]);
      const unwritten = [...read].filter((name) => !written.has(name));
      // seq_guard.fix_log is read with missing_ok in the check script, where nothing writes it.
      assert.deepEqual(unwritten, text === check ? ["seq_guard.fix_log"] : []);
      assert.ok(read.has("seq_guard.readings") && read.has("seq_guard.headroom_threshold"));
    }
  });

  test("at most two levels of dollar quotes: the DO blocks, inside the settings that keep them", () => {
    const tags = (text: string) => new Set(text.match(/\$[A-Za-z_]*\$(?![a-zA-Z])/g));
    assert.deepEqual([...tags(check)].sort(), ["$$", "$read_step$"]);
    assert.deepEqual([...tags(fix)].sort(), ["$$", "$fix_step$", "$read_step$"]);
    for (const step of [READ_STEP, FIX_STEP])
      assert.equal(count(step, "$$"), 2, "one DO block, no deeper level");
  });

  test("dynamic SQL runs only the prepared statements, the reading step, and statements built with format('%I')", () => {
    const executed = (step: string) =>
      [...code(step).matchAll(/\bEXECUTE\s+([^;]*?)(?:\s+(?:INTO|LOOP)\b|;)/g)].map((m) => m[1]);
    assert.deepEqual(executed(READ_STEP), ["'EXECUTE seq_guard_sequences'", "target.read_statement"]);
    assert.deepEqual(executed(FIX_STEP), [
      "pg_catalog.current_setting('seq_guard.read_step')",
      "'EXECUTE seq_guard_verdicts'",
      "'LOCK TABLE ' || tables || ' IN SHARE ROW EXCLUSIVE MODE'",
      "pg_catalog.current_setting('seq_guard.read_step')",
      "'EXECUTE seq_guard_verdicts'",
    ]);
  });
});
