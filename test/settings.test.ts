// One Settings for both front ends: the defaults, each rule between settings, and the CLI's command line and the
// Action's inputs giving the same Settings for the same intent. Without a database.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readInputs } from "../src/action/inputs.ts";
import { parseCommandLine } from "../src/cli/args.ts";
import { DEFAULT_ENGINE } from "../src/core/engine-options.ts";
import { UsageError } from "../src/core/errors.ts";
import { buildSettings, type GivenSettings, type Settings } from "../src/core/settings.ts";
import { ACTION_WORDS, CLI_WORDS, inWords } from "../src/core/words.ts";

/** The settings of a command line that is a run (not --help, --version or sql). */
function fromArgv(argv: string[]) {
  const c = parseCommandLine(argv, false, {});
  assert.equal(c.kind, "run");
  return (c as Extract<typeof c, { kind: "run" }>).settings;
}

/** The settings the Action reads from these inputs (as the runner hands them over: INPUT_* variables). */
function fromInputs(inputs: Record<string, string>, workspace = "/ws") {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith("INPUT_")) delete process.env[k];
  for (const [k, v] of Object.entries(inputs)) process.env[`INPUT_${k.toUpperCase()}`] = v;
  try {
    return readInputs(workspace);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** The message of the UsageError `fn` throws, in both front ends' words. */
function refusal(fn: () => unknown): { cli: string; action: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return { cli: inWords(err.message, CLI_WORDS), action: inWords(err.message, ACTION_WORDS) };
  }
  assert.fail("no usage error");
}

const build = (g: Partial<GivenSettings>) => buildSettings({ mode: "check", ...g }, 4);

describe("defaults", () => {
  test("nothing given: the database as it is, every default", () => {
    const expected: Settings = {
      mode: "check",
      databaseUrl: undefined,
      dumps: [],
      restore: {
        database: undefined,
        clean: false,
        keep: false,
        extraArgs: [],
        jobs: 4,
        onError: "stop",
        viaContainer: undefined,
        trustFixture: false,
        extensions: [],
      },
      engine: { ...DEFAULT_ENGINE, mode: "check" },
      failOn: ["behind", "exhausted", "error"],
      reportJson: undefined,
    };
    assert.deepEqual(build({}), expected);
    assert.deepEqual(build({}).engine, {
      mode: "check",
      schemas: [],
      exclude: [],
      headroomThreshold: 80,
      concurrency: 2,
      statementTimeoutMs: 30_000,
      lockTimeoutMs: 5_000,
      connectTimeoutMs: 10_000,
    });
  });

  test("a blank value is no value: its default applies", () => {
    const blank = build({
      jobs: " ",
      onRestoreError: "",
      headroomThreshold: "",
      concurrency: "",
      statementTimeout: "",
      lockTimeout: "",
      connectTimeout: "",
      failOn: "",
      restoreDatabase: "",
      restoreVia: "",
      reportJson: "",
      databaseUrl: "",
    });
    assert.deepEqual(blank, build({}));
  });

  test("fix fails on what check fails on; report on nothing", () => {
    assert.deepEqual(buildSettings({ mode: "fix" }, 1).failOn, ["behind", "exhausted", "error"]);
    assert.deepEqual(buildSettings({ mode: "report" }, 1).failOn, []);
  });

  test("values given are parsed with their units", () => {
    const s = build({
      jobs: "3",
      onRestoreError: "Continue",
      headroomThreshold: "90%",
      concurrency: "8",
      statementTimeout: "2min",
      lockTimeout: "500ms",
      connectTimeout: "1.5s",
      failOn: "behind near_exhaustion",
      extensions: [" postgis "],
    });
    assert.equal(s.restore.jobs, 3);
    assert.equal(s.restore.onError, "continue");
    assert.deepEqual(s.restore.extensions, ["postgis"]);
    assert.equal(s.engine.headroomThreshold, 90);
    assert.equal(s.engine.concurrency, 8);
    assert.equal(s.engine.statementTimeoutMs, 120_000);
    assert.equal(s.engine.lockTimeoutMs, 500);
    assert.equal(s.engine.connectTimeoutMs, 1500);
    assert.deepEqual(s.failOn, ["behind", "near-exhaustion"]);
    assert.deepEqual(build({ failOn: "none" }).failOn, []);
  });
});

describe("rules between settings", () => {
  test("fail-on does not go with report: refused, pointing at check, in each front end's words", () => {
    const r = refusal(() => buildSettings({ mode: "report", failOn: "behind" }, 1));
    assert.equal(
      r.cli,
      "--fail-on does not go with report, which never fails on findings: to fail on them, use seq-guard check with --fail-on behind",
    );
    assert.equal(
      r.action,
      "the fail-on input does not go with report, which never fails on findings: to fail on them, use mode: check with fail-on: behind",
    );
  });

  test("a restore database needs dumps to restore into it", () => {
    const r = refusal(() => build({ restoreDatabase: "app" }));
    assert.match(
      r.cli,
      /^--restore-database names the database to restore the dumps into: give at least one dump/,
    );
    assert.match(r.action, /^the restore-database input names the database to restore the dumps into/);
    assert.equal(build({ restoreDatabase: "app", dumps: ["a.sql"] }).restore.database, "app");
  });

  test("each bad value is refused, naming its setting", () => {
    const cases: [Partial<GivenSettings>, RegExp, RegExp][] = [
      [{ jobs: "0" }, /^--jobs takes a whole number from 1 to 64/, /^the jobs input takes/],
      [{ concurrency: "65" }, /^--concurrency takes a whole number/, /^the concurrency input takes/],
      [
        { headroomThreshold: "120" },
        /^--headroom-threshold takes a percentage/,
        /^the headroom-threshold input/,
      ],
      [
        { statementTimeout: "5" },
        /^--statement-timeout takes a duration with its unit/,
        /^the statement-timeout/,
      ],
      [{ lockTimeout: "soon" }, /^--lock-timeout takes a duration such as/, /^the lock-timeout input/],
      [{ connectTimeout: "-1s" }, /^--connect-timeout takes a duration/, /^the connect-timeout input/],
      [
        { onRestoreError: "skip" },
        /^--on-restore-error takes stop or continue/,
        /^the on-restore-error input/,
      ],
      [{ failOn: "behind,weird" }, /^--fail-on takes a list of/, /^the fail-on input takes a list of/],
      [{ extensions: ["bad name"] }, /^--extension takes the name of an extension/, /^the extensions input/],
    ];
    for (const [given, cli, action] of cases) {
      const r = refusal(() => build(given));
      assert.match(r.cli, cli);
      assert.match(r.action, action);
    }
  });
});

describe("the CLI and the Action: the same settings for the same intent", () => {
  const url = "postgres://u:pw@db.example:5432/app";

  test("everything given", () => {
    const cli = fromArgv([
      "fix",
      "--database-url",
      url,
      "--schema",
      "app",
      "--schema",
      "billing",
      "--exclude",
      "audit.*",
      "--fail-on",
      "behind,error",
      "--headroom-threshold",
      "90",
      "--concurrency",
      "4",
      "--statement-timeout",
      "10s",
      "--lock-timeout",
      "500ms",
      "--connect-timeout",
      "1min",
      "--restore-database",
      "scratch",
      "--clean",
      "--keep",
      "--jobs",
      "3",
      "--on-restore-error",
      "continue",
      "--restore-via",
      "docker:pg",
      "--restore-arg=--no-comments",
      "--extension",
      "postgis",
      "--trust-fixture",
      "--report-json",
      "out/r.json",
      "db/schema.sql",
      "--dump",
      "db/data.sql",
    ]);
    const action = fromInputs({
      mode: "fix",
      "database-url": url,
      schemas: "app, billing",
      exclude: "audit.*",
      "fail-on": "behind,error",
      "headroom-threshold": "90",
      concurrency: "4",
      "statement-timeout": "10s",
      "lock-timeout": "500ms",
      "connect-timeout": "1min",
      "restore-database": "scratch",
      clean: "true",
      "keep-database": "true",
      jobs: "3",
      "on-restore-error": "continue",
      container: "pg",
      "restore-args": "--no-comments",
      extensions: "postgis",
      "trust-fixture": "true",
      "report-json": "out/r.json",
      dump: "db/data.sql\ndb/schema.sql",
    });
    const { print: _print, ...cliSettings } = cli;
    const { publish: _publish, ...actionSettings } = action;
    // The CLI takes --dump paths first, then those after the command; the Action's lines keep their order.
    assert.deepEqual(cliSettings.dumps, ["db/data.sql", "db/schema.sql"]);
    assert.equal(actionSettings.restore.within, "/ws", "the Action reads dumps only from its workspace");
    delete actionSettings.restore.within;
    assert.deepEqual(cliSettings, actionSettings);
  });

  test("nothing given but the mode: the same defaults, except keeping the restored databases", () => {
    const { print: _print, ...cli } = fromArgv(["check"]);
    const { publish: _publish, ...action } = fromInputs({ "keep-database": "false" }, "/ws");
    delete action.restore.within;
    const cpus = cli.restore.jobs;
    assert.deepEqual(cli, { ...action, restore: { ...action.restore, jobs: cpus } });
    // action.yml keeps them for later steps by default; the CLI drops them.
    assert.equal(fromInputs({}).restore.keep, true);
  });

  test("report with fail-on is refused by both, each in its own words", () => {
    assert.throws(() => fromArgv(["report", "--fail-on", "behind"]), /does not go with report/);
    assert.throws(() => fromInputs({ mode: "report", "fail-on": "behind" }), /does not go with report/);
  });

  test("what only the CLI checks: printing, --restore-via's docker: prefix, the command", () => {
    assert.throws(() => fromArgv(["check", "--quiet", "--verbose"]), /--quiet and --verbose contradict/);
    assert.throws(() => fromArgv(["check", "--restore-via", "pg"]), /--restore-via takes docker:CONTAINER/);
    assert.throws(() => fromArgv(["check", "--fix"]), /--fix belongs to seq-guard sql --fix/);
    assert.throws(() => fromArgv(["verify"]), /unknown command "verify"/);
    const s = fromArgv(["check", "--json", "--no-color", "--debug"]);
    assert.deepEqual(s.print, { json: true, quiet: false, verbose: false, color: false, debug: true });
    const tty = parseCommandLine(["check"], true, {});
    assert.ok(tty.kind === "run" && tty.settings.print.color, "colour on a terminal");
    const noColor = parseCommandLine(["check"], true, { NO_COLOR: "1" });
    assert.ok(noColor.kind === "run" && !noColor.settings.print.color, "NO_COLOR is honoured");
  });

  test("what only the Action has: how it tells GitHub, with its defaults", () => {
    assert.deepEqual(fromInputs({}).publish, {
      token: "",
      comment: "auto",
      commentKey: "",
      annotations: true,
      checkRun: "auto",
      issueOnFailure: false,
    });
    assert.throws(() => fromInputs({ comment: "maybe" }), /input comment takes auto, always, never/);
    assert.throws(() => fromInputs({ annotations: "yes" }), /input annotations takes true or false/);
    assert.throws(() => fromInputs({ mode: "verify" }), /input mode takes check, fix, report/);
  });
});
