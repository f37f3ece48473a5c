// Report building: turn verdicts into the JSON contract (decimal strings for every int8) and count them. Pure.

import { EXIT } from "./errors.ts";
import { interner } from "./intern.ts";
import { redact as redactText } from "./redact.ts";
import type {
  ColumnLink,
  ColumnReport,
  LinkVia,
  Mode,
  Report,
  RunError,
  SequenceInfo,
  SequenceReport,
  SequenceState,
  Status,
  Summary,
  TargetReport,
  Warning,
} from "./types.ts";
import { fixSql, integerLinks, type Verdict } from "./verdict.ts";

export type FailOn = "behind" | "exhausted" | "error" | "near-exhaustion";

export const FAIL_ON_VALUES: FailOn[] = ["behind", "exhausted", "error", "near-exhaustion"];

/** What fails a run by default: in check and fix, behind (unfixed), exhausted and error; report never fails. */
export function defaultFailOn(mode: Mode): FailOn[] {
  return mode === "report" ? [] : ["behind", "exhausted", "error"];
}

// A report holds a dozen decimal strings per sequence, most of them the same few values (increments, type
// bounds, small positions): one shared copy of each.
const dec = interner((v: bigint) => v.toString());

const s = (v: bigint | null | undefined): string | null => (v === null || v === undefined ? null : dec(v));

/** How a link was found, for the report: an expression default is a default (of the regclass kind unless said). */
export function viaOf(l: ColumnLink): LinkVia {
  return l.via ?? (l.kind === "expression" ? "default" : l.kind);
}

// Every keyword quote_ident() quotes: all but PostgreSQL's unreserved ones (pg_get_keywords() WHERE catcode <> 'U'
// on 15, and the JSON and MERGE words 16 and 17 added), so a column named int or between reads "int", as the
// standalone script, which calls quote_ident() itself, prints it.
const RESERVED = new Set(
  (
    "all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both " +
    "case cast char character check coalesce collate collation column concurrently constraint create cross " +
    "current_catalog current_date current_role current_schema current_time current_timestamp current_user dec " +
    "decimal default deferrable desc distinct do else end except exists extract false fetch float for foreign " +
    "freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect " +
    "interval into is isnull join json json_array json_arrayagg json_exists json_object json_objectagg json_query " +
    "json_scalar json_serialize json_table json_value lateral leading least left like limit localtime " +
    "localtimestamp merge_action national natural nchar none normalize not notnull null nullif numeric offset on " +
    "only or order out outer overlaps overlay placing position precision primary real references returning right " +
    "row select session_user setof similar smallint some substring symmetric system_user table tablesample then " +
    "time timestamp to trailing treat trim true union unique user using values varchar variadic verbose when " +
    "where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi " +
    "xmlroot xmlserialize xmltable"
  ).split(" "),
);

/** An identifier as quote_ident() writes it: bare when lower-case and not reserved, else in double quotes. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** A linked column as the tables show it: the table (already quoted) and the column, quoted the same way. */
export function columnLabel(c: ColumnReport): string {
  return `${c.table}.${quoteIdent(c.column)}`;
}

/** A descending sequence: its colliding extreme is a min, not a max. */
export function isDescending(r: SequenceReport): boolean {
  return r.increment.startsWith("-");
}

/** A short mark after a column in the text and Markdown tables, for the links no dependency records. */
export function viaMark(c: ColumnReport): string {
  return c.via === "trigger" ? " (trigger)" : c.via === "default_text" ? " (text default)" : "";
}

function columnReports(seq: SequenceInfo, state: SequenceState | null): ColumnReport[] {
  const ints: ColumnLink[] = integerLinks(seq);
  return seq.links.map((l) => {
    const i = ints.indexOf(l);
    const ext = state && i >= 0 ? state.columns[i] : undefined;
    return {
      table: l.table,
      column: l.column,
      type: l.type,
      via: viaOf(l),
      ...(l.note === undefined ? {} : { note: l.note }),
      max: s(ext?.max),
      min: s(ext?.min),
    };
  });
}

function base(seq: SequenceInfo, state: SequenceState | null): SequenceReport {
  return {
    sequence: seq.name,
    status: "ok",
    reason: null,
    skip_reason: null,
    columns: columnReports(seq, state),
    data_type: seq.dataType,
    increment: dec(seq.increment),
    min_value: dec(seq.minValue),
    max_value: dec(seq.maxValue),
    cycle: seq.cycle,
    last_value: state ? dec(state.lastValue) : null,
    is_called: state ? state.isCalled : null,
    next_value: null,
    max: null,
    min: null,
    fixed_next_value: null,
    warnings: [],
    headroom: null,
    fix_sql: null,
  };
}

/** The report of a judged sequence. */
export function verdictReport(seq: SequenceInfo, state: SequenceState | null, v: Verdict): SequenceReport {
  const report = base(seq, state);
  if (v.status === "skipped")
    return { ...report, status: v.status, reason: v.reason, skip_reason: v.skipReason };
  const collision = v.status === "ok" ? null : s(v.collision);
  const ascending = seq.increment > 0n;
  return {
    ...report,
    status: v.status,
    reason: v.status === "ok" ? null : v.reason,
    next_value: dec(v.next),
    max: ascending ? collision : null,
    min: ascending ? null : collision,
    warnings: v.warnings,
    headroom: { used_pct: v.headroom.usedPct, remaining: dec(v.headroom.remaining) },
    fix_sql: v.status === "behind" ? fixSql(seq.name, v.fixTo) : null,
  };
}

/** The report of a sequence that could not be read or fixed. */
export function errorReport(
  seq: SequenceInfo,
  error: string,
  state: SequenceState | null = null,
): SequenceReport {
  return { ...base(seq, state), status: "error", reason: error };
}

/** Mark a behind sequence fixed: it now hands out `nextValue`. */
export function fixedReport(before: SequenceReport, nextValue: bigint, warnings: Warning[]): SequenceReport {
  return {
    ...before,
    status: "fixed",
    reason: `advanced from ${before.next_value} to ${nextValue}`,
    fixed_next_value: nextValue.toString(),
    warnings: [...before.warnings, ...warnings],
  };
}

export function emptySummary(): Summary {
  return { sequences: 0, ok: 0, behind: 0, fixed: 0, exhausted: 0, skipped: 0, error: 0 };
}

export function summarize(seqs: SequenceReport[]): Summary {
  const sum = emptySummary();
  for (const r of seqs) {
    sum.sequences++;
    sum[r.status]++;
  }
  return sum;
}

export function addSummaries(a: Summary, b: Summary): Summary {
  const out = emptySummary();
  for (const k of Object.keys(out) as (keyof Summary)[]) out[k] = a[k] + b[k];
  return out;
}

/** A sequence near the end of its range (a warning on an ok row, or beside another status). */
export function isNearExhaustion(r: SequenceReport): boolean {
  return r.warnings.some((w) => w.code === "near_exhaustion");
}

/** Does this sequence fail the run under `failOn`? */
export function fails(r: SequenceReport, failOn: FailOn[]): boolean {
  if (failOn.includes(r.status as FailOn)) return true;
  return failOn.includes("near-exhaustion") && isNearExhaustion(r);
}

/** Does the target fail: any failing sequence, or the target itself could not be restored or verified. */
export function targetFails(t: TargetReport, failOn: FailOn[]): boolean {
  return t.error !== null || t.sequences.some((r) => fails(r, failOn));
}

export function buildReport(mode: Mode, targets: TargetReport[], failOn: FailOn[]): Report {
  const summary = targets.reduce((acc, t) => addSummaries(acc, t.summary), emptySummary());
  return {
    version: 1,
    mode,
    ok: !targets.some((t) => targetFails(t, failOn)),
    error: targetsError(targets),
    summary,
    targets,
  };
}

/** The run's error from its targets: a dump not restored (exit 4) before a target not verified (exit 3). */
function targetsError(targets: TargetReport[]): RunError | null {
  const failed = targets.filter((t) => t.error !== null);
  const restore = failed.find((t) => t.dump !== null && t.restore_ms === null);
  const first = restore ?? failed[0];
  if (!first) return null;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : "";
  return {
    code: restore ? "restore" : "connection",
    exit_code: restore ? EXIT.restore : EXIT.connection,
    message: `${first.dump ?? first.database} could not be ${restore ? "restored" : "verified"}: ${first.error}${more}`,
  };
}

const RUN_ERROR_CODES: [number, RunError["code"]][] = [
  [EXIT.usage, "usage"],
  [EXIT.connection, "connection"],
  [EXIT.restore, "restore"],
  [EXIT.interrupted, "interrupted"],
  [143, "interrupted"],
];

/**
 * The report of a run that stopped before it had results (or whose results a check refused, such as filters that
 * leave nothing to verify): ok false, the error's code, exit code and message, and whatever targets it had.
 */
export function failedRunReport(
  mode: Mode,
  exitCode: number,
  message: string,
  targets: TargetReport[] = [],
): Report {
  const code = RUN_ERROR_CODES.find(([c]) => c === exitCode)?.[1] ?? "internal";
  const summary = targets.reduce((acc, t) => addSummaries(acc, t.summary), emptySummary());
  return { version: 1, mode, ok: false, error: { code, exit_code: exitCode, message }, summary, targets };
}

/** Rows that need a reader's attention: anything but a plain ok or skipped. */
export function isProblem(r: SequenceReport): boolean {
  return !(r.status === "ok" || r.status === "skipped") || r.warnings.length > 0;
}

/** Order for display: what needs attention first. */
export const STATUS_ORDER: Status[] = ["error", "exhausted", "behind", "fixed", "ok", "skipped"];

/**
 * Status, then those with warnings first, then by name compared character by character (JavaScript's string
 * order, much like `COLLATE "C"`): the same order on every machine, whatever its locale, so that two runs' reports
 * line up. localeCompare() would also load ICU's collator on first use, 8 ms of every run.
 */
export function byImportance(a: SequenceReport, b: SequenceReport): number {
  const d = STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status);
  if (d !== 0) return d;
  const wa = a.warnings.length > 0 ? 0 : 1;
  const wb = b.warnings.length > 0 ? 0 : 1;
  if (wa !== wb) return wa - wb;
  return a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0;
}

/**
 * The report with every secret taken out of its free text (reasons, warnings, errors, hints): the only places a
 * secret can reach a report, through a server's or a tool's message that echoes a connection string. Names,
 * numbers and SQL are left as they are, so the report stays exact whatever the password looks like.
 */
export function redactReport(report: Report, secrets: string[]): Report {
  const live = secrets.filter((s) => s.length > 0);
  const clean = (t: string) => redactText(t, live);
  const cleanOpt = (t: string | null) => (t === null ? null : clean(t));
  // Copy only what changes: at 100,000 sequences a copy of every report would double the memory.
  const dirty = (r: SequenceReport) =>
    (r.reason !== null && clean(r.reason) !== r.reason) ||
    r.warnings.some((w) => clean(w.message) !== w.message);
  return {
    ...report,
    ...(report.error ? { error: { ...report.error, message: clean(report.error.message) } } : {}),
    targets: report.targets.map((t) => ({
      ...t,
      error: cleanOpt(t.error),
      hints: t.hints.map(clean),
      sequences: t.sequences.map((r) =>
        !dirty(r)
          ? r
          : {
              ...r,
              reason: cleanOpt(r.reason),
              warnings: r.warnings.map((w) => ({ ...w, message: clean(w.message) })),
            },
      ),
    })),
  };
}
