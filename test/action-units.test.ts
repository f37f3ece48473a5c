// The Action's pure parts, without a database: list inputs, dump globs that match nothing, and the warnings for
// GitHub's answers. (The Action's words are tested in words.test.ts, its settings in settings.test.ts.)
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { expandDumps } from "../src/action/dumps.ts";
import { authorMatch, explainGitHubError, isRateLimit, NotOursError } from "../src/action/github.ts";
import { splitList } from "../src/action/inputs.ts";

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
