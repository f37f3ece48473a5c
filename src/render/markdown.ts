// Markdown of the Action: the job summary, the pull request comment and the failure issue show the same table.
// Pure: returns a string. Names are shown in code spans (no Markdown, no @mention, no link inside them) and prose
// is escaped, so an odd name can neither break the table nor ping anyone. Every output stays under the byte
// budget it is given (GitHub: 65,536 characters for a comment or issue body, 1 MiB for a step summary), and says
// so explicitly when rows had to be left out.

import { controlsVisible } from "../core/printable.ts";
import { redact } from "../core/redact.ts";
import {
  byImportance,
  columnLabel,
  type FailOn,
  fails,
  isDescending,
  isNearExhaustion,
  isProblem,
  viaMark,
} from "../core/report.ts";
import type { DumpFormat, Mode, Report, SequenceReport, Summary, TargetReport } from "../core/types.ts";

/** The `status` output of the Action. */
export type ActionStatus = "ok" | "violations" | "fixed" | "error";

export interface Outcome {
  mode: Mode;
  failOn: FailOn[];
  status: ActionStatus;
  /** Sequences that fail the check under fail-on (after fixing, in fix mode). */
  violations: number;
  /** Null when the run stopped before any result (bad input, restore or connection failure). */
  report: Report | null;
  /** The message of such a failure. */
  fatal: string | null;
}

export interface MarkdownOptions {
  /** Hard ceiling on the UTF-8 size of the result. */
  maxBytes: number;
  /** Where it goes: decides the wording of the "shortened" note. */
  place: "summary" | "comment" | "issue";
  /** Text put first, verbatim (the hidden marker of a comment). */
  header?: string;
  /** Link to the workflow run, shown in the footer. */
  runUrl?: string | null;
  version?: string;
  /**
   * Secrets that must never appear: every text taken from the report (names, values, messages) is masked before
   * it is escaped and measured, so the size budget holds for the masked text and a secret that is also part of a
   * name (a password "orders" and public.orders_id_seq) never shows. The header and our own words are not masked.
   */
  secrets?: string[];
  /** Path of the report-json file, when one is written: the "shortened" note points to it. */
  reportJson?: string | null;
}

/** GitHub's ceilings, with room to spare: a comment or issue body takes 65,536 characters, a step summary 1 MiB. */
export const COMMENT_MAX_BYTES = 65_000;
export const SUMMARY_MAX_BYTES = 1_000_000;

const ICON: Record<string, string> = {
  ok: "✅",
  fixed: "🔧",
  behind: "❌",
  exhausted: "⛔",
  error: "⚠️",
  skipped: "⏭️",
};

const FORMAT_TEXT: Record<DumpFormat, string> = {
  custom: "custom archive",
  directory: "directory archive",
  tar: "tar archive",
  plain: "plain SQL",
  "plain-gzip": "gzipped plain SQL",
};

/** Longest prose kept in one cell or paragraph (a restore error can carry pages of pg_restore output). */
const MAX_PROSE = 1500;
/** Columns listed per sequence before "and N more". */
const MAX_COLUMNS = 4;

function bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Control characters (a newline in a name would end a table row) shown as \n, \t or \u0085. */
const visible = controlsVisible;

function clip(s: string, max = MAX_PROSE): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max).join("")}…`;
}

/**
 * A code span that shows `s` literally, safe inside a GFM table cell: the fence is longer than any run of
 * backticks inside, a pipe is escaped (GFM removes that backslash even in code), and padding keeps a leading or
 * trailing backtick or space intact.
 */
export function code(s: string): string {
  const body = visible(clip(s)).replaceAll("|", "\\|");
  if (body === "") return "` `";
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = /^[ `]|[ `]$/.test(body) ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * Prose that renders as the same text: HTML and Markdown punctuation escaped, newlines flattened, @mentions and
 * #references broken by a zero-width joiner so that a name in a message never pings a person or links an issue.
 */
export function text(s: string): string {
  return visible(clip(s))
    .replace(/&/g, "&amp;")
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/[@#]/g, (c) => `${c}\u200d`)
    .replace(/(^|\s)-/g, "$1\\-")
    .replace(/:\/\//g, ":\u200d//");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

function seconds(ms: number | null): string {
  if (ms === null) return "";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Ok sequences near exhaustion: listed among the problems, so counted apart from the plain ok ones. */
function nearCount(targets: TargetReport[]): number {
  let n = 0;
  for (const t of targets) for (const r of t.sequences) if (r.status === "ok" && isNearExhaustion(r)) n++;
  return n;
}

function countsText(s: Summary, near: number): string {
  const parts: string[] = [];
  for (const k of ["behind", "exhausted", "error", "fixed"] as const) {
    if (s[k] > 0) parts.push(`**${s[k]} ${k}**`);
  }
  if (near > 0) parts.push(`**${near} near exhaustion**`);
  parts.push(`${s.ok - near} ok`);
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
  return `${parts.join(" · ")} (${plural(s.sequences, "sequence")})`;
}

/** Masks the secrets in one text taken from the report (identity when there are none). */
type Mask = (s: string) => string;

const NO_MASK: Mask = (s) => s;

// One mask per set of secrets, so that the rows a mask made are found again (the summary and the comment).
const masks = new Map<string, Mask>();

function maskOf(secrets: string[] | undefined): Mask {
  const live = [...new Set((secrets ?? []).filter((s) => s.length > 0))];
  if (live.length === 0) return NO_MASK;
  const key = live.join("\0");
  let m = masks.get(key);
  if (!m) {
    m = (s) => redact(s, live);
    masks.set(key, m);
  }
  return m;
}

function statusCell(r: SequenceReport): string {
  if (r.status === "ok" && isNearExhaustion(r)) {
    return `⚠️ ok, near exhaustion${r.headroom ? ` (${r.headroom.used_pct}% used)` : ""}`;
  }
  return `${ICON[r.status] ?? ""} ${r.status}`;
}

function columnsCell(r: SequenceReport, m: Mask): string {
  if (r.columns.length === 0) return "–";
  const shown = r.columns.slice(0, MAX_COLUMNS).map((c) => code(m(columnLabel(c))) + viaMark(c));
  const more = r.columns.length - MAX_COLUMNS;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

/** The colliding extreme: a descending sequence's is a min, and says so (the column is headed max). */
function maxCell(r: SequenceReport): string {
  const v = extremeCell(r);
  return isDescending(r) && v !== "–" ? `min ${v}` : v;
}

function extremeCell(r: SequenceReport): string {
  if (r.max !== null) return r.max;
  if (r.min !== null) return r.min;
  const descending = r.increment.startsWith("-");
  let best: bigint | null = null;
  for (const c of r.columns) {
    const v = descending ? c.min : c.max;
    if (v === null) continue;
    const b = BigInt(v);
    if (best === null || (descending ? b < best : b > best)) best = b;
  }
  return best === null ? "–" : best.toString();
}

function nextCell(r: SequenceReport, m: Mask): string {
  if (r.status === "fixed") return `${m(r.next_value ?? "–")} → **${m(r.fixed_next_value ?? "–")}**`;
  return m(r.next_value ?? "–");
}

function fixCell(r: SequenceReport, m: Mask): string {
  const warnings = r.warnings.map((w) => text(m(w.message)));
  switch (r.status) {
    case "behind":
      return [r.fix_sql ? code(m(r.fix_sql)) : text(m(r.reason ?? "")), ...warnings].join("<br>");
    case "fixed":
      return [`advanced to ${m(r.fixed_next_value ?? "–")}`, ...warnings].join("<br>");
    case "ok":
      return warnings.join("<br>");
    default:
      return [text(m(r.reason ?? "")), ...warnings].filter(Boolean).join("<br>");
  }
}

const HEAD = "| status | sequence | columns | max | next value | fix |\n|---|---|---|---|---|---|";

// The size search renders each row many times, and the summary and the comment render the same rows: each row
// is made once per mask. A mask is the set of secrets, the same for the whole run.
const rowCaches = new WeakMap<Mask, WeakMap<SequenceReport, string>>();

export function row(r: SequenceReport, m: Mask = NO_MASK): string {
  let cache = rowCaches.get(m);
  if (!cache) {
    cache = new WeakMap();
    rowCaches.set(m, cache);
  }
  const hit = cache.get(r);
  if (hit !== undefined) return hit;
  const cells = [
    statusCell(r),
    code(m(r.sequence)),
    columnsCell(r, m),
    m(maxCell(r)),
    nextCell(r, m),
    fixCell(r, m),
  ];
  const line = `| ${cells.join(" | ")} |`;
  cache.set(r, line);
  return line;
}

function targetTitle(t: TargetReport, m: Mask): string {
  if (t.dump === null) return `Database ${code(m(t.database))}`;
  const how = t.format ? FORMAT_TEXT[t.format] : "dump";
  // A dump that failed to restore has no database: its scratch database is removed (or was never made).
  if (t.error !== null && t.restore_ms === null) return `${code(m(t.dump))} (${how}) could not be restored`;
  const took = t.restore_ms !== null ? ` in ${seconds(t.restore_ms)}` : "";
  return `${code(m(t.dump))} (${how}), restored into ${code(m(t.database))}${took}`;
}

/** Rows behind, exhausted or in error that fail-on lets pass: then "every sequence is ahead" would be false. */
function passingFindings(o: Outcome): number {
  let n = 0;
  for (const t of o.report?.targets ?? []) {
    for (const r of t.sequences) {
      if ((r.status === "behind" || r.status === "exhausted" || r.status === "error") && !fails(r, o.failOn))
        n++;
    }
  }
  return n;
}

/** What the listed rows are, when fail-on lets them pass: the headline must not call them good. */
function passNote(o: Outcome, problems: number): string {
  const failOn = o.failOn.length ? o.failOn.join(", ") : "none";
  return `nothing fails the check (fail-on: ${failOn}); ${plural(problems, "finding is", "findings are")} listed below`;
}

function headline(o: Outcome, problems: number): string {
  const s = o.report?.summary;
  const lenient = passingFindings(o) > 0;
  switch (o.status) {
    case "error":
      return o.report === null
        ? "## ⚠️ seq-guard could not finish"
        : "## ⚠️ seq-guard: a target could not be restored or verified";
    case "violations": {
      const one = o.violations === 1;
      const verb =
        o.mode === "fix"
          ? `${one ? "fails" : "fail"} the check even after fixing`
          : `${one ? "fails" : "fail"} the check`;
      const tail = o.mode === "report" ? " (report mode: the job does not fail)" : "";
      return `## ❌ seq-guard: ${plural(o.violations, "sequence")} ${verb}${tail}`;
    }
    case "fixed":
      return `## 🔧 seq-guard fixed ${plural(s?.fixed ?? 0, "sequence")}: ${lenient ? passNote(o, problems) : "nothing left that fails"}`;
    default:
      return lenient
        ? `## ✅ seq-guard: ${passNote(o, problems)}`
        : "## ✅ seq-guard: every sequence is ahead of its data";
  }
}

interface Section {
  target: TargetReport;
  problems: SequenceReport[];
  others: SequenceReport[];
}

function footer(o: Outcome, opts: MarkdownOptions): string {
  const failOn =
    o.mode === "report" ? "never (report mode)" : o.failOn.length ? o.failOn.join(", ") : "nothing";
  const parts = [`mode \`${o.mode}\``, `fails on ${failOn}`];
  if (opts.version) parts.push(`seq-guard ${opts.version}`);
  if (opts.runUrl) parts.push(`[workflow run](${opts.runUrl})`);
  return `<sub>${parts.join(" · ")}</sub>`;
}

function shortenedNote(opts: MarkdownOptions, hidden: number, total: number): string {
  const limit =
    opts.place === "summary"
      ? "GitHub's limit of 1 MiB for a job summary"
      : `GitHub's limit of 65,536 characters for ${opts.place === "comment" ? "a comment" : "an issue"}`;
  const file = opts.reportJson ? ` and in the report-json file ${code(opts.reportJson)}` : "";
  const where =
    opts.place === "summary"
      ? `The full list is in the step's log${file}.`
      : `The full list is in the job summary of the workflow run${file}.`;
  return `> [!NOTE]\n> Shortened to fit ${limit}: ${plural(hidden, "row")} of ${total.toLocaleString("en-US")} not shown. ${where}`;
}

/** Render with at most `keep` rows (problems first, in order); returns the text and how many rows it shows. */
function renderWith(
  o: Outcome,
  opts: MarkdownOptions,
  sections: Section[],
  keep: number,
  total: number,
): string {
  const m = maskOf(opts.secrets);
  const out: string[] = [];
  if (opts.header) out.push(opts.header);
  const problems = sections.reduce((n, s) => n + s.problems.filter((r) => r.status !== "fixed").length, 0);
  out.push(headline(o, problems));
  if (o.fatal !== null) out.push(`> [!CAUTION]\n> ${text(m(o.fatal))}`);
  if (o.report) out.push(countsText(o.report.summary, nearCount(o.report.targets)));
  let left = keep;
  // Problem rows of every target before any ok row: when rows must go, the ok ones go first.
  const problemsShown = sections.map((s) => {
    const n = Math.min(left, s.problems.length);
    left -= n;
    return n;
  });
  const othersShown = sections.map((s) => {
    const n = Math.min(left, s.others.length);
    left -= n;
    return n;
  });
  sections.forEach((s, i) => {
    const t = s.target;
    if (sections.length > 1 || t.dump !== null) out.push(`### ${targetTitle(t, m)}`);
    if (sections.length > 1) out.push(countsText(t.summary, nearCount([t])));
    if (t.error !== null) out.push(`> [!CAUTION]\n> ${text(m(t.error))}`);
    for (const h of t.hints) out.push(`- 💡 ${text(m(h))}`);
    const np = problemsShown[i] as number;
    if (np > 0) out.push([HEAD, ...s.problems.slice(0, np).map((r) => row(r, m))].join("\n"));
    else if (s.problems.length === 0 && t.error === null && t.summary.sequences > 0)
      out.push("No sequence needs attention.");
    else if (t.error === null && t.summary.sequences === 0) out.push("No sequences found.");
    const no = othersShown[i] as number;
    if (no > 0) {
      const ok = s.others.filter((r) => r.status === "ok").length;
      const sk = s.others.length - ok;
      const label = [ok ? `${ok} ok` : "", sk ? `${sk} skipped` : ""].filter(Boolean).join(", ");
      out.push(
        `<details><summary>${label}</summary>\n\n${[HEAD, ...s.others.slice(0, no).map((r) => row(r, m))].join("\n")}\n\n</details>`,
      );
    }
  });
  if (keep < total) out.push(shortenedNote(opts, total - keep, total));
  out.push(footer(o, opts));
  return `${out.join("\n\n")}\n`;
}

/** Cut text to at most `max` UTF-8 bytes on a line boundary, never inside a character. */
function cutBytes(s: string, max: number): string {
  const buf = Buffer.from(s, "utf8");
  if (buf.length <= max) return s;
  let cut = buf.subarray(0, max).toString("utf8");
  if (cut.endsWith("\uFFFD")) cut = cut.slice(0, -1);
  const nl = cut.lastIndexOf("\n");
  return nl > 0 ? cut.slice(0, nl + 1) : cut;
}

/** The Markdown of one outcome: problems first, ok and skipped sequences folded, within `opts.maxBytes`. */
export function renderMarkdown(o: Outcome, opts: MarkdownOptions): string {
  const sections: Section[] = (o.report?.targets ?? []).map((t) => {
    const sorted = [...t.sequences].sort(byImportance);
    // A sequence that fails under fail-on is a problem even when its status alone is ok (near-exhaustion).
    const problem = (r: SequenceReport) => isProblem(r) || fails(r, o.failOn);
    return { target: t, problems: sorted.filter(problem), others: sorted.filter((r) => !problem(r)) };
  });
  const total = sections.reduce((n, s) => n + s.problems.length + s.others.length, 0);
  const full = renderWith(o, opts, sections, total, total);
  if (bytes(full) <= opts.maxBytes) return full;
  // Find the most rows that fit: row sizes vary, so search on the rendered size itself.
  let lo = 0;
  let hi = total;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (bytes(renderWith(o, opts, sections, mid, total)) <= opts.maxBytes) lo = mid;
    else hi = mid - 1;
  }
  const best = renderWith(o, opts, sections, lo, total);
  if (bytes(best) <= opts.maxBytes) return best;
  // Even without rows it does not fit (an enormous header or hint): cut it, and say so.
  const note = `\n\n${shortenedNote(opts, total, total)}\n`;
  return `${cutBytes(best, opts.maxBytes - bytes(note))}${note}`;
}
