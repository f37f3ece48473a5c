// The one rule of masking (core/redact.ts worthMasking), end to end through the built CLI and Action: the
// service container's usual postgres/postgres/postgres leaves "postgres" readable in every message (masking it
// hid nothing and garbled "127.0.0.1:PORT/***" and "the *** service"); a password that is no name is masked
// everywhere, and the Action registers it with the runner.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { freePort } from "../src/process/embedded.ts";
import { runAction } from "./fake-github.ts";
import { runCli } from "./helpers.ts";

describe("masking a password that is also the user's and the database's name", () => {
  test("the CLI: the refused connection reads 127.0.0.1:PORT/postgres and the postgres service, no ***", async () => {
    const port = await freePort();
    const r = await runCli([
      "check",
      "--database-url",
      `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      "--connect-timeout",
      "1s",
    ]);
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.code, 3, out);
    assert.ok(out.includes(`127.0.0.1:${port}/postgres`), out);
    assert.match(out, /add a health check to the postgres service/);
    assert.ok(!out.includes("***"), out);
  });

  test("the Action: the same words in the log, and postgres is never registered as a secret", async () => {
    const port = await freePort();
    const run = await runAction({
      inputs: {
        "database-url": `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
        "connect-timeout": "1s",
      },
    });
    assert.notEqual(run.code, 0, run.visible);
    assert.ok(run.visible.includes(`127.0.0.1:${port}/postgres`), run.visible);
    assert.match(run.visible, /add a health check to the postgres service/);
    assert.ok(!run.visible.includes("***"), run.visible);
    assert.ok(!run.summary.includes("***"), run.summary);
    assert.ok(!run.stdout.includes("::add-mask::postgres"), "postgres is no secret");
  });

  test("a password that is no name (s3cr3t-pw) is masked everywhere, in the CLI and the Action", async () => {
    const port = await freePort();
    const url = `postgres://app:s3cr3t-pw@127.0.0.1:${port}/postgres`;
    const cli = await runCli(["check", "--database-url", url, "--connect-timeout", "1s", "--json"]);
    assert.equal(cli.code, 3, cli.stderr);
    assert.ok(!`${cli.stdout}${cli.stderr}`.includes("s3cr3t-pw"), cli.stderr);
    assert.ok(cli.stderr.includes(`127.0.0.1:${port}/postgres`), cli.stderr);
    const run = await runAction({ inputs: { "database-url": url, "connect-timeout": "1s" } });
    assert.ok(run.stdout.includes("::add-mask::s3cr3t-pw"), "registered with the runner first");
    assert.ok(!run.visible.includes("s3cr3t-pw") && !run.summary.includes("s3cr3t-pw"), run.visible);
    assert.ok(run.visible.includes(`127.0.0.1:${port}/postgres`), run.visible);
  });
});
