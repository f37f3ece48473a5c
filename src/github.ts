// Talking to GitHub: the one pull request comment per (workflow, job, comment-key), and the one issue that a
// failing run without a pull request opens and a passing run closes.
//
// A comment or issue is found again by a hidden marker in its body AND by its author: a marker that someone else
// pasted into their own comment is never taken for ours (we could not edit it anyway). Our author is the token's
// user (GET /user answers for a personal token); a GITHUB_TOKEN cannot ask that, and writes as
// github-actions[bot]. Every failure here is a warning for the caller, never a failed job: the results are in
// the job summary whatever happens.

import type { getOctokit } from "@actions/github";

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

/** Who the token writes as: the user of a personal token, else github-actions[bot]. */
export async function whoAmI(octo: Octokit): Promise<string> {
  try {
    const res = await octo.rest.users.getAuthenticated();
    return res.data.login;
  } catch {
    return ACTIONS_BOT;
  }
}

interface Found {
  id: number;
  number?: number;
  body: string;
  url?: string;
}

/** Our comment on an issue or pull request, or null. Reads page by page and stops at the first match. */
export async function findComment(
  octo: Octokit,
  repo: Repo,
  issueNumber: number,
  marker: string,
  author: string,
): Promise<Found | null> {
  const pages = octo.paginate.iterator(octo.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    for (const c of page.data) {
      if (c.user?.login === author && c.body?.includes(marker)) {
        return { id: c.id, body: c.body, url: c.html_url };
      }
    }
  }
  return null;
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
  const author = await whoAmI(octo);
  const existing = await findComment(octo, repo, issueNumber, marker, author);
  if (existing) {
    if (existing.body === body) return { action: "unchanged", url: existing.url };
    const res = await octo.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
    return { action: "updated", url: res.data.html_url };
  }
  if (!create) return { action: "none" };
  const res = await octo.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
  return { action: "created", url: res.data.html_url };
}

/** Our open issue for this (workflow, job, key), or null. Pull requests (which the issues list includes) never count. */
export async function findIssue(
  octo: Octokit,
  repo: Repo,
  marker: string,
  author: string,
): Promise<Found | null> {
  const pages = octo.paginate.iterator(octo.rest.issues.listForRepo, {
    ...repo,
    state: "open",
    per_page: 100,
  });
  for await (const page of pages) {
    for (const i of page.data) {
      if (i.pull_request) continue;
      if (i.user?.login === author && i.body?.includes(marker)) {
        return { id: i.id, number: i.number, body: i.body, url: i.html_url };
      }
    }
  }
  return null;
}

export type IssueAction = "created" | "updated" | "closed" | "none";

/** Open or update the issue while the check fails; close it once it passes. */
export async function syncIssue(
  octo: Octokit,
  repo: Repo,
  marker: string,
  opts: { failing: boolean; title: string; body: string },
): Promise<{ action: IssueAction; url?: string }> {
  const author = await whoAmI(octo);
  const existing = await findIssue(octo, repo, marker, author);
  if (opts.failing) {
    if (existing) {
      const res = await octo.rest.issues.update({
        ...repo,
        issue_number: existing.number as number,
        title: opts.title,
        body: opts.body,
      });
      return { action: "updated", url: res.data.html_url };
    }
    const res = await octo.rest.issues.create({ ...repo, title: opts.title, body: opts.body });
    return { action: "created", url: res.data.html_url };
  }
  if (!existing) return { action: "none" };
  const res = await octo.rest.issues.update({
    ...repo,
    issue_number: existing.number as number,
    body: opts.body,
    state: "closed",
    state_reason: "completed",
  });
  return { action: "closed", url: res.data.html_url };
}

/**
 * A one-paragraph warning for a failed GitHub call. 403/404 on a write mean the token may not write here (a pull
 * request from a fork gets a read-only GITHUB_TOKEN), which the message says, with what to do.
 */
export function explainGitHubError(err: unknown, what: "comment" | "issue"): string {
  const e = err as { status?: number; message?: string };
  const status = typeof e.status === "number" ? e.status : 0;
  const detail = (e.message ?? String(err)).split("\n")[0]?.slice(0, 300) ?? "";
  const permission = what === "comment" ? "pull-requests: write" : "issues: write";
  const target = what === "comment" ? "the pull request comment" : "the issue";
  if (status === 401) {
    return `seq-guard could not write ${target}: the github-token was refused (HTTP 401: ${detail}). Check the github-token input. The results are in the job summary.`;
  }
  if (status === 403 || status === 404) {
    return `seq-guard could not write ${target}: the token is read-only here (HTTP ${status}: ${detail}). A pull request from a fork always gets a read-only GITHUB_TOKEN; otherwise give the job \`permissions: ${permission}\`. The results are in the job summary.`;
  }
  if (status === 410) {
    return `seq-guard could not write ${target}: issues are disabled in this repository (HTTP 410). The results are in the job summary.`;
  }
  return `seq-guard could not write ${target}: ${status ? `HTTP ${status}: ` : ""}${detail}. The results are in the job summary.`;
}
