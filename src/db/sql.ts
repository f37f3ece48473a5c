// The SQL that probing and fixing send: the one place their statements are built. Pure, so each statement's text
// can be read and tested without a server.
//
// No name or value from outside is pasted in. Names are QuotedIdent, which only discovery makes from the
// server's own quote_ident()/format('%I') output; numbers are bigint values and OIDs printed by this code, and
// int8 bounds travel as decimal string literals cast to the column's type (never as JS numbers). What a fix
// writes goes as parameters (ADVANCE_SQL).

import type { IntegerLink, QuotedIdent, SequenceInfo } from "../core/types.ts";
import { integerLinks } from "../core/verdict.ts";

/** The integer type of a linked column, for the cast of a bound written in the statement. */
function typeName(link: IntegerLink): "int2" | "int4" | "int8" {
  if (link.typeMax === 32767n) return "int2";
  if (link.typeMax === 2147483647n) return "int4";
  return "int8";
}

/** The range of a column that can collide with the sequence: the sequence's range cut to the column type's. */
export function collisionRange(seq: SequenceInfo, link: IntegerLink): { lo: bigint; hi: bigint } | null {
  const lo = seq.minValue > link.typeMin ? seq.minValue : link.typeMin;
  const hi = seq.maxValue < link.typeMax ? seq.maxValue : link.typeMax;
  return lo > hi ? null : { lo, hi };
}

/**
 * For each integer column a sequence feeds, the subquery that reads the extreme that can collide (max() when the
 * sequence ascends, min() when it descends) as text. A bound goes into the WHERE clause only where the sequence's
 * range is narrower than the column type's (values past it can never come from this sequence); the other side
 * needs none: an extreme that falls short of the range means no value lies in it, which the reader turns into
 * null. With an index on the column each is one index probe.
 */
export function extremeReads(seq: SequenceInfo): string[] {
  const ascending = seq.increment > 0n;
  return integerLinks(seq).map((link) => {
    const range = collisionRange(seq, link);
    if (!range) return "NULL::text";
    const c: QuotedIdent = link.columnIdent;
    const t = typeName(link);
    let where = "";
    if (ascending && range.hi < link.typeMax) where = ` WHERE ${c} <= '${range.hi}'::${t}`;
    if (!ascending && range.lo > link.typeMin) where = ` WHERE ${c} >= '${range.lo}'::${t}`;
    return `(SELECT ${ascending ? "max" : "min"}(${c}) FROM ${link.table}${where})::text`;
  });
}

/** extremeReads() as columns of a row, the column at index i named `e{i}`. */
export function extremeColumns(seq: SequenceInfo): string[] {
  return extremeReads(seq).map((read, i) => `${read} AS e${i}`);
}

/**
 * The one statement that reads a sequence's position (`lv`, `ic`) and its columns' extremes (`e{i}`). The position
 * is read from the sequence relation in the same statement, after the snapshot the subqueries use. Fixing uses
 * this form under its locks; see probeStatementFast for the cheaper one verification uses.
 */
export function probeStatement(seq: SequenceInfo): string {
  return `SELECT s.last_value::text AS lv, s.is_called AS ic, ${extremeColumns(seq).join(", ")} FROM ${seq.name} s`;
}

/**
 * How a server lets one statement read a sequence's position without naming the sequence as a relation (which
 * costs the planner about as much as the column's max() does): PostgreSQL 18 has pg_get_sequence_data()
 * (last_value, is_called); every version since 10 has pg_sequence_last_value(), which returns NULL when
 * is_called is false, so for those a second statement reads the sequence itself. (17 has neither: the
 * pg_sequence_read_tuple() of 18's development was renamed before release.)
 */
export type StateReader = "pg_get_sequence_data" | "pg_sequence_last_value";

/** The SQL that finds the best reader on a server: one row, one text column `reader`. */
export const STATE_READER_SQL = `SELECT CASE
  WHEN to_regproc('pg_catalog.pg_get_sequence_data') IS NOT NULL THEN 'pg_get_sequence_data'
  ELSE 'pg_sequence_last_value' END AS reader`;

/**
 * What the engine asks first, in one round trip: the database, the server's version, the best state reader, and
 * the role's name as the server quotes it (for the GRANTs that messages suggest).
 */
export const SESSION_INFO_SQL = `SELECT current_database() AS db, current_setting('server_version_num')::int AS v, r.reader,
            quote_ident(current_user) AS role
     FROM (${STATE_READER_SQL}) r`;

/**
 * Verification's statement for a group of sequences: one row of one column, a JSON array of text (int8 as decimal
 * strings, null for no extreme) holding for each sequence in order its extremes (one per integer link) and then
 * its position read by function (last_value, and is_called as 'true'/'false' where the reader gives it), after
 * the statement's snapshot. A few sequences per statement save the per-statement and per-result costs on both
 * sides; each subquery is planned on its own, so the planner's work stays linear in the group's size. One array
 * rather than a column per value: the client parses one field instead of a described column each (at 1,000
 * sequences 3% of a check's time); an ARRAY constructor, since a function takes at most 100 arguments and a
 * sequence may feed more columns than that.
 */
export function probeStatementFast(seqs: SequenceInfo[], reader: StateReader): string {
  const values: string[] = [];
  const from: string[] = [];
  seqs.forEach((seq, j) => {
    values.push(...extremeReads(seq));
    if (reader === "pg_sequence_last_value") {
      values.push(`pg_catalog.pg_sequence_last_value(${seq.oid}::oid)::text`);
    } else {
      values.push(`d${j}.last_value::text`, `d${j}.is_called::text`);
      from.push(`pg_catalog.${reader}(${seq.oid}::oid) d${j}`);
    }
  });
  return `SELECT pg_catalog.to_json(ARRAY[${values.join(", ")}]::text[]) AS r${from.length > 0 ? ` FROM ${from.join(", ")}` : ""}`;
}

/**
 * The statement that reads the positions of a group of sequences from the relations themselves: one row of one
 * column, a JSON array holding "last_value is_called" per sequence (a scalar subquery each, so no join to plan).
 */
export function stateStatement(seqs: SequenceInfo[]): string {
  return `SELECT pg_catalog.to_json(ARRAY[${seqs.map((seq) => `(SELECT last_value::text || ' ' || is_called::text FROM ${seq.name})`).join(", ")}]::text[]) AS r`;
}

/**
 * The two timeouts as the server gets them, in whole milliseconds (0: none). A lock wait must end before the
 * statement timeout does, so that a table held by a migration is reported as busy (lock_timeout), not as a slow
 * scan that wants an index (statement_timeout).
 */
export function timeouts(
  statementTimeoutMs: number,
  lockTimeoutMs: number,
): { statement: number; lock: number } {
  const statement = Math.max(0, Math.trunc(statementTimeoutMs));
  let lock = Math.max(0, Math.trunc(lockTimeoutMs));
  if (statement > 0 && (lock === 0 || lock >= statement)) lock = Math.max(1, Math.floor(statement * 0.9));
  return { statement, lock };
}

/**
 * Settings every reading or fixing transaction starts with: names in the statements are schema-qualified, so
 * search_path holds pg_catalog alone (a function or operator named like max() in another schema is never
 * picked); row_security off makes a table whose policies would hide rows fail loudly instead of reading only the
 * visible ones (discovery already reports the tables it knows to be hidden).
 */
export function sessionSettings(statementTimeoutMs: number, lockTimeoutMs: number): string[] {
  const t = timeouts(statementTimeoutMs, lockTimeoutMs);
  return [
    "SET LOCAL search_path = pg_catalog",
    "SET LOCAL row_security = off",
    `SET LOCAL statement_timeout = ${t.statement}`,
    `SET LOCAL lock_timeout = ${t.lock}`,
  ];
}

/** The start of verification's transactions: read only, with the session settings. */
export function beginReadOnly(statementTimeoutMs: number, lockTimeoutMs: number): string[] {
  return ["BEGIN READ ONLY", ...sessionSettings(statementTimeoutMs, lockTimeoutMs)];
}

/**
 * The start of a fix's transaction: the session settings, then the lock on every table its sequences feed in
 * SHARE ROW EXCLUSIVE mode (an INSERT takes ROW EXCLUSIVE before it evaluates nextval(), so inserts wait). Tables
 * are locked in one global order (by name), so that two connections fixing sequences that share a table wait for
 * each other briefly instead of deadlocking.
 */
export function beginFix(seqs: SequenceInfo[], statementTimeoutMs: number, lockTimeoutMs: number): string[] {
  const tables = [...new Set(seqs.flatMap((s) => integerLinks(s).map((l) => l.table)))].sort();
  return [
    "BEGIN",
    ...sessionSettings(statementTimeoutMs, lockTimeoutMs),
    `LOCK TABLE ${tables.join(", ")} IN SHARE ROW EXCLUSIVE MODE`,
  ];
}

/**
 * setval() for each sequence ($1 OIDs, $2 targets, $3 increments, int8 as decimal strings), only while it still
 * moves the sequence forward. The table locks stop inserts that draw from the sequence through a column default,
 * but not every nextval(): an application that allots ids itself (SELECT nextval(), then an INSERT with that id),
 * a trigger, a function. Such a call between the read under the lock and setval() would be undone by an
 * unconditional setval(), and the sequence would hand out its values again. So the position is read once more in
 * the statement that sets it, and setval() runs (CASE evaluates in order) only while last_value is at or short of
 * the target (NULL: is_called is still false, so nothing was handed out since the read). One row per sequence:
 * `oid` (text) and `set`.
 */
export const ADVANCE_SQL = `SELECT f.o::int8::text AS oid,
       CASE WHEN s.lv IS NULL OR (f.inc > 0 AND s.lv <= f.v) OR (f.inc < 0 AND s.lv >= f.v)
            THEN pg_catalog.setval(f.o::regclass, f.v, true) END IS NOT NULL AS set
FROM ROWS FROM (pg_catalog.unnest($1::oid[]), pg_catalog.unnest($2::int8[]), pg_catalog.unnest($3::int8[])) AS f (o, v, inc)
CROSS JOIN LATERAL (SELECT pg_catalog.pg_sequence_last_value(f.o::regclass) AS lv) AS s`;
