// Annotations: the most important first, never more than the runner keeps (10 per type per step), the last one
// counting the rest; plain SQL fixtures get the line where the table's data begins.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildReport } from "../src/core/report.ts";
import { parseQualifiedName } from "../src/core/sql-names.ts";
import type { SequenceReport } from "../src/core/types.ts";
import {
  candidates,
  PER_TYPE_LIMIT,
  planAnnotations,
  TableDataLocator,
  tableOf,
} from "../src/render/annotations.ts";
import { seqReport, targetReport } from "./report-fixtures.ts";

const seq = seqReport;
const target = targetReport;

const FAIL_ON = ["behind", "exhausted", "error"] as const;

function many(n: number, status: "behind" | "fixed"): SequenceReport[] {
  return Array.from({ length: n }, (_, i) =>
    seq(
      `public.s${String(i).padStart(3, "0")}`,
      status,
      status === "fixed" ? { reason: "advanced from 1 to 9" } : {},
    ),
  );
}

describe("choosing annotations", () => {
  test("an error per violation, a warning per fix and per near-exhaustion, each with a title", () => {
    const report = buildReport(
      "fix",
      [
        target([
          seq("public.a_seq", "behind"),
          seq("public.b_seq", "fixed", { reason: "advanced from 1 to 201" }),
          seq("public.c_seq", "ok", { warnings: [{ code: "near_exhaustion", message: "91% used" }] }),
          seq("public.d_seq", "ok"),
          seq("public.e_seq", "skipped"),
        ]),
      ],
      [...FAIL_ON],
    );
    const got = planAnnotations({ report, mode: "fix", failOn: [...FAIL_ON] });
    assert.deepEqual(
      got.map((a) => [a.level, a.title]),
      [
        ["error", "seq-guard: public.a_seq is behind"],
        ["warning", "seq-guard: public.c_seq is near exhaustion"],
        ["warning", "seq-guard: fixed public.b_seq"],
      ],
    );
    assert.match(got[0]?.message ?? "", /Fix: SELECT setval/);
  });

  test("with more fixes than warning slots, a near-exhaustion warning (work to do) is kept before the fixes", () => {
    const near = seq("public.zz_near", "ok", {
      warnings: [{ code: "near_exhaustion", message: "91% used" }],
    });
    const report = buildReport("fix", [target([...many(12, "fixed"), near])], [...FAIL_ON]);
    const got = planAnnotations({ report, mode: "fix", failOn: [...FAIL_ON], reserved: { warning: 1 } });
    const warnings = got.filter((a) => a.level === "warning");
    assert.equal(warnings[0]?.title, "seq-guard: public.zz_near is near exhaustion");
    assert.match(warnings.at(-1)?.title ?? "", /5 more warnings not shown/);
  });

  test("near-exhaustion is an error when fail-on names it", () => {
    const report = buildReport(
      "check",
      [target([seq("public.c_seq", "ok", { warnings: [{ code: "near_exhaustion", message: "91% used" }] })])],
      ["near-exhaustion"],
    );
    const got = planAnnotations({ report, mode: "check", failOn: ["near-exhaustion"] });
    assert.deepEqual(
      got.map((a) => [a.level, a.title]),
      [["error", "seq-guard: public.c_seq is near exhaustion"]],
    );
  });

  test("report mode never fails: what would fail a check is a warning", () => {
    const report = buildReport("report", [target([seq("public.a_seq", "behind")])], []);
    const got = planAnnotations({ report, mode: "report", failOn: [...FAIL_ON] });
    assert.deepEqual(
      got.map((a) => a.level),
      ["warning"],
    );
  });

  test("most important first: a target error, then exhausted, error, behind", () => {
    const report = buildReport(
      "check",
      [
        target([seq("public.b", "behind"), seq("public.e", "error", { reason: "permission denied" })]),
        target([seq("public.x", "exhausted", { reason: "exhausted" })], { dump: "d.sql", format: "plain" }),
        target([], { dump: "broken.dump", format: "custom", error: "pg_restore failed" }),
      ],
      [...FAIL_ON],
    );
    const got = planAnnotations({ report, mode: "check", failOn: [...FAIL_ON] });
    assert.deepEqual(
      got.map((a) => a.title),
      [
        "seq-guard: broken.dump could not be restored",
        "seq-guard: public.e is error",
        "seq-guard: public.x is exhausted",
        "seq-guard: public.b is behind",
      ],
    );
  });

  test("never more than 10 of a type: the last one counts the rest and points to the summary", () => {
    const report = buildReport("fix", [target([...many(25, "behind"), ...many(14, "fixed")])], [...FAIL_ON]);
    const input = { report, mode: "fix" as const, failOn: [...FAIL_ON] };
    assert.equal(candidates(input).length, 39);
    const got = planAnnotations({ ...input, reserved: { error: 1, warning: 1 } });
    const errors = got.filter((a) => a.level === "error");
    const warnings = got.filter((a) => a.level === "warning");
    // One error slot is kept for core.setFailed, one warning slot for a read-only token.
    assert.equal(errors.length, PER_TYPE_LIMIT - 1);
    assert.equal(warnings.length, PER_TYPE_LIMIT - 1);
    assert.match(errors.at(-1)?.title ?? "", /17 more errors not shown/);
    assert.match(errors.at(-1)?.message ?? "", /job summary/);
    assert.match(warnings.at(-1)?.title ?? "", /6 more warnings not shown/);
    // The ones shown are the first ones, in order.
    assert.deepEqual(
      errors.slice(0, 3).map((a) => a.title),
      [
        "seq-guard: public.s000 is behind",
        "seq-guard: public.s001 is behind",
        "seq-guard: public.s002 is behind",
      ],
    );
  });

  test("exactly at the limit: all shown, no counting annotation", () => {
    const report = buildReport("check", [target(many(10, "behind"))], [...FAIL_ON]);
    const got = planAnnotations({ report, mode: "check", failOn: [...FAIL_ON] });
    assert.equal(got.length, 10);
    assert.ok(got.every((a) => !a.title.includes("not shown")));
  });

  test("locate puts the annotation on the fixture's file and line", () => {
    const t = target([seq("public.users_id_seq", "behind")], { dump: "fixtures/app.sql", format: "plain" });
    const report = buildReport("check", [t], [...FAIL_ON]);
    const got = planAnnotations({
      report,
      mode: "check",
      failOn: [...FAIL_ON],
      locate: (_t, s) => (s ? { file: "fixtures/app.sql", line: 42 } : { file: "fixtures/app.sql" }),
    });
    assert.equal(got[0]?.file, "fixtures/app.sql");
    assert.equal(got[0]?.startLine, 42);
  });
});

describe("where a table's data begins in plain SQL", () => {
  test("names parse the way the server reads them", () => {
    assert.deepEqual(parseQualifiedName('public."Order Items" (id)')?.parts, ["public", "Order Items"]);
    assert.deepEqual(parseQualifiedName("Users VALUES")?.parts, ["users"]);
    assert.deepEqual(parseQualifiedName('"it\'s.a ""t""".x')?.parts, ['it\'s.a "t"', "x"]);
    assert.equal(parseQualifiedName("(select"), null);
  });

  test("COPY and INSERT lines, qualified or not, quoted or not; COPY data never counts", () => {
    const script = [
      "SET search_path = public;", // 1
      "CREATE TABLE users (id serial);", // 2
      "COPY public.orders (id) FROM stdin;", // 3
      "INSERT INTO users VALUES (1)", // 4  <- data inside COPY: not a statement
      "\\.", // 5
      "insert into Users (id) values (7);", // 6
      'COPY "Weird Schema"."Order Items" ("select") FROM stdin;', // 7
      "3", // 8
      "\\.", // 9
      "INSERT INTO public.orders VALUES (2);", // 10
      'CREATE TABLE "Order | Items" (id serial); insert into "Order | Items" VALUES (9);', // 11
    ];
    const loc = new TableDataLocator([
      "public.users",
      "public.orders",
      '"Weird Schema"."Order Items"',
      'public."Order | Items"',
      "public.never",
    ]);
    script.forEach((l, i) => {
      loc.feed(l, i + 1);
    });
    assert.equal(loc.lines.get("public.users"), 6);
    assert.equal(loc.lines.get("public.orders"), 3);
    assert.equal(loc.lines.get('"Weird Schema"."Order Items"'), 7);
    assert.equal(loc.lines.get('public."Order | Items"'), 11, "after a semicolon on the same line");
    assert.equal(loc.lines.has("public.never"), false);
    assert.equal(loc.done, false);
  });

  test("the table of a sequence is the one holding the colliding value", () => {
    const r = seq("public.shared", "behind", {
      max: "17",
      columns: [
        { table: "public.invoices", column: "id", type: "bigint", max: "5", min: "5" },
        { table: "billing.credits", column: "id", type: "bigint", max: "17", min: "17" },
      ],
    });
    assert.equal(tableOf(r), "billing.credits");
    assert.equal(tableOf(seq("public.x", "ok")), "public.users");
  });
});
