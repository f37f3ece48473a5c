// The GitHub Action front end: read the inputs into the run's settings, name the server, verify the database (or
// restore the dumps and verify them), then tell the job: log, annotations, job summary, outputs, report-json, and
// the pull request comment or the issue. Reading the inputs (inputs.ts), expanding dump globs (dumps.ts),
// annotating the findings (annotate.ts, locate.ts) and telling GitHub (publish.ts, github.ts) are each a file of
// their own; rendering (render/) is pure. Every message goes out in the Action's words (context.ts).
//
// Exit: check fails on any violation under fail-on; fix fails only on what stays unfixed; report never fails on
// findings. A bad input, a restore or a connection failure fails the job in every mode, with a one-paragraph
// message (core.setFailed) and no stack trace.

import * as core from "@actions/core";
import { EXIT, SeqGuardError, UsageError } from "../core/errors.ts";
import { logText, printable } from "../core/printable.ts";
import { buildReport, type FailOn, failedRunReport, fails, redactReport } from "../core/report.ts";
import { checkFiltersLeftSomething, targetsOf, unmatchedFilters } from "../core/report-filters.ts";
import type { Report, TargetReport } from "../core/types.ts";
import { VERSION } from "../core/version.ts";
import { ACTION_WORDS, inWordsReport } from "../core/words.ts";
import { type ConnectionTarget, resolveConnection, secretsOf, serverNamed } from "../db/connection.ts";
import { InterruptedError, installSignalHandlers } from "../process/cleanup.ts";
import type { ActionStatus, Outcome } from "../render/markdown.ts";
import { renderText } from "../render/text.ts";
import { checkDumps, restoreFailed, runTargets, targetsExitCode } from "../run/targets.ts";
import { annotate } from "./annotate.ts";
import { actionText, type Context, info, warn } from "./context.ts";
import { expandDumps } from "./dumps.ts";
import { countedFailOn, readInputs } from "./inputs.ts";
import { publishCheck, setOutputs, tellGitHub, writeReportJson, writeSummary } from "./publish.ts";

/**
 * Run the Action. `masked`: the passwords main.ts masked before anything was logged (without it, they are found
 * and masked here first). Returns the exit code; never throws.
 */
export async function runAction(env: NodeJS.ProcessEnv = process.env, masked?: string[]): Promise<number> {
  const ctx: Context = { env, secrets: masked ?? [], settings: null, warnings: 0 };
  try {
    if (masked === undefined) {
      ctx.secrets = secretsOf(core.getInput("database-url"), env);
      for (const s of ctx.secrets) core.setSecret(s);
    }

    const workspace = env.GITHUB_WORKSPACE || process.cwd();
    const settings = readInputs(workspace);
    ctx.settings = settings;
    const connection = serverOf(settings.databaseUrl, env);
    ctx.secrets = [...new Set([...ctx.secrets, ...connection.secrets])];

    const { dumps, unmatched } = await expandDumps(settings.dumps, process.cwd());
    for (const p of unmatched) {
      warn(ctx, `seq-guard: dump pattern "${p}" matches no file; the other patterns' dumps are checked.`);
    }
    if (dumps.length > 0) {
      checkDumps(dumps, settings.restore);
      // A cancelled job (SIGINT, then SIGTERM) removes what it was restoring: nothing is left on the server.
      installSignalHandlers({ notify: (t) => info(ctx, t.trimEnd()), exit: (code) => process.exit(code) });
    }
    info(
      ctx,
      `seq-guard ${VERSION}: ${settings.mode} ${dumps.length === 0 ? `the database ${connection.label} as it is` : `${dumps.length} ${dumps.length === 1 ? "dump" : "dumps"} restored on ${connection.label}`}`,
    );
    const targets = await runTargets({
      connection,
      dumps,
      restore: settings.restore,
      engine: settings.engine,
      progress: makeProgress(ctx),
    });
    return await finish(ctx, buildReport(settings.mode, targets, settings.failOn), workspace);
  } catch (err) {
    return fail(ctx, err);
  }
}

/**
 * The server the database-url input, DATABASE_URL or the PG* variables name, resolved once for the whole run.
 * The Action never starts one of its own: none named is a usage error.
 */
function serverOf(databaseUrl: string | undefined, env: NodeJS.ProcessEnv): ConnectionTarget {
  if (!serverNamed(databaseUrl, env)) {
    throw new UsageError(
      "no PostgreSQL server given: set the database-url input (for a services: postgres container, postgres://postgres:postgres@localhost:5432/postgres), or DATABASE_URL or PGHOST/PGUSER/PGPASSWORD in the step's env. The Action never starts a server of its own.",
    );
  }
  return resolveConnection(databaseUrl, env);
}

/** Log lines for long runs: at most one every 10 seconds. */
function makeProgress(ctx: Context): (text: string | null) => void {
  let last = Date.now();
  return (text) => {
    if (text === null || Date.now() - last < 10_000) return;
    last = Date.now();
    info(ctx, text);
  };
}

function countViolations(report: Report, failOn: FailOn[]): number {
  let n = 0;
  for (const t of report.targets) for (const r of t.sequences) if (fails(r, failOn)) n++;
  return n;
}

function statusOf(report: Report, violations: number): ActionStatus {
  if (report.targets.some((t) => t.error !== null)) return "error";
  if (violations > 0) return "violations";
  if (report.summary.fixed > 0) return "fixed";
  return "ok";
}

/** A run with results: tell them everywhere, and fail the job as the mode says. */
async function finish(ctx: Context, verified: Report, workspace: string): Promise<number> {
  const settings = ctx.settings as NonNullable<Context["settings"]>;
  const { mode } = settings;
  const failOn = countedFailOn(settings);
  // Advice in the Action's words everywhere it shows: log, annotations, summary, comment, report-json.
  const report = inWordsReport(verified, ACTION_WORDS);
  // Filters that leave nothing to verify fail the step as a bad input (fail() tells it everywhere), not green.
  const filterWarnings = await unmatchedFilters(report, settings.engine);
  try {
    checkFiltersLeftSomething(report, settings.engine);
  } catch (err) {
    for (const w of filterWarnings) warn(ctx, `seq-guard: ${w}`);
    throw err;
  }
  const violations = countViolations(report, failOn);
  const status = statusOf(report, violations);
  const failing = status === "error" || (mode !== "report" && violations > 0);

  // Masked as a report first (a password with a control character in a message would not match once escaped).
  info(
    ctx,
    renderText(redactReport(report, ctx.secrets), {
      color: true,
      verbose: false,
      failOn,
      words: ACTION_WORDS,
    }),
  );
  for (const w of filterWarnings) warn(ctx, `seq-guard: ${w}`);

  const outcome: Outcome & { report: Report } = { mode, failOn, status, violations, report, fatal: null };
  const { note } = await annotate(ctx, outcome, failing, workspace);
  writeSummary(ctx, outcome, note);

  const reportJson = writeReportJson(ctx, report);
  const s = report.summary;
  setOutputs(status, {
    violations,
    fixed: s.fixed,
    checked: s.sequences - s.skipped,
    // A dump that could not be restored has no database to hand to later steps, nor one keep-database: false
    // dropped again.
    database: report.targets
      .filter((t) => !restoreFailed(t) && (t.dump === null || settings.restore.keep))
      .map((t) => t.database)
      .join("\n"),
    reportJson,
  });

  await tellGitHub(ctx, outcome, failing);
  return conclude(ctx, outcome, failing);
}

/** The step's last word: the failure (a target that failed, findings under fail-on), or what passed. */
function conclude(ctx: Context, outcome: Outcome & { report: Report }, failing: boolean): number {
  const { mode, failOn, violations, report } = outcome;
  const targetErrors = report.targets.filter((t) => t.error !== null);
  if (targetErrors.length > 0) {
    const first = targetErrors[0] as TargetReport;
    const what = restoreFailed(first) ? "restored" : "verified";
    const more = targetErrors.length > 1 ? ` (and ${targetErrors.length - 1} more: see the job summary)` : "";
    core.setFailed(
      actionText(
        ctx,
        `seq-guard: ${printable(first.dump ?? first.database)} could not be ${what}: ${logText(first.error ?? "")}${more}`,
      ),
    );
    return targetsExitCode(report.targets, false);
  }
  if (failing) {
    const what = mode === "fix" ? "still fail the check after fixing" : "fail the check";
    core.setFailed(
      `seq-guard: ${violations} ${violations === 1 ? "sequence" : "sequences"} ${violations === 1 ? what.replace("fail", "fails") : what} (fail-on: ${failOn.join(", ")}). The job summary lists them with the fix.`,
    );
    return EXIT.findings;
  }
  const fixed = report.summary.fixed;
  const done =
    mode === "fix" && fixed > 0
      ? `seq-guard: fixed ${fixed} ${fixed === 1 ? "sequence" : "sequences"}; nothing left that fails.`
      : violations > 0
        ? `seq-guard: ${violations} ${violations === 1 ? "sequence fails" : "sequences fail"} the check (report mode: the job does not fail).`
        : "seq-guard: ok, no sequence fails the check.";
  info(ctx, done);
  return EXIT.ok;
}

/** A run that stopped before it had results: say why everywhere a reader looks, and fail. */
async function fail(ctx: Context, err: unknown): Promise<number> {
  let message: string;
  let code: number;
  if (err instanceof SeqGuardError) {
    message = `seq-guard: ${err.message}`;
    code = err.exitCode;
  } else if (err instanceof InterruptedError) {
    message = "seq-guard: cancelled; the scratch databases it was making are removed";
    code = EXIT.interrupted;
  } else {
    const e = err as Error;
    message = `seq-guard: unexpected error: ${e?.message ?? String(err)}. Re-run the job with debug logging enabled for details, and report it if it persists.`;
    code = EXIT.internal;
    if (e?.stack) core.debug(actionText(ctx, e.stack));
  }
  message = actionText(ctx, message);
  const settings = ctx.settings;
  const outcome: Outcome = {
    mode: settings?.mode ?? "check",
    failOn: settings ? countedFailOn(settings) : [],
    status: "error",
    violations: 0,
    report: null,
    fatal: message.replace(/^seq-guard: /, ""),
  };
  try {
    writeSummary(ctx, outcome);
    const failed = failedRunReport(outcome.mode, code, outcome.fatal ?? message, targetsOf(err));
    const reportJson = writeReportJson(ctx, inWordsReport(failed, ACTION_WORDS));
    setOutputs("error", { violations: 0, fixed: 0, checked: 0, database: "", reportJson });
    await publishCheck(ctx, outcome, [], true);
    await tellGitHub(ctx, outcome, true);
  } catch {
    // telling the failure must not hide it
  }
  core.setFailed(message);
  return code;
}
