// Human output of the CLI: a table per target, problems first, with the fix SQL. Pure: returns a string.
// Every name and message from a dump or a server goes through printable() (logText() for a multi-line error):
// a name holding a line break or a workflow command stays on its line and commands nothing.

import { logText, printable } from "../core/printable.ts";
import {
  byImportance,
  columnLabel,
  defaultFailOn,
  type FailOn,
  fails,
  isDescending,
  isNearExhaustion,
  viaMark,
} from "../core/report.ts";
import type { Report, SequenceReport, Status, TargetReport } from "../core/types.ts";
import { CLI_WORDS, type FrontEndWords, inWords, say } from "../core/words.ts";

export interface TextOptions {
  color: boolean;
  /** Show ok and skipped sequences one by one (otherwise only counted). */
  verbose: boolean;
  /** How the reader gets the unlisted ok and skipped sequences shown (default: the CLI's --verbose). */
  listAll?: string;
  /**
   * The findings that fail the run: an ok row that fails only on near exhaustion (fail-on near-exhaustion) reads
   * "ok, near" in red, not "ok" above a FAILED verdict.
   */
  failOn?: FailOn[];
  /** The words of the front end the text is for, for the settings it names (default: the CLI's). */
  words?: FrontEndWords;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const COLORS: Record<Status, string> = {
  ok: "\x1b[32m",
  fixed: "\x1b[36m",
  behind: "\x1b[31m",
  exhausted: "\x1b[35m",
  error: "\x1b[31;1m",
  skipped: "\x1b[2m",
};
const RESET = "\x1b[0m";

function columnsOf(r: SequenceReport): string {
  return r.columns.map((c) => printable(columnLabel(c)) + viaMark(c)).join(", ") || "-";
}

function extremeOf(r: SequenceReport): string {
  if (r.max !== null) return r.max;
  if (r.min !== null) return r.min;
  // No collision: show the column extreme nearest the sequence's end (largest max, or smallest min descending).
  const descending = r.increment.startsWith("-");
  const ints = r.columns.map((c) => (descending ? c.min : c.max)).filter((v): v is string => v !== null);
  if (ints.length === 0) return "-";
  return ints.reduce((a, b) => ((descending ? BigInt(b) < BigInt(a) : BigInt(b) > BigInt(a)) ? b : a));
}

/** The status cell: an ok row that fails the run (near exhaustion under fail-on) says so. */
const NEAR = "ok, near";

function statusOf(r: SequenceReport, failOn: FailOn[] | undefined): string {
  return r.status === "ok" && failOn !== undefined && fails(r, failOn) ? NEAR : r.status;
}

function row(r: SequenceReport, failOn: FailOn[] | undefined, mixed: boolean): string[] {
  const next = r.status === "fixed" ? `${r.next_value} -> ${r.fixed_next_value}` : (r.next_value ?? "-");
  const detail = r.fix_sql ?? (r.status === "ok" || r.status === "fixed" ? "" : (r.reason ?? ""));
  const extreme = extremeOf(r);
  // In a table of both directions, a descending row's value is labelled: it is the min.
  const shown = mixed && isDescending(r) && extreme !== "-" ? `min ${extreme}` : extreme;
  return [
    statusOf(r, failOn),
    printable(r.sequence),
    columnsOf(r),
    shown,
    printable(next),
    printable(detail),
  ];
}

/** The header of the extreme's column: max, min when every row descends, "max / min" for both. */
function headOf(rows: SequenceReport[]): string[] {
  const down = rows.filter(isDescending).length;
  const extreme = down === 0 ? "max" : down === rows.length ? "min" : "max / min";
  return ["status", "sequence", "columns", extreme, "next", "fix / reason"];
}

/** The table's lines, in pieces of a few hundred: a table of 100,000 rows is never one string. */
function* table(HEAD: string[], rows: string[][], color: boolean): Generator<string> {
  const widths = HEAD.map((_, i) => {
    let w = HEAD[i]?.length ?? 0;
    for (const r of rows) w = Math.max(w, (r[i] ?? "").length);
    return Math.min(60, w);
  });
  const line = (r: string[], head: boolean) => {
    const cells = r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)));
    const text = cells.join("  ").trimEnd();
    if (!color || head) return text;
    const status = (r[0] === NEAR ? "behind" : r[0]) as Status;
    return `${COLORS[status]}${(r[0] as string).padEnd(widths[0] as number)}${RESET}${text.slice(widths[0] as number)}`;
  };
  yield line(HEAD, true);
  for (let i = 0; i < rows.length; i += PIECE) {
    yield rows
      .slice(i, i + PIECE)
      .map((r) => line(r, false))
      .join("\n");
  }
}

const PIECE = 500;

function counts(t: TargetReport): string {
  const s = t.summary;
  // An ok sequence near exhaustion fails with --fail-on near-exhaustion: the count says so, so that "7 ok"
  // never stands above a FAILED with nothing to explain it.
  const near = t.sequences.filter((r) => r.status === "ok" && isNearExhaustion(r)).length;
  const parts = [
    plural(s.sequences, "sequence"),
    `${s.ok} ok${near > 0 ? ` (${near} near exhaustion)` : ""}`,
  ];
  for (const k of ["behind", "fixed", "exhausted", "error", "skipped"] as const)
    if (s[k] > 0) parts.push(`${s[k]} ${k}`);
  return parts.join(", ");
}

/** One target's text, in pieces (each a run of whole lines, without the final newline). */
export function* renderTargetPieces(t: TargetReport, opts: TextOptions): Generator<string> {
  const dump = t.dump === null ? null : printable(t.dump);
  const database = printable(t.database);
  const title = !dump
    ? database
    : t.restore_ms === null
      ? `${dump} (${t.format ?? "unknown format"}, not restored)`
      : `${dump} (${t.format}, restored into ${database} in ${t.restore_ms} ms)`;
  yield `== ${title}`;
  if (t.error) {
    yield `error: ${logText(t.error)}`;
    return;
  }
  const sorted = [...t.sequences].sort(byImportance);
  const shown = sorted.filter(
    (r) => opts.verbose || !(r.status === "ok" || r.status === "skipped") || r.warnings.length > 0,
  );
  if (shown.length > 0) {
    const head = headOf(shown);
    const mixed = head[3] === "max / min";
    yield* table(
      head,
      shown.map((r) => row(r, opts.failOn, mixed)),
      opts.color,
    );
  }
  const notes: string[] = [];
  for (const r of shown) {
    for (const w of r.warnings) notes.push(`warning: ${printable(r.sequence)}: ${printable(w.message)}`);
  }
  for (const h of t.hints) notes.push(`hint: ${printable(h)}`);
  if (notes.length > 0) yield notes.join("\n");
  const hidden = sorted.length - shown.length;
  yield `${counts(t)}${hidden > 0 ? ` (${hidden} ok or skipped not listed; ${opts.listAll ?? "--verbose lists them"})` : ""}`;
}

export function renderTarget(t: TargetReport, opts: TextOptions): string {
  return [...renderTargetPieces(t, opts)].join("\n");
}

/** The CLI's text, in pieces that joined make renderText's string. */
export function* renderTextPieces(report: Report, opts: TextOptions): Generator<string> {
  for (const [i, t] of report.targets.entries()) {
    let first = true;
    for (const piece of renderTargetPieces(t, opts)) {
      yield `${i > 0 && first ? "\n\n" : first ? "" : "\n"}${piece}`;
      first = false;
    }
  }
  const s = report.summary;
  const findings = (["behind", "exhausted", "error"] as const)
    .filter((k) => s[k] > 0)
    .map((k) => `${s[k]} ${k}`);
  // A target that could not be restored or verified has an error and no rows to point at.
  const failOn = opts.failOn ?? defaultFailOn(report.mode);
  const rowsFail = report.targets.some((t) => t.sequences.some((r) => fails(r, failOn)));
  const verdict = !report.ok
    ? rowsFail
      ? "FAILED: see the rows above"
      : "FAILED: see the error above"
    : report.mode === "fix" && s.fixed > 0
      ? `fixed ${plural(s.fixed, "sequence")}; nothing left that fails`
      : findings.length > 0
        ? `reported ${findings.join(", ")}: not counted as failures (${report.mode === "report" ? "report mode never fails" : say.option("fail-on")})`
        : "ok: no sequence fails the check";
  yield `\n${inWords(verdict, opts.words ?? CLI_WORDS)}\n`;
}

export function renderText(report: Report, opts: TextOptions): string {
  return [...renderTextPieces(report, opts)].join("");
}
