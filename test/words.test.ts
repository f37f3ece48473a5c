// One vocabulary: a message names a setting with `say`, and each front end renders it in its own words: the CLI
// as its flags, the Action as its inputs, never the other's. Every setting exists in both front ends under the
// name the words give it. Pure, without a database.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { USAGE } from "../src/cli/usage.ts";
import { buildReport, failedRunReport } from "../src/core/report.ts";
import {
  ACTION_WORDS,
  CLI_WORDS,
  inWords,
  inWordsReport,
  SETTINGS,
  type SettingKey,
  say,
} from "../src/core/words.ts";
import { root } from "./helpers.ts";
import { seqReport, targetReport } from "./report-fixtures.ts";

const cli = (t: string) => inWords(t, CLI_WORDS);
const action = (t: string) => inWords(t, ACTION_WORDS);
const KEYS = Object.keys(SETTINGS) as SettingKey[];

describe("say, in each front end's words", () => {
  test("a setting: the CLI's flag, the Action's input", () => {
    assert.equal(cli(`raise ${say.option("lock-timeout")}`), "raise --lock-timeout");
    assert.equal(action(`raise ${say.option("lock-timeout")}`), "raise the lock-timeout input");
    // Where the input has another name than the flag.
    assert.equal(cli(say.option("keep")), "--keep");
    assert.equal(action(say.option("keep")), "the keep-database input");
    assert.equal(action(say.option("restore-arg")), "the restore-args input");
    assert.equal(action(say.option("extension")), "the extensions input");
    assert.equal(action(say.option("restore-via")), "the container input");
  });

  test("a setting with a value, a list entry, a switch", () => {
    assert.equal(cli(say.set("on-restore-error", "continue")), "--on-restore-error continue");
    assert.equal(action(say.set("on-restore-error", "continue")), "on-restore-error: continue");
    assert.equal(cli(`give ${say.set("jobs", "1")}`), "give --jobs 1");
    assert.equal(action(`give ${say.set("jobs", "1")}`), "give jobs: 1");
    assert.equal(cli(say.set("restore-via", "docker:CONTAINER")), "--restore-via docker:CONTAINER");
    assert.equal(
      action(say.set("restore-via", "docker:CONTAINER")),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression the user writes, verbatim
      "the container input (container: ${{ job.services.postgres.id }})",
    );
    assert.equal(cli(say.entry("schema", "app")), '--schema "app"');
    assert.equal(action(say.entry("schema", "app")), 'the schemas entry "app"');
    assert.equal(cli(`run again with ${say.enable("clean")}.`), "run again with --clean.");
    assert.equal(action(`run again with ${say.enable("clean")}.`), "run again with clean: true.");
  });

  test("modes and the phrases that differ", () => {
    assert.equal(cli(say.mode("check")), "seq-guard check");
    assert.equal(action(say.mode("check")), "mode: check");
    assert.equal(cli(`or ${say.runMode("fix")} after restoring.`), "or run seq-guard fix after restoring.");
    assert.equal(action(`or ${say.runMode("fix")} after restoring.`), "or set mode: fix after restoring.");
    assert.equal(cli(`${say.runAs()} the owner`), "run seq-guard as the owner");
    assert.equal(action(`${say.runAs()} the owner`), "connect in database-url as the owner");
    assert.equal(cli(say.fixStatements()), "the setval() calls that seq-guard fix prints");
    assert.equal(action(say.fixStatements()), "the setval() calls in the fix column of a check run");
  });

  test("no setting, in any form, comes out in the other front end's words", () => {
    for (const key of KEYS) {
      const said = [say.option(key), say.set(key, "v"), say.entry(key, "v"), say.enable(key)].join(" | ");
      assert.doesNotMatch(cli(said), /\binput\b|\bentry\b|: true/, key);
      assert.doesNotMatch(action(said), /--[a-z]/, key);
    }
    for (const mode of ["check", "fix", "report"] as const) {
      assert.doesNotMatch(action(`${say.mode(mode)} ${say.runMode(mode)}`), /seq-guard/);
      assert.doesNotMatch(cli(`${say.mode(mode)} ${say.runMode(mode)}`), /mode:/);
    }
  });

  test("text that names no setting comes back as it was; a value cannot break its marker", () => {
    assert.equal(cli("nothing to change here"), "nothing to change here");
    assert.equal(action("--jobs as written by a server"), "--jobs as written by a server");
    // A filter entry is the reader's text: marker characters in it are dropped, not read as another marker.
    const sneaky = say.entry("schema", `x\u{e001}\u{e000}runAs\u{e002}\u{e002}\u{e001}`);
    assert.equal(cli(sneaky), '--schema "xrunAs"');
    assert.equal(action(sneaky), 'the schemas entry "xrunAs"');
  });
});

describe("every setting exists in both front ends", () => {
  const meta = parse(readFileSync(join(root, "action.yml"), "utf8")) as { inputs: Record<string, unknown> };

  test("the Action's input of each setting is declared in action.yml", () => {
    for (const key of KEYS) assert.ok(SETTINGS[key].input in meta.inputs, `${key}: ${SETTINGS[key].input}`);
  });

  test("the CLI's flag of each setting is in --help", () => {
    for (const key of KEYS) assert.match(USAGE, new RegExp(`--${SETTINGS[key].flag}\\b`), key);
  });
});

describe("a report in each front end's words", () => {
  const plain = seqReport("public.a_seq", "behind");
  const slow = seqReport("public.b_seq", "error", {
    reason: `timed out reading t(id): add an index on it or raise ${say.option("statement-timeout")}`,
  });
  const warned = seqReport("public.c_seq", "ok", {
    warnings: [{ code: "cached_sessions", message: `or ${say.runMode("fix")} again` }],
  });
  const report = buildReport(
    "check",
    [
      targetReport([plain, slow, warned], {
        error: `x: drop it, or run again with ${say.enable("clean")}.`,
        hints: [`give ${say.set("jobs", "1")}`, "no setting here"],
      }),
    ],
    ["behind"],
  );

  test("every free-text field is rendered; rows that name no setting are the same objects", () => {
    const out = inWordsReport(report, ACTION_WORDS);
    const t = out.targets[0];
    const [a, b, c] = t?.sequences ?? [];
    assert.equal(a, plain, "unchanged rows are the same objects");
    assert.equal(
      b?.reason,
      "timed out reading t(id): add an index on it or raise the statement-timeout input",
    );
    assert.equal(c?.warnings[0]?.message, "or set mode: fix again");
    assert.equal(t?.error, "x: drop it, or run again with clean: true.");
    assert.deepEqual(t?.hints, ["give jobs: 1", "no setting here"]);
    assert.equal(report.targets[0]?.sequences[1]?.reason, slow.reason, "the input is not changed");
    const clis = inWordsReport(report, CLI_WORDS);
    assert.equal(clis.targets[0]?.error, "x: drop it, or run again with --clean.");
  });

  test("the error of a run that stopped is rendered too", () => {
    const failed = failedRunReport("check", 2, `${say.option("fail-on")} takes a list`);
    assert.equal(inWordsReport(failed, CLI_WORDS).error?.message, "--fail-on takes a list");
    assert.equal(inWordsReport(failed, ACTION_WORDS).error?.message, "the fail-on input takes a list");
  });

  test("nothing of a marker is left in a rendered report", () => {
    const json = JSON.stringify(inWordsReport(report, ACTION_WORDS));
    assert.doesNotMatch(json, /[\u{e000}-\u{e002}]/u);
  });
});
