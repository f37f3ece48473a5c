// Filters: which sequences a run looks at (core/filters.ts), and filters that do nothing (core/report-filters.ts):
// an entry that matches no sequence is a warning, filters that leave nothing to verify are a usage error, each in
// the front end's words. Without a database.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exclusionFilter } from "../src/core/filters.ts";
import { buildReport } from "../src/core/report.ts";
import { checkFiltersLeftSomething, unmatchedFilters } from "../src/core/report-filters.ts";
import { ACTION_WORDS, CLI_WORDS, inWords } from "../src/core/words.ts";
import { seqReport, targetReport } from "./report-fixtures.ts";

describe("exclusionFilter", () => {
  test("no filters: nothing is filtered out", async () => {
    const drops = await exclusionFilter({ schemas: [], exclude: [] });
    assert.equal(drops("public", "users_id_seq"), false);
  });

  test("schemas keep only theirs, by exact unquoted name (case matters)", async () => {
    const drops = await exclusionFilter({ schemas: ["public", "Weird Schema"], exclude: [] });
    assert.equal(drops("public", "a"), false);
    assert.equal(drops("Weird Schema", "a"), false);
    assert.equal(drops("Public", "a"), true);
    assert.equal(drops("audit", "a"), true);
  });

  test("exclude globs match the unquoted schema.name: *, ?, [...], {a,b}, dots in names", async () => {
    const drops = await exclusionFilter({
      schemas: [],
      exclude: ["audit.*", "public.t?_id_seq", "public.{a,b}_seq"],
    });
    assert.equal(drops("audit", "log_id_seq"), true);
    assert.equal(drops("public", "t1_id_seq"), true);
    assert.equal(drops("public", "t10_id_seq"), false);
    assert.equal(drops("public", "a_seq"), true);
    assert.equal(drops("public", "c_seq"), false);
    // A name that starts with a dot is matched like any other.
    assert.equal((await exclusionFilter({ schemas: [], exclude: ["public.*"] }))("public", ".hidden"), true);
  });

  test("an entry is a glob, never a comment or a negation", async () => {
    const drops = await exclusionFilter({ schemas: [], exclude: ["#public.a", "!public.b"] });
    assert.equal(drops("#public", "a"), true);
    assert.equal(drops("public", "a"), false);
    assert.equal(
      drops("public", "c"),
      false,
      "! does not negate: it excludes nothing but a literal !public.b",
    );
  });

  test("schemas and exclude together: both apply", async () => {
    const drops = await exclusionFilter({ schemas: ["public"], exclude: ["public.tmp_*"] });
    assert.equal(drops("public", "users_id_seq"), false);
    assert.equal(drops("public", "tmp_x_seq"), true);
    assert.equal(drops("audit", "users_id_seq"), true);
  });
});

describe("filters that match nothing", () => {
  const report = buildReport(
    "check",
    [
      targetReport([
        seqReport("public.users_id_seq", "behind"),
        seqReport('"Weird Schema"."Mixed Case_Id_seq"', "skipped"),
      ]),
    ],
    ["behind"],
  );
  const action = (w: string[]) => w.map((t) => inWords(t, ACTION_WORDS));
  const cli = (w: string[]) => w.map((t) => inWords(t, CLI_WORDS));

  test("an exclude entry or a schema that matches nothing is named, with the unquoted spelling", async () => {
    const w = action(
      await unmatchedFilters(report, {
        schemas: [],
        exclude: ["public.users_id_seq", '"Weird Schema".*', "Weird Schema.*", "audit.*"],
      }),
    );
    assert.equal(w.length, 2, w.join("\n"));
    assert.match(w[0] ?? "", /the exclude entry ""Weird Schema"\.\*" matches no sequence in app/);
    assert.match(w[0] ?? "", /write Weird Schema\.\* instead/);
    assert.match(w[1] ?? "", /the exclude entry "audit\.\*" matches no sequence/);
    const s = action(await unmatchedFilters(report, { schemas: ["billing"], exclude: [] }));
    assert.equal(s.length, 1);
    assert.match(
      s[0] ?? "",
      /the schemas entry "billing" names no schema with sequences in app, so no sequence was checked/,
    );
    assert.deepEqual(
      await unmatchedFilters(report, { schemas: ["public", "Weird Schema"], exclude: [] }),
      [],
    );
  });

  test("no warning when nothing could be verified (the error says why)", async () => {
    const failed = buildReport("check", [targetReport([], { error: "could not restore" })], ["behind"]);
    assert.deepEqual(await unmatchedFilters(failed, { schemas: ["x"], exclude: ["y"] }), []);
  });

  test("each front end names the filter in its own words", async () => {
    const [c] = cli(await unmatchedFilters(report, { schemas: ['"Weird Schema"'], exclude: [] }));
    assert.match(c ?? "", /^--schema ""Weird Schema"" names no schema with sequences in app/);
    assert.match(c ?? "", /write Weird Schema instead/);
    assert.doesNotMatch(c ?? "", /input|entry/);
    const [a] = action(await unmatchedFilters(report, { schemas: ["nosuch"], exclude: [] }));
    assert.match(a ?? "", /^the schemas entry "nosuch"/);
  });

  test("filters that leave nothing to verify in a database with sequences are a usage error; none at all is not", async () => {
    const excluded = buildReport(
      "check",
      [targetReport([{ ...seqReport("public.a_seq", "skipped"), skip_reason: "excluded" }])],
      ["behind"],
    );
    assert.throws(
      () => checkFiltersLeftSomething(excluded, { schemas: ["nosuch"], exclude: [] }),
      (e: Error & { exitCode?: number; targets?: unknown[] }) =>
        e.exitCode === 2 &&
        e.targets?.length === 1 &&
        /the filters \(--schema "nosuch"\) leave none of the 1 sequence of app/.test(
          inWords(e.message, CLI_WORDS),
        ),
    );
    assert.throws(
      () => checkFiltersLeftSomething(excluded, { schemas: [], exclude: ["*.*"] }),
      (e: Error) => /the filters \(the exclude entry "\*\.\*"\)/.test(inWords(e.message, ACTION_WORDS)),
    );
    // The same database, filters that keep one sequence: fine. A database without sequences: nothing to say.
    checkFiltersLeftSomething(report, { schemas: ["public"], exclude: [] });
    const empty = buildReport("check", [targetReport([])], ["behind"]);
    checkFiltersLeftSomething(empty, { schemas: ["nosuch"], exclude: [] });
  });
});
