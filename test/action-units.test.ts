// The Action's pure parts, without a database: list inputs, the CLI-to-Action vocabulary of messages, filters
// that match nothing, dump globs that match nothing, and the warnings for GitHub's answers.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { authorMatch, explainGitHubError, isRateLimit, NotOursError } from "../src/action/github.ts";
import { expandDumps, inActionTerms, inActionTermsReport, splitList } from "../src/action/run.ts";
import { ACTION_WORDS, CLI_WORDS } from "../src/core/options.ts";
import { buildReport } from "../src/core/report.ts";
import { checkFiltersLeftSomething, unmatchedFilters } from "../src/core/report-filters.ts";
import { seqReport, targetReport } from "./report-fixtures.ts";

describe("list inputs", () => {
  test("schemas and exclude take commas and new lines alike; a comma inside braces belongs to the glob", () => {
    assert.deepEqual(splitList("public.users_id_seq, public.tiny_id_seq"), [
      "public.users_id_seq",
      "public.tiny_id_seq",
    ]);
    assert.deepEqual(splitList("audit.*\n  billing.x ,\n# a comment\n\npublic.{a,b}_seq"), [
      "audit.*",
      "billing.x",
      "public.{a,b}_seq",
    ]);
    assert.deepEqual(splitList("a\\,b, c"), ["a\\,b", "c"], "an escaped comma is the glob's");
    assert.deepEqual(splitList(""), []);
  });
});

describe("messages in the Action's vocabulary", () => {
  // The messages as the engine, the restore and the connection code write them today.
  const CLI_MESSAGES = [
    "--database-url is not a valid connection URL (postgres://u:***@[x). Use postgres://USER:PASSWORD@HOST:PORT/DATABASE",
    "could not connect to h:5432/db: authentication failed (x). Check the user and password in --database-url.",
    "could not connect to h:5432/db: the server closed the connection before it answered (a service container still starting, or a port proxy with no server behind it yet). Check host and port in --database-url, add a health check to the service, or raise --connect-timeout.",
    "could not connect to h:5432/db: no answer within the connect timeout. Check host and port in --database-url, or raise --connect-timeout.",
    "restore argument -h points the tool at another server. Remove it: the server comes from --database-url, DATABASE_URL or the PG* variables.",
    '--restore-database "xxxx" is longer than PostgreSQL\'s 63-byte limit for names',
    'could not restore "a.sql" with psql: boom The database app existed before and was restored into in part: drop it, or run again with --clean.',
    '"a.dump" is a pg_dump archive in format 1.16 (written by pg_dump 18), which needs pg_restore 18 or newer; none. To restore it, install them, or run the restore inside the database server\'s container with --restore-via docker:CONTAINER (its tools always match the server).',
    "restoring plain SQL needs psql, and none was found on PATH or in the usual install folders: install it, or use --restore-via docker:CONTAINER.",
    "x | y. The archive was written to a pipe, so it cannot be restored in parallel: give --jobs 1.",
    "psql passed over 2 error(s) (--on-restore-error continue); the first: ERROR: x",
    "timed out after 30000 ms reading public.t(id): a column without an index makes max() scan the whole table; add an index on it or raise --statement-timeout",
    "could not read public.t: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise --lock-timeout",
    "row-level security hides rows from this role (x), so the largest value cannot be read: run seq-guard as the table's owner or a role with BYPASSRLS",
    "Dump the sequences too (pg_dump -t SEQUENCE), or run seq-guard fix after restoring.",
    "Insert through the column default, end the script with the setval() calls that seq-guard fix prints, or run seq-guard fix after loading it",
    "Restart it after loading, with the setval() that seq-guard fix prints, or run seq-guard fix after restoring.",
    "pg_restore passed over 30 error(s) (--on-restore-error continue); run the restore with --on-restore-error stop to see the first",
    "Check the file against its source; --jobs 1 shows pg_restore's own message where a worker's death hides it.",
    "restore argument --file names a file on this machine, but with --restore-via (container in the Action) psql runs inside the container.",
    'the restore database "app" (--restore-database) is the database seq-guard connects to.',
    "Remove it; to choose that database's name, use --restore-database.",
    'could not restore "a.sql" with psql: a.sql:12: ERROR: boom. Fix the statement on lines 12-13, or pass --on-restore-error continue to restore past failing statements.',
  ];
  const CLI_ONLY =
    /--(?:database-url|restore-database|clean|connect-timeout|lock-timeout|statement-timeout|restore-via|jobs|on-restore-error)\b|seq-guard (?:fix|as)\b/;

  test("no message names a flag the Action does not have", () => {
    for (const m of CLI_MESSAGES) {
      const out = inActionTerms(m);
      assert.doesNotMatch(out, CLI_ONLY, `${m}\n-> ${out}`);
    }
  });

  test("each flag becomes its input, or what to do instead", () => {
    const t = CLI_MESSAGES.map(inActionTerms);
    assert.match(t[0] ?? "", /^the database-url input is not a valid connection URL/);
    assert.match(t[2] ?? "", /add a health check to the service, or raise the connect-timeout input\.$/);
    assert.match(
      t[3] ?? "",
      /Check host and port in the database-url input, or raise the connect-timeout input\.$/,
    );
    assert.match(t[4] ?? "", /comes from the database-url input, DATABASE_URL/);
    assert.match(t[6] ?? "", /drop it, or run again with clean: true\.$/);
    assert.match(
      t[7] ?? "",
      /with the container input \(container: \$\{\{ job\.services\.postgres\.id \}\}\)/,
    );
    assert.match(t[9] ?? "", /set the jobs input to 1\.$/);
    assert.equal(t[10], "psql passed over 2 error(s) (on-restore-error: continue); the first: ERROR: x");
    assert.match(t[11] ?? "", /add an index on it or raise the statement-timeout input$/);
    assert.match(t[12] ?? "", /run again when it is quieter or raise the lock-timeout input$/);
    assert.match(t[14] ?? "", /or set mode: fix after restoring\.$/);
    assert.match(
      t[16] ?? "",
      /with the setval\(\) in the fix column of a check run, or set mode: fix after restoring\.$/,
    );
    assert.equal(
      t[17],
      "pg_restore passed over 30 error(s) (on-restore-error: continue); run the restore with on-restore-error: stop to see the first",
    );
    assert.match(t[18] ?? "", /; jobs: 1 shows pg_restore's own message/);
    assert.match(t[19] ?? "", /but with the container input psql runs inside/);
    assert.match(t[20] ?? "", /the restore database "app" \(the restore-database input\) is the database/);
    assert.match(t[21] ?? "", /use the restore-database input\.$/);
    assert.match(
      t[22] ?? "",
      /Fix the statement on lines 12-13, or pass on-restore-error: continue to restore past failing statements\.$/,
    );
    assert.equal(inActionTerms("nothing to change here"), "nothing to change here");
  });

  test("the report's free text is translated; rows that do not change are not copied", () => {
    const plain = seqReport("public.a_seq", "behind");
    const slow = seqReport("public.b_seq", "error", {
      reason: "timed out after 1 ms reading t(id): add an index on it or raise --statement-timeout",
    });
    const report = buildReport(
      "check",
      [targetReport([plain, slow], { error: "x: drop it, or run again with --clean." })],
      ["behind"],
    );
    const out = inActionTermsReport(report);
    const [a, b] = out.targets[0]?.sequences ?? [];
    assert.equal(a, plain, "unchanged rows are the same objects");
    assert.equal(
      b?.reason,
      "timed out after 1 ms reading t(id): add an index on it or raise the statement-timeout input",
    );
    assert.match(out.targets[0]?.error ?? "", /run again with clean: true\.$/);
    assert.equal(report.targets[0]?.sequences[1]?.reason, slow.reason, "the input is not changed");
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

  test("an exclude entry or a schema that matches nothing is named, with the unquoted spelling", () => {
    const w = unmatchedFilters(
      report,
      { schemas: [], exclude: ["public.users_id_seq", '"Weird Schema".*', "Weird Schema.*", "audit.*"] },
      ACTION_WORDS,
    );
    assert.equal(w.length, 2, w.join("\n"));
    assert.match(w[0] ?? "", /the exclude entry ""Weird Schema"\.\*" matches no sequence in app/);
    assert.match(w[0] ?? "", /write Weird Schema\.\* instead/);
    assert.match(w[1] ?? "", /the exclude entry "audit\.\*" matches no sequence/);
    const s = unmatchedFilters(report, { schemas: ["billing"], exclude: [] }, ACTION_WORDS);
    assert.equal(s.length, 1);
    assert.match(
      s[0] ?? "",
      /the schemas entry "billing" names no schema with sequences in app, so no sequence was checked/,
    );
    assert.deepEqual(
      unmatchedFilters(report, { schemas: ["public", "Weird Schema"], exclude: [] }, ACTION_WORDS),
      [],
    );
  });

  test("no warning when nothing could be verified (the error says why)", () => {
    const failed = buildReport("check", [targetReport([], { error: "could not restore" })], ["behind"]);
    assert.deepEqual(unmatchedFilters(failed, { schemas: ["x"], exclude: ["y"] }, ACTION_WORDS), []);
  });

  test("each front end names the filter in its own words", () => {
    const [cli] = unmatchedFilters(report, { schemas: ['"Weird Schema"'], exclude: [] }, CLI_WORDS);
    assert.match(cli ?? "", /^--schema ""Weird Schema"" names no schema with sequences in app/);
    assert.match(cli ?? "", /write Weird Schema instead/);
    assert.doesNotMatch(cli ?? "", /input|entry/);
    const [action] = unmatchedFilters(report, { schemas: ["nosuch"], exclude: [] }, ACTION_WORDS);
    assert.match(action ?? "", /^the schemas entry "nosuch"/);
  });

  test("filters that leave nothing to verify in a database with sequences are a usage error; none at all is not", () => {
    const excluded = buildReport(
      "check",
      [targetReport([{ ...seqReport("public.a_seq", "skipped"), skip_reason: "excluded" }])],
      ["behind"],
    );
    assert.throws(
      () => checkFiltersLeftSomething(excluded, { schemas: ["nosuch"], exclude: [] }, CLI_WORDS),
      (e: Error & { exitCode?: number }) =>
        e.exitCode === 2 &&
        /the filters \(--schema "nosuch"\) leave none of the 1 sequence of app/.test(e.message),
    );
    assert.throws(
      () => checkFiltersLeftSomething(excluded, { schemas: [], exclude: ["*.*"] }, ACTION_WORDS),
      /the filters \(the exclude entry "\*\.\*"\)/,
    );
    // The same database, filters that keep one sequence: fine. A database without sequences: nothing to say.
    checkFiltersLeftSomething(report, { schemas: ["public"], exclude: [] }, CLI_WORDS);
    const empty = buildReport("check", [targetReport([])], ["behind"]);
    checkFiltersLeftSomething(empty, { schemas: ["nosuch"], exclude: [] }, CLI_WORDS);
  });
});

/**
 * @actions/glob logs its options with core.debug: ::debug:: lines on stdout, which the runner hides but a test run
 * would print (45 of them). Run in-process, they are dropped; everything else is written as it comes.
 */
async function withoutDebugLines<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = function (this: typeof process.stdout, chunk: unknown, ...rest: unknown[]) {
    if (String(chunk).startsWith("::debug::")) return true;
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

describe("dump globs", () => {
  test("one glob of several matching nothing is reported, not fatal; all matching nothing is", async () => {
    const ws = mkdtempSync(join(tmpdir(), "seq-guard-glob-"));
    await withoutDebugLines(async () => {
      try {
        mkdirSync(join(ws, "db"));
        writeFileSync(join(ws, "db", "a.sql"), "SELECT 1;");
        const got = await expandDumps(["db/*.dump", "db/*.sql"], ws);
        assert.deepEqual(got, { dumps: ["db/a.sql"], unmatched: ["db/*.dump"] });
        await assert.rejects(
          expandDumps(["db/*.dump", "db/*.tar"], ws),
          /no dump pattern matches a file \("db\/\*\.dump", "db\/\*\.tar"\)/,
        );
        // A path written out is kept as it is: a missing one is an error later, by name.
        assert.deepEqual(await expandDumps(["db/missing.sql", "db/*.dump"], ws), {
          dumps: ["db/missing.sql"],
          unmatched: ["db/*.dump"],
        });
      } finally {
        rmSync(ws, { recursive: true, force: true });
      }
    });
  });
});

describe("GitHub's answers", () => {
  test("an unknown login (GITHUB_TOKEN, App token): any bot's item, github-actions[bot]'s first; never a person's", () => {
    assert.equal(authorMatch({ login: "github-actions[bot]", type: "Bot" }, null), 2);
    assert.equal(authorMatch({ login: "my-app[bot]", type: "Bot" }, null), 1);
    assert.equal(authorMatch({ login: "mallory", type: "User" }, null), 0);
    assert.equal(authorMatch({ login: "release-bot", type: "User" }, "release-bot"), 2);
    assert.equal(authorMatch({ login: "github-actions[bot]", type: "Bot" }, "release-bot"), 0);
    assert.equal(authorMatch(null, null), 0);
  });

  test("a secondary rate limit is not called read-only", () => {
    const err = Object.assign(new Error("You have exceeded a secondary rate limit. Please wait."), {
      status: 403,
    });
    assert.ok(isRateLimit(err));
    const w = explainGitHubError(err, "comment");
    assert.match(w, /rate limit/);
    assert.doesNotMatch(w, /read-only/);
    const headers = Object.assign(new Error("API rate limit exceeded"), {
      status: 403,
      response: { headers: { "x-ratelimit-remaining": "0" } },
    });
    assert.ok(isRateLimit(headers));
    assert.ok(isRateLimit(Object.assign(new Error("Too many"), { status: 429 })));
    const forbidden = Object.assign(new Error("Resource not accessible by integration"), { status: 403 });
    assert.ok(!isRateLimit(forbidden));
    assert.match(explainGitHubError(forbidden, "comment"), /read-only .*pull-requests: write/);
  });

  test("an item another token wrote: the warning names its author and what to do", () => {
    const w = explainGitHubError(new NotOursError("other-app[bot]", "Resource not accessible"), "comment");
    assert.match(w, /written by other-app\[bot\]/);
    assert.match(w, /delete that comment, or give this step its own comment-key/);
  });
});
