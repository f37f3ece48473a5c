// The CLI front end: read the command line into the run's settings, decide the server, run the engine on each
// target, print, and exit with a documented code. All I/O of the CLI lives in this folder; the engine and the
// renderers know nothing of argv or stdout, and name settings with `say`, which the CLI renders as its flags.

import { EXIT, loadPart, SeqGuardError } from "../core/errors.ts";
import { logText } from "../core/printable.ts";
import { buildReport } from "../core/report.ts";
import { checkFiltersLeftSomething, targetsOf, unmatchedFilters } from "../core/report-filters.ts";
import { VERSION } from "../core/version.ts";
import { CLI_WORDS, inWords } from "../core/words.ts";
import { type ConnectionTarget, secretsOf } from "../db/connection.ts";
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
import { type CliSettings, flagValue, parseCommandLine } from "./args.ts";
import {
  checkReportPath,
  cliText,
  type FailureOutput,
  type Io,
  makeProgress,
  printFailure,
  printReport,
} from "./output.ts";
import { type Server, serverOf, startThrowaway } from "./server.ts";
import { USAGE } from "./usage.ts";

export type { Io } from "./output.ts";
export { USAGE } from "./usage.ts";

/** Run the CLI. Returns the exit code; never throws. */
export async function run(argv: string[], io: Io): Promise<number> {
  // The passwords of the command line and the environment, known before anything can fail; the throwaway
  // server's is added once it is started.
  const secrets: string[] = secretsOf(flagValue(argv, "--database-url") ?? "", io.env);
  let debug = argv.includes("--debug");
  // Once the settings are read, --json and --report-json get a report whatever happens after (ok false, the error).
  let settings: CliSettings | undefined;
  try {
    const command = parseCommandLine(argv, io.isTTY, io.env);
    if (command.kind === "help") {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    if (command.kind === "version") {
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (command.kind === "sql") {
      const { sqlScript } = await loadPart(() => import(/* webpackMode: "lazy" */ "../sql-script/index.ts"));
      io.stdout(sqlScript(command.options));
      return EXIT.ok;
    }
    debug = command.settings.print.debug;
    if (command.settings.reportJson) checkReportPath(command.settings.reportJson);
    settings = command.settings;
    return await verify(settings, serverOf(settings, io.env), io, secrets);
  } catch (err) {
    // Whatever failed after an interrupt (a server start cut short, a tool killed) is the interrupt's doing.
    if (err instanceof InterruptedError || interrupted()) {
      await printFailure(
        failureOutput(settings, argv),
        interruptedExitCode(),
        "interrupted",
        [],
        io,
        secrets,
      );
      return interruptedExitCode();
    }
    if (err instanceof SeqGuardError) {
      io.stderr(`seq-guard: ${logText(cliText(err.message, secrets))}\n`);
      await printFailure(
        failureOutput(settings, argv),
        err.exitCode,
        err.message,
        targetsOf(err),
        io,
        secrets,
      );
      return err.exitCode;
    }
    const e = err as Error;
    const message = e?.message ?? String(err);
    await printFailure(
      failureOutput(settings, argv),
      EXIT.internal,
      `unexpected error: ${message}`,
      [],
      io,
      secrets,
    );
    io.stderr(
      logText(
        `seq-guard: unexpected error: ${cliText(message, secrets)}\n${debug && e?.stack ? `${cliText(e.stack, secrets)}\n` : "Run again with --debug for details, and report it if it persists.\n"}`,
      ),
    );
    return EXIT.internal;
  }
}

/**
 * Where a stopped run's JSON report goes. Once the settings are read, they say; when the command line itself was
 * refused, its --json and --report-json are taken as written, so a consumer of the JSON still gets a report.
 */
function failureOutput(settings: CliSettings | undefined, argv: string[]): FailureOutput {
  if (settings) return { mode: settings.mode, json: settings.print.json, reportJson: settings.reportJson };
  const options = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length);
  // The command word as written: `seq-guard sql` prints a script, never a report, and without one no run was asked.
  const command = options.find((a) => ["check", "fix", "report", "sql"].includes(a));
  if (command !== "check" && command !== "fix" && command !== "report") {
    return { mode: "check", json: false, reportJson: undefined };
  }
  const reportJson = flagValue(argv, "--report-json");
  // A value that is another flag (`--report-json --json`) is no file name.
  const file = reportJson && !reportJson.startsWith("-") ? reportJson : undefined;
  return { mode: command, json: options.includes("--json"), reportJson: file };
}

/**
 * Verify: the database as it is, or each dump restored (on the server named, or on a throwaway one started for
 * it), then print. The throwaway server's password joins `secrets`.
 */
async function verify(settings: CliSettings, server: Server, io: Io, secrets: string[]): Promise<number> {
  const progress = makeProgress(io, settings);
  // Dumps: scratch databases (and maybe a server) to clean up, also on Ctrl-C and SIGTERM (exit 130 / 143).
  const restoring = settings.dumps.length > 0;
  const removeHandlers = restoring
    ? installSignalHandlers({
        notify: (t) => io.stderr(logText(inWords(t, CLI_WORDS))),
        exit: (code) => process.exit(code),
      })
    : () => undefined;
  let throwaway: EmbeddedServer | null = null;
  try {
    const { checkDumps, runTargets, targetsExitCode } = await loadPart(
      () => import(/* webpackMode: "lazy" */ "../run/targets.ts"),
    );
    if (restoring) checkDumps(settings.dumps, settings.restore);
    let connection: ConnectionTarget;
    if (server.kind === "named") connection = server.connection;
    else ({ server: throwaway, connection } = await startThrowaway(progress));
    for (const s of connection.secrets) if (!secrets.includes(s)) secrets.push(s);
    const targets = await runTargets({
      connection,
      dumps: settings.dumps,
      restore: settings.restore,
      engine: settings.engine,
      progress,
    });
    throwIfInterrupted();
    const report = buildReport(settings.mode, targets, settings.failOn);
    // A --schema or --exclude that matches nothing is a warning; filters that leave nothing to verify fail.
    if (!settings.print.quiet) {
      for (const w of await unmatchedFilters(report, settings.engine)) {
        io.stderr(`seq-guard: warning: ${logText(cliText(w, secrets))}\n`);
      }
    }
    checkFiltersLeftSomething(report, settings.engine);
    await printReport(report, settings, io, secrets, throwaway !== null);
    return targetsExitCode(targets, report.ok);
  } finally {
    // Interrupted: the signal handler's cleanup stops it, last, after what lives on it (the scratch database,
    // the restore role) is dropped; stopping it here would race that cleanup.
    if (throwaway && !interrupted()) {
      progress("stopping the embedded PostgreSQL");
      await throwaway.stop();
      progress(null);
    }
    removeHandlers();
  }
}
