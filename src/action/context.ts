// What every step of the Action shares: its environment, the secrets to mask, the settings once read, and the
// log. Every line, warning and failure goes out through here in the Action's words (inWords: a setting named as
// its input), with the secrets masked.

import * as core from "@actions/core";
import { context } from "@actions/github";
import { logText } from "../core/printable.ts";
import { redact } from "../core/redact.ts";
import { ACTION_WORDS, inWords } from "../core/words.ts";
import type { Repo } from "./github.ts";
import type { ActionSettings } from "./inputs.ts";

export interface Context {
  env: NodeJS.ProcessEnv;
  secrets: string[];
  /** Null until the inputs are read (a bad one fails the run before). */
  settings: ActionSettings | null;
  /** Warnings emitted so far: each takes one of the 10 warning annotations the runner keeps per step. */
  warnings: number;
}

/** A message of any layer in the Action's words, its secrets masked. */
export function actionText(ctx: Context, text: string): string {
  return redact(inWords(text, ACTION_WORDS), ctx.secrets);
}

/**
 * Every plain line of the log goes out here: secrets masked, and each line made safe (logText), so that nothing
 * a dump or a server named can start a workflow command, whatever message carried it. Annotations and failures
 * go through @actions/core's commands, which escape their text.
 */
export function info(ctx: Context, text: string): void {
  core.info(logText(actionText(ctx, text)));
}

/** A warning annotation of our own (not tied to a sequence), counted so that the plan leaves room for it. */
export function warn(ctx: Context, message: string): void {
  ctx.warnings++;
  core.warning(actionText(ctx, message));
}

/** Every secret the Markdown must never show: the passwords, and the token. */
export function markdownSecrets(ctx: Context): string[] {
  return ctx.settings?.publish.token ? [...ctx.secrets, ctx.settings.publish.token] : ctx.secrets;
}

/** The address of this workflow run, for the summary, the comment and the issue; null outside a runner. */
export function runUrl(env: NodeJS.ProcessEnv): string | null {
  if (!env.GITHUB_RUN_ID || !env.GITHUB_REPOSITORY) return null;
  return `${env.GITHUB_SERVER_URL || "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

/** The pull request this run is for, or null (a push, a schedule). */
export function pullRequestNumber(): number | null {
  if (context.eventName !== "pull_request" && context.eventName !== "pull_request_target") return null;
  const n = (context.payload.pull_request as { number?: number } | undefined)?.number;
  return typeof n === "number" ? n : null;
}

export function repoOf(env: NodeJS.ProcessEnv): Repo | null {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  return owner && repo ? { owner, repo } : null;
}
