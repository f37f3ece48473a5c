// Filters: which sequences a run looks at. The schema setting keeps only those schemas; the exclude setting drops
// sequences whose unquoted `schema.name` matches a glob (minimatch syntax: *, ?, [...], {a,b}). Pure.

import { loadPart } from "./errors.ts";

export interface Filters {
  schemas: string[];
  exclude: string[];
}

/**
 * A predicate telling whether a sequence is filtered out; the globs are compiled once, not per sequence. The glob
 * library is loaded only when there are globs: most runs have none, and it is a sixth of the CLI's code.
 */
export async function exclusionFilter(filters: Filters): Promise<(schema: string, name: string) => boolean> {
  const schemas = new Set(filters.schemas);
  let globs: { match(name: string): boolean }[] = [];
  if (filters.exclude.length > 0) {
    const { Minimatch } = await loadPart(() => import(/* webpackMode: "lazy" */ "minimatch"));
    globs = filters.exclude.map((p) => new Minimatch(p, { dot: true, nocomment: true, nonegate: true }));
  }
  return (schema, name) => {
    if (schemas.size > 0 && !schemas.has(schema)) return true;
    const full = `${schema}.${name}`;
    return globs.some((g) => g.match(full));
  };
}
