// Sequences and links as discovery would describe them, for the tests that need no server (verdicts, the SQL
// builders, batch planning). Names are cast to QuotedIdent here, standing in for the server's quoting.
import type { ColumnLink, QuotedIdent, SequenceInfo } from "../src/core/types.ts";
import { INT_RANGES } from "../src/core/verdict.ts";

export const I8 = INT_RANGES.bigint as { min: bigint; max: bigint };

/** A name as discovery would have it from the server (only discovery makes a QuotedIdent). */
export const q = (name: string) => name as QuotedIdent;

/** A link to column `id` of `table`, of an integer type (its range set) or not (text). */
export function link(
  type: "smallint" | "integer" | "bigint" | "text" = "integer",
  table = "public.t",
  p: Partial<ColumnLink> = {},
): ColumnLink {
  const r = INT_RANGES[type];
  return {
    tableOid: 1,
    table: q(table),
    columnIdent: q("id"),
    column: "id",
    type,
    typeMin: r ? r.min : null,
    typeMax: r ? r.max : null,
    kind: "owned",
    readable: true,
    lockCount: 2,
    ...p,
  };
}

/** An ascending bigint sequence public.s feeding public.t(id), with any field replaced. */
export function seq(p: Partial<SequenceInfo> = {}): SequenceInfo {
  return {
    oid: 1,
    name: q("public.s"),
    schema: "public",
    relname: "s",
    dataType: "bigint",
    start: 1n,
    increment: 1n,
    minValue: 1n,
    maxValue: I8.max,
    cache: 1n,
    cycle: false,
    readable: true,
    links: [link()],
    ...p,
  };
}
