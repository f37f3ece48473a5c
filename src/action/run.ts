// The GitHub Action front end: read the inputs, verify the database (or restore the dumps and verify them), then
// tell the job: log, annotations, job summary, outputs, report-json, and the pull request comment or the issue.
// All I/O of the Action lives here; rendering (render-markdown.ts) and the choice of annotations
// (annotations.ts) are pure, and GitHub calls are in github.ts.
//
// Exit: check fails on any violation under fail-on; fix fails only on what stays unfixed; report never fails on
// findings. A bad input, a restore or a connection failure fails the job in every mode, with a one-paragraph
// message (core.setFailed) and no stack trace.

import { appendFileSync, createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { createInterface } from "node:readline";
import * as core from "@actions/core";
import { context, getOctokit } from "@actions/github";
import * as glob from "@actions/glob";
import { Minimatch } from "minimatch";
import { EXIT, SeqGuardError, UsageError } from "../core/errors.ts";
import {
  ACTION_WORDS,
  extensionName,
  parseEngineTuning,
  parseInteger,
  parseOnRestoreError,
  parsePercent,
  resolveFailOn,
} from "../core/options.ts";
import { logText, printable } from "../core/printable.ts";
import { redact } from "../core/redact.ts";
import {
  buildReport,
  defaultFailOn,
  type FailOn,
  failedRunReport,
  fails,
  redactReport,
} from "../core/report.ts";
import { checkFiltersLeftSomething, targetsOf, unmatchedFilters } from "../core/report-filters.ts";
import type { Mode, Report, SequenceReport, TargetReport } from "../core/types.ts";
import { VERSION } from "../core/version.ts";
import { type ConnectionTarget, resolveConnection, secretsOf, serverNamed } from "../db/connection.ts";
import { DEFAULT_ENGINE, type EngineOptions } from "../db/engine.ts";
import { InterruptedError, installSignalHandlers } from "../process/cleanup.ts";
import {
  type Annotation,
  candidates,
  type Place,
  planAnnotations,
  TableDataLocator,
  tableOf,
} from "../render/annotations.ts";
import {
  checkRunName,
  conclusionOf,
  headShaOf,
  planCheckRun,
  toCheckAnnotations,
  workflowPath,
} from "../render/check-run.ts";
import { reportJsonPieces } from "../render/json.ts";
import {
  type ActionStatus,
  COMMENT_MAX_BYTES,
  isProblem,
  type Outcome,
  renderMarkdown,
  SUMMARY_MAX_BYTES,
} from "../render/markdown.ts";
import { renderText } from "../render/text.ts";
import type { RestoreOptions } from "../restore/options.ts";
import { checkDumps, restoreFailed, runTargets, targetsExitCode } from "../run/targets.ts";
import {
  explainGitHubError,
  isNotPermitted,
  markerOf,
  PartialCheckRunError,
  publishCheckRun,
  type Repo,
  syncIssue,
  upsertComment,
} from "./github.ts";

export interface ActionInputs {
  databaseUrl: string | undefined;
  dumps: string[];
  mode: Mode;
  failOn: FailOn[];
  restore: RestoreOptions;
  engine: EngineOptions;
  token: string;
  comment: "auto" | "always" | "never";
  commentKey: string;
  annotations: boolean;
  checkRun: "auto" | "always" | "never";
  reportJson: string | undefined;
  issueOnFailure: boolean;
}

function input(name: string): string {
  return core.getInput(name);
}

function lines(name: string): string[] {
  return input(name)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== "" && !s.startsWith("#"));
}

/**
 * A list input (schemas, exclude): entries separated by new lines or commas, the same for both. A comma inside
 * braces belongs to the glob (public.{a,b}_seq); a line starting with # is a comment.
 */
export function splitList(value: string): string[] {
  const out: string[] = [];
  for (const line of value.split(/\r?\n/)) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    let depth = 0;
    let start = 0;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (c === "\\") i++;
      else if (c === "{") depth++;
      else if (c === "}" && depth > 0) depth--;
      else if (c === "," && depth === 0) {
        out.push(t.slice(start, i));
        start = i + 1;
      }
    }
    out.push(t.slice(start));
  }
  return out.map((e) => e.trim()).filter(Boolean);
}

function bool(name: string, fallback: boolean): boolean {
  const v = input(name).trim().toLowerCase();
  if (v === "") return fallback;
  if (v === "true") return true;
  if (v === "false") return false;
  throw new UsageError(`input ${name} takes true or false (got "${input(name)}")`);
}

function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const v = input(name).trim().toLowerCase();
  if (v === "") return fallback;
  if (!allowed.includes(v as T)) {
    throw new UsageError(`input ${name} takes ${allowed.join(", ")} (got "${input(name)}")`);
  }
  return v as T;
}

/** Read and check every input. Bad values are usage errors that name the input and what it takes. */
export function readInputs(): ActionInputs {
  const mode = oneOf("mode", ["check", "fix", "report"] as const, "check");
  // fail-on's default in action.yml is empty, so that a fail-on the workflow sets can be told from none: with
  // report it is refused (report never fails; the user meant check). Empty: behind, exhausted, error, which report
  // mode uses only to count the violations output.
  const failOnRaw = input("fail-on");
  const failOn =
    mode === "report" && failOnRaw.trim() === ""
      ? defaultFailOn("check")
      : resolveFailOn(mode, failOnRaw, ACTION_WORDS);
  const dumps = lines("dump");
  const restoreDatabase = input("restore-database").trim() || undefined;
  const jobsRaw = input("jobs").trim();
  const restore: RestoreOptions = {
    database: restoreDatabase,
    clean: bool("clean", false),
    keep: bool("keep-database", true),
    extraArgs: lines("restore-args"),
    jobs: jobsRaw ? parseInteger("input jobs", jobsRaw, 1, 64) : availableParallelism(),
    onError: parseOnRestoreError(
      ACTION_WORDS.option("on-restore-error"),
      input("on-restore-error") || "stop",
    ),
    viaContainer: input("container").trim() || undefined,
    trustFixture: bool("trust-fixture", false),
    extensions: splitList(input("extensions")).map(extensionName("input extensions")),
    words: ACTION_WORDS,
  };
  const engine: EngineOptions = {
    ...DEFAULT_ENGINE,
    mode,
    schemas: splitList(input("schemas")),
    exclude: splitList(input("exclude")),
  };
  const headroom = input("headroom-threshold").trim();
  if (headroom) engine.headroomThreshold = parsePercent("input headroom-threshold", headroom);
  const tuning = {
    concurrency: input("concurrency"),
    "statement-timeout": input("statement-timeout"),
    "lock-timeout": input("lock-timeout"),
    "connect-timeout": input("connect-timeout"),
  };
  Object.assign(
    engine,
    parseEngineTuning((name) => tuning[name], ACTION_WORDS.option),
  );
  return {
    databaseUrl: input("database-url").trim() || undefined,
    dumps,
    mode,
    failOn: failOn as FailOn[],
    restore,
    engine,
    token: input("github-token").trim(),
    comment: oneOf("comment", ["auto", "always", "never"] as const, "auto"),
    commentKey: input("comment-key").trim(),
    annotations: bool("annotations", true),
    checkRun: oneOf("check-run", ["auto", "always", "never"] as const, "auto"),
    reportJson: input("report-json").trim() || undefined,
    issueOnFailure: bool("issue-on-failure", false),
  };
}

/**
 * Dump lines: a path is taken as written (checked later: a missing one is an error); a glob is expanded from the
 * workspace (directories only if dumps). A glob that matches nothing is returned in `unmatched`, for a warning:
 * the job fails only when nothing at all is left to restore (db/fixtures/*.dump and *.sql, with only .sql files).
 */
export async function expandDumps(
  patterns: string[],
  cwd: string,
): Promise<{ dumps: string[]; unmatched: string[] }> {
  const out: string[] = [];
  const unmatched: string[] = [];
  for (const p of patterns) {
    if (!new Minimatch(p).hasMagic()) {
      out.push(p);
      continue;
    }
    const globber = await glob.create(isAbsolute(p) ? p : join(cwd, p), {
      implicitDescendants: false,
      matchDirectories: true,
      followSymbolicLinks: true,
    });
    const found = (await globber.glob())
      .filter((f) => !statSync(f).isDirectory() || existsSync(join(f, "toc.dat")))
      .sort();
    if (found.length === 0) unmatched.push(p);
    for (const f of found) out.push(isAbsolute(p) ? f : relative(cwd, f));
  }
  if (out.length === 0 && unmatched.length > 0) {
    const what =
      unmatched.length === 1
        ? `dump pattern "${unmatched[0]}" matches no file`
        : `no dump pattern matches a file (${unmatched.map((p) => `"${p}"`).join(", ")})`;
    throw new UsageError(
      `${what} (looked from ${cwd}). Check the path: it is relative to the repository root; check out the repository (actions/checkout) before this step.`,
    );
  }
  return { dumps: [...new Set(out)], unmatched };
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

export function statusOf(report: Report, violations: number): ActionStatus {
  if (report.targets.some((t) => t.error !== null)) return "error";
  if (violations > 0) return "violations";
  if (report.summary.fixed > 0) return "fixed";
  return "ok";
}

// The engine's and the restore's messages name the CLI's flags; the Action has inputs instead, and some flags no
// input at all. One table turns the advice into the Action's words: the input to set, or what to do instead.
const CLI_TO_ACTION: [RegExp, string][] = [
  // Messages that already name both: "--restore-via (container in the Action)" is "the container input".
  [/\((--[a-z-]+); ([a-z-]+) in the Action\)/g, "(the $2 input)"],
  [/--[a-z-]+(?: [A-Za-z:]+)? \(([a-z-]+) in the Action\)/g, "the $1 input"],
  [/--database-url\b/g, "the database-url input"],
  [/--restore-database "/g, 'the restore-database input "'],
  [/--restore-database\b/g, "the restore-database input"],
  [/run again with --clean\./g, "run again with clean: true."],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression the user writes, verbatim
  [/--restore-via docker:CONTAINER/g, "the container input (container: ${{ job.services.postgres.id }})"],
  [/give --jobs 1/g, "set the jobs input to 1"],
  [/--jobs 1\b/g, "jobs: 1"],
  [/--on-restore-error (stop|continue)\b/g, "on-restore-error: $1"],
  [/--((?:connect|lock|statement)-timeout)\b/g, "the $1 input"],
  [/the setval\(\)( calls)? that seq-guard fix prints/g, "the setval()$1 in the fix column of a check run"],
  [/run seq-guard fix/g, "set mode: fix"],
  [/run seq-guard as /g, "connect in database-url as "],
];

/** A message of the engine or the restore, in the Action's vocabulary (see CLI_TO_ACTION). */
export function inActionTerms(message: string): string {
  let out = message;
  for (const [from, to] of CLI_TO_ACTION) out = out.replace(from, to);
  return out;
}

/** The report with its free text (errors, hints, reasons, warnings) in the Action's vocabulary; rows copied only when they change. */
export function inActionTermsReport(report: Report): Report {
  const changed = (t: string | null) => t !== null && inActionTerms(t) !== t;
  return {
    ...report,
    ...(report.error ? { error: { ...report.error, message: inActionTerms(report.error.message) } } : {}),
    targets: report.targets.map((t) => ({
      ...t,
      error: t.error === null ? null : inActionTerms(t.error),
      hints: t.hints.map(inActionTerms),
      sequences: t.sequences.map((r) =>
        !changed(r.reason) && !r.warnings.some((w) => changed(w.message))
          ? r
          : {
              ...r,
              reason: r.reason === null ? null : inActionTerms(r.reason),
              warnings: r.warnings.map((w) => ({ ...w, message: inActionTerms(w.message) })),
            },
      ),
    })),
  };
}

function runUrl(env: NodeJS.ProcessEnv): string | null {
  if (!env.GITHUB_RUN_ID || !env.GITHUB_REPOSITORY) return null;
  return `${env.GITHUB_SERVER_URL || "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

function pullRequestNumber(): number | null {
  if (context.eventName !== "pull_request" && context.eventName !== "pull_request_target") return null;
  const n = (context.payload.pull_request as { number?: number } | undefined)?.number;
  return typeof n === "number" ? n : null;
}

function repoOf(env: NodeJS.ProcessEnv): Repo | null {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  return owner && repo ? { owner, repo } : null;
}

/** Where each annotated sequence's table data begins, for plain SQL dumps inside the workspace. */
async function locator(
  report: Report,
  workspace: string,
): Promise<(t: TargetReport, seq: SequenceReport | null) => Place | null> {
  const files = new Map<TargetReport, string>();
  const lineOf = new Map<TargetReport, Map<string, number>>();
  for (const t of report.targets) {
    if (t.dump === null) continue;
    const abs = resolve(t.dump);
    // Several dumps restored into one database ("schema.sql + data.sql") name no single file to annotate.
    if (!existsSync(abs)) continue;
    const rel = relative(workspace, abs);
    if (rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) continue;
    files.set(t, rel.split(sep).join("/"));
    if (t.format !== "plain") continue;
    const wanted = new Set<string>();
    for (const r of t.sequences) {
      if (isProblem(r)) {
        const table = tableOf(r);
        if (table) wanted.add(table);
      }
    }
    if (wanted.size === 0) continue;
    try {
      const loc = new TableDataLocator(wanted);
      const rl = createInterface({
        input: createReadStream(abs, "utf8"),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      let n = 0;
      for await (const line of rl) {
        loc.feed(line, ++n);
        if (loc.done) break;
      }
      rl.close();
      lineOf.set(t, loc.lines);
    } catch {
      // no line numbers: the annotation sits on the file
    }
  }
  return (t, seq) => {
    const file = files.get(t);
    if (!file) return null;
    if (!seq) return { file };
    const table = tableOf(seq);
    const line = table ? lineOf.get(t)?.get(table) : undefined;
    return line !== undefined ? { file, line } : { file };
  };
}

interface Context {
  env: NodeJS.ProcessEnv;
  secrets: string[];
  inputs: ActionInputs | null;
  /** Warnings emitted so far: each takes one of the 10 warning annotations the runner keeps per step. */
  warnings: number;
}

/**
 * Every plain line of the log goes out here: secrets masked, and each line made safe (logText), so that nothing
 * a dump or a server named can start a workflow command, whatever message carried it. Annotations and failures
 * go through @actions/core's commands, which escape their text.
 */
function info(ctx: Context, text: string): void {
  core.info(logText(redact(text, ctx.secrets)));
}

/** A warning annotation of our own (not tied to a sequence), counted so that the plan leaves room for it. */
function warn(ctx: Context, message: string): void {
  ctx.warnings++;
  core.warning(redact(message, ctx.secrets));
}

/** Every secret the Markdown must never show: the passwords, and the token. */
function markdownSecrets(ctx: Context): string[] {
  return ctx.inputs?.token ? [...ctx.secrets, ctx.inputs.token] : ctx.secrets;
}

/** The job summary; `note` (where the annotations are) goes last, within the size limit. */
function writeSummary(ctx: Context, outcome: Outcome, note = ""): void {
  const path = ctx.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  // Masked while rendering, before the size is measured: never the finished text, whose size a mask changes.
  const md = renderMarkdown(outcome, {
    maxBytes: SUMMARY_MAX_BYTES - Buffer.byteLength(note, "utf8"),
    place: "summary",
    runUrl: runUrl(ctx.env),
    version: VERSION,
    secrets: markdownSecrets(ctx),
    reportJson: ctx.inputs?.reportJson,
  });
  try {
    appendFileSync(path, md + note);
  } catch (err) {
    core.warning(`seq-guard could not write the job summary: ${(err as Error).message}`);
  }
}

function setOutputs(
  status: ActionStatus,
  o: { violations: number; fixed: number; checked: number; database: string; reportJson: string },
): void {
  core.setOutput("status", status);
  core.setOutput("violations", String(o.violations));
  core.setOutput("fixed", String(o.fixed));
  core.setOutput("checked", String(o.checked));
  core.setOutput("database", o.database);
  core.setOutput("report-json", o.reportJson);
}

/** Comment on the pull request, or open/close the issue, as the inputs ask. Never throws. */
async function tellGitHub(ctx: Context, outcome: Outcome, failing: boolean): Promise<void> {
  const inputs = ctx.inputs;
  if (!inputs) return;
  const pr = pullRequestNumber();
  const repo = repoOf(ctx.env);
  const wantsComment = pr !== null && inputs.comment !== "never";
  const wantsIssue = pr === null && inputs.issueOnFailure;
  if (!wantsComment && !wantsIssue) return;
  if (!repo) return;
  if (!inputs.token) {
    info(ctx, "seq-guard: no github-token given, so no pull request comment or issue is written.");
    return;
  }
  const secrets = markdownSecrets(ctx);
  const workflow = ctx.env.GITHUB_WORKFLOW ?? "";
  const job = ctx.env.GITHUB_JOB ?? "";
  const octo = getOctokit(inputs.token);
  const place = wantsComment ? "comment" : "issue";
  try {
    if (wantsComment && pr !== null) {
      const marker = markerOf("comment", workflow, job, inputs.commentKey);
      const body = renderMarkdown(outcome, {
        maxBytes: COMMENT_MAX_BYTES,
        place: "comment",
        header: marker,
        runUrl: runUrl(ctx.env),
        version: VERSION,
        secrets,
        reportJson: inputs.reportJson,
      });
      // auto: create only when there is something to say; an existing comment is always brought up to date.
      const findings =
        outcome.report !== null &&
        (outcome.status !== "ok" || outcome.report.targets.some((t) => t.sequences.some(isProblem)));
      const create = inputs.comment === "always" || findings;
      const res = await upsertComment(octo, repo, pr, marker, body, create);
      if (res.action !== "none")
        info(ctx, `seq-guard: pull request comment ${res.action}${res.url ? `: ${res.url}` : ""}`);
    } else {
      const marker = markerOf("issue", workflow, job, inputs.commentKey);
      const what = [workflow, job, inputs.commentKey].filter(Boolean).join(" / ");
      const body = renderMarkdown(outcome, {
        maxBytes: COMMENT_MAX_BYTES,
        place: "issue",
        header: marker,
        runUrl: runUrl(ctx.env),
        version: VERSION,
        secrets,
        reportJson: inputs.reportJson,
      });
      const res = await syncIssue(octo, repo, marker, {
        failing,
        title: `seq-guard: sequence check fails${what ? ` (${what})` : ""}`,
        body,
      });
      if (res.action !== "none") info(ctx, `seq-guard: issue ${res.action}${res.url ? `: ${res.url}` : ""}`);
    }
  } catch (err) {
    core.warning(redact(explainGitHubError(err, place), secrets));
  }
}

/**
 * The check run (check-run: auto, always): the job summary's Markdown as its output (within the Checks API's
 * 65,535 characters), the job's verdict as its conclusion, and every finding as an annotation, 50 per request.
 * On the pull request's head commit. Returns its address when it carries every annotation; null when there is
 * none (check-run: never, no token, a token that may not write checks: a fork's) or it lacks some, so that the
 * caller annotates with workflow commands instead. In auto, a token that may not write checks is no warning.
 * Never throws.
 */
async function publishCheck(
  ctx: Context,
  outcome: Outcome,
  found: Annotation[],
  failing: boolean,
): Promise<{ url: string | undefined } | null> {
  const inputs = ctx.inputs;
  if (!inputs || inputs.checkRun === "never" || !inputs.token) return null;
  const repo = repoOf(ctx.env);
  const headSha = headShaOf(context.eventName, context.payload, ctx.env.GITHUB_SHA);
  if (!repo || !headSha) return null;
  const secrets = markdownSecrets(ctx);
  const markdown = renderMarkdown(outcome, {
    maxBytes: COMMENT_MAX_BYTES,
    place: "comment",
    runUrl: runUrl(ctx.env),
    version: VERSION,
    secrets,
    reportJson: inputs.reportJson,
  });
  const masked = found.map((a) => ({
    ...a,
    title: redact(a.title, secrets),
    message: redact(a.message, secrets),
  }));
  const plan = planCheckRun({
    name: checkRunName(inputs.commentKey),
    headSha,
    conclusion: conclusionOf(inputs.mode, failing),
    markdown,
    annotations: toCheckAnnotations(masked, workflowPath(ctx.env.GITHUB_WORKFLOW_REF)),
  });
  try {
    const res = await publishCheckRun(getOctokit(inputs.token), repo, plan);
    info(
      ctx,
      `seq-guard: check run "${plan.create.name}" created with ${plan.annotations} ${plan.annotations === 1 ? "annotation" : "annotations"}${res.url ? `: ${res.url}` : ""}`,
    );
    return { url: res.url };
  } catch (err) {
    if (err instanceof PartialCheckRunError) {
      warn(
        ctx,
        redact(
          `seq-guard: the check run carries only ${err.annotated} of ${plan.annotations} annotations, so the findings are annotated with workflow commands too. ${explainGitHubError(err.failure, "check run")}`,
          secrets,
        ),
      );
    } else if (inputs.checkRun === "auto" && isNotPermitted(err)) {
      info(
        ctx,
        "seq-guard: this token may not create check runs (a pull request from a fork, or no `checks: write`), so the findings are annotated with workflow commands.",
      );
    } else {
      warn(ctx, redact(explainGitHubError(err, "check run"), secrets));
    }
    return null;
  }
}

async function finish(ctx: Context, raw: Report, inputs: ActionInputs, workspace: string): Promise<number> {
  const { mode, failOn } = inputs;
  // Advice in the Action's words everywhere it shows: log, annotations, summary, comment, report-json.
  const report = inActionTermsReport(raw);
  // Filters that leave nothing to verify fail the step as a bad input (fail() tells it everywhere), not green.
  const filterWarnings = unmatchedFilters(report, inputs.engine, ACTION_WORDS);
  try {
    checkFiltersLeftSomething(report, inputs.engine, ACTION_WORDS);
  } catch (err) {
    for (const w of filterWarnings) warn(ctx, `seq-guard: ${w}`);
    throw err;
  }
  const violations = countViolations(report, failOn);
  const status = statusOf(report, violations);
  const targetErrors = report.targets.filter((t) => t.error !== null);
  const failing = targetErrors.length > 0 || (mode !== "report" && violations > 0);

  // Masked as a report first (a password with a control character in a message would not match once escaped).
  info(ctx, renderText(redactReport(report, ctx.secrets), { color: true, verbose: false, failOn }));
  for (const w of filterWarnings) warn(ctx, `seq-guard: ${w}`);

  const outcome: Outcome = { mode, failOn, status, violations, report, fatal: null };
  const locate = inputs.annotations ? await locator(report, workspace) : undefined;
  // Every finding goes on the check run when there is one; else the workflow commands' few (planAnnotations).
  const found = inputs.annotations ? candidates({ report, mode, failOn, locate }) : [];
  const check = await publishCheck(ctx, outcome, found, failing);
  const onCheckRun = check !== null && found.length > 0;

  if (inputs.annotations && !onCheckRun) {
    const plan = planAnnotations({
      report,
      mode,
      failOn,
      locate,
      // core.setFailed adds one error annotation; our own warnings came first, and one warning slot stays free
      // for a read-only token.
      reserved: { error: failing ? 1 : 0, warning: ctx.warnings + 1 },
    });
    for (const a of plan) {
      const props: core.AnnotationProperties = { title: redact(a.title, ctx.secrets) };
      if (a.file) props.file = a.file;
      if (a.startLine !== undefined) props.startLine = a.startLine;
      const msg = redact(a.message, ctx.secrets);
      if (a.level === "error") core.error(msg, props);
      else core.warning(msg, props);
    }
  }

  const where = check?.url
    ? `[the check run ${checkRunName(inputs.commentKey)}](${check.url})`
    : "the check run";
  writeSummary(
    ctx,
    outcome,
    onCheckRun
      ? `\n> [!NOTE]\n> Every finding is annotated on ${where}, on its fixture's line for plain SQL (workflow-command annotations would stop at 10 of each kind).\n`
      : "",
  );

  const reportJson = writeReportJson(ctx, report);
  const s = report.summary;
  setOutputs(status, {
    violations,
    fixed: s.fixed,
    checked: s.sequences - s.skipped,
    // A dump that could not be restored has no database to hand to later steps, nor one keep-database: false
    // dropped again.
    database: report.targets
      .filter((t) => !restoreFailed(t) && (t.dump === null || inputs.restore.keep))
      .map((t) => t.database)
      .join("\n"),
    reportJson,
  });

  await tellGitHub(ctx, outcome, failing);

  if (targetErrors.length > 0) {
    const first = targetErrors[0] as TargetReport;
    const what = restoreFailed(first) ? "restored" : "verified";
    const more = targetErrors.length > 1 ? ` (and ${targetErrors.length - 1} more: see the job summary)` : "";
    core.setFailed(
      redact(
        `seq-guard: ${printable(first.dump ?? first.database)} could not be ${what}: ${logText(first.error ?? "")}${more}`,
        ctx.secrets,
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
  const done =
    mode === "fix" && s.fixed > 0
      ? `seq-guard: fixed ${s.fixed} ${s.fixed === 1 ? "sequence" : "sequences"}; nothing left that fails.`
      : violations > 0
        ? `seq-guard: ${violations} ${violations === 1 ? "sequence fails" : "sequences fail"} the check (report mode: the job does not fail).`
        : "seq-guard: ok, no sequence fails the check.";
  info(ctx, done);
  return EXIT.ok;
}

/**
 * The JSON report, when report-json asks for one: also for a run that stopped (ok false, its error), so that a
 * later step reading it is never left without a file. Returns its path, or "" when none was written.
 */
function writeReportJson(ctx: Context, report: Report): string {
  const path = ctx.inputs?.reportJson;
  if (!path) return "";
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    // Redacted as a report (free text only), never as text: a password such as 1, false or postgres would
    // otherwise turn numbers, booleans and names into *** and the file into invalid JSON.
    writeFileSync(path, [...reportJsonPieces(redactReport(report, ctx.secrets))].join(""));
    return path;
  } catch (err) {
    core.warning(`seq-guard could not write report-json ${path}: ${(err as Error).message}`);
    return "";
  }
}

/** A run that stopped before it had results: say why everywhere a reader looks, and fail. */
async function fail(ctx: Context, err: unknown): Promise<number> {
  let message: string;
  let code: number;
  if (err instanceof SeqGuardError) {
    message = `seq-guard: ${inActionTerms(err.message)}`;
    code = err.exitCode;
  } else if (err instanceof InterruptedError) {
    message = "seq-guard: cancelled; the scratch databases it was making are removed";
    code = EXIT.interrupted;
  } else {
    const e = err as Error;
    message = `seq-guard: unexpected error: ${e?.message ?? String(err)}. Re-run the job with debug logging enabled for details, and report it if it persists.`;
    code = EXIT.internal;
    if (e?.stack) core.debug(redact(e.stack, ctx.secrets));
  }
  message = redact(message, ctx.secrets);
  const inputs = ctx.inputs;
  const outcome: Outcome = {
    mode: inputs?.mode ?? "check",
    failOn: inputs?.failOn ?? [],
    status: "error",
    violations: 0,
    report: null,
    fatal: message.replace(/^seq-guard: /, ""),
  };
  try {
    writeSummary(ctx, outcome);
    const reportJson = writeReportJson(
      ctx,
      failedRunReport(outcome.mode, code, outcome.fatal ?? message, targetsOf(err)),
    );
    setOutputs("error", { violations: 0, fixed: 0, checked: 0, database: "", reportJson });
    await publishCheck(ctx, outcome, [], true);
    await tellGitHub(ctx, outcome, true);
  } catch {
    // telling the failure must not hide it
  }
  core.setFailed(message);
  return code;
}

/** Run the Action. Returns the exit code; never throws. */
export async function runAction(
  env: NodeJS.ProcessEnv = process.env,
  masked: string[] = [],
): Promise<number> {
  const ctx: Context = { env, secrets: [], inputs: null, warnings: 0 };
  try {
    // Mask passwords first, before anything at all is logged.
    ctx.secrets = secretsOf(core.getInput("database-url"), env);
    for (const s of ctx.secrets) if (!masked.includes(s)) core.setSecret(s);

    const inputs = readInputs();
    ctx.inputs = inputs;
    if (!serverNamed(inputs.databaseUrl, env)) {
      throw new UsageError(
        "no PostgreSQL server given: set the database-url input (for a services: postgres container, postgres://postgres:postgres@localhost:5432/postgres), or DATABASE_URL or PGHOST/PGUSER/PGPASSWORD in the step's env. The Action never starts a server of its own.",
      );
    }
    const connection: ConnectionTarget = resolveConnection(inputs.databaseUrl, env);
    ctx.secrets = [...new Set([...ctx.secrets, ...connection.secrets])];
    const workspace = env.GITHUB_WORKSPACE || process.cwd();
    // A dump is read only from inside the workspace: a symbolic link among a pull request's fixtures that points
    // at the runner's files is refused (exit 2), checked with every other dump check.
    inputs.restore.within = workspace;
    const { dumps, unmatched } = await expandDumps(inputs.dumps, process.cwd());
    for (const p of unmatched) {
      warn(ctx, `seq-guard: dump pattern "${p}" matches no file; the other patterns' dumps are checked.`);
    }
    if (dumps.length > 0) {
      checkDumps(dumps, inputs.restore);
      // A cancelled job (SIGINT, then SIGTERM) removes what it was restoring: nothing is left on the server.
      installSignalHandlers({ notify: (t) => info(ctx, t.trimEnd()), exit: (code) => process.exit(code) });
    }
    if (inputs.restore.database !== undefined && dumps.length === 0) {
      throw new UsageError(
        "input restore-database names the database to restore the dumps into, but dump gives none: give dumps with it, or leave restore-database empty",
      );
    }
    info(
      ctx,
      `seq-guard ${VERSION}: ${inputs.mode} ${dumps.length === 0 ? `the database ${connection.label} as it is` : `${dumps.length} ${dumps.length === 1 ? "dump" : "dumps"} restored on ${connection.label}`}`,
    );
    const targets = await runTargets({
      connection,
      dumps,
      restore: inputs.restore,
      engine: inputs.engine,
      progress: makeProgress(ctx),
    });
    const report = buildReport(inputs.mode, targets, inputs.mode === "report" ? [] : inputs.failOn);
    return await finish(ctx, report, inputs, workspace);
  } catch (err) {
    return fail(ctx, err);
  }
}
