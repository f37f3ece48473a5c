// The Action's Markdown: odd names never break the table or ping anyone, problems come first, and every output
// stays under GitHub's limits with an explicit note when rows were left out.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { buildReport } from "../src/core/report.ts";
import type { Report, SequenceReport } from "../src/core/types.ts";
import {
  COMMENT_MAX_BYTES,
  code,
  type Outcome,
  renderMarkdown,
  row,
  SUMMARY_MAX_BYTES,
  text,
} from "../src/render/markdown.ts";
import { seqReport, targetReport } from "./report-fixtures.ts";

const seq = seqReport;
const target = targetReport;

function outcome(report: Report, over: Partial<Outcome> = {}): Outcome {
  const violations = report.targets.flatMap((t) => t.sequences).filter((s) => s.status === "behind").length;
  return {
    mode: "check",
    failOn: ["behind", "exhausted", "error"],
    status: violations > 0 ? "violations" : "ok",
    violations,
    report,
    fatal: null,
    ...over,
  };
}

/** Cells of a GFM table row: split on pipes that are not escaped (GFM treats every \| as an escaped pipe). */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/);
}

const ODD_NAMES = [
  '"Weird Schema"."Mixed Case_Id_seq"',
  `public."it's.a ""seq"""`,
  'public."pipe|in|name"',
  'public."back`tick``s"',
  'public."new\nline"',
  'public."<script>alert(1)</script>"',
  'public."@octocat_seq"',
  'public."**bold** _it_ [link](http://x)"',
  'public."ünïcødé_ïd_seq"',
  'public."trailing\\"',
];

describe("escaping", () => {
  test("every odd name gives a row of exactly six cells, on one line", () => {
    for (const name of ODD_NAMES) {
      const line = row(
        seq(name, "behind", {
          columns: [{ table: name, column: `c|${name}`, type: "integer", max: "5", min: "1" }],
        }),
      );
      assert.equal(line.includes("\n"), false, `${name}: one line`);
      assert.equal(cells(line).length, 6, `${name}: six cells in ${line}`);
    }
  });

  test("code spans keep the name literal: fences longer than any backtick run, pipes escaped", () => {
    assert.equal(code("public.users_id_seq"), "`public.users_id_seq`");
    assert.equal(code('public."back`tick``s"'), '```public."back`tick``s"```');
    assert.equal(code("`x`"), "`` `x` ``");
    assert.equal(code("a|b"), "`a\\|b`");
    assert.equal(code("a\nb"), "`a\\nb`");
  });

  test("prose is escaped: no HTML, no emphasis, no mention, no link", () => {
    const t = text("<b>*x*</b> @octocat #12 http://evil [a](b) a|b");
    assert.doesNotMatch(t, /<b>/);
    assert.match(t, /\\<b\\>/);
    assert.match(t, /\\\*x\\\*/);
    assert.doesNotMatch(t, /@octocat/, "the mention is broken");
    assert.doesNotMatch(t, /#12/, "the issue reference is broken");
    assert.doesNotMatch(t, /http:\/\//, "no autolink");
    assert.match(t, /\\\[a\\\]\(b\)/);
    assert.match(t, /a\\\|b/);
  });

  test("property: any name keeps the row at six cells and never opens raw HTML", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), fc.string({ maxLength: 40 }), (name, col) => {
        const r = seq(name, "behind", {
          reason: name,
          columns: [{ table: name, column: col, type: "integer", max: "9", min: "1" }],
        });
        const line = row(r);
        assert.equal(line.includes("\n"), false);
        assert.equal(cells(line).length, 6);
        // Outside code spans only our own <br> may appear as a tag.
        const prose = line.replace(/(`+).*?\1/g, "");
        assert.doesNotMatch(prose.replaceAll("<br>", ""), /<[a-z/!]/i);
      }),
      { numRuns: 300 },
    );
  });
});

describe("rendering", () => {
  const sequences = [
    seq("public.ok_seq", "ok", { next_value: "5" }),
    seq("public.users_id_seq", "behind"),
    seq("public.tiny_id_seq", "exhausted", { reason: "exhausted: next value 32768 lies beyond 32767" }),
    seq("public.lonely", "skipped", { reason: "feeds no column", columns: [] }),
    seq("public.nearly", "ok", {
      warnings: [{ code: "near_exhaustion", message: "93.1% of the range is used" }],
      headroom: { used_pct: 93.1, remaining: "147483647" },
    }),
  ];
  const report = buildReport("check", [target(sequences)], ["behind", "exhausted", "error"]);

  test("problems first in a table, ok and skipped folded in <details>, counts per status", () => {
    const md = renderMarkdown(outcome(report), { maxBytes: SUMMARY_MAX_BYTES, place: "summary" });
    assert.match(md, /^## ❌ seq-guard: 1 sequence fails the check/m);
    // Near exhaustion has a count of its own: its row is among the problems, not among the folded ok ones.
    assert.match(
      md,
      /\*\*1 behind\*\* · \*\*1 exhausted\*\* · \*\*1 near exhaustion\*\* · 1 ok · 1 skipped \(5 sequences\)/,
    );
    assert.match(md, /\| status \| sequence \| columns \| max \| next value \| fix \|/);
    const details = md.indexOf("<details>");
    assert.ok(details > 0);
    for (const name of ["users_id_seq", "tiny_id_seq", "nearly"]) {
      assert.ok(md.indexOf(name) < details, `${name} is listed among the problems`);
    }
    for (const name of ["ok_seq", "lonely"]) assert.ok(md.indexOf(name) > details, `${name} is folded`);
    assert.match(md, /<summary>1 ok, 1 skipped<\/summary>/);
    assert.match(md, /`SELECT setval\('public.users_id_seq', 200, true\);`/);
    assert.match(md, /⚠️ ok, near exhaustion \(93.1% used\)/);
    assert.doesNotMatch(md, /Shortened/);
  });

  test("a restored dump shows its format, database, restore time and hints", () => {
    const t = target([seq("public.a_seq", "behind")], {
      dump: "fixtures/app.sql",
      format: "plain",
      database: "app_fixture",
      restore_ms: 1234,
      hints: ["the dump was made by pg_dump 17; restore tools are 15"],
    });
    const md = renderMarkdown(outcome(buildReport("check", [t], ["behind"])), {
      maxBytes: SUMMARY_MAX_BYTES,
      place: "summary",
    });
    assert.match(md, /### `fixtures\/app.sql` \(plain SQL\), restored into `app_fixture` in 1.2 s/);
    assert.match(md, /- 💡 the dump was made by pg\\_dump 17; restore tools are 15/);
  });

  test("a dump that could not be restored is not called restored into a database", () => {
    const t = target([], {
      dump: "fixtures/garbage.dump",
      format: "custom",
      database: "seq_guard_garbage",
      error: "pg_restore: did not find magic string",
    });
    const md = renderMarkdown(
      { ...outcome(buildReport("check", [t], ["behind"])), status: "error" },
      { maxBytes: SUMMARY_MAX_BYTES, place: "summary" },
    );
    assert.match(md, /### `fixtures\/garbage.dump` \(custom archive\) could not be restored\n/);
    assert.doesNotMatch(md, /restored into|seq_guard_garbage/);
  });

  test("findings that fail-on lets pass are never under an all-good headline", () => {
    const lenient = buildReport("check", [target(sequences)], ["exhausted"]);
    const md = renderMarkdown(outcome(lenient, { failOn: ["exhausted"], status: "ok", violations: 0 }), {
      maxBytes: SUMMARY_MAX_BYTES,
      place: "summary",
    });
    assert.doesNotMatch(md, /every sequence is ahead/);
    assert.match(
      md,
      /^## ✅ seq-guard: nothing fails the check \(fail-on: exhausted\); 3 findings are listed below$/m,
    );
    const none = renderMarkdown(outcome(lenient, { failOn: [], status: "ok", violations: 0 }), {
      maxBytes: SUMMARY_MAX_BYTES,
      place: "summary",
    });
    assert.match(none, /nothing fails the check \(fail-on: none\)/);
    // Only a near-exhaustion warning: every sequence is ahead of its data, and that is what it says.
    const near = buildReport("check", [target([sequences[0], sequences[4]] as SequenceReport[])], ["behind"]);
    assert.match(
      renderMarkdown(outcome(near), { maxBytes: SUMMARY_MAX_BYTES, place: "summary" }),
      /✅ seq-guard: every sequence is ahead of its data/,
    );
  });

  test("all good, fixed and fatal states each say so", () => {
    const ok = buildReport("check", [target([seq("public.a", "ok")])], ["behind"]);
    assert.match(
      renderMarkdown(outcome(ok), { maxBytes: 5000, place: "comment" }),
      /✅ seq-guard: every sequence/,
    );
    const fixed = buildReport(
      "fix",
      [target([seq("public.a", "fixed", { fixed_next_value: "201", reason: "advanced from 1 to 201" })])],
      ["behind"],
    );
    const fmd = renderMarkdown(outcome(fixed, { mode: "fix", status: "fixed" }), {
      maxBytes: 5000,
      place: "comment",
    });
    assert.match(fmd, /🔧 seq-guard fixed 1 sequence/);
    assert.match(fmd, /1 → \*\*201\*\*/);
    const fatal = renderMarkdown(
      {
        mode: "check",
        failOn: [],
        status: "error",
        violations: 0,
        report: null,
        fatal: "could not connect to <db>",
      },
      { maxBytes: 5000, place: "summary" },
    );
    assert.match(fatal, /could not finish/);
    assert.match(fatal, /could not connect to \\<db\\>/);
  });

  test("the header (the comment's hidden marker) comes first, verbatim", () => {
    const md = renderMarkdown(outcome(report), {
      maxBytes: COMMENT_MAX_BYTES,
      place: "comment",
      header: "<!-- seq-guard:comment x -->",
    });
    assert.ok(md.startsWith("<!-- seq-guard:comment x -->\n"));
  });
});

describe("secrets", () => {
  const behind = seq("public.orders_id_seq", "behind", {
    columns: [{ table: "public.orders", column: "id", type: "integer", max: "200", min: null }],
    reason: "next value 1 <= 200 in public.orders",
  });
  const t = target([behind, seq("public.ok_seq", "ok", { next_value: "11" })], {
    dump: "fixtures/orders.sql",
    format: "plain",
    database: "orders_db",
    restore_ms: 5,
    hints: ["orders.sql inserts rows"],
  });
  const report = buildReport("check", [t], ["behind"]);

  test("a secret is masked where it stands on its own, not inside a longer name; the report itself is not changed", () => {
    const md = renderMarkdown(outcome(report), {
      maxBytes: SUMMARY_MAX_BYTES,
      place: "summary",
      secrets: ["orders"],
    });
    assert.match(md, /### `fixtures\/\*\*\*.sql` \(plain SQL\), restored into `orders_db`/);
    assert.match(md, /`public\.\*\*\*\.id`/);
    assert.match(md, /\\\*\\\*\\\*\.sql inserts rows/);
    // Inside a longer word the secret is part of that word (core/redact.ts, maskWhole): the name stays whole.
    assert.match(md, /`public\.orders_id_seq`/);
    assert.match(md, /`SELECT setval\('public\.orders_id_seq', 200, true\);`/);
    assert.equal(behind.sequence, "public.orders_id_seq");
    // Without secrets the same rows render in full (the row cache is per set of secrets).
    assert.match(
      renderMarkdown(outcome(report), { maxBytes: SUMMARY_MAX_BYTES, place: "summary" }),
      /`public\.orders\.id`/,
    );
  });

  test("a one-character secret: values are masked, our own words and counts are not, and the budget holds", () => {
    const md = renderMarkdown(outcome(report), {
      maxBytes: SUMMARY_MAX_BYTES,
      place: "summary",
      secrets: ["1"],
    });
    assert.match(md, /^## ❌ seq-guard: 1 sequence fails the check$/m);
    assert.match(md, /\*\*1 behind\*\* · 1 ok \(2 sequences\)/);
    // "1" on its own is masked; inside "11" it is part of a longer word.
    assert.match(md, /\| `public.orders_id_seq` \| `public.orders.id` \| 200 \| \*\*\* \|/);
    assert.match(md, /\| `public.ok_seq` \| `public.users.id` \| 200 \| 11 \|/);
    // Masking makes text longer ("1" -> "***"): it happens before the size search, so the limit still holds.
    const many = buildReport(
      "check",
      [target(Array.from({ length: 3000 }, (_, i) => seq(`public.s1_${i}_111111111111`, "behind")))],
      ["behind"],
    );
    const big = renderMarkdown(outcome(many), {
      maxBytes: COMMENT_MAX_BYTES,
      place: "comment",
      secrets: ["1"],
    });
    assert.ok(Buffer.byteLength(big) <= COMMENT_MAX_BYTES, `${Buffer.byteLength(big)} bytes`);
    assert.match(big, /Shortened to fit/);
  });
});

describe("truncation", () => {
  function big(nBehind: number, nOk: number): Report {
    const seqs: SequenceReport[] = [];
    const long = "x".repeat(50);
    for (let i = 0; i < nBehind; i++) seqs.push(seq(`public."behind_${i}_${long}"`, "behind"));
    for (let i = 0; i < nOk; i++) seqs.push(seq(`public."ok_${i}_${long}"`, "ok"));
    return buildReport("check", [target(seqs)], ["behind"]);
  }

  test("a comment stays under 65,536 characters, keeps problems before ok rows, and says what it left out", () => {
    const report = big(150, 3000);
    const md = renderMarkdown(outcome(report), {
      maxBytes: COMMENT_MAX_BYTES,
      place: "comment",
      header: "<!-- m -->",
    });
    assert.ok(Buffer.byteLength(md) <= COMMENT_MAX_BYTES, `${Buffer.byteLength(md)} bytes`);
    assert.ok(md.length < 65_536);
    const shown = (md.match(/^\| .* \|$/gm) ?? []).filter((l) => !l.startsWith("| status")).length;
    const m =
      /Shortened to fit GitHub's limit of 65,536 characters for a comment: ([\d,]+) rows of 3,150 not shown/.exec(
        md,
      );
    assert.ok(m, "explicit note");
    assert.equal(
      Number((m[1] as string).replaceAll(",", "")) + shown,
      3150,
      "the note counts exactly what is missing",
    );
    // Every behind row fits before any ok row is shown.
    assert.equal((md.match(/^\| ❌ behind \| `public."behind_/gm) ?? []).length, 150);
    assert.ok(md.startsWith("<!-- m -->"), "the marker survives truncation");
    assert.match(md, /<sub>mode `check`/, "the footer survives truncation");
  });

  test("the note names the report-json file only when one is written", () => {
    const without = renderMarkdown(outcome(big(150, 3000)), {
      maxBytes: COMMENT_MAX_BYTES,
      place: "comment",
    });
    assert.match(without, /The full list is in the job summary of the workflow run\.$/m);
    assert.doesNotMatch(without, /report-json/);
    const withFile = renderMarkdown(outcome(big(150, 3000)), {
      maxBytes: SUMMARY_MAX_BYTES / 20,
      place: "summary",
      reportJson: "out/seq-guard.json",
    });
    assert.match(
      withFile,
      /The full list is in the step's log and in the report-json file `out\/seq-guard.json`\.$/m,
    );
  });

  test("problems themselves are cut when there are too many, with the note", () => {
    const md = renderMarkdown(outcome(big(3000, 10)), { maxBytes: COMMENT_MAX_BYTES, place: "comment" });
    assert.ok(Buffer.byteLength(md) <= COMMENT_MAX_BYTES);
    assert.match(md, /Shortened to fit/);
    assert.doesNotMatch(md, /ok_\d+_/, "no ok row while problems are missing");
    // Never a half row: every table line is a whole row of six cells.
    for (const l of md.split("\n").filter((x) => x.startsWith("| ") && !x.startsWith("| status"))) {
      assert.equal(cells(l).length, 6);
    }
  });

  test("the job summary stays under 1 MiB for a huge database", () => {
    const md = renderMarkdown(outcome(big(20, 12_000)), { maxBytes: SUMMARY_MAX_BYTES, place: "summary" });
    assert.ok(Buffer.byteLength(md) <= SUMMARY_MAX_BYTES);
    assert.ok(Buffer.byteLength(md) > SUMMARY_MAX_BYTES * 0.9, "it uses the room it has");
    assert.match(md, /Shortened to fit GitHub's limit of 1 MiB for a job summary/);
    assert.match(md, /<\/details>/, "the folded block is closed");
  });

  test("a huge error message is clipped, never over the limit", () => {
    const md = renderMarkdown(
      {
        mode: "check",
        failOn: [],
        status: "error",
        violations: 0,
        report: null,
        fatal: "pg_restore: ".repeat(20_000),
      },
      { maxBytes: 4000, place: "comment" },
    );
    assert.ok(Buffer.byteLength(md) <= 4000, `${Buffer.byteLength(md)}`);
  });
});
