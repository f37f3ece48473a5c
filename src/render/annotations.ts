// Annotations of the Action: which ones, in what order, within the runner's limits. Pure.
//
// The runner keeps 10 annotations of each type (error, warning, notice) per step and 50 per job, first come
// first kept, and drops the rest without a word. So the most important go first, and when there are more than
// fit, the last one of that type counts the rest and points to the job summary, where the full table is.
// For plain SQL fixtures, an annotation sits on the line where the data of the sequence's table begins.
// Names and messages go through printable() (an error's own lines through logText()): a name with a line break
// or a workflow command in it shows as text.

import { logText, printable } from "../core/printable.ts";
import { type FailOn, fails, STATUS_ORDER } from "../core/report.ts";
import { parseQualifiedName } from "../core/sql-names.ts";
import type { Mode, Report, SequenceReport, TargetReport } from "../core/types.ts";

/** Annotations of one type the runner keeps per step. */
export const PER_TYPE_LIMIT = 10;

export interface Annotation {
  level: "error" | "warning";
  title: string;
  message: string;
  file?: string;
  startLine?: number;
}

export interface Place {
  /** Path relative to the repository root, as the runner expects it. */
  file: string;
  line?: number;
}

export interface AnnotationInput {
  report: Report;
  mode: Mode;
  failOn: FailOn[];
  /**
   * Where to point: for a sequence, the line where its table's data begins in the fixture (plain SQL); for
   * `null`, the dump file itself. Null when unknown (a live database, a file outside the repository).
   */
  locate?: (target: TargetReport, seq: SequenceReport | null) => Place | null;
  /** Slots of each type the caller keeps for itself (core.setFailed is an error annotation too). */
  reserved?: { error?: number; warning?: number };
}

function describe(r: SequenceReport): string {
  switch (r.status) {
    case "behind":
      return `${printable(r.reason ?? "behind its data")}.${r.fix_sql ? ` Fix: ${printable(r.fix_sql)}` : ""}`;
    case "fixed":
      return `${printable(r.reason ?? "fixed")}.`;
    default:
      return printable(r.reason ?? r.status);
  }
}

function rank(r: SequenceReport): number {
  return STATUS_ORDER.indexOf(r.status);
}

// A near-exhaustion warning asks for work (widen the type before it runs out); a "fixed" warning only says what
// was done. When warnings must be left out, the fixed ones go first: near-exhaustion ranks just before them.
const NEAR_WARNING_ORDER = STATUS_ORDER.indexOf("fixed") - 0.5;

interface Candidate {
  a: Annotation;
  order: number;
}

/** Every annotation the report deserves, most important first within each type. */
export function candidates(input: AnnotationInput): Annotation[] {
  const { report, mode, failOn } = input;
  // In report mode nothing fails the job: what would fail a check is a warning, not an error.
  const failLevel = mode === "report" ? "warning" : "error";
  const out: Candidate[] = [];
  for (const t of report.targets) {
    const name = printable(t.dump ?? t.database);
    if (t.error !== null) {
      out.push({
        a: {
          level: "error",
          title: `seq-guard: ${name} could not be ${t.dump !== null && t.restore_ms === null ? "restored" : "verified"}`,
          message: logText(t.error),
          ...at(input.locate?.(t, null) ?? null),
        },
        order: -1,
      });
    }
    for (const r of t.sequences) {
      const where = at(input.locate?.(t, r) ?? null);
      const seq = printable(r.sequence);
      const failing = fails(r, failOn);
      const near = r.warnings.find((w) => w.code === "near_exhaustion");
      if (failing) {
        const what = r.status === "ok" && near ? "near exhaustion" : r.status;
        out.push({
          a: {
            level: failLevel,
            title: `seq-guard: ${seq} is ${what}`,
            message: r.status === "ok" && near ? printable(near.message) : describe(r),
            ...where,
          },
          order: r.status === "ok" ? STATUS_ORDER.length : rank(r),
        });
      } else if (r.status === "fixed") {
        const extra = r.warnings
          .filter((w) => w.code !== "near_exhaustion")
          .map((w) => ` ${printable(w.message)}.`);
        out.push({
          a: {
            level: "warning",
            title: `seq-guard: fixed ${seq}`,
            message: `${describe(r)}${extra.join("")}`,
            ...where,
          },
          order: rank(r),
        });
      }
      if (near && !(failing && r.status === "ok")) {
        out.push({
          a: {
            level: "warning",
            title: `seq-guard: ${seq} is near exhaustion`,
            message: printable(near.message),
            ...where,
          },
          order: NEAR_WARNING_ORDER,
        });
      }
    }
  }
  // Stable: within a rank, the order of the report (targets in turn, sequences by importance).
  return out
    .map((c, i) => ({ ...c, i }))
    .sort((x, y) => x.order - y.order || x.i - y.i)
    .map((c) => c.a);
}

function at(p: Place | null): { file?: string; startLine?: number } {
  if (!p) return {};
  return p.line !== undefined ? { file: p.file, startLine: p.line } : { file: p.file };
}

/**
 * The annotations to emit, in order: per type at most PER_TYPE_LIMIT minus the reserved slots; when more would
 * be needed, the last kept slot counts the rest and points to the job summary.
 */
export function planAnnotations(input: AnnotationInput): Annotation[] {
  const all = candidates(input);
  const out: Annotation[] = [];
  for (const level of ["error", "warning"] as const) {
    const mine = all.filter((a) => a.level === level);
    const budget = Math.max(1, PER_TYPE_LIMIT - (input.reserved?.[level] ?? 0));
    if (mine.length <= budget) {
      out.push(...mine);
      continue;
    }
    const shown = mine.slice(0, budget - 1);
    const rest = mine.length - shown.length;
    out.push(...shown, {
      level,
      title: `seq-guard: ${rest} more ${level === "error" ? "errors" : "warnings"} not shown`,
      message: `GitHub shows only ${PER_TYPE_LIMIT} ${level} annotations per step: ${rest} more ${rest === 1 ? "finding" : "findings"} of this kind are listed in the job summary (and in the step's log).`,
    });
  }
  return out;
}

// ---- Where a table's data begins in a plain SQL fixture -------------------------------------------------------

function key(parts: string[]): string {
  return JSON.stringify(parts);
}

/**
 * Finds, line by line, where the data of given tables begins in a plain SQL script: the first `COPY table` or
 * `INSERT INTO table` line. Tables are named as the server quotes them (format('%I.%I')); the script may write
 * them qualified or not. Lines inside a COPY ... FROM stdin block are data, never statements.
 */
export class TableDataLocator {
  private readonly wanted = new Map<string, string>();
  private readonly unqualified = new Map<string, string[]>();
  private readonly found = new Map<string, number>();
  private inCopy = false;

  constructor(tables: Iterable<string>) {
    for (const t of tables) {
      const p = parseQualifiedName(t);
      if (p?.parts.length !== 2) continue;
      this.wanted.set(key(p.parts), t);
      const name = p.parts[1] as string;
      this.unqualified.set(name, [...(this.unqualified.get(name) ?? []), t]);
    }
  }

  /** True once every wanted table was found: reading can stop. */
  get done(): boolean {
    return this.found.size >= this.wanted.size;
  }

  /** The 1-based line of each table found so far, by the table's server-quoted name. */
  get lines(): Map<string, number> {
    return this.found;
  }

  feed(line: string, lineNo: number): void {
    if (this.inCopy) {
      if (line === "\\." || line === "\\.\r") this.inCopy = false;
      return;
    }
    // Statements start a line or follow a semicolon on it (hand-written fixtures put several on one line).
    for (const m of line.matchAll(/(?:^|;)\s*(COPY|INSERT\s+INTO)\s+/gi)) {
      const isCopy = (m[1] as string).toUpperCase() === "COPY";
      if (isCopy && /\bFROM\s+stdin\b/i.test(line)) this.inCopy = true;
      const name = parseQualifiedName(line.slice((m.index ?? 0) + m[0].length));
      if (name) this.note(name.parts, lineNo);
    }
  }

  private note(parts: string[], lineNo: number): void {
    let table: string | undefined;
    if (parts.length === 2) table = this.wanted.get(key(parts));
    else if (parts.length === 1) {
      const name0 = parts[0] as string;
      const cands = this.unqualified.get(name0) ?? [];
      // Unqualified: the table of that name in public, else the only table of that name.
      table =
        cands.find((c) => this.wanted.get(key(["public", name0])) === c) ??
        (cands.length === 1 ? cands[0] : undefined);
    }
    if (table !== undefined && !this.found.has(table)) this.found.set(table, lineNo);
  }
}

/** The table whose data a sequence's annotation points at: the column holding the colliding value, else the first. */
export function tableOf(r: SequenceReport): string | null {
  const collision = r.max ?? r.min;
  const hit =
    collision !== null ? r.columns.find((c) => c.max === collision || c.min === collision) : undefined;
  return (hit ?? r.columns[0])?.table ?? null;
}
