// What the CLI shows: the report (the table, or JSON on stdout) and the --report-json file, the JSON report of a
// run that stopped, progress on stderr, and the check that the --report-json path can be written. Everything
// shown is in the CLI's words (inWords), has its secrets masked, and passes logText, the last guard of a log.

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
import { dirname, resolve } from "node:path";
import { EXIT, SeqGuardError, UsageError } from "../core/errors.ts";
import { logText, printable } from "../core/printable.ts";
import { redact } from "../core/redact.ts";
import { failedRunReport, redactReport } from "../core/report.ts";
import type { Mode, Report, TargetReport } from "../core/types.ts";
import { CLI_WORDS, inWords, inWordsReport } from "../core/words.ts";
import { reportJsonPieces } from "../render/json.ts";
import { renderTextPieces } from "../render/text.ts";
import type { CliSettings } from "./args.ts";

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

/** A message of any layer as the CLI shows it: settings named as flags, secrets masked. */
export function cliText(text: string, secrets: string[]): string {
  return redact(inWords(text, CLI_WORDS), secrets);
}

/** Seconds between progress lines when stderr is not a terminal. */
const PLAIN_PROGRESS_MS = 10_000;

/**
 * Progress on stderr once a run has taken more than a moment: on a terminal one line rewritten in place;
 * elsewhere (a CI log) a plain line at most every 10 seconds. Never with --quiet or --json.
 */
export function makeProgress(io: Io, settings: CliSettings): (text: string | null) => void {
  const started = Date.now();
  let shown = false;
  let lastPlain = started;
  return (text) => {
    if (settings.print.quiet || settings.print.json) return;
    if (!io.stderrTTY) {
      if (text === null || Date.now() - lastPlain < PLAIN_PROGRESS_MS) return;
      lastPlain = Date.now();
      io.stderr(`seq-guard: ${printable(inWords(text, CLI_WORDS))}\n`);
      return;
    }
    if (text === null) {
      if (shown) io.stderr("\r\x1b[K");
      shown = false;
      return;
    }
    if (Date.now() - started < 1000) return;
    shown = true;
    io.stderr(`\r\x1b[K${printable(inWords(text, CLI_WORDS))}`);
  };
}

/**
 * A --report-json path that cannot be written is a usage error found before anything runs, not an unexpected
 * error after a long restore.
 */
export function checkReportPath(path: string): void {
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

/** The report as the CLI shows it: its free text in the CLI's words, and redacted (free text only). */
function shown(report: Report, secrets: string[]): Report {
  return redactReport(inWordsReport(report, CLI_WORDS), secrets);
}

/** Where the JSON report of a run that stopped goes: from the settings, or from argv when they were refused. */
export interface FailureOutput {
  mode: Mode;
  json: boolean;
  reportJson: string | undefined;
}

/**
 * The JSON report of a run that stopped (ok false, the error's code and message), on stdout with --json and in
 * the --report-json file: a consumer of the JSON is never left with nothing. Never throws.
 */
export async function printFailure(
  out: FailureOutput,
  exitCode: number,
  message: string,
  targets: TargetReport[],
  io: Io,
  secrets: string[],
): Promise<void> {
  if (!out.json && !out.reportJson) return;
  const report = shown(failedRunReport(out.mode, exitCode, message, targets), secrets);
  try {
    if (out.reportJson) writeFileSync(out.reportJson, [...reportJsonPieces(report)].join(""));
    if (out.json) for (const piece of reportJsonPieces(report)) await io.stdout(logText(piece));
  } catch {
    // the message on stderr says what failed
  }
}

/** The report of a run that finished: the --report-json file, then the table or the JSON on stdout. */
export async function printReport(
  report: Report,
  settings: CliSettings,
  io: Io,
  secrets: string[],
  onThrowaway: boolean,
): Promise<void> {
  const { print } = settings;
  // Only the free text of a report can carry a secret (a server's error echoing a connection string): it is
  // redacted there, so names, keys and SQL stay intact whatever the password looks like.
  const clean = shown(report, secrets);
  if (settings.reportJson) {
    try {
      const fd = openSync(settings.reportJson, "w");
      try {
        for (const piece of reportJsonPieces(clean)) writeSync(fd, piece);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      throw new SeqGuardError(
        `could not write the report to --report-json ${settings.reportJson}: ${(err as Error).message}. Check the path and the free space`,
        EXIT.internal,
      );
    }
  }
  // A dump that could not be restored or verified is an error: with --quiet and --json (whose stdout may go to
  // a file) said on stderr; otherwise the table says it, once.
  if (print.quiet || print.json) {
    for (const t of clean.targets) {
      if (t.error) io.stderr(`seq-guard: ${printable(t.dump ?? t.database)}: ${logText(t.error)}\n`);
    }
  }
  // What goes to a terminal or a CI log passes logText (in JSON, its escapes read back as the same strings): a
  // name or a message that the renderers let through still cannot start a workflow command.
  if (print.json) for (const piece of reportJsonPieces(clean)) await io.stdout(logText(piece));
  else if (!print.quiet) {
    for (const piece of renderTextPieces(clean, {
      color: print.color,
      verbose: print.verbose,
      failOn: settings.failOn,
    }))
      await io.stdout(logText(piece));
  }
  if (
    settings.mode === "fix" &&
    settings.dumps.length > 0 &&
    !settings.restore.keep &&
    clean.summary.fixed > 0 &&
    !print.quiet
  ) {
    io.stderr(
      onThrowaway
        ? "note: the fixes were made in scratch databases on the throwaway server, which is stopped again; to keep them, name a server of your own (--database-url) and add --keep\n"
        : "note: the fixes were made in the scratch databases, which are dropped again; add --keep to keep them\n",
    );
  }
}
