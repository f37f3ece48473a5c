// The GitHub side of the Action's tests, both halves of it:
// - FakeGitHub: a loopback fake of the REST API the Action calls (who am I, list/create/update issue comments,
//   list/create/update issues), which records every request. It pages like GitHub (per_page, page, Link
//   headers), filters issues by creator and label, answers 403 on writes when read-only (a fork's pull request),
//   403 on GET /user for an installation token (GITHUB_TOKEN, or a GitHub App's token, which writes as
//   <app>[bot]), 403 on editing another author's comment, and a secondary rate limit when asked, as GitHub does.
//   With `checks: true`, the Checks API too (create and update a check run), held to its contract: name, head_sha
//   and output.title required, output.summary and output.text at most 65,535 characters, at most 50 annotations
//   per request, each with path, start_line, end_line, annotation_level (notice, warning, failure) and message
//   (title optional), answered 422 otherwise as GitHub does; an update appends its annotations. Without it, those
//   paths answer 404 as before, and runAction() passes check-run: never (the comment and issue tests see only
//   their own requests).
// - runAction(): runs the built dist/index.js in a child process exactly as the runner does: every input from
//   action.yml's defaults as INPUT_<NAME> (upper case, hyphens kept), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
//   files, the event payload at GITHUB_EVENT_PATH (a pull request's head at HEAD_SHA), GITHUB_SHA (the merge
//   commit, MERGE_SHA), GITHUB_REPOSITORY and GITHUB_API_URL pointing at the fake.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { root, spawnCollect } from "./helpers.ts";

export const OWNER = "acme";
export const REPO = "shop";
export const BOT = "github-actions[bot]";
/** The pull request's head commit in the event payload, and the merge commit in GITHUB_SHA. */
export const HEAD_SHA = "1111111111111111111111111111111111111111";
export const MERGE_SHA = "2222222222222222222222222222222222222222";

export interface FakeCheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title: string; summary: string; text?: string };
  annotations: FakeCheckAnnotation[];
  html_url: string;
  /** Requests that carried annotations: the create, then each update. */
  annotationBatches: number[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: Record<string, unknown> | null;
  status: number;
}

export interface FakeUser {
  login: string;
  type: "Bot" | "User";
}

export interface FakeComment {
  id: number;
  issue_number: number;
  body: string;
  user: FakeUser;
  html_url: string;
}

export interface FakeIssue {
  id: number;
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  user: FakeUser;
  html_url: string;
  labels: { name: string }[];
  pull_request?: { url: string };
}

export interface FakeOptions {
  /** Writes answer 403 "Resource not accessible by integration" (a pull request from a fork). */
  readOnly?: boolean;
  /** A personal token: GET /user answers with this login, and writes are made as that user. */
  personalLogin?: string;
  /** A GitHub App's installation token: GET /user answers 403, and writes are made as this bot (my-app[bot]). */
  appLogin?: string;
  /** Writes answer 403 "You have exceeded a secondary rate limit". */
  rateLimited?: boolean;
  /** Creating an issue with a label that does not exist yet answers 403 (a token that may not make labels). */
  noNewLabels?: boolean;
  /** Serve the Checks API (create/update a check run); without it, those paths answer 404. */
  checks?: boolean;
}

/** The Checks API's limits, checked as GitHub checks them. */
const CHECK_MAX_ANNOTATIONS = 50;
const CHECK_MAX_TEXT = 65_535;

/** Why GitHub would refuse this output (422), or null. `create`: title and summary are required. */
function outputProblem(output: unknown): string | null {
  if (output === undefined) return null;
  if (typeof output !== "object" || output === null) return "output is not an object";
  const o = output as Record<string, unknown>;
  if (typeof o.title !== "string" || o.title === "") return "output.title is required";
  if (typeof o.summary !== "string") return "output.summary is required";
  if (o.summary.length > CHECK_MAX_TEXT) return `output.summary is longer than ${CHECK_MAX_TEXT} characters`;
  if (o.text !== undefined && (typeof o.text !== "string" || o.text.length > CHECK_MAX_TEXT))
    return `output.text is longer than ${CHECK_MAX_TEXT} characters`;
  if (o.annotations === undefined) return null;
  if (!Array.isArray(o.annotations)) return "output.annotations is not an array";
  if (o.annotations.length > CHECK_MAX_ANNOTATIONS)
    return `Only ${CHECK_MAX_ANNOTATIONS} annotations are allowed per request (got ${o.annotations.length})`;
  for (const a of o.annotations as Record<string, unknown>[]) {
    if (typeof a.path !== "string" || a.path === "") return "annotation.path is required";
    if (!Number.isInteger(a.start_line) || (a.start_line as number) < 1)
      return "annotation.start_line is required";
    if (!Number.isInteger(a.end_line) || (a.end_line as number) < (a.start_line as number))
      return "annotation.end_line is required";
    if (!["notice", "warning", "failure"].includes(String(a.annotation_level)))
      return "annotation.annotation_level is not notice, warning or failure";
    if (typeof a.message !== "string" || a.message === "") return "annotation.message is required";
    if (a.title !== undefined && typeof a.title !== "string") return "annotation.title is not a string";
    const known = [
      "path",
      "start_line",
      "end_line",
      "start_column",
      "end_column",
      "annotation_level",
      "message",
      "title",
      "raw_details",
    ];
    const extra = Object.keys(a).find((k) => !known.includes(k));
    if (extra) return `annotation.${extra} is not a known field`;
  }
  return null;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly comments: FakeComment[] = [];
  readonly issues: FakeIssue[] = [];
  readOnly: boolean;
  personalLogin: string | undefined;
  appLogin: string | undefined;
  rateLimited: boolean;
  noNewLabels: boolean;
  checks: boolean;
  readonly checkRuns: FakeCheckRun[] = [];
  readonly labels = new Set<string>();
  url = "";
  private server: Server;
  private nextId = 1000;

  private constructor(opts: FakeOptions) {
    this.readOnly = opts.readOnly ?? false;
    this.personalLogin = opts.personalLogin;
    this.appLogin = opts.appLogin;
    this.rateLimited = opts.rateLimited ?? false;
    this.noNewLabels = opts.noNewLabels ?? false;
    this.checks = opts.checks ?? false;
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  static async start(opts: FakeOptions = {}): Promise<FakeGitHub> {
    const f = new FakeGitHub(opts);
    await new Promise<void>((resolve) => f.server.listen(0, "127.0.0.1", resolve));
    f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
    return f;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The user writes are made as. */
  get me(): FakeUser {
    if (this.personalLogin) return { login: this.personalLogin, type: "User" };
    return { login: this.appLogin ?? BOT, type: "Bot" };
  }

  /** Seed a comment as someone, e.g. another user pasting our marker. */
  addComment(issueNumber: number, body: string, user: FakeUser): FakeComment {
    const id = this.nextId++;
    const c = {
      id,
      issue_number: issueNumber,
      body,
      user,
      html_url: `https://github.example/${OWNER}/${REPO}/pull/${issueNumber}#issuecomment-${id}`,
    };
    this.comments.push(c);
    return c;
  }

  addIssue(fields: Partial<FakeIssue> & { title: string; body: string; user: FakeUser }): FakeIssue {
    const number = this.issues.length + 1;
    const issue: FakeIssue = {
      id: this.nextId++,
      number,
      state: "open",
      state_reason: null,
      labels: [],
      html_url: `https://github.example/${OWNER}/${REPO}/issues/${number}`,
      ...fields,
    };
    this.issues.push(issue);
    return issue;
  }

  /** Requests other than reads. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  private page<T>(req: IncomingMessage, res: ServerResponse, path: string, items: T[]) {
    const u = new URL(req.url ?? "/", this.url);
    const perPage = Math.min(100, Number(u.searchParams.get("per_page") ?? 30));
    const page = Math.max(1, Number(u.searchParams.get("page") ?? 1));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(`${this.url}${path}`);
      for (const [k, v] of u.searchParams) next.searchParams.set(k, v);
      next.searchParams.set("page", String(page + 1));
      next.searchParams.set("per_page", String(perPage));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return json(res, 200, slice, headers);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const u = new URL(req.url ?? "/", this.url);
    const rec: RecordedRequest = {
      method: req.method ?? "GET",
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      authorization: req.headers.authorization,
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null,
      status: 0,
    };
    this.requests.push(rec);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      json(res, status, body, headers);
    };
    const forbidden = () =>
      send(403, {
        message: "Resource not accessible by integration",
        documentation_url: "https://docs.github.com/rest",
        status: "403",
      });
    const rateLimited = () =>
      send(
        403,
        {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
          status: "403",
        },
        { "retry-after": "60" },
      );
    if (rec.method !== "GET" && this.rateLimited) return rateLimited();
    const body = rec.body ?? {};
    const base = `/repos/${OWNER}/${REPO}`;
    const p = u.pathname;
    const commentsOf = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(p);
    const oneComment = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(p);
    const oneIssue = new RegExp(`^${base}/issues/(\\d+)$`).exec(p);
    const oneCheckRun = new RegExp(`^${base}/check-runs/(\\d+)$`).exec(p);
    const invalid = (message: string) =>
      send(422, {
        message: `Invalid request.\n\n${message}`,
        documentation_url: "https://docs.github.com/rest/checks/runs",
      });

    if (this.checks && p === `${base}/check-runs` && rec.method === "POST") {
      if (this.readOnly) return forbidden();
      if (typeof body.name !== "string" || body.name === "") return invalid("name is required");
      if (typeof body.head_sha !== "string" || !/^[0-9a-f]{40}$/.test(body.head_sha))
        return invalid("head_sha is required");
      const status = String(body.status ?? "queued");
      if (!["queued", "in_progress", "completed"].includes(status)) return invalid("status is not valid");
      const conclusion = body.conclusion === undefined ? null : String(body.conclusion);
      const conclusions = [
        "success",
        "failure",
        "neutral",
        "cancelled",
        "skipped",
        "timed_out",
        "action_required",
      ];
      if (conclusion !== null && !conclusions.includes(conclusion)) return invalid("conclusion is not valid");
      if (status === "completed" && conclusion === null)
        return invalid("conclusion is required when status is completed");
      if (body.output === undefined) return invalid("output is required here");
      const problem = outputProblem(body.output);
      if (problem) return invalid(problem);
      const output = body.output as {
        title: string;
        summary: string;
        text?: string;
        annotations?: FakeCheckAnnotation[];
      };
      const id = this.nextId++;
      const run: FakeCheckRun = {
        id,
        name: body.name,
        head_sha: body.head_sha,
        status: conclusion !== null ? "completed" : status,
        conclusion,
        output: { title: output.title, summary: output.summary, text: output.text },
        annotations: [...(output.annotations ?? [])],
        html_url: `https://github.example/${OWNER}/${REPO}/runs/${id}`,
        annotationBatches: output.annotations ? [output.annotations.length] : [],
      };
      this.checkRuns.push(run);
      return send(201, { ...run, annotationBatches: undefined, annotations: undefined });
    }
    if (this.checks && oneCheckRun && rec.method === "PATCH") {
      if (this.readOnly) return forbidden();
      const run = this.checkRuns.find((r) => r.id === Number(oneCheckRun[1]));
      if (!run) return send(404, { message: "Not Found" });
      const problem = outputProblem(body.output);
      if (problem) return invalid(problem);
      const output = body.output as
        | { title: string; summary: string; text?: string; annotations?: FakeCheckAnnotation[] }
        | undefined;
      if (output) {
        run.output = { title: output.title, summary: output.summary, text: output.text };
        if (output.annotations) {
          run.annotations.push(...output.annotations);
          run.annotationBatches.push(output.annotations.length);
        }
      }
      if (typeof body.conclusion === "string") {
        run.conclusion = body.conclusion;
        run.status = "completed";
      }
      return send(200, { ...run, annotationBatches: undefined, annotations: undefined });
    }

    if (rec.method === "GET" && p === "/user") {
      if (this.personalLogin) return send(200, { login: this.personalLogin, type: "User", id: 1 });
      return forbidden();
    }
    if (commentsOf) {
      const n = Number(commentsOf[1]);
      if (rec.method === "GET") {
        rec.status = 200;
        return this.page(
          req,
          res,
          p,
          this.comments.filter((c) => c.issue_number === n),
        );
      }
      if (rec.method === "POST") {
        if (this.readOnly) return forbidden();
        const c = this.addComment(n, String(body.body ?? ""), this.me);
        return send(201, c);
      }
    }
    if (oneComment && rec.method === "PATCH") {
      if (this.readOnly) return forbidden();
      const c = this.comments.find((x) => x.id === Number(oneComment[1]));
      if (!c) return send(404, { message: "Not Found" });
      if (c.user.login !== this.me.login) return forbidden();
      c.body = String(body.body ?? "");
      return send(200, c);
    }
    if (p === `${base}/issues`) {
      if (rec.method === "GET") {
        const state = u.searchParams.get("state") ?? "open";
        const creator = u.searchParams.get("creator");
        const labels = (u.searchParams.get("labels") ?? "").split(",").filter(Boolean);
        rec.status = 200;
        return this.page(
          req,
          res,
          p,
          this.issues.filter(
            (i) =>
              (state === "all" || i.state === state) &&
              (creator === null || i.user.login === creator) &&
              labels.every((l) => i.labels.some((x) => x.name === l)),
          ),
        );
      }
      if (rec.method === "POST") {
        if (this.readOnly) return forbidden();
        const labels = Array.isArray(body.labels) ? body.labels.map(String) : [];
        if (this.noNewLabels && labels.some((l) => !this.labels.has(l))) return forbidden();
        for (const l of labels) this.labels.add(l);
        const i = this.addIssue({
          title: String(body.title),
          body: String(body.body ?? ""),
          user: this.me,
          labels: labels.map((name) => ({ name })),
        });
        return send(201, i);
      }
    }
    if (oneIssue && rec.method === "PATCH") {
      if (this.readOnly) return forbidden();
      const i = this.issues.find((x) => x.number === Number(oneIssue[1]));
      if (!i) return send(404, { message: "Not Found" });
      if (typeof body.title === "string") i.title = body.title;
      if (typeof body.body === "string") i.body = body.body;
      if (body.state === "open" || body.state === "closed") i.state = body.state;
      if (typeof body.state_reason === "string") i.state_reason = body.state_reason;
      return send(200, i);
    }
    return send(404, { message: "Not Found", path: p });
  }
}

// ---- The runner side ------------------------------------------------------------------------------------------

/** action.yml's inputs with their defaults, as the runner reads them. */
export function actionDefaults(): Record<string, string> {
  const meta = parseYaml(readFileSync(join(root, "action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
  };
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(meta.inputs)) out[name] = spec.default ?? "";
  return out;
}

export interface Command {
  command: string;
  props: Record<string, string>;
  message: string;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  commands: Command[];
  /** Annotations (error, warning, notice commands) in the order they were emitted. */
  annotations: Command[];
  /** Everything a person could see: log lines (add-mask commands excepted: the runner consumes them). */
  visible: string;
}

export interface RunOptions {
  /** Inputs by their action.yml name; merged over the defaults. */
  inputs?: Record<string, string>;
  event?: "pull_request" | "push" | "schedule";
  prNumber?: number;
  api?: FakeGitHub;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  token?: string;
}

export const TOKEN = "ghs_FAKEtoken0123456789abcdefABCDEF";

function unescapeData(s: string): string {
  return s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
}

function unescapeProp(s: string): string {
  return unescapeData(s).replace(/%3A/g, ":").replace(/%2C/g, ",");
}

export function parseCommands(stdout: string): Command[] {
  const out: Command[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? "").trim().split(",").filter(Boolean)) {
      const i = kv.indexOf("=");
      props[kv.slice(0, i)] = unescapeProp(kv.slice(i + 1));
    }
    out.push({ command: m[1] as string, props, message: unescapeData(m[3] ?? "") });
  }
  return out;
}

/** GITHUB_OUTPUT's format: name<<DELIMITER, value lines, DELIMITER. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] as string);
    if (m) {
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== m[2]) value.push(lines[i++] as string);
      out[m[1] as string] = value.join("\n");
    } else if ((lines[i] as string).includes("=")) {
      const s = lines[i] as string;
      out[s.slice(0, s.indexOf("="))] = s.slice(s.indexOf("=") + 1);
    }
  }
  return out;
}

/** Run dist/index.js the way the runner runs `uses: org/seq-guard@v1`. */
export async function runAction(opts: RunOptions = {}): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), "seq-guard-runner-"));
  try {
    const outputFile = join(dir, "output");
    const summaryFile = join(dir, "summary");
    const eventFile = join(dir, "event.json");
    writeFileSync(outputFile, "");
    writeFileSync(summaryFile, "");
    const event = opts.event ?? "pull_request";
    const prNumber = opts.prNumber ?? 7;
    const payload =
      event === "pull_request"
        ? {
            action: "synchronize",
            number: prNumber,
            pull_request: {
              number: prNumber,
              head: { ref: "feature", sha: HEAD_SHA },
              base: { ref: "main", sha: "3333333333333333333333333333333333333333" },
            },
            repository: { name: REPO, owner: { login: OWNER } },
          }
        : { repository: { name: REPO, owner: { login: OWNER } } };
    writeFileSync(eventFile, JSON.stringify(payload));
    const inputs = {
      ...actionDefaults(),
      "github-token": opts.token ?? TOKEN,
      // A fake without the Checks API stands for the API the comment and issue tests were written against.
      ...(opts.api?.checks ? {} : { "check-run": "never" }),
      ...(opts.inputs ?? {}),
    };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: "true",
      CI: "true",
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_SHA: MERGE_SHA,
      GITHUB_WORKFLOW: "Fixtures",
      GITHUB_WORKFLOW_REF: `${OWNER}/${REPO}/.github/workflows/fixtures.yml@refs/pull/7/merge`,
      GITHUB_JOB: "sequences",
      GITHUB_RUN_ID: "4242",
      GITHUB_SERVER_URL: "https://github.example",
      GITHUB_WORKSPACE: opts.cwd ?? root,
      GITHUB_API_URL: opts.api?.url ?? "http://127.0.0.1:9",
      RUNNER_TEMP: dir,
      ...(opts.env ?? {}),
    };
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    // The runner's way: node on the committed bundle, inputs and files in the environment.
    const res = await spawnCollect(process.execPath, [join(root, "dist", "index.js")], {
      cwd: opts.cwd,
      env,
    });
    const commands = parseCommands(res.stdout);
    return {
      ...res,
      outputs: parseOutputs(readFileSync(outputFile, "utf8")),
      summary: readFileSync(summaryFile, "utf8"),
      commands,
      annotations: commands.filter((c) => ["error", "warning", "notice"].includes(c.command)),
      visible: `${res.stdout
        .split("\n")
        .filter((l) => !l.startsWith("::add-mask::"))
        .join("\n")}\n${res.stderr}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
