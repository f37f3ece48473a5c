// The check run: every finding as an annotation beyond the runner's 10 per kind, sent 50 per request as the Checks
// API takes them. The planning (pure) on its own; then the built Action against the embedded PostgreSQL and the
// loopback fake of the API, which holds each request to the Checks API's contract (422 otherwise).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Annotation } from "../src/render/annotations.ts";
import {
  ANNOTATIONS_PER_REQUEST,
  checkRunName,
  clipOutput,
  conclusionOf,
  headShaOf,
  OUTPUT_MAX_CHARS,
  planCheckRun,
  toCheckAnnotations,
  workflowPath,
} from "../src/render/check-run.ts";
import {
  type FakeCheckAnnotation,
  FakeGitHub,
  HEAD_SHA,
  MERGE_SHA,
  OWNER,
  REPO,
  type RecordedRequest,
  runAction,
  TOKEN,
} from "./fake-github.ts";
import { adminUrl } from "./helpers.ts";

const SHA = "a".repeat(40);

function findings(n: number): Annotation[] {
  return Array.from({ length: n }, (_, i) => ({
    level: i % 3 === 0 ? "warning" : "error",
    title: `seq-guard: public.t${i}_id_seq is behind`,
    message: `behind. Fix: SELECT setval('public.t${i}_id_seq', 5, true);`,
    file: "fixtures/x.sql",
    startLine: i + 1,
  }));
}

describe("planning a check run", () => {
  test("50 annotations per request: create with the first 50, an update per further 50, title and summary kept", () => {
    const sizes = (n: number) => {
      const p = planCheckRun({
        name: "seq-guard",
        headSha: SHA,
        conclusion: "failure",
        markdown: "## ❌ seq-guard: n sequences fail the check\n\ntable\n",
        annotations: toCheckAnnotations(findings(n), ".github"),
      });
      for (const u of p.updates) {
        assert.equal(u.output.title, p.create.output.title);
        assert.equal(u.output.summary, p.create.output.summary);
      }
      return [p.create.output.annotations?.length ?? 0, ...p.updates.map((u) => u.output.annotations.length)];
    };
    assert.deepEqual(sizes(0), [0]);
    assert.deepEqual(sizes(30), [30]);
    assert.deepEqual(sizes(50), [50]);
    assert.deepEqual(sizes(51), [50, 1]);
    assert.deepEqual(sizes(120), [50, 50, 20]);
    assert.equal(ANNOTATIONS_PER_REQUEST, 50);
  });

  test("create request: completed with the conclusion, the headline as title, no annotations key when none", () => {
    const p = planCheckRun({
      name: "seq-guard (pg16)",
      headSha: SHA,
      conclusion: "neutral",
      markdown: "## ⚠️ seq-guard: 2 sequences fail the check\n\nbody\n",
      annotations: [],
    });
    assert.deepEqual(p.create, {
      name: "seq-guard (pg16)",
      head_sha: SHA,
      status: "completed",
      conclusion: "neutral",
      output: {
        title: "⚠️ seq-guard: 2 sequences fail the check",
        summary: "## ⚠️ seq-guard: 2 sequences fail the check\n\nbody\n",
      },
    });
    assert.deepEqual(p.updates, []);
  });

  test("annotations: error → failure, warning → warning; a file-less one on line 1 of the workflow file", () => {
    const out = toCheckAnnotations(
      [
        { level: "error", title: "t1", message: "m1", file: "fixtures/a.sql", startLine: 12 },
        { level: "warning", title: "t2", message: "m2", file: "fixtures/b.dump" },
        { level: "error", title: "t3", message: "m3" },
      ],
      workflowPath(`${OWNER}/${REPO}/.github/workflows/ci.yml@refs/pull/7/merge`),
    );
    assert.deepEqual(out, [
      {
        path: "fixtures/a.sql",
        start_line: 12,
        end_line: 12,
        annotation_level: "failure",
        message: "m1",
        title: "t1",
      },
      {
        path: "fixtures/b.dump",
        start_line: 1,
        end_line: 1,
        annotation_level: "warning",
        message: "m2",
        title: "t2",
      },
      {
        path: ".github/workflows/ci.yml",
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        message: "m3",
        title: "t3",
      },
    ]);
    assert.equal(workflowPath(undefined), ".github");
    const long = toCheckAnnotations([{ level: "error", title: "x".repeat(400), message: "m" }], ".github");
    assert.equal([...(long[0]?.title ?? "")].length, 255);
  });

  test("conclusion follows the mode; the name carries the comment key; the head commit of a pull request", () => {
    assert.equal(conclusionOf("check", true), "failure");
    assert.equal(conclusionOf("check", false), "success");
    assert.equal(conclusionOf("fix", false), "success");
    assert.equal(conclusionOf("fix", true), "failure");
    assert.equal(conclusionOf("report", false), "neutral");
    assert.equal(
      conclusionOf("report", true),
      "failure",
      "a dump that cannot be restored fails report mode too",
    );
    assert.equal(checkRunName(""), "seq-guard");
    assert.equal(checkRunName("pg16"), "seq-guard (pg16)");
    assert.equal(checkRunName("a\nb"), "seq-guard (a\\nb)");
    const payload = { pull_request: { head: { sha: HEAD_SHA } } };
    assert.equal(headShaOf("pull_request", payload, MERGE_SHA), HEAD_SHA);
    assert.equal(headShaOf("pull_request_target", payload, MERGE_SHA), HEAD_SHA);
    assert.equal(headShaOf("push", {}, MERGE_SHA), MERGE_SHA);
    assert.equal(headShaOf("schedule", {}, undefined), null);
  });

  test("the summary stays within 65,535 characters, never half a surrogate pair", () => {
    const huge = `## t\n${"🔧 row\n".repeat(20_000)}`;
    const out = clipOutput(huge);
    assert.ok(out.length <= OUTPUT_MAX_CHARS, String(out.length));
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(out), "no lone high surrogate");
    assert.equal(clipOutput("short"), "short");
  });
});

describe("the fake holds requests to the Checks API's contract", () => {
  let api: FakeGitHub;
  before(async () => {
    api = await FakeGitHub.start({ checks: true });
  });
  after(async () => api.close());

  const post = async (body: unknown, path = `/repos/${OWNER}/${REPO}/check-runs`, method = "POST") => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id?: number; message?: string } };
  };
  const ann = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      path: "a.sql",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "failure",
      message: "m",
    }));
  const good = { name: "seq-guard", head_sha: SHA, status: "completed", conclusion: "success" };

  test("422 for 51 annotations, an over-long summary or text, no title, no head_sha, a bad annotation", async () => {
    const out = { title: "t", summary: "s" };
    assert.equal((await post({ ...good, output: { ...out, annotations: ann(51) } })).status, 422);
    assert.equal((await post({ ...good, output: { ...out, summary: "x".repeat(65_536) } })).status, 422);
    assert.equal((await post({ ...good, output: { ...out, text: "x".repeat(65_536) } })).status, 422);
    assert.equal((await post({ ...good, output: { summary: "s" } })).status, 422);
    assert.equal((await post({ ...good, head_sha: undefined, output: out })).status, 422);
    for (const drop of ["path", "start_line", "end_line", "annotation_level", "message"]) {
      const a = { ...ann(1)[0], [drop]: undefined };
      assert.equal((await post({ ...good, output: { ...out, annotations: [a] } })).status, 422, drop);
    }
    assert.equal(api.checkRuns.length, 0);
    const ok = await post({ ...good, output: { ...out, summary: "x".repeat(65_535), annotations: ann(50) } });
    assert.equal(ok.status, 201);
    assert.equal(
      (
        await post(
          { output: { ...out, annotations: ann(51) } },
          `/repos/${OWNER}/${REPO}/check-runs/${ok.body.id}`,
          "PATCH",
        )
      ).status,
      422,
    );
    assert.equal(
      (
        await post(
          { output: { ...out, annotations: ann(50) } },
          `/repos/${OWNER}/${REPO}/check-runs/${ok.body.id}`,
          "PATCH",
        )
      ).status,
      200,
    );
    assert.equal(api.checkRuns[0]?.annotations.length, 100, "an update appends");
  });

  test("403 for a read-only token; 404 without checks: true, as before", async () => {
    const ro = await FakeGitHub.start({ checks: true, readOnly: true });
    const none = await FakeGitHub.start();
    try {
      for (const [f, status] of [
        [ro, 403],
        [none, 404],
      ] as const) {
        const res = await fetch(`${f.url}/repos/${OWNER}/${REPO}/check-runs`, {
          method: "POST",
          body: JSON.stringify({ ...good, output: { title: "t", summary: "s" } }),
        });
        assert.equal(res.status, status);
      }
    } finally {
      await ro.close();
      await none.close();
    }
  });
});

/** A plain SQL fixture with `n` tables whose sequences are behind: the data of table i begins on line `3 + 2i`. */
function behindFixture(n: number): string {
  const lines = ["-- n tables, explicit ids, no setval()"];
  for (let i = 0; i < n; i++) {
    lines.push(`CREATE TABLE t${i} (id serial PRIMARY KEY);`);
    lines.push(`INSERT INTO t${i} (id) VALUES (${i + 5});`);
  }
  return `${lines.join("\n")}\n`;
}

const checkPaths = (reqs: RecordedRequest[]) =>
  reqs
    .filter((r) => r.path.includes("/check-runs"))
    .map((r) => `${r.method} ${r.path.replace(/\d+$/, "ID")} ${r.status}`);

describe("the Action's check run", () => {
  let ws: string;
  before(() => {
    ws = mkdtempSync(join(tmpdir(), "seq-guard-checks-"));
    mkdirSync(join(ws, "fixtures"));
    writeFileSync(join(ws, "fixtures", "thirty.sql"), behindFixture(30));
    writeFileSync(join(ws, "fixtures", "many.sql"), behindFixture(120));
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  const run = (api: FakeGitHub, inputs: Record<string, string>, event?: "pull_request" | "push") =>
    runAction({
      api,
      cwd: ws,
      event,
      inputs: { "database-url": adminUrl(), "keep-database": "false", comment: "never", ...inputs },
    });

  test("30 behind sequences: one check run on the head commit, all 30 annotated in one request, no capped commands", async () => {
    const api = await FakeGitHub.start({ checks: true });
    try {
      const r = await run(api, { dump: "fixtures/thirty.sql" });
      assert.equal(r.code, 1, r.visible);
      assert.equal(r.outputs.violations, "30");
      assert.deepEqual(checkPaths(api.requests), [`POST /repos/${OWNER}/${REPO}/check-runs 201`]);
      assert.equal(api.checkRuns.length, 1);
      const cr = api.checkRuns[0];
      assert.ok(cr);
      assert.equal(cr.name, "seq-guard");
      assert.equal(cr.head_sha, HEAD_SHA, "the pull request's head, not the merge commit");
      assert.notEqual(cr.head_sha, MERGE_SHA);
      assert.equal(cr.status, "completed");
      assert.equal(cr.conclusion, "failure");
      assert.deepEqual(cr.annotationBatches, [30]);
      assert.equal(cr.annotations.length, 30);
      for (let i = 0; i < 30; i++) {
        const a: FakeCheckAnnotation | undefined = cr.annotations.find(
          (x) => x.title === `seq-guard: public.t${i}_id_seq is behind`,
        );
        assert.ok(a, `t${i} annotated`);
        assert.deepEqual(
          { path: a.path, start_line: a.start_line, end_line: a.end_line, level: a.annotation_level },
          { path: "fixtures/thirty.sql", start_line: 3 + 2 * i, end_line: 3 + 2 * i, level: "failure" },
        );
        assert.match(a.message, new RegExp(`setval\\('public.t${i}_id_seq', ${i + 5}, true\\)`));
      }
      // The same Markdown as the job summary, which says where the annotations are.
      assert.match(cr.output.title, /^❌ seq-guard: 30 sequences fail the check/);
      assert.ok(
        r.summary.startsWith(cr.output.summary),
        "the check run's output is the job summary's Markdown",
      );
      assert.match(
        r.summary,
        /Every finding is annotated on \[the check run seq-guard\]\(https:\/\/github\.example\/acme\/shop\/runs\/\d+\)/,
      );
      // No workflow-command annotation repeats them: only core.setFailed's error remains.
      assert.equal(r.annotations.filter((a) => a.props.file).length, 0, JSON.stringify(r.annotations));
      assert.deepEqual(
        r.annotations.map((a) => a.command),
        ["error"],
      );
      assert.match(r.annotations[0]?.message ?? "", /^seq-guard: 30 sequences fail the check/);
      assert.match(r.visible, /check run "seq-guard" created with 30 annotations/);
    } finally {
      await api.close();
    }
  });

  test("120 findings: 1 create and 2 updates of 50, 50 and 20, every one on the check run", async () => {
    const api = await FakeGitHub.start({ checks: true });
    try {
      const r = await run(api, { dump: "fixtures/many.sql", "comment-key": "pg16" });
      assert.equal(r.code, 1, r.visible);
      assert.deepEqual(checkPaths(api.requests), [
        `POST /repos/${OWNER}/${REPO}/check-runs 201`,
        `PATCH /repos/${OWNER}/${REPO}/check-runs/ID 200`,
        `PATCH /repos/${OWNER}/${REPO}/check-runs/ID 200`,
      ]);
      const cr = api.checkRuns[0];
      assert.ok(cr);
      assert.equal(cr.name, "seq-guard (pg16)");
      assert.deepEqual(cr.annotationBatches, [50, 50, 20]);
      assert.equal(new Set(cr.annotations.map((a) => a.title)).size, 120);
      const head = (q: RecordedRequest | undefined) => {
        const o = (q?.body?.output ?? {}) as { title?: string; summary?: string };
        return [o.title, o.summary];
      };
      const create = api.requests.find((q) => q.method === "POST");
      assert.ok(head(create)[0]);
      for (const p of api.requests.filter((q) => q.method === "PATCH"))
        assert.deepEqual(head(p), head(create));
      assert.equal(r.annotations.filter((a) => a.props.file).length, 0);
    } finally {
      await api.close();
    }
  });

  test("conclusion per mode: fix → success (warnings), report → neutral; push: GITHUB_SHA", async () => {
    const api = await FakeGitHub.start({ checks: true });
    try {
      const fixed = await run(api, { dump: "fixtures/thirty.sql", mode: "fix" });
      assert.equal(fixed.code, 0, fixed.visible);
      const report = await run(api, { dump: "fixtures/thirty.sql", mode: "report" }, "push");
      assert.equal(report.code, 0, report.visible);
      const [f, rp] = api.checkRuns;
      assert.equal(f?.conclusion, "success");
      assert.equal(f?.annotations.length, 30);
      assert.ok(f?.annotations.every((a) => a.annotation_level === "warning"));
      assert.equal(rp?.conclusion, "neutral");
      assert.equal(rp?.head_sha, MERGE_SHA, "no pull request: the commit built");
      assert.ok(rp?.annotations.every((a) => a.annotation_level === "warning"));
    } finally {
      await api.close();
    }
  });

  test("a fork's read-only token: workflow-command annotations, exactly one warning; the verdict unchanged", async () => {
    const api = await FakeGitHub.start({ checks: true, readOnly: true });
    try {
      // auto, with the comment: the comment's read-only warning is the one warning; the check run falls back quietly.
      const auto = await run(api, { dump: "fixtures/thirty.sql", comment: "auto" });
      assert.equal(auto.code, 1, auto.visible);
      assert.deepEqual(checkPaths(api.requests), [`POST /repos/${OWNER}/${REPO}/check-runs 403`]);
      const warnings = auto.annotations.filter((a) => a.command === "warning");
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0]?.message ?? "", /pull-requests: write/);
      assert.match(auto.visible, /may not create check runs/);
      const errors = auto.annotations.filter((a) => a.command === "error");
      assert.equal(errors.length, 10, "today's capped workflow commands");
      assert.ok(errors.some((a) => a.props.file === "fixtures/thirty.sql" && a.props.line === "3"));
      assert.doesNotMatch(auto.summary, /annotated on the check run/);
      // always: the one warning says what the check run needs; the job still fails only for the findings.
      const always = await run(api, { dump: "fixtures/thirty.sql", "check-run": "always" });
      assert.equal(always.code, 1);
      const w = always.annotations.filter((a) => a.command === "warning");
      assert.equal(w.length, 1, JSON.stringify(w));
      assert.match(
        w[0]?.message ?? "",
        /check run: the token is read-only here \(HTTP 403: Resource not accessible by integration/,
      );
      assert.match(w[0]?.message ?? "", /checks: write/);
      assert.equal(always.annotations.filter((a) => a.command === "error").length, 10);
      const report = await run(api, { dump: "fixtures/thirty.sql", "check-run": "always", mode: "report" });
      assert.equal(report.code, 0, "a 403 never fails the job");
      assert.equal(api.checkRuns.length, 0);
    } finally {
      await api.close();
    }
  });

  test("check-run: never: no Checks API call, today's annotations", async () => {
    const api = await FakeGitHub.start({ checks: true });
    try {
      const r = await run(api, { dump: "fixtures/thirty.sql", "check-run": "never" });
      assert.equal(r.code, 1);
      assert.deepEqual(api.requests, []);
      assert.equal(r.annotations.filter((a) => a.command === "error").length, 10);
    } finally {
      await api.close();
    }
  });

  test("a bad check-run value is a usage error", async () => {
    const api = await FakeGitHub.start({ checks: true });
    try {
      const r = await run(api, { dump: "fixtures/thirty.sql", "check-run": "sometimes" });
      assert.equal(r.code, 2, r.visible);
      assert.match(r.visible, /input check-run takes auto, always, never/);
    } finally {
      await api.close();
    }
  });
});
