// The CLI front end: parse the command line, run the engine on each target, print and exit with a documented
// code. All I/O of the CLI lives here; the engine and renderers know nothing of argv or stdout.

import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_ENGINE, type EngineOptions } from "../core/engine-options.ts";
import { EXIT, SeqGuardError, UsageError } from "../core/errors.ts";
import {
  CLI_WORDS,
  extensionName,
  parseDuration,
  parseEngineTuning,
  parseInteger,
  parseOnRestoreError,
  parsePercent,
  resolveFailOn,
} from "../core/options.ts";
import { logText, printable } from "../core/printable.ts";
import { redact } from "../core/redact.ts";
import { buildReport, type FailOn, failedRunReport, redactReport } from "../core/report.ts";
import { checkFiltersLeftSomething, targetsOf, unmatchedFilters } from "../core/report-filters.ts";
import type { Mode, Report, TargetReport } from "../core/types.ts";
import { VERSION } from "../core/version.ts";
import { parseDatabaseUrl, resolveConnection, secretsOf, serverNamed } from "../db/connection.ts";
import {
  InterruptedError,
  installSignalHandlers,
  interrupted,
  interruptedExitCode,
  throwIfInterrupted,
} from "../process/cleanup.ts";
// What only some commands use (the driver and the engine, restoring, the embedded server, the script) is loaded
// where it is used, so `--version`, `--help` and a usage error do not wait for it.
import type { EmbeddedServer } from "../process/embedded.ts";
import { reportJsonPieces } from "../render/json.ts";
import { renderTextPieces } from "../render/text.ts";
import type { RestoreOptions } from "../restore/options.ts";
import type { SqlScriptOptions } from "../sql-script/index.ts";

export interface Io {
  /** Write to standard output; a returned promise settles once the text is handed on (back pressure). */
  stdout: (s: string) => void | Promise<void>;
  stderr: (s: string) => void;
  /** Standard output is a terminal: colour in the table. */
  isTTY: boolean;
  /**
   * Standard error is a terminal: progress as one line rewritten in place. Otherwise (a CI log, a file) progress
   * comes as a plain line now and then, so a long restore still shows it is alive.
   */
  stderrTTY?: boolean;
  env: NodeJS.ProcessEnv;
}

const COMMANDS = ["check", "fix", "report"] as const;

export const USAGE = `seq-guard ${VERSION}: find PostgreSQL sequences that fell behind their data, and fix them.

Usage:
  seq-guard check  [options]   verify; exit 1 when a sequence is behind, exhausted or unreadable
  seq-guard fix    [options]   advance behind sequences exactly, verify again; exit 1 on what stays unfixed
  seq-guard report [options]   verify and report; never exits 1 on findings
  seq-guard sql [--fix] [opts] print a standalone SQL script that checks (--fix: fixes) the same way with psql
                               alone; connects to nothing. Takes --schema, --exclude, --headroom-threshold,
                               --lock-timeout

Dumps (restored into scratch databases, then verified; see Restore below):
  seq-guard check [options] DUMP...     or  --dump PATH (repeatable)

Connection (first found wins):
  --database-url URL         postgres://USER:PASSWORD@HOST:PORT/DATABASE (libpq's meaning: ?sslmode=
                             disable|allow|prefer|require|verify-ca|verify-full, sslrootcert, sslcert, sslkey)
  DATABASE_URL, or PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE/PGSERVICE in the environment (and
  PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY); percent-encode a password's % # ? / @ :
  None of them set and dumps given: seq-guard starts a throwaway PostgreSQL of its own (embedded-
  postgres), restores into it and removes it at the end. Any one of them set (even a stray PGHOST)
  means that server is used instead.

Restore:
  --restore-database NAME    database to restore the dumps into, in order (must not exist, or be
                             empty): a schema file and its data file go together this way
  --clean                    drop --restore-database first if it exists
  --keep                     keep the restored databases (dropped by default); needs a server of your
                             own (the throwaway one is removed at the end)
  --restore-arg ARG          pass ARG to pg_restore (archives); plain SQL, which seq-guard runs itself,
                             takes only -1 (one transaction); repeatable; write an ARG that starts with a
                             dash as --restore-arg=-t (--no-owner --no-privileges are the default)
  --jobs N                   parallel pg_restore jobs for custom and directory archives (default: CPUs)
  --on-restore-error MODE    stop (default) or continue
  --restore-via docker:ID    run pg_restore inside that container (a GitHub job's postgres service); plain
                             SQL always goes over seq-guard's own connection
  --extension NAME           let seq-guard create extension NAME when a dump asks for it (repeatable);
                             beyond the built-in list of extensions that reach nothing outside the database
  --trust-fixture            restore as the connecting role, with all its rights, instead of a throwaway
                             role that owns only the scratch database: never for dumps from forks

Options:
  --schema S                 only sequences of schema S (repeatable)
  --exclude PATTERN          skip sequences whose schema.name matches the glob (repeatable)
  --headroom-threshold PCT   warn when this share of a sequence's range is used (default 80)
  --fail-on LIST             findings that fail the run: behind,exhausted,error,near-exhaustion or none
                             (default: behind,exhausted,error); not with report, which never fails
  --concurrency N            connections used side by side (default 2)
  --statement-timeout T      bound on each query, with its unit: 5000ms, 30s, 2min (default 30s)
  --lock-timeout T           how long to wait for a table another session keeps locked (default 5s);
                             then it is reported busy, not waited on
  --connect-timeout T        how long to keep trying to connect (default 10s)
  --report-json PATH         write the JSON report to PATH
  --json                     print the JSON report on stdout instead of the table
  --quiet                    print nothing but errors (not with --verbose)
  --verbose                  list ok and skipped sequences too
  --no-color                 no colour (colour is used only on a terminal; NO_COLOR is honoured)
  --debug                    print stack traces of unexpected errors
  -h, --help                 this text
  -V, --version              the version

Exit codes: 0 nothing fails; 1 findings fail the mode; 2 usage error; 3 connection or database error;
4 restore failure; 70 internal error; 130 interrupted (SIGINT), 143 terminated (SIGTERM).
`;

interface Parsed {
  mode: Mode;
  url: string | undefined;
  dumps: string[];
  restore: RestoreOptions;
  engine: EngineOptions;
  failOn: FailOn[];
  reportJson: string | undefined;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
  debug: boolean;
}

export function parseCli(argv: string[], io: Io): Parsed | { sql: SqlScriptOptions } | "help" | "version" {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        "database-url": { type: "string" },
        dump: { type: "string", multiple: true },
        "restore-database": { type: "string" },
        clean: { type: "boolean" },
        keep: { type: "boolean" },
        "restore-arg": { type: "string", multiple: true },
        jobs: { type: "string" },
        "on-restore-error": { type: "string" },
        "restore-via": { type: "string" },
        extension: { type: "string", multiple: true },
        "trust-fixture": { type: "boolean" },
        schema: { type: "string", multiple: true },
        exclude: { type: "string", multiple: true },
        fix: { type: "boolean" },
        "headroom-threshold": { type: "string" },
        "fail-on": { type: "string" },
        concurrency: { type: "string" },
        "statement-timeout": { type: "string" },
        "lock-timeout": { type: "string" },
        "connect-timeout": { type: "string" },
        "report-json": { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        verbose: { type: "boolean", short: "v" },
        "no-color": { type: "boolean" },
        debug: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (err) {
    // Node's messages end with a full stop (and, for a value that looks like a flag, with the `=` remedy).
    const text = (err as Error).message
      .replace(/\s*\n\s*/g, " ")
      .replace(/\. To specify a positional argument.*$/s, "")
      .replace(/\.+$/, "");
    // A dump whose file name starts with a dash reads as options: say how to give it.
    const dashed = argv.find((a) => a.startsWith("-") && a.length > 1 && existsSync(a));
    if (dashed) {
      throw new UsageError(
        `${text}: "${printable(dashed)}" is read as options. A dump whose name starts with a dash goes after --, as ./${printable(dashed)} or as --dump=${printable(dashed)}`,
      );
    }
    throw new UsageError(`${text}. Run seq-guard --help for the options.`);
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (v.help) return "help";
  if (v.version) return "version";
  const [command, ...rest] = parsed.positionals;
  if (command === "sql") return { sql: parseSqlCommand(argv) };
  if (!command)
    throw new UsageError("no command given: use seq-guard check, fix, report or sql (seq-guard --help)");
  if (!COMMANDS.includes(command as Mode)) {
    throw new UsageError(`unknown command "${command}": use check, fix, report or sql (seq-guard --help)`);
  }
  if (v.fix) {
    throw new UsageError("--fix belongs to seq-guard sql --fix; to fix a database, run seq-guard fix");
  }
  const mode = command as Mode;
  const str = (k: string) => v[k] as string | undefined;
  // Dumps come as --dump PATH or as plain arguments after the command: seq-guard check fixture.dump
  const dumps = [...((v.dump as string[] | undefined) ?? []), ...rest];
  const onError = parseOnRestoreError("--on-restore-error", str("on-restore-error") ?? "stop");
  if (v.quiet && v.verbose) {
    throw new UsageError("--quiet and --verbose contradict each other: give one of them");
  }
  const via = str("restore-via");
  if (via !== undefined && !/^docker:.+/.test(via)) {
    throw new UsageError(`--restore-via takes docker:CONTAINER (got "${via}")`);
  }
  if (str("restore-database") !== undefined && dumps.length === 0) {
    throw new UsageError(
      "--restore-database names the database to restore the dumps into: give at least one dump with it",
    );
  }
  const restore: RestoreOptions = {
    database: str("restore-database"),
    clean: Boolean(v.clean),
    keep: Boolean(v.keep),
    extraArgs: (v["restore-arg"] as string[] | undefined) ?? [],
    jobs:
      str("jobs") !== undefined
        ? parseInteger("--jobs", str("jobs") as string, 1, 64)
        : availableParallelism(),
    onError,
    viaContainer: via?.replace(/^docker:/, ""),
    trustFixture: Boolean(v["trust-fixture"]),
    extensions: ((v.extension as string[] | undefined) ?? []).map(extensionName("--extension")),
  };
  const engine: EngineOptions = {
    ...DEFAULT_ENGINE,
    mode,
    schemas: (v.schema as string[] | undefined) ?? [],
    exclude: (v.exclude as string[] | undefined) ?? [],
  };
  if (str("headroom-threshold") !== undefined) {
    engine.headroomThreshold = parsePercent("--headroom-threshold", str("headroom-threshold") as string);
  }
  Object.assign(engine, parseEngineTuning(str, CLI_WORDS.option));
  return {
    mode,
    url: str("database-url"),
    dumps,
    restore,
    engine,
    failOn: resolveFailOn(mode, str("fail-on"), CLI_WORDS),
    reportJson: str("report-json"),
    json: Boolean(v.json),
    quiet: Boolean(v.quiet),
    verbose: Boolean(v.verbose),
    color: io.isTTY && !v["no-color"] && !io.env.NO_COLOR,
    debug: Boolean(v.debug),
  };
}

/** `seq-guard sql`: its own, smaller set of options; it connects to nothing, so connection and restore flags are errors. */
export function parseSqlCommand(argv: string[]): SqlScriptOptions {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        fix: { type: "boolean" },
        schema: { type: "string", multiple: true },
        exclude: { type: "string", multiple: true },
        "headroom-threshold": { type: "string" },
        "lock-timeout": { type: "string" },
        debug: { type: "boolean" },
      },
    });
  } catch (err) {
    throw new UsageError(
      `${(err as Error).message.replace(/\. To specify.*$/s, "")}. seq-guard sql prints a script and connects to nothing: it takes only --fix, --schema, --exclude, --headroom-threshold and --lock-timeout.`,
    );
  }
  const extra = parsed.positionals.filter((p, i) => !(p === "sql" && i === 0));
  if (extra.length > 0) {
    throw new UsageError(
      `seq-guard sql takes no arguments (got "${extra[0]}"): it prints a script for psql; run it with psql -X -v ON_ERROR_STOP=1 -d DATABASE -f FILE`,
    );
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  return {
    fix: Boolean(v.fix),
    schemas: (v.schema as string[] | undefined) ?? [],
    exclude: (v.exclude as string[] | undefined) ?? [],
    headroomThreshold:
      v["headroom-threshold"] !== undefined
        ? parsePercent("--headroom-threshold", v["headroom-threshold"] as string)
        : DEFAULT_ENGINE.headroomThreshold,
    lockTimeoutMs:
      v["lock-timeout"] !== undefined
        ? parseDuration("--lock-timeout", v["lock-timeout"] as string)
        : DEFAULT_ENGINE.lockTimeoutMs,
    version: VERSION,
  };
}

/** Seconds between progress lines when stderr is not a terminal. */
const PLAIN_PROGRESS_MS = 10_000;

/**
 * Progress on stderr once a run has taken more than a moment: on a terminal one line rewritten in place;
 * elsewhere (a CI log) a plain line at most every 10 seconds. Never with --quiet or --json.
 */
function makeProgress(io: Io, opts: Parsed): (text: string | null) => void {
  const started = Date.now();
  let shown = false;
  let lastPlain = started;
  return (text) => {
    if (opts.quiet || opts.json) return;
    if (!io.stderrTTY) {
      if (text === null || Date.now() - lastPlain < PLAIN_PROGRESS_MS) return;
      lastPlain = Date.now();
      io.stderr(`seq-guard: ${printable(text)}\n`);
      return;
    }
    if (text === null) {
      if (shown) io.stderr("\r\x1b[K");
      shown = false;
      return;
    }
    if (Date.now() - started < 1000) return;
    shown = true;
    io.stderr(`\r\x1b[K${printable(text)}`);
  };
}

/**
 * A --report-json path that cannot be written is a usage error found before anything runs, not an unexpected
 * error after a long restore.
 */
function checkReportPath(path: string): void {
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path);
  } catch {
    // It does not exist yet: its folder must.
  }
  if (stat?.isDirectory()) throw new UsageError(`--report-json ${path} is a folder: give a file name in it`);
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a folder");
    accessSync(dir, constants.W_OK);
    if (stat) accessSync(path, constants.W_OK);
  } catch {
    throw new UsageError(
      `--report-json ${path} cannot be written: ${existsSync(dir) ? "permission denied" : `the folder ${dir} does not exist`}. Give a path in a folder you may write to`,
    );
  }
}

/** The value of a string flag as written on the command line (`--flag VALUE` or `--flag=VALUE`), if any. */
function flagValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") break;
    if (a === flag) return argv[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

/** Run the CLI. Returns the exit code; never throws. */
export async function run(argv: string[], io: Io): Promise<number> {
  // The passwords of the command line and the environment, known before anything can fail.
  let secrets: string[] = secretsOf(flagValue(argv, "--database-url") ?? "", io.env);
  let debug = argv.includes("--debug");
  // Once the options are read, --json and --report-json get a report whatever happens after (ok false, the error).
  let opts: Parsed | undefined;
  try {
    const parsed = parseCli(argv, io);
    if (parsed === "help") {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    if (parsed === "version") {
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    }
    if ("sql" in parsed) {
      const { sqlScript } = await import(/* webpackMode: "eager" */ "../sql-script/index.ts");
      io.stdout(sqlScript(parsed.sql));
      return EXIT.ok;
    }
    debug = parsed.debug;
    if (parsed.reportJson) checkReportPath(parsed.reportJson);
    opts = parsed;
    // The throwaway server and everything in it is removed at the end: there is nothing --keep could keep.
    if (parsed.restore.keep && parsed.dumps.length > 0 && !serverNamed(parsed.url, io.env)) {
      throw new UsageError(
        "--keep keeps the restored databases on a server of your own, but none is named, and the throwaway PostgreSQL seq-guard would start is removed at the end: name one with --database-url (or DATABASE_URL, PGHOST...)",
      );
    }
    const progress = makeProgress(io, parsed);
    // Dumps: scratch databases (and maybe a server) to clean up, also on Ctrl-C and SIGTERM (exit 130 / 143).
    const restoring = parsed.dumps.length > 0;
    const removeHandlers = restoring
      ? installSignalHandlers({ notify: (t) => io.stderr(logText(t)), exit: (code) => process.exit(code) })
      : () => undefined;
    let embedded: EmbeddedServer | null = null;
    try {
      const { checkDumps, runTargets, targetsExitCode } = await import(
        /* webpackMode: "eager" */ "../run/targets.ts"
      );
      if (restoring) checkDumps(parsed.dumps, parsed.restore);
      let connection: ReturnType<typeof resolveConnection>;
      if (restoring && !serverNamed(parsed.url, io.env)) {
        // No server named anywhere: a throwaway one, stopped and removed whatever happens.
        const since = Date.now();
        const tick = setInterval(
          () => progress(`starting the embedded PostgreSQL ${Math.round((Date.now() - since) / 1000)}s`),
          1000,
        );
        // startEmbedded registers its own cleanup (stop, remove the data dir) as soon as it starts anything.
        try {
          const { startEmbedded } = await import(/* webpackMode: "eager" */ "../process/embedded.ts");
          embedded = await startEmbedded();
        } finally {
          clearInterval(tick);
          progress(null);
        }
        connection = parseDatabaseUrl(embedded.url, "--database-url");
      } else {
        connection = resolveConnection(parsed.url, io.env);
      }
      secrets = [...new Set([...secrets, ...connection.secrets])];
      const targets = await runTargets({
        connection,
        dumps: parsed.dumps,
        restore: parsed.restore,
        engine: parsed.engine,
        progress,
      });
      throwIfInterrupted();
      const report = buildReport(parsed.mode, targets, parsed.failOn);
      // A --schema or --exclude that matches nothing is a warning; filters that leave nothing to verify fail.
      if (!parsed.quiet) {
        for (const w of unmatchedFilters(report, parsed.engine, CLI_WORDS)) {
          io.stderr(`seq-guard: warning: ${logText(w)}\n`);
        }
      }
      checkFiltersLeftSomething(report, parsed.engine, CLI_WORDS);
      await emit(report, parsed, io, secrets);
      return targetsExitCode(targets, report.ok);
    } finally {
      // Interrupted: the signal handler's cleanup stops it, last, after what lives on it (the scratch database,
      // the restore role) is dropped; stopping it here would race that cleanup.
      if (embedded && !interrupted()) {
        progress("stopping the embedded PostgreSQL");
        await embedded.stop();
        progress(null);
      }
      removeHandlers();
    }
  } catch (err) {
    // Whatever failed after an interrupt (a server start cut short, a tool killed) is the interrupt's doing.
    if (err instanceof InterruptedError || interrupted()) {
      await emitFailure(opts, interruptedExitCode(), "interrupted", [], io, secrets);
      return interruptedExitCode();
    }
    if (err instanceof SeqGuardError) {
      io.stderr(`seq-guard: ${logText(redact(err.message, secrets))}\n`);
      await emitFailure(opts, err.exitCode, err.message, targetsOf(err), io, secrets);
      return err.exitCode;
    }
    const e = err as Error;
    await emitFailure(opts, EXIT.internal, `unexpected error: ${e?.message ?? String(err)}`, [], io, secrets);
    io.stderr(
      logText(
        `seq-guard: unexpected error: ${redact(e?.message ?? String(err), secrets)}\n${debug && e?.stack ? `${redact(e.stack, secrets)}\n` : "Run again with --debug for details, and report it if it persists.\n"}`,
      ),
    );
    return EXIT.internal;
  }
}

/**
 * The JSON report of a run that stopped (ok false, the error's code and message), on stdout with --json and in
 * the --report-json file: a consumer of the JSON is never left with nothing. Never throws.
 */
async function emitFailure(
  opts: Parsed | undefined,
  exitCode: number,
  message: string,
  targets: TargetReport[],
  io: Io,
  secrets: string[],
): Promise<void> {
  if (!opts || (!opts.json && !opts.reportJson)) return;
  const report = redactReport(failedRunReport(opts.mode, exitCode, message, targets), secrets);
  try {
    if (opts.reportJson) writeFileSync(opts.reportJson, [...reportJsonPieces(report)].join(""));
    if (opts.json) for (const piece of reportJsonPieces(report)) await io.stdout(logText(piece));
  } catch {
    // the message on stderr says what failed
  }
}

async function emit(report: Report, opts: Parsed, io: Io, secrets: string[]): Promise<void> {
  // Only the free text of a report can carry a secret (a server's error echoing a connection string): it is
  // redacted there, so names, keys and SQL stay intact whatever the password looks like.
  const clean = redactReport(report, secrets);
  if (opts.reportJson) {
    try {
      const fd = openSync(opts.reportJson, "w");
      try {
        for (const piece of reportJsonPieces(clean)) writeSync(fd, piece);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      throw new SeqGuardError(
        `could not write the report to --report-json ${opts.reportJson}: ${(err as Error).message}. Check the path and the free space`,
        EXIT.internal,
      );
    }
  }
  // A dump that could not be restored or verified is an error: with --quiet and --json (whose stdout may go to
  // a file) said on stderr; otherwise the table says it, once.
  if (opts.quiet || opts.json) {
    for (const t of clean.targets) {
      if (t.error) io.stderr(`seq-guard: ${printable(t.dump ?? t.database)}: ${logText(t.error)}\n`);
    }
  }
  // What goes to a terminal or a CI log passes logText (in JSON, its escapes read back as the same strings): a
  // name or a message that the renderers let through still cannot start a workflow command.
  if (opts.json) for (const piece of reportJsonPieces(clean)) await io.stdout(logText(piece));
  else if (!opts.quiet) {
    for (const piece of renderTextPieces(clean, {
      color: opts.color,
      verbose: opts.verbose,
      failOn: opts.failOn,
    }))
      await io.stdout(logText(piece));
  }
  if (
    opts.mode === "fix" &&
    opts.dumps.length > 0 &&
    !opts.restore.keep &&
    clean.summary.fixed > 0 &&
    !opts.quiet
  ) {
    io.stderr(
      "note: the fixes were made in the scratch databases, which are dropped again; add --keep to keep them\n",
    );
  }
}
