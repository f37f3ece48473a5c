// The Action's inputs, read: each input as action.yml declares it, into what core/settings.ts checks with the
// CLI's rules (the same defaults, the same refusals), plus what only the Action has: how it tells GitHub.
// Only the input syntax is the Action's own: lists by commas or lines, booleans as true/false, one of a few words.

import { availableParallelism } from "node:os";
import * as core from "@actions/core";
import { UsageError } from "../core/errors.ts";
import { defaultFailOn, type FailOn } from "../core/report.ts";
import { buildSettings, type Settings } from "../core/settings.ts";
import type { Mode } from "../core/types.ts";

/** How the outcome is told to GitHub: only the Action has these. */
export interface PublishSettings {
  /** For the pull request comment, the issue and the check run; empty: none of them. */
  token: string;
  comment: "auto" | "always" | "never";
  /** Tells apart the comments, issues and check runs of several steps or matrix legs. */
  commentKey: string;
  annotations: boolean;
  checkRun: "auto" | "always" | "never";
  issueOnFailure: boolean;
}

export interface ActionSettings extends Settings {
  publish: PublishSettings;
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

/**
 * Read and check every input. Bad values are usage errors that name the input and what it takes. `workspace`
 * is the folder every dump must lie in. The dump lines are kept as written: globs are expanded later (dumps.ts).
 */
export function readInputs(workspace: string): ActionSettings {
  const mode: Mode = oneOf("mode", ["check", "fix", "report"] as const, "check");
  const settings = buildSettings(
    {
      mode,
      databaseUrl: input("database-url"),
      dumps: lines("dump"),
      restoreDatabase: input("restore-database"),
      clean: bool("clean", false),
      keep: bool("keep-database", true),
      restoreArgs: lines("restore-args"),
      jobs: input("jobs"),
      onRestoreError: input("on-restore-error"),
      restoreVia: input("container"),
      trustFixture: bool("trust-fixture", false),
      extensions: splitList(input("extensions")),
      // A dump is read only from inside the workspace: a symbolic link among a pull request's fixtures that
      // points at the runner's files is refused (exit 2), checked with every other dump check.
      dumpsWithin: workspace,
      schemas: splitList(input("schemas")),
      exclude: splitList(input("exclude")),
      headroomThreshold: input("headroom-threshold"),
      // fail-on's default in action.yml is empty, so that a fail-on the workflow sets can be told from none:
      // with report it is refused (report never fails; the user meant check).
      failOn: input("fail-on"),
      concurrency: input("concurrency"),
      statementTimeout: input("statement-timeout"),
      lockTimeout: input("lock-timeout"),
      connectTimeout: input("connect-timeout"),
      reportJson: input("report-json"),
    },
    availableParallelism(),
  );
  return {
    ...settings,
    publish: {
      token: input("github-token").trim(),
      comment: oneOf("comment", ["auto", "always", "never"] as const, "auto"),
      commentKey: input("comment-key").trim(),
      annotations: bool("annotations", true),
      checkRun: oneOf("check-run", ["auto", "always", "never"] as const, "auto"),
      issueOnFailure: bool("issue-on-failure", false),
    },
  };
}

/**
 * The findings the violations output, the summary and the annotations count: fail-on, and in report mode, which
 * fails on nothing, what check would fail on by default.
 */
export function countedFailOn(settings: Settings): FailOn[] {
  return settings.mode === "report" ? defaultFailOn("check") : settings.failOn;
}
