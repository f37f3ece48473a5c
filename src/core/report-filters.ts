// Filters that do nothing: a schema or exclude entry that matches no sequence of the verified databases (a quoted
// name, a typo) reads as a clean bill of health. One logic for both front ends; the messages name each entry with
// say.entry, which each front end renders in its own words (--schema "app", the schemas entry "app"). Pure.

import { UsageError } from "./errors.ts";
import { exclusionFilter, type Filters } from "./filters.ts";
import { parseQualifiedName } from "./sql-names.ts";
import type { Report, TargetReport } from "./types.ts";
import { say } from "./words.ts";

/** Filters left nothing to verify: a usage error (exit 2) that keeps the targets, for the JSON report. */
export class NothingVerifiedError extends UsageError {
  constructor(
    message: string,
    readonly targets: TargetReport[],
  ) {
    super(message);
    this.name = "NothingVerifiedError";
  }
}

/** The targets an error carries (filters that left nothing to verify), else none. */
export function targetsOf(err: unknown): TargetReport[] {
  return err instanceof NothingVerifiedError ? err.targets : [];
}

/** "Weird Schema".* as the summary shows names, written unquoted as the filters match them: Weird Schema.* */
function unquoted(entry: string): string {
  return entry.replace(/"((?:[^"]|"")*)"/g, (_, inner: string) => inner.replaceAll('""', '"'));
}

const hint = (entry: string) =>
  unquoted(entry) !== entry ? ` Names are matched unquoted: write ${unquoted(entry)} instead.` : "";

/** The verified targets' sequences as [schema, name], unquoted. */
function namesOf(report: Report): [string, string][] {
  const names: [string, string][] = [];
  for (const t of report.targets) {
    if (t.error !== null) continue;
    for (const r of t.sequences) {
      const p = parseQualifiedName(r.sequence);
      if (p && p.rest === "" && p.parts.length === 2) names.push(p.parts as [string, string]);
    }
  }
  return names;
}

/** Warnings (without a prefix) for the schema and exclude entries that match no sequence of the verified databases. */
export async function unmatchedFilters(report: Report, filters: Filters): Promise<string[]> {
  if (filters.schemas.length === 0 && filters.exclude.length === 0) return [];
  const verified = report.targets.filter((t) => t.error === null);
  if (verified.length === 0) return [];
  const names = namesOf(report);
  const where = verified.map((t) => t.database).join(", ");
  const out: string[] = [];
  const schemas = new Set(names.map(([schema]) => schema));
  const unmatchedSchemas = filters.schemas.filter((s) => !schemas.has(s));
  for (const s of unmatchedSchemas) {
    const none = unmatchedSchemas.length === filters.schemas.length ? ", so no sequence was checked" : "";
    out.push(
      `${say.entry("schema", s)} names no schema with sequences in ${where}${none}. Check the spelling (case matters).${hint(s)}`,
    );
  }
  for (const e of filters.exclude) {
    const drops = await exclusionFilter({ schemas: [], exclude: [e] });
    if (names.some(([schema, name]) => drops(schema, name))) continue;
    out.push(
      `${say.entry("exclude", e)} matches no sequence in ${where}, so it excludes nothing. Entries are globs over the unquoted schema.name, such as audit.* or public.users_id_seq.${hint(e)}`,
    );
  }
  return out;
}

/**
 * A run whose filters leave nothing to verify in a database that has sequences checked nothing: a usage error
 * (exit 2) naming the filters, rather than a green run. Databases without sequences are no such case.
 */
export function checkFiltersLeftSomething(report: Report, filters: Filters): void {
  if (filters.schemas.length === 0 && filters.exclude.length === 0) return;
  for (const t of report.targets) {
    if (t.error !== null || t.sequences.length === 0) continue;
    if (!t.sequences.every((r) => r.skip_reason === "excluded")) continue;
    const given = [
      ...filters.schemas.map((s) => say.entry("schema", s)),
      ...filters.exclude.map((e) => say.entry("exclude", e)),
    ].join(", ");
    const quoted = [...filters.schemas, ...filters.exclude].some((e) => unquoted(e) !== e);
    throw new NothingVerifiedError(
      `the filters (${given}) leave none of the ${t.sequences.length} ${t.sequences.length === 1 ? "sequence" : "sequences"} of ${t.database} to verify, so nothing was checked. Check the spelling (case matters)${quoted ? '; names are matched unquoted: Weird Schema, not "Weird Schema"' : ""}.`,
      report.targets,
    );
  }
}
