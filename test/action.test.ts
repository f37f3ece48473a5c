// The built Action (dist/index.js) run the way the runner runs it, against the embedded PostgreSQL and a loopback
// fake of the GitHub API: verify the database as it is (no dump). Exit codes per mode, outputs, the job summary,
// annotations, the one pull request comment (created, then updated, never a second), the read-only token, the
// failure issue, and no secret anywhere.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CORPUS_SQL, EXPECTED } from "./corpus.ts";
import { type ActionRun, BOT, FakeGitHub, runAction, TOKEN } from "./fake-github.ts";
import { adminUrl, type ScratchDb, scratchDb, urlFor, withClient } from "./helpers.ts";

const count = (status: string) => Object.values(EXPECTED).filter((e) => e.status === status).length;
const BEHIND = count("behind");
const EXHAUSTED = count("exhausted");
const SKIPPED = count("skipped");
const TOTAL = Object.keys(EXPECTED).length;
const EXHAUSTED_NAMES = Object.entries(EXPECTED)
  .filter(([, e]) => e.status === "exhausted")
  .map(([n]) => n);

function password(): string {
  return decodeURIComponent(new URL(adminUrl()).password);
}

/** No secret anywhere a person or GitHub could see: log, summary, outputs, and every body sent to the API. */
function assertNoSecrets(run: ActionRun, api?: FakeGitHub): void {
  const pw = password();
  assert.ok(pw.length > 8, "the test server has a real password");
  const sent = JSON.stringify(api?.requests.map((r) => r.body) ?? []);
  for (const [where, text] of [
    ["log", run.visible],
    ["summary", run.summary],
    ["outputs", JSON.stringify(run.outputs)],
    ["GitHub requests", sent],
  ] as const) {
    assert.ok(!text.includes(pw), `the password leaks into the ${where}`);
    assert.ok(!text.includes(TOKEN), `the token leaks into the ${where}`);
  }
  // The token is never printed at all, not even in an add-mask command.
  assert.ok(!run.stdout.includes(TOKEN) && !run.stderr.includes(TOKEN));
}

/** The password is registered before anything else is printed. */
function assertMaskedFirst(run: ActionRun): void {
  const lines = run.stdout.split("\n").filter(Boolean);
  const masks = lines.filter((l) => l.startsWith("::add-mask::"));
  assert.ok(
    masks.some((l) => l === `::add-mask::${password()}`),
    "the password is registered with add-mask",
  );
  const firstOther = lines.findIndex((l) => !l.startsWith("::add-mask::"));
  const lastMask = lines.map((l) => l.startsWith("::add-mask::")).lastIndexOf(true);
  assert.ok(lastMask < firstOther, "every add-mask comes before any other line");
}

function assertNoStack(run: ActionRun): void {
  assert.doesNotMatch(run.visible, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");
}

describe("the Action on a live database", () => {
  let api: FakeGitHub;
  let corpus: ScratchDb;
  before(async () => {
    api = await FakeGitHub.start();
    corpus = await scratchDb(CORPUS_SQL);
  });
  after(async () => {
    await api.close();
    await corpus.drop();
  });

  test("check: fails the job, outputs, summary table, annotations, one comment", async () => {
    const run = await runAction({ api, inputs: { "database-url": corpus.url } });
    assert.equal(run.code, 1, run.visible);
    assert.deepEqual(run.outputs, {
      status: "violations",
      violations: String(BEHIND + EXHAUSTED),
      fixed: "0",
      checked: String(TOTAL - SKIPPED),
      database: corpus.name,
      "report-json": "",
    });
    // Summary: problems in a table first, ok ones folded, odd names intact.
    assert.match(run.summary, new RegExp(`## ❌ seq-guard: ${BEHIND + EXHAUSTED} sequences fail the check`));
    assert.match(
      run.summary,
      /\| ❌ behind \| `public.users_id_seq` \| `public.users.id` \| 200 \| 1 \| `SELECT setval\('public.users_id_seq', 200, true\);` \|/,
    );
    assert.match(run.summary, /\| ⛔ exhausted \| `public.small_full_id_seq` \|/);
    assert.match(run.summary, /`"Weird Schema"."Mixed Case_Id_seq"`/);
    assert.match(run.summary, /`public."it's.a ""seq"""`/);
    assert.match(run.summary, new RegExp(`<details><summary>\\d+ ok, ${SKIPPED} skipped</summary>`));
    assert.ok(run.summary.indexOf("users_id_seq") < run.summary.indexOf("<details>"));
    // Annotations: never more than 10 errors, the last kept for the failure itself, one counting the rest.
    const errors = run.annotations.filter((a) => a.command === "error");
    assert.equal(errors.length, 10);
    assert.ok(errors.slice(0, 8).every((a) => a.props.title?.startsWith("seq-guard: ")));
    assert.equal(errors[0]?.props.title, "seq-guard: public.big_on_int is exhausted", "exhausted first");
    assert.match(errors[8]?.props.title ?? "", /^seq-guard: \d+ more errors not shown$/);
    assert.match(errors[9]?.message ?? "", /^seq-guard: \d+ sequences fail the check/);
    // One comment, with the hidden marker, written as the token's bot.
    assert.equal(api.comments.length, 1);
    const c = api.comments[0];
    assert.equal(c?.user.login, BOT);
    assert.match(c?.body ?? "", /^<!-- seq-guard:comment workflow=Fixtures job=sequences key= -->\n\n## ❌/);
    assert.match(c?.body ?? "", /public.users_id_seq/);
    const post = api.requests.find((r) => r.method === "POST");
    assert.equal(post?.path, "/repos/acme/shop/issues/7/comments");
    assert.equal(post?.authorization, `token ${TOKEN}`);
    assert.match(run.visible, /pull request comment created/);
    assertNoSecrets(run, api);
    assertMaskedFirst(run);
    assertNoStack(run);
  });

  test("a re-run updates the same comment in place, never a second one", async () => {
    const before = api.comments[0]?.id;
    const n = api.requests.length;
    const run = await runAction({ api, inputs: { "database-url": corpus.url } });
    assert.equal(run.code, 1);
    assert.equal(api.comments.length, 1, "still one comment");
    // Unchanged body: nothing is written at all.
    const writes = api.requests.slice(n).filter((r) => r.method !== "GET");
    assert.deepEqual(writes, []);
    assert.equal(api.comments[0]?.id, before);
  });

  test("report: never fails on findings, annotations are warnings, the same comment is rewritten", async () => {
    const n = api.requests.length;
    const run = await runAction({ api, inputs: { "database-url": corpus.url, mode: "report" } });
    assert.equal(run.code, 0, run.visible);
    assert.equal(run.outputs.status, "violations");
    assert.equal(run.outputs.violations, String(BEHIND + EXHAUSTED));
    assert.equal(run.annotations.filter((a) => a.command === "error").length, 0);
    assert.equal(run.annotations.filter((a) => a.command === "warning").length, 9);
    assert.match(run.summary, /report mode: the job does not fail/);
    assert.equal(api.comments.length, 1);
    const writes = api.requests.slice(n).filter((r) => r.method !== "GET");
    assert.deepEqual(
      writes.map((r) => `${r.method} ${r.path}`),
      [`PATCH /repos/acme/shop/issues/comments/${api.comments[0]?.id}`],
    );
    assert.match(api.comments[0]?.body ?? "", /report mode/);
  });

  test("report-json is written where asked, without secrets", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seq-guard-json-"));
    try {
      const path = join(dir, "out", "report.json");
      const run = await runAction({
        api,
        inputs: { "database-url": corpus.url, "report-json": path, comment: "never", mode: "report" },
      });
      assert.equal(run.code, 0);
      assert.equal(run.outputs["report-json"], path);
      const text = readFileSync(path, "utf8");
      const report = JSON.parse(text);
      assert.equal(report.version, 1);
      assert.equal(report.summary.behind, BEHIND);
      assert.ok(!text.includes(password()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("fix mode, and the comment down to all good", () => {
  let api: FakeGitHub;
  let db: ScratchDb;
  before(async () => {
    api = await FakeGitHub.start();
    db = await scratchDb(CORPUS_SQL);
  });
  after(async () => {
    await api.close();
    await db.drop();
  });

  test("fix fails only on what stays unfixed (exhausted)", async () => {
    const run = await runAction({ api, inputs: { "database-url": db.url, mode: "fix" } });
    assert.equal(run.code, 1, run.visible);
    assert.equal(run.outputs.status, "violations");
    assert.equal(run.outputs.violations, String(EXHAUSTED));
    assert.equal(run.outputs.fixed, String(BEHIND));
    assert.match(run.summary, /3 sequences fail the check even after fixing/);
    const warnings = run.annotations.filter((a) => a.command === "warning");
    assert.equal(warnings.length, 9, "fixes are warnings, within the limit (one slot kept)");
    // Near exhaustion (work to do) before the fixes (done): the fixes are what is left out.
    assert.equal(warnings[0]?.props.title, "seq-guard: public.nearly is near exhaustion");
    assert.ok(warnings.slice(1, 8).every((w) => w.props.title?.startsWith("seq-guard: fixed ")));
    assert.match(warnings[8]?.props.title ?? "", /^seq-guard: \d+ more warnings not shown$/);
    assert.equal(api.comments.length, 1);
    // The sequences really moved: the next insert works.
    const [row] = await db.query<{ id: number }>("INSERT INTO users (name) VALUES ('new') RETURNING id");
    assert.equal(row?.id, 201);
  });

  test("check with the exhausted ones excluded: ok, exit 0, and the comment says all good", async () => {
    const run = await runAction({
      api,
      inputs: { "database-url": db.url, exclude: EXHAUSTED_NAMES.join("\n") },
    });
    assert.equal(run.code, 0, run.visible);
    assert.equal(run.outputs.status, "ok");
    assert.equal(run.outputs.violations, "0");
    assert.equal(run.annotations.filter((a) => a.command === "error").length, 0);
    assert.equal(api.comments.length, 1, "the one comment, rewritten");
    assert.match(api.comments[0]?.body ?? "", /## ✅ seq-guard: every sequence is ahead of its data/);
    assert.doesNotMatch(api.comments[0]?.body ?? "", /❌/, "no stale finding lingers");
  });

  test("comment auto with nothing to say and no comment yet: nothing is posted", async () => {
    const fresh = await FakeGitHub.start();
    try {
      // public.nearly is near exhaustion: a warning is something to say, so it is left out here.
      const quiet = [...EXHAUSTED_NAMES, "public.nearly"].join("\n");
      const run = await runAction({ api: fresh, inputs: { "database-url": db.url, exclude: quiet } });
      assert.equal(run.code, 0);
      assert.deepEqual(fresh.writes(), []);
      // comment: always posts the all-good table anyway
      const again = await runAction({
        api: fresh,
        inputs: { "database-url": db.url, exclude: quiet, comment: "always" },
      });
      assert.equal(again.code, 0);
      assert.equal(fresh.comments.length, 1);
    } finally {
      await fresh.close();
    }
  });
});

describe("comments are found again by marker, author and key", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb("CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t VALUES (5);");
  });
  after(async () => {
    await db.drop();
  });

  test("past many pages, never someone else's comment with our marker", async () => {
    const api = await FakeGitHub.start();
    try {
      const marker = "<!-- seq-guard:comment workflow=Fixtures job=sequences key= -->";
      for (let i = 0; i < 140; i++) api.addComment(7, `comment ${i}`, { login: "someone", type: "User" });
      const impostor = api.addComment(7, `${marker}\nnot ours`, { login: "mallory", type: "User" });
      const first = await runAction({ api, inputs: { "database-url": db.url } });
      assert.equal(first.code, 1);
      const ours = api.comments.filter((c) => c.user.login === BOT);
      assert.equal(ours.length, 1, "our own comment is created");
      assert.equal(impostor.body, `${marker}\nnot ours`, "the impostor is untouched");
      // The listing was paged (per_page 100), so the re-run finds ours on page 2 and updates it.
      await db.query("INSERT INTO t VALUES (6)");
      const second = await runAction({ api, inputs: { "database-url": db.url } });
      assert.equal(second.code, 1);
      assert.equal(api.comments.filter((c) => c.user.login === BOT).length, 1);
      assert.ok(api.requests.some((r) => r.method === "GET" && r.query.page === "2"));
      assert.ok(
        api.requests.some((r) => r.method === "PATCH" && r.path.endsWith(`/comments/${ours[0]?.id}`)),
      );
      assert.match(ours[0]?.body ?? "", /\| 6 \| 1 \|/, "the updated table shows the new max");
    } finally {
      await api.close();
    }
  });

  test("comment-key tells steps apart: one comment each", async () => {
    const api = await FakeGitHub.start();
    try {
      for (const key of ["pg15", "pg17", "pg15"]) {
        const run = await runAction({ api, inputs: { "database-url": db.url, "comment-key": key } });
        assert.equal(run.code, 1);
      }
      assert.equal(api.comments.length, 2);
      assert.deepEqual(
        api.comments.map((c) => /key=(\w+)/.exec(c.body)?.[1]),
        ["pg15", "pg17"],
      );
    } finally {
      await api.close();
    }
  });

  test("a personal token: comments are matched to its user", async () => {
    const api = await FakeGitHub.start({ personalLogin: "release-bot" });
    try {
      await runAction({ api, inputs: { "database-url": db.url } });
      await runAction({ api, inputs: { "database-url": db.url } });
      assert.equal(api.comments.length, 1);
      assert.equal(api.comments[0]?.user.login, "release-bot");
    } finally {
      await api.close();
    }
  });

  test("a read-only token (fork): a warning that says so, the job's verdict unchanged, no stack trace", async () => {
    const api = await FakeGitHub.start({ readOnly: true });
    try {
      const run = await runAction({ api, inputs: { "database-url": db.url } });
      assert.equal(run.code, 1, "fails for the finding, not for the comment");
      assert.equal(api.comments.length, 0);
      const w = run.annotations.find((a) => a.command === "warning" && /read-only/.test(a.message));
      assert.ok(w, run.visible);
      assert.match(w.message, /HTTP 403/);
      assert.match(w.message, /pull request from a fork/);
      assert.match(w.message, /pull-requests: write/);
      assertNoStack(run);
      assertNoSecrets(run, api);
      const report = await runAction({ api, inputs: { "database-url": db.url, mode: "report" } });
      assert.equal(report.code, 0, "a read-only token never fails the job");
    } finally {
      await api.close();
    }
  });

  test("no pull request (push): no comment, summary only", async () => {
    const api = await FakeGitHub.start();
    try {
      const run = await runAction({ api, event: "push", inputs: { "database-url": db.url } });
      assert.equal(run.code, 1);
      assert.deepEqual(api.requests, []);
      assert.match(run.summary, /seq-guard: 1 sequence fails the check/);
    } finally {
      await api.close();
    }
  });

  test("issue-on-failure (schedule): opened while failing, updated, closed once it passes", async () => {
    const api = await FakeGitHub.start();
    const other = await scratchDb("CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t VALUES (5);");
    try {
      const inputs = { "database-url": other.url, "issue-on-failure": "true" };
      const first = await runAction({ api, event: "schedule", inputs });
      assert.equal(first.code, 1);
      assert.equal(api.issues.length, 1);
      assert.equal(api.issues[0]?.state, "open");
      assert.match(api.issues[0]?.title ?? "", /^seq-guard: sequence check fails \(Fixtures \/ sequences\)$/);
      assert.match(
        api.issues[0]?.body ?? "",
        /^<!-- seq-guard:issue workflow=Fixtures job=sequences key= -->/,
      );
      assert.equal(api.comments.length, 0, "no comment without a pull request");
      const again = await runAction({ api, event: "schedule", inputs });
      assert.equal(again.code, 1);
      assert.equal(api.issues.length, 1, "updated, not a second issue");
      const fixed = await runAction({ api, event: "schedule", inputs: { ...inputs, mode: "fix" } });
      assert.equal(fixed.code, 0, fixed.visible);
      assert.equal(api.issues[0]?.state, "closed");
      assert.equal(api.issues[0]?.state_reason, "completed");
      assert.match(api.issues[0]?.body ?? "", /🔧 seq-guard fixed 1 sequence/);
    } finally {
      await api.close();
      await other.drop();
    }
  });
});

/** A login role with this password (a superuser, so it reads everything); dropped by the returned function. */
async function roleWithPassword(
  password: string,
): Promise<{ url: (db: string) => string; drop: () => Promise<void> }> {
  const role = `sg_pw_${randomBytes(4).toString("hex")}`;
  await withClient(adminUrl(), async (c) => {
    const q = await c.query<{ l: string }>("SELECT quote_literal($1) AS l", [password]);
    await c.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD ${q.rows[0]?.l}`);
  });
  return {
    url: (db) => {
      const u = new URL(urlFor(db));
      u.username = role;
      u.password = encodeURIComponent(password);
      return u.toString();
    },
    drop: () => withClient(adminUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${role}`)).then(() => undefined),
  };
}

describe("passwords that look like data", () => {
  let db: ScratchDb;
  let dir: string;
  before(async () => {
    db = await scratchDb("CREATE TABLE orders (id serial PRIMARY KEY); INSERT INTO orders VALUES (5);");
    dir = mkdtempSync(join(tmpdir(), "seq-guard-pw-"));
  });
  after(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Run check with report-json and a comment as the role with this password. */
  async function runAs(password: string) {
    const role = await roleWithPassword(password);
    const api = await FakeGitHub.start();
    try {
      const path = join(dir, `${randomBytes(3).toString("hex")}.json`);
      const run = await runAction({
        api,
        inputs: { "database-url": role.url(db.name), "report-json": path },
      });
      assert.equal(run.code, 1, run.visible);
      assert.equal(api.comments.length, 1);
      return { run, json: readFileSync(path, "utf8"), comment: api.comments[0]?.body ?? "" };
    } finally {
      await api.close();
      await role.drop();
    }
  }

  test("report-json stays exact whatever the password (1, false, a table's name)", async () => {
    for (const pw of ["1", "false", "orders"]) {
      const { json } = await runAs(pw);
      const report = JSON.parse(json); // never invalid JSON
      assert.equal(report.version, 1, pw);
      assert.equal(report.ok, false, pw);
      const [r] = report.targets[0].sequences;
      assert.equal(r.sequence, "public.orders_id_seq", `${pw}: names are data, not secrets`);
      assert.equal(r.next_value, "1", pw);
      assert.equal(r.max, "5", pw);
      assert.equal(r.is_called, false, pw);
    }
  });

  test("a password that is also a name: masked where it stands on its own, a longer name that holds it stays whole", async () => {
    const { run, comment } = await runAs("orders");
    for (const [where, md] of [
      ["summary", run.summary],
      ["comment", comment],
    ] as const) {
      // "orders" alone (the table) is the password as it would stand in a message; orders_id_seq is another word.
      assert.doesNotMatch(md, /(?<![\p{L}\p{N}_])orders(?![\p{L}\p{N}_])/u, `${where}: ${md}`);
      assert.match(md, /\| ❌ behind \| `public\.orders_id_seq` \| `public\.\*\*\*\.id` \| 5 \| 1 \|/, where);
    }
  });

  test("a one-character password: the Markdown masks values, keeps its own words, and stays whole", async () => {
    const { run, comment } = await runAs("1");
    for (const md of [run.summary, comment]) {
      assert.match(md, /^## ❌ seq-guard: 1 sequence fails the check$/m);
      assert.match(md, /\*\*1 behind\*\* · 0 ok \(1 sequence\)/);
      assert.match(md, /\| ❌ behind \| `public\.orders_id_seq` \| `public\.orders\.id` \| 5 \| \*\*\* \|/);
      assert.match(md, /<sub>mode `check`/, "the footer is there: nothing was cut");
    }
  });
});

describe("tokens other than GITHUB_TOKEN, and GitHub's refusals", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb("CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t VALUES (5);");
  });
  after(async () => {
    await db.drop();
  });
  const marker = "<!-- seq-guard:comment workflow=Fixtures job=sequences key= -->";

  test("a GitHub App token (GET /user refused, writes as my-app[bot]): three runs, one comment", async () => {
    const api = await FakeGitHub.start({ appLogin: "my-app[bot]" });
    try {
      const pasted = api.addComment(7, `${marker}\nquoted by a person`, { login: "mallory", type: "User" });
      for (let i = 0; i < 3; i++) {
        await db.query(`INSERT INTO t VALUES (${10 + i})`); // a new max each run: the comment must change
        const run = await runAction({ api, inputs: { "database-url": db.url } });
        assert.equal(run.code, 1, run.visible);
      }
      const ours = api.comments.filter((c) => c.user.login === "my-app[bot]");
      assert.equal(ours.length, 1, "found again and updated, never a second");
      assert.match(ours[0]?.body ?? "", /\| 12 \| 1 \|/, "the last run's table");
      assert.equal(
        pasted.body,
        `${marker}\nquoted by a person`,
        "a person's comment with the marker is never ours",
      );
      assert.equal(api.requests.filter((r) => r.method === "PATCH").length, 2);
    } finally {
      await api.close();
    }
  });

  test("GITHUB_TOKEN prefers github-actions[bot]'s comment over another bot's with the same marker", async () => {
    const api = await FakeGitHub.start();
    try {
      const other = api.addComment(7, `${marker}\nold`, { login: "other-app[bot]", type: "Bot" });
      const mine = api.addComment(7, `${marker}\nold`, { login: BOT, type: "Bot" });
      const run = await runAction({ api, inputs: { "database-url": db.url } });
      assert.equal(run.code, 1);
      assert.equal(api.comments.length, 2);
      assert.equal(other.body, `${marker}\nold`);
      assert.match(mine.body, /❌ seq-guard/);
    } finally {
      await api.close();
    }
  });

  test("a comment another bot wrote and this token may not edit: a warning naming it, the verdict unchanged", async () => {
    const api = await FakeGitHub.start({ appLogin: "my-app[bot]" });
    try {
      api.addComment(7, `${marker}\nold`, { login: "other-app[bot]", type: "Bot" });
      const run = await runAction({ api, inputs: { "database-url": db.url } });
      assert.equal(run.code, 1, "fails for the finding, not for the comment");
      const w = run.annotations.find((a) => a.command === "warning" && /other-app\[bot\]/.test(a.message));
      assert.ok(w, run.visible);
      assert.match(w.message, /HTTP 403/);
      assert.match(w.message, /comment-key/);
      assert.equal(api.comments.length, 1, "no second comment");
      assertNoStack(run);
    } finally {
      await api.close();
    }
  });

  test("a secondary rate limit is a warning that says so, not a read-only token", async () => {
    const api = await FakeGitHub.start({ rateLimited: true });
    try {
      const run = await runAction({ api, inputs: { "database-url": db.url } });
      assert.equal(run.code, 1);
      const w = run.annotations.find((a) => a.command === "warning" && /rate limit/.test(a.message));
      assert.ok(w, run.visible);
      assert.doesNotMatch(w.message, /read-only|fork/);
    } finally {
      await api.close();
    }
  });

  test("issue-on-failure with an App token: one labelled issue, found by label, never by reading every issue", async () => {
    const api = await FakeGitHub.start({ appLogin: "my-app[bot]" });
    const other = await scratchDb("CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t VALUES (5);");
    try {
      for (let i = 0; i < 30; i++)
        api.addIssue({ title: `bug ${i}`, body: "x", user: { login: "someone", type: "User" } });
      const inputs = { "database-url": other.url, "issue-on-failure": "true" };
      for (let i = 0; i < 2; i++) assert.equal((await runAction({ api, event: "schedule", inputs })).code, 1);
      const ours = api.issues.filter((i) => i.user.login === "my-app[bot]");
      assert.equal(ours.length, 1, "updated, not a second issue");
      assert.deepEqual(ours[0]?.labels, [{ name: "seq-guard" }]);
      const lists = api.requests.filter((r) => r.method === "GET" && r.path === "/repos/acme/shop/issues");
      assert.ok(lists.length > 0);
      for (const l of lists)
        assert.ok(l.query.creator || l.query.labels, `filtered listing: ${JSON.stringify(l.query)}`);
      const fixed = await runAction({ api, event: "schedule", inputs: { ...inputs, mode: "fix" } });
      assert.equal(fixed.code, 0, fixed.visible);
      assert.equal(ours[0]?.state, "closed");
    } finally {
      await api.close();
      await other.drop();
    }
  });

  test("issue-on-failure: GITHUB_TOKEN's issues are listed by creator; a token that cannot make labels still opens one", async () => {
    const api = await FakeGitHub.start({ noNewLabels: true });
    try {
      const inputs = { "database-url": db.url, "issue-on-failure": "true" };
      for (let i = 0; i < 2; i++) assert.equal((await runAction({ api, event: "schedule", inputs })).code, 1);
      assert.equal(api.issues.length, 1);
      assert.deepEqual(api.issues[0]?.labels, []);
      // Listed by creator (and, while none is found, by label): never every open issue.
      const lists = api.requests.filter((r) => r.method === "GET" && r.path === "/repos/acme/shop/issues");
      assert.ok(
        lists.every((l) => l.query.creator === BOT || l.query.labels === "seq-guard"),
        JSON.stringify(lists.map((l) => l.query)),
      );
      assert.equal(lists.at(-1)?.query.creator, BOT, "the second run found it by its creator");
    } finally {
      await api.close();
    }
  });
});

describe("filters and fail-on as the job shows them", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(CORPUS_SQL);
  });
  after(async () => {
    await db.drop();
  });

  test("exclude takes commas like schemas; an entry that matches nothing is a warning with the right spelling", async () => {
    const run = await runAction({
      inputs: {
        "database-url": db.url,
        exclude: `${EXHAUSTED_NAMES.slice(0, 2).join(", ")}\n"Weird Schema".*`,
        comment: "never",
      },
    });
    const report = run.outputs.checked;
    assert.equal(Number(report), TOTAL - SKIPPED - 2, "both comma-separated entries excluded");
    const w = run.annotations.find((a) => a.command === "warning" && /exclude entry/.test(a.message));
    assert.ok(w, run.visible);
    assert.match(w.message, /"\\"Weird Schema\\"\.\*"|""Weird Schema"\.\*"/);
    assert.match(w.message, /write Weird Schema\.\* instead/);
    const schemas = await runAction({
      inputs: { "database-url": db.url, schemas: "billing", comment: "never" },
    });
    assert.equal(schemas.outputs.checked, "0");
    assert.ok(
      schemas.annotations.some(
        (a) =>
          a.command === "warning" && /"billing" names no schema .*no sequence was checked/.test(a.message),
      ),
      schemas.visible,
    );
  });

  test("fail-on that lets findings pass: the headline says nothing fails, never that every sequence is ahead", async () => {
    const api = await FakeGitHub.start();
    try {
      const run = await runAction({ api, inputs: { "database-url": db.url, "fail-on": "none" } });
      assert.equal(run.code, 0, run.visible);
      assert.equal(run.outputs.status, "ok");
      for (const md of [run.summary, api.comments[0]?.body ?? ""]) {
        assert.doesNotMatch(md, /every sequence is ahead/);
        assert.match(
          md,
          /## ✅ seq-guard: nothing fails the check \(fail-on: none\); \d+ findings are listed below/,
        );
      }
    } finally {
      await api.close();
    }
  });
});

describe("failures before any result", () => {
  test("no server named: says the Action needs one, exit 2, status error", async () => {
    const run = await runAction({ inputs: {} });
    assert.equal(run.code, 2);
    const err = run.commands.find((c) => c.command === "error");
    assert.match(err?.message ?? "", /no PostgreSQL server given: set the database-url input/);
    assert.match(err?.message ?? "", /never starts a server of its own/);
    assert.equal(run.outputs.status, "error");
    assert.match(run.summary, /⚠️ seq-guard could not finish/);
    assertNoStack(run);
  });

  test("a wrong password: a clear connection error in every mode, the password never shown", async () => {
    const api = await FakeGitHub.start();
    try {
      const u = new URL(adminUrl());
      u.password = "Wr0ng-Pa55word-xyz";
      for (const mode of ["check", "fix", "report"]) {
        const run = await runAction({ api, inputs: { "database-url": u.toString(), mode } });
        assert.equal(run.code, 3, `${mode}: ${run.visible}`);
        assert.equal(run.outputs.status, "error");
        assert.match(
          run.visible,
          /::error::seq-guard: could not connect to 127\.0\.0\.1:\d+\/postgres: authentication failed/,
        );
        assert.ok(run.stdout.startsWith("::add-mask::Wr0ng-Pa55word-xyz\n"), "masked first");
        assert.ok(!run.visible.includes("Wr0ng-Pa55word-xyz"));
        assert.ok(!run.summary.includes("Wr0ng-Pa55word-xyz"));
        assertNoStack(run);
      }
      assert.equal(api.comments.length, 0, "auto: a failure alone does not open a comment");
      // But a comment that exists is brought up to date: its old findings must not stand for this run.
      const marker = "<!-- seq-guard:comment workflow=Fixtures job=sequences key= -->";
      const old = api.addComment(7, `${marker}\n## ❌ seq-guard: 3 sequences fail the check`, {
        login: BOT,
        type: "Bot",
      });
      const run = await runAction({ api, inputs: { "database-url": u.toString() } });
      assert.equal(run.code, 3);
      assert.equal(api.comments.length, 1);
      assert.match(old.body, /## ⚠️ seq-guard could not finish/);
      assert.match(old.body, /authentication failed/);
      assert.doesNotMatch(old.body, /3 sequences fail/);
      assert.ok(!old.body.includes("Wr0ng-Pa55word-xyz"));
    } finally {
      await api.close();
    }
  });

  test("a missing database: connection error naming it; DATABASE_URL from the env is masked too", async () => {
    const url = urlFor("no_such_db_here");
    const run = await runAction({ env: { DATABASE_URL: url }, inputs: { comment: "never" } });
    assert.equal(run.code, 3);
    assert.match(run.visible, /no_such_db_here/);
    assert.ok(run.stdout.startsWith(`::add-mask::${password()}`));
    assert.ok(!run.visible.includes(password()));
  });

  test("bad inputs: one message naming the input and what it takes, exit 2", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ mode: "verify" }, /input mode takes check, fix, report \(got "verify"\)/],
      [
        { "fail-on": "behind,sometimes" },
        /the fail-on input takes a list of behind, exhausted, error, near-exhaustion or none/,
      ],
      [{ comment: "maybe" }, /input comment takes auto, always, never/],
      [{ annotations: "yes" }, /input annotations takes true or false/],
      [{ "headroom-threshold": "120" }, /the headroom-threshold input takes a percentage/],
      [{ jobs: "0" }, /the jobs input takes a whole number from 1 to 64/],
      [{ dump: "no/such/dir/*.sql" }, /dump pattern "no\/such\/dir\/\*.sql" matches no file/],
      [
        { "restore-database": "x" },
        /the restore-database input names the database to restore the dumps into: give at least one dump/,
      ],
      [
        { "database-url": "postgres://u:pw@[bad" },
        /^seq-guard: the database-url input is not a valid connection URL/,
      ],
    ];
    for (const [inputs, re] of cases) {
      const run = await runAction({ inputs: { "database-url": adminUrl(), ...inputs } });
      assert.doesNotMatch(run.visible, /--database-url|--restore-database/);
      assert.equal(run.code, 2, `${JSON.stringify(inputs)}: ${run.visible}`);
      const err = run.commands.find((c) => c.command === "error");
      assert.match(err?.message ?? "", re);
      assert.equal(run.outputs.status, "error");
      assertNoStack(run);
    }
  });
});
