// Talking to GitHub: the one pull request comment per (workflow, job, comment-key), and the one issue that a
// failing run without a pull request opens and a passing run closes.
//
// A comment or issue is found again by a hidden marker in its body AND by its author: a marker that a person
// pasted into their own comment is never taken for ours (we could not edit it anyway). Our author is the token's
// user when GET /user can say (a personal token). A GITHUB_TOKEN or a GitHub App's installation token cannot
// ask that (403): the first writes as github-actions[bot], the other as <app>[bot], whose name nothing tells us.
// Then any bot's item with the marker is ours, github-actions[bot]'s first; a person's never is. Every failure
// here is a warning for the caller, never a failed job: the results are in the job summary whatever happens.

import type { getOctokit } from "@actions/github";
import type { CheckRunPlan } from "../render/check-run.ts";

export type Octokit = ReturnType<typeof getOctokit>;

export interface Repo {
  owner: string;
  repo: string;
}

/** The login GITHUB_TOKEN writes as. */
export const ACTIONS_BOT = "github-actions[bot]";

/** The hidden marker of one (workflow, job, key): HTML comment, so it never shows; no "-->" can occur inside. */
export function markerOf(kind: "comment" | "issue", workflow: string, job: string, key: string): string {
  const e = (s: string) => encodeURIComponent(s);
  return `<!-- seq-guard:${kind} workflow=${e(workflow)} job=${e(job)} key=${e(key)} -->`;
}

/** Who the token writes as: the user of a personal token; null when the token cannot say (an installation token). */
export async function whoAmI(octo: Octokit): Promise<string | null> {
  try {
    const res = await octo.rest.users.getAuthenticated();
    return res.data.login;
  } catch {
    return null;
  }
}

/** The label put on the failure issue, so that an App token (whose login is unknown) finds it without reading every issue. */
export const ISSUE_LABEL = "seq-guard";

interface Author {
  login?: string;
  type?: string;
}

/**
 * How surely an item by `user` is ours: 2 certainly (the token's own login, or github-actions[bot] when the login
 * is unknown), 1 probably (another bot, when the login is unknown: an App token writes as <app>[bot]), 0 never.
 */
export function authorMatch(user: Author | null | undefined, me: string | null): 0 | 1 | 2 {
  if (!user?.login) return 0;
  if (me !== null) return user.login === me ? 2 : 0;
  if (user.login === ACTIONS_BOT) return 2;
  return user.type === "Bot" ? 1 : 0;
}

interface Found {
  id: number;
  number?: number;
  body: string;
  url?: string;
  /** The login that wrote it. */
  author: string;
}

interface Listed {
  id: number;
  number?: number;
  body?: string | null;
  html_url?: string;
  user?: Author | null;
  pull_request?: unknown;
}

/** The best match among pages of items: a certain one ends the reading; else the first probable one. */
async function bestMatch(
  pages: AsyncIterable<{ data: Listed[] }>,
  marker: string,
  me: string | null,
): Promise<Found | null> {
  let probable: Found | null = null;
  for await (const page of pages) {
    for (const i of page.data) {
      if (i.pull_request || !i.body?.includes(marker)) continue;
      const match = authorMatch(i.user, me);
      if (match === 0) continue;
      const found = {
        id: i.id,
        number: i.number,
        body: i.body,
        url: i.html_url,
        author: i.user?.login ?? "",
      };
      if (match === 2) return found;
      probable ??= found;
    }
  }
  return probable;
}

/** Our comment on an issue or pull request, or null. Reads page by page and stops at a certain match. */
export async function findComment(
  octo: Octokit,
  repo: Repo,
  issueNumber: number,
  marker: string,
  me: string | null,
): Promise<Found | null> {
  const pages = octo.paginate.iterator(octo.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  return bestMatch(pages, marker, me);
}

/**
 * An update of an item another author may have written refused with 403: either the token is read-only here,
 * or it is not the token that wrote the item (another App, or GITHUB_TOKEN then an App). The warning says both.
 */
export class NotOursError extends Error {
  readonly status = 403;
  constructor(
    readonly author: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Run an update; a 403 on an item whose author we only guessed becomes a NotOursError. */
async function updating<T>(existing: Found, me: string | null, update: () => Promise<T>): Promise<T> {
  try {
    return await update();
  } catch (err) {
    const e = err as { status?: number; message?: string };
    if (me === null && e.status === 403 && !isRateLimit(err)) {
      throw new NotOursError(existing.author, (e.message ?? String(err)).split("\n")[0] ?? "");
    }
    throw err;
  }
}

export type CommentAction = "created" | "updated" | "unchanged" | "none";

/**
 * Create or update our comment. `create`: whether a missing comment is created (comment: auto creates only when
 * there is something to say, but rewrites an existing one down to "all good").
 */
export async function upsertComment(
  octo: Octokit,
  repo: Repo,
  issueNumber: number,
  marker: string,
  body: string,
  create: boolean,
): Promise<{ action: CommentAction; url?: string }> {
  const me = await whoAmI(octo);
  const existing = await findComment(octo, repo, issueNumber, marker, me);
  if (existing) {
    if (existing.body === body) return { action: "unchanged", url: existing.url };
    const res = await updating(existing, me, () =>
      octo.rest.issues.updateComment({ ...repo, comment_id: existing.id, body }),
    );
    return { action: "updated", url: res.data.html_url };
  }
  if (!create) return { action: "none" };
  const res = await octo.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
  return { action: "created", url: res.data.html_url };
}

/**
 * Our open issue for this (workflow, job, key), or null. GitHub filters by author (creator), so only our own
 * issues are read, never every open issue of the repository; when the login is unknown, github-actions[bot]'s
 * are read first, then the issues with our label (an App token's). Pull requests never count.
 */
export async function findIssue(
  octo: Octokit,
  repo: Repo,
  marker: string,
  me: string | null,
): Promise<Found | null> {
  const list = (filter: { creator: string } | { labels: string }) =>
    octo.paginate.iterator(octo.rest.issues.listForRepo, {
      ...repo,
      state: "open",
      per_page: 100,
      ...filter,
    });
  const mine = await bestMatch(list({ creator: me ?? ACTIONS_BOT }), marker, me);
  if (mine || me !== null) return mine;
  return bestMatch(list({ labels: ISSUE_LABEL }), marker, me);
}

export type IssueAction = "created" | "updated" | "closed" | "none";

/** Open or update the issue while the check fails; close it once it passes. */
export async function syncIssue(
  octo: Octokit,
  repo: Repo,
  marker: string,
  opts: { failing: boolean; title: string; body: string },
): Promise<{ action: IssueAction; url?: string }> {
  const me = await whoAmI(octo);
  const existing = await findIssue(octo, repo, marker, me);
  if (opts.failing) {
    if (existing) {
      const res = await updating(existing, me, () =>
        octo.rest.issues.update({
          ...repo,
          issue_number: existing.number as number,
          title: opts.title,
          body: opts.body,
        }),
      );
      return { action: "updated", url: res.data.html_url };
    }
    const res = await createIssue(octo, repo, opts.title, opts.body);
    return { action: "created", url: res.data.html_url };
  }
  if (!existing) return { action: "none" };
  const res = await updating(existing, me, () =>
    octo.rest.issues.update({
      ...repo,
      issue_number: existing.number as number,
      body: opts.body,
      state: "closed",
      state_reason: "completed",
    }),
  );
  return { action: "closed", url: res.data.html_url };
}

/**
 * Open the issue with our label. A token that may open issues but not make labels (GitHub makes a missing label
 * on the fly, for those who may) gets the issue without it: found again by its author, if not by its label.
 */
async function createIssue(octo: Octokit, repo: Repo, title: string, body: string) {
  try {
    return await octo.rest.issues.create({ ...repo, title, body, labels: [ISSUE_LABEL] });
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status !== 403 && status !== 422) throw err;
    return await octo.rest.issues.create({ ...repo, title, body });
  }
}

/** A secondary rate limit (too many writes too fast) answers 403 or 429 and says so; it is not a read-only token. */
export function isRateLimit(err: unknown): boolean {
  const e = err as { status?: number; message?: string; response?: { headers?: Record<string, unknown> } };
  if (e.status === 429) return true;
  if (e.status !== 403) return false;
  const h = e.response?.headers ?? {};
  return /rate limit/i.test(e.message ?? "") || String(h["x-ratelimit-remaining"] ?? "") === "0";
}

/**
 * A one-paragraph warning for a failed GitHub call. 403/404 on a write mean the token may not write here (a pull
 * request from a fork gets a read-only GITHUB_TOKEN), which the message says, with what to do; unless GitHub
 * says it is a rate limit, which passes by itself.
 */
export function explainGitHubError(err: unknown, what: "comment" | "issue" | "check run"): string {
  const e = err as { status?: number; message?: string };
  const status = typeof e.status === "number" ? e.status : 0;
  const detail = (e.message ?? String(err)).split("\n")[0]?.slice(0, 300) ?? "";
  const permission =
    what === "comment" ? "pull-requests: write" : what === "issue" ? "issues: write" : "checks: write";
  const target =
    what === "comment" ? "the pull request comment" : what === "issue" ? "the issue" : "the check run";
  const results =
    what === "check run"
      ? "The findings are annotated with workflow commands instead (at most 10 of each kind); all of them are in the job summary."
      : "The results are in the job summary.";
  if (err instanceof NotOursError) {
    return `seq-guard could not update ${target}: the one it found was written by ${err.author}, and this token may not edit it (HTTP 403: ${err.detail}). Either the token is read-only here (a pull request from a fork; else give the job \`permissions: ${permission}\`), or another token wrote it (another GitHub App, or GITHUB_TOKEN before an App token): delete that ${what}, or give this step its own comment-key. ${results}`;
  }
  if (isRateLimit(err)) {
    return `seq-guard could not write ${target}: GitHub's rate limit for this token was reached (HTTP ${status}: ${detail}). Nothing is wrong with the token or its permissions; the next run writes it. ${results}`;
  }
  if (status === 401) {
    return `seq-guard could not write ${target}: the github-token was refused (HTTP 401: ${detail}). Check the github-token input. ${results}`;
  }
  if (status === 403 || status === 404) {
    return `seq-guard could not write ${target}: the token is read-only here (HTTP ${status}: ${detail}). A pull request from a fork always gets a read-only GITHUB_TOKEN; otherwise give the job \`permissions: ${permission}\`. ${results}`;
  }
  if (status === 410) {
    return `seq-guard could not write ${target}: issues are disabled in this repository (HTTP 410). ${results}`;
  }
  return `seq-guard could not write ${target}: ${status ? `HTTP ${status}: ` : ""}${detail}. ${results}`;
}

/** A token that may not write check runs here: 403 (a fork's read-only token, no `checks: write`) or 404, not a rate limit. */
export function isNotPermitted(err: unknown): boolean {
  const status = (err as { status?: number }).status;
  return (status === 403 || status === 404) && !isRateLimit(err);
}

/** A check run was created, but an update that appends annotations failed: only the first ones are on it. */
export class PartialCheckRunError extends Error {
  constructor(
    readonly url: string | undefined,
    readonly annotated: number,
    readonly failure: unknown,
  ) {
    super((failure as Error)?.message ?? String(failure));
  }
}

/**
 * Send a planned check run: create it (with the first 50 annotations), then append the rest 50 per update.
 * Throws the create's error as it is; a failed update as a PartialCheckRunError.
 */
export async function publishCheckRun(
  octo: Octokit,
  repo: Repo,
  plan: CheckRunPlan,
): Promise<{ id: number; url: string | undefined; requests: number }> {
  const res = await octo.rest.checks.create({ ...repo, ...plan.create });
  const id = res.data.id;
  const url = res.data.html_url ?? undefined;
  let annotated = plan.create.output.annotations?.length ?? 0;
  for (const u of plan.updates) {
    try {
      await octo.rest.checks.update({ ...repo, check_run_id: id, ...u });
    } catch (err) {
      throw new PartialCheckRunError(url, annotated, err);
    }
    annotated += u.output.annotations.length;
  }
  return { id, url, requests: 1 + plan.updates.length };
}
