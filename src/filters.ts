// Filters: which sequences a run looks at. `--schema S` keeps only those schemas; `--exclude PATTERN` drops
// sequences whose unquoted `schema.name` matches a glob (minimatch syntax: *, ?, [...], {a,b}).

import { minimatch } from "minimatch";

export interface Filters {
  schemas: string[];
  exclude: string[];
}

export function isExcluded(schema: string, name: string, filters: Filters): boolean {
  if (filters.schemas.length > 0 && !filters.schemas.includes(schema)) return true;
  const full = `${schema}.${name}`;
  return filters.exclude.some((p) => minimatch(full, p, { dot: true, nocomment: true, nonegate: true }));
}
