// The findings, annotated: every one on the check run when there is one (check-run: auto, always), else the few
// that workflow commands allow (10 of each kind per step, planAnnotations), each on its dump's file and, for
// plain SQL, on the line where its table's data begins.

import * as core from "@actions/core";
import type { Report } from "../core/types.ts";
import { candidates, planAnnotations } from "../render/annotations.ts";
import { checkRunName } from "../render/check-run.ts";
import type { Outcome } from "../render/markdown.ts";
import { actionText, type Context } from "./context.ts";
import { locator } from "./locate.ts";
import { publishCheck } from "./publish.ts";

/**
 * Publish the check run and annotate the findings of a run with results. Returns the note for the job summary
 * that says where the annotations are ("" when they are workflow commands, or off).
 */
export async function annotate(
  ctx: Context,
  outcome: Outcome & { report: Report },
  failing: boolean,
  workspace: string,
): Promise<{ note: string }> {
  const { report, mode, failOn } = outcome;
  const on = ctx.settings?.publish.annotations ?? false;
  const locate = on ? await locator(report, workspace) : undefined;
  const found = on ? candidates({ report, mode, failOn, locate }) : [];
  const check = await publishCheck(ctx, outcome, found, failing);
  if (check !== null && found.length > 0) {
    const where = check.url
      ? `[the check run ${checkRunName(ctx.settings?.publish.commentKey ?? "")}](${check.url})`
      : "the check run";
    return {
      note: `\n> [!NOTE]\n> Every finding is annotated on ${where}, on its fixture's line for plain SQL (workflow-command annotations would stop at 10 of each kind).\n`,
    };
  }
  if (!on) return { note: "" };
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
    const props: core.AnnotationProperties = { title: actionText(ctx, a.title) };
    if (a.file) props.file = a.file;
    if (a.startLine !== undefined) props.startLine = a.startLine;
    const message = actionText(ctx, a.message);
    if (a.level === "error") core.error(message, props);
    else core.warning(message, props);
  }
  return { note: "" };
}
