// What went wrong, in words a user can act on: the privileges a role lacks (known from the catalog, before any
// query), and the server's errors while probing, fixing or reading the catalog, by SQLSTATE. Settings are named
// with say (core/words.ts), never as one front end spells them. Pure.

import { SQLSTATE, sqlStateOf } from "../core/sqlstate.ts";
import type { SequenceInfo } from "../core/types.ts";
import { integerLinks } from "../core/verdict.ts";
import { say } from "../core/words.ts";
import { CATALOG_TIMEOUT_FLOOR_MS } from "./catalog-sql.ts";

/** An error's message, with its SQLSTATE (or other code) when it has one. */
export function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
}

const isRowSecurity = (err: unknown) =>
  /row-level security/.test((err as { message?: string }).message ?? "");
const messageOf = (err: unknown) => (err as { message?: string }).message;

/**
 * A reason a role cannot read what probing needs, or null. Checked from the catalog, before any query; `role` is
 * the role's name as the server quotes it, for the GRANT that helps.
 */
export function privilegeProblem(seq: SequenceInfo, role = "<role>"): string | null {
  const noSchema = (schema: string, what: string) =>
    `permission denied: the role cannot use schema ${schema}, which holds ${what}; grant it USAGE (GRANT USAGE ON SCHEMA ${schema} TO ${role})`;
  if (seq.schemaUsable === false) return noSchema(seq.schemaIdent ?? seq.schema, `sequence ${seq.name}`);
  if (!seq.readable) {
    return `permission denied: the role cannot read the position of sequence ${seq.name}; grant it SELECT (GRANT SELECT ON SEQUENCE ${seq.name} TO ${role})`;
  }
  for (const col of integerLinks(seq)) {
    if (col.schemaUsable === false) return noSchema(col.schemaIdent ?? "?", `table ${col.table}`);
    if (!col.readable) {
      return `permission denied: the role cannot read column ${col.columnIdent} of table ${col.table}; grant it SELECT (GRANT SELECT ON ${col.table} TO ${role})`;
    }
    if (col.rowSecurity) {
      return col.rowSecurity === "forced"
        ? `row-level security hides rows of table ${col.table} from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: ${say.runAs()} a role with BYPASSRLS (ALTER ROLE ${role} BYPASSRLS)`
        : `row-level security hides rows of table ${col.table} from this role, so its largest value cannot be read: ${say.runAs()} the table's owner or a role with BYPASSRLS (ALTER ROLE ${role} BYPASSRLS)`;
    }
  }
  return null;
}

/** Why a sequence cannot be fixed before anything is tried: the role lacks UPDATE on it; null when it has it. */
export function fixPrivilegeProblem(
  seq: SequenceInfo & { canUpdate: boolean },
  role = "<role>",
): string | null {
  return seq.canUpdate
    ? null
    : `permission denied: fixing needs UPDATE on sequence ${seq.name} (GRANT UPDATE ON SEQUENCE ${seq.name} TO ${role})`;
}

/** Explain a failed probe statement. */
export function explainProbeError(seq: SequenceInfo, err: unknown, statementTimeoutMs: number): string {
  const code = sqlStateOf(err);
  if (code === SQLSTATE.queryCanceled) {
    const cols = integerLinks(seq)
      .map((l) => `${l.table}(${l.columnIdent})`)
      .join(", ");
    return `timed out after ${statementTimeoutMs} ms reading ${cols}: a column without an index makes max() scan the whole table; add an index on it or raise ${say.option("statement-timeout")}`;
  }
  if (code === SQLSTATE.insufficientPrivilege && isRowSecurity(err)) {
    return `row-level security hides rows from this role (${messageOf(err)}), so the largest value cannot be read: ${say.runAs()} the table's owner or a role with BYPASSRLS`;
  }
  if (code === SQLSTATE.insufficientPrivilege)
    return `permission denied: ${messageOf(err) ?? "insufficient privilege"}`;
  if (code === SQLSTATE.lockNotAvailable) {
    const tables = [...new Set(integerLinks(seq).map((l) => l.table))].join(", ");
    return `could not read ${tables}: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise ${say.option("lock-timeout")}`;
  }
  return `could not read ${seq.name}: ${errorText(err)}`;
}

/** Explain a failed fix: its lock, its privileges, a read-only session, or its re-read under the lock. */
export function explainFixError(
  seq: SequenceInfo,
  err: unknown,
  opts: { statementTimeoutMs: number; lockTimeoutMs: number },
): string {
  const code = sqlStateOf(err);
  const tables = integerLinks(seq)
    .map((l) => l.table)
    .join(", ");
  if (code === SQLSTATE.lockNotAvailable) {
    return `could not lock ${tables} within ${opts.lockTimeoutMs} ms: the table is busy; run fix again when it is quieter or raise ${say.option("lock-timeout")}`;
  }
  if (code === SQLSTATE.insufficientPrivilege && isRowSecurity(err)) return explainProbeError(seq, err, 0);
  if (code === SQLSTATE.insufficientPrivilege) {
    return `permission denied: fixing locks ${tables} against writes, which needs UPDATE, DELETE or TRUNCATE on them (${messageOf(err)})`;
  }
  if (code === SQLSTATE.readOnlySqlTransaction) {
    return `could not fix ${seq.name}: the session is read-only (${messageOf(err)}); fix on the primary, or turn default_transaction_read_only off for this run (PGOPTIONS='-c default_transaction_read_only=off')`;
  }
  if (code === SQLSTATE.queryCanceled) return explainProbeError(seq, err, opts.statementTimeoutMs);
  return `could not fix ${seq.name}: ${errorText(err)}`;
}

/**
 * Explain a failed read of the catalog (discovery) or of the session's first query: per-sequence reads explain
 * their own failures, so what reaches here is the catalog's read. `statementTimeoutMs` is the bound the server had.
 */
export function explainCatalogError(err: unknown, statementTimeoutMs: number): string {
  const code = sqlStateOf(err);
  if (code === SQLSTATE.queryCanceled) {
    return `reading the catalog took longer than ${Math.max(statementTimeoutMs, CATALOG_TIMEOUT_FLOOR_MS)} ms (${say.option("statement-timeout")}, at least ${CATALOG_TIMEOUT_FLOOR_MS / 1000} s for the catalog): another session may hold a lock on a catalog table (a long migration?); run again when it is done, or raise ${say.option("statement-timeout")}`;
  }
  if (code === SQLSTATE.lockNotAvailable) {
    return `reading the catalog waited longer than ${say.option("lock-timeout")} for another session's lock (a migration in progress?); run again when it is done, or raise ${say.option("lock-timeout")}`;
  }
  return errorText(err);
}
