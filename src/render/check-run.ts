// The check run of the Action, planned: its name, commit, conclusion, output and every annotation, cut into the
// requests the Checks API takes. Pure: github.ts sends what this plans.
//
// Workflow-command annotations stop at 10 per type per step (50 per job); a check run carries any number, 50 per
// request: the first 50 go with the create request, each further 50 in an update, which appends them (an update
// that carries annotations must repeat the output's title and summary). The output's summary and text take at most
// 65,535 characters each; a check run's annotation needs a path and lines, so a finding without a file (a live
// database) sits on line 1 of the workflow file.

import { printable } from "../core/printable.ts";
import type { Mode } from "../core/types.ts";
import type { Annotation } from "./annotations.ts";

/** Annotations the Checks API takes per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** The longest output.summary (and output.text) the Checks API takes, in characters. */
export const OUTPUT_MAX_CHARS = 65_535;
/** The longest annotation title the Checks API takes. */
export const ANNOTATION_TITLE_MAX = 255;
/** Our ceiling for an annotation message (GitHub takes 64 KB; ours are a sentence and a setval()). */
export const ANNOTATION_MESSAGE_MAX = 4_000;
/** Our ceiling for the output title (GitHub documents none; the title is one line in a list). */
export const OUTPUT_TITLE_MAX = 255;

export type Conclusion = "success" | "failure" | "neutral";
export type AnnotationLevel = "notice" | "warning" | "failure";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: AnnotationLevel;
  message: string;
  title?: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  annotations?: CheckAnnotation[];
}

export interface CreateRequest {
  name: string;
  head_sha: string;
  status: "completed";
  conclusion: Conclusion;
  output: CheckOutput;
}

export interface UpdateRequest {
  output: CheckOutput & { annotations: CheckAnnotation[] };
}

export interface CheckRunPlan {
  create: CreateRequest;
  /** Each appends the next (at most) 50 annotations. */
  updates: UpdateRequest[];
  /** Every annotation planned, across the requests. */
  annotations: number;
}

/** `seq-guard`, or `seq-guard (KEY)` for a step with a comment-key (matrix legs): one check run each. */
export function checkRunName(key: string): string {
  const k = printable(key.trim());
  return k ? `seq-guard (${clip(k, 100)})` : "seq-guard";
}

/** The commit a check run belongs to: a pull request's head, never the merge commit in GITHUB_SHA. */
export function headShaOf(eventName: string, payload: unknown, githubSha: string | undefined): string | null {
  if (eventName === "pull_request" || eventName === "pull_request_target") {
    const sha = (payload as { pull_request?: { head?: { sha?: unknown } } } | undefined)?.pull_request?.head
      ?.sha;
    if (typeof sha === "string" && sha) return sha;
  }
  return githubSha || null;
}

/** What the check run concludes: the job's verdict; report mode judges nothing (neutral) unless a dump failed. */
export function conclusionOf(mode: Mode, failing: boolean): Conclusion {
  if (failing) return "failure";
  return mode === "report" ? "neutral" : "success";
}

/** The output title: the Markdown's headline ("❌ seq-guard: 30 sequences fail the check"). */
export function titleOf(markdown: string): string {
  const head = markdown.split("\n").find((l) => l.startsWith("## "));
  return clip(head ? head.slice(3).trim() : "seq-guard", OUTPUT_TITLE_MAX) || "seq-guard";
}

function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join("")}…`;
}

/** At most `max` UTF-16 characters (what GitHub counts), cut on a line boundary when one is near. */
export function clipOutput(s: string, max = OUTPUT_MAX_CHARS): string {
  if (s.length <= max) return s;
  const note = "\n\n_(shortened to fit GitHub's limit for a check run's summary)_\n";
  let cut = s.slice(0, max - note.length);
  // Never half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const nl = cut.lastIndexOf("\n");
  if (nl > cut.length - 2000) cut = cut.slice(0, nl);
  return `${cut}${note}`;
}

/**
 * The Action's annotations as the Checks API takes them: error → failure, warning → warning (notice → notice).
 * One without a file goes on line 1 of `fallbackPath` (the workflow file).
 */
export function toCheckAnnotations(list: Annotation[], fallbackPath: string): CheckAnnotation[] {
  return list.map((a) => {
    const line = a.file && a.startLine !== undefined && a.startLine > 0 ? a.startLine : 1;
    const level = a.level as string;
    const out: CheckAnnotation = {
      path: a.file ?? fallbackPath,
      start_line: line,
      end_line: line,
      annotation_level: level === "error" ? "failure" : level === "notice" ? "notice" : "warning",
      message: clip(a.message || a.title, ANNOTATION_MESSAGE_MAX),
    };
    if (a.title) out.title = clip(a.title, ANNOTATION_TITLE_MAX);
    return out;
  });
}

/** The workflow file of this run (GITHUB_WORKFLOW_REF is owner/repo/PATH@ref), where file-less findings sit. */
export function workflowPath(workflowRef: string | undefined): string {
  const m = /^[^/]+\/[^/]+\/(.+?)@/.exec(workflowRef ?? "");
  return m?.[1] ?? ".github";
}

/** The requests of one check run: create with the first 50 annotations, then an update per further 50. */
export function planCheckRun(o: {
  name: string;
  headSha: string;
  conclusion: Conclusion;
  markdown: string;
  annotations: CheckAnnotation[];
}): CheckRunPlan {
  const title = titleOf(o.markdown);
  const summary = clipOutput(o.markdown);
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < o.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(o.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  const [first, ...rest] = batches;
  return {
    create: {
      name: o.name,
      head_sha: o.headSha,
      status: "completed",
      conclusion: o.conclusion,
      output: first ? { title, summary, annotations: first } : { title, summary },
    },
    updates: rest.map((annotations) => ({ output: { title, summary, annotations } })),
    annotations: o.annotations.length,
  };
}
