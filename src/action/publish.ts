// How the Action tells its outcome: the job summary, the step's outputs, the report-json file, the pull request
// comment or the failure issue, and the check run with every finding annotated. Each says what went wrong in a
// warning and never throws: telling the outcome must not change it.

import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as core from "@actions/core";
import { context, getOctokit } from "@actions/github";
import { redact } from "../core/redact.ts";
import { isProblem, redactReport } from "../core/report.ts";
import type { Report } from "../core/types.ts";
import { VERSION } from "../core/version.ts";
import type { Annotation } from "../render/annotations.ts";
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
  type Outcome,
  renderMarkdown,
  SUMMARY_MAX_BYTES,
} from "../render/markdown.ts";
import { type Context, info, markdownSecrets, pullRequestNumber, repoOf, runUrl, warn } from "./context.ts";
import {
  explainGitHubError,
  isNotPermitted,
  markerOf,
  PartialCheckRunError,
  publishCheckRun,
  syncIssue,
  upsertComment,
} from "./github.ts";

/** The job summary; `note` (where the annotations are) goes last, within the size limit. */
export function writeSummary(ctx: Context, outcome: Outcome, note = ""): void {
  const path = ctx.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  // Masked while rendering, before the size is measured: never the finished text, whose size a mask changes.
  const md = renderMarkdown(outcome, {
    maxBytes: SUMMARY_MAX_BYTES - Buffer.byteLength(note, "utf8"),
    place: "summary",
    runUrl: runUrl(ctx.env),
    version: VERSION,
    secrets: markdownSecrets(ctx),
    reportJson: ctx.settings?.reportJson,
  });
  try {
    appendFileSync(path, md + note);
  } catch (err) {
    core.warning(`seq-guard could not write the job summary: ${(err as Error).message}`);
  }
}

export function setOutputs(
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
export async function tellGitHub(ctx: Context, outcome: Outcome, failing: boolean): Promise<void> {
  const settings = ctx.settings;
  if (!settings) return;
  const pr = pullRequestNumber();
  const repo = repoOf(ctx.env);
  const wantsComment = pr !== null && settings.publish.comment !== "never";
  const wantsIssue = pr === null && settings.publish.issueOnFailure;
  if (!wantsComment && !wantsIssue) return;
  if (!repo) return;
  if (!settings.publish.token) {
    info(ctx, "seq-guard: no github-token given, so no pull request comment or issue is written.");
    return;
  }
  const secrets = markdownSecrets(ctx);
  const workflow = ctx.env.GITHUB_WORKFLOW ?? "";
  const job = ctx.env.GITHUB_JOB ?? "";
  const octo = getOctokit(settings.publish.token);
  const place = wantsComment ? "comment" : "issue";
  try {
    if (wantsComment && pr !== null) {
      const marker = markerOf("comment", workflow, job, settings.publish.commentKey);
      const body = renderMarkdown(outcome, {
        maxBytes: COMMENT_MAX_BYTES,
        place: "comment",
        header: marker,
        runUrl: runUrl(ctx.env),
        version: VERSION,
        secrets,
        reportJson: settings.reportJson,
      });
      // auto: create only when there is something to say; an existing comment is always brought up to date.
      const findings =
        outcome.report !== null &&
        (outcome.status !== "ok" || outcome.report.targets.some((t) => t.sequences.some(isProblem)));
      const create = settings.publish.comment === "always" || findings;
      const res = await upsertComment(octo, repo, pr, marker, body, create);
      if (res.action !== "none")
        info(ctx, `seq-guard: pull request comment ${res.action}${res.url ? `: ${res.url}` : ""}`);
    } else {
      const marker = markerOf("issue", workflow, job, settings.publish.commentKey);
      const what = [workflow, job, settings.publish.commentKey].filter(Boolean).join(" / ");
      const body = renderMarkdown(outcome, {
        maxBytes: COMMENT_MAX_BYTES,
        place: "issue",
        header: marker,
        runUrl: runUrl(ctx.env),
        version: VERSION,
        secrets,
        reportJson: settings.reportJson,
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
export async function publishCheck(
  ctx: Context,
  outcome: Outcome,
  found: Annotation[],
  failing: boolean,
): Promise<{ url: string | undefined } | null> {
  const settings = ctx.settings;
  if (!settings || settings.publish.checkRun === "never" || !settings.publish.token) return null;
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
    reportJson: settings.reportJson,
  });
  const masked = found.map((a) => ({
    ...a,
    title: redact(a.title, secrets),
    message: redact(a.message, secrets),
  }));
  const plan = planCheckRun({
    name: checkRunName(settings.publish.commentKey),
    headSha,
    conclusion: conclusionOf(settings.mode, failing),
    markdown,
    annotations: toCheckAnnotations(masked, workflowPath(ctx.env.GITHUB_WORKFLOW_REF)),
  });
  try {
    const res = await publishCheckRun(getOctokit(settings.publish.token), repo, plan);
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
    } else if (settings.publish.checkRun === "auto" && isNotPermitted(err)) {
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

/**
 * The JSON report, when report-json asks for one: also for a run that stopped (ok false, its error), so that a
 * later step reading it is never left without a file. Returns its path, or "" when none was written.
 */
export function writeReportJson(ctx: Context, report: Report): string {
  // Inputs that were refused leave no settings: the report-json input is then taken as written.
  const path = ctx.settings ? ctx.settings.reportJson : core.getInput("report-json").trim();
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
