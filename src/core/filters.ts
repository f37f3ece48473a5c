// Filters: which sequences a run looks at. The schema setting keeps only those schemas; the exclude setting drops
// sequences whose unquoted `schema.name` matches a glob (minimatch syntax: *, ?, [...], {a,b}). Pure.

import { Minimatch } from "minimatch";

export interface Filters {
  schemas: string[];
  exclude: string[];
}

/** A predicate telling whether a sequence is filtered out; the globs are compiled once, not per sequence. */
export function exclusionFilter(filters: Filters): (schema: string, name: string) => boolean {
  const schemas = new Set(filters.schemas);
  const globs = filters.exclude.map((p) => new Minimatch(p, { dot: true, nocomment: true, nonegate: true }));
  return (schema, name) => {
    if (schemas.size > 0 && !schemas.has(schema)) return true;
    const full = `${schema}.${name}`;
    return globs.some((g) => g.match(full));
  };
}
