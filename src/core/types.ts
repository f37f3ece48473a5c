// Shared shapes of seq-guard: what discovery finds, what probing reads, and the JSON report contract.
// Every int8 quantity is a bigint in memory and a decimal string in the report: never a JS number.

export type Mode = "check" | "fix" | "report";

declare const serverQuoted: unique symbol;

/**
 * A name as the server quoted it (quote_ident(), format('%I.%I')), read from the catalog: the only kind of name
 * that SQL built by seq-guard may hold. Only discovery makes one (db/discovery.ts), so a raw string cannot reach
 * SQL text by accident. Anywhere else (messages, the JSON report) it is an ordinary string, spelled the same.
 */
export type QuotedIdent = string & { readonly [serverQuoted]: true };

export type Status = "ok" | "behind" | "fixed" | "exhausted" | "skipped" | "error";

export type SkipReason = "unlinked" | "expression_default" | "non_integer_column" | "cycle" | "excluded";

/**
 * How a column is tied to its sequence: OWNED BY, identity, a DEFAULT that is nextval() itself (through type
 * coercions only), a DEFAULT that is nextval('name'::text) itself (no dependency recorded: found from the
 * default's expression), a BEFORE INSERT row trigger that assigns NEW.col := nextval('name') (found in the
 * PL/pgSQL body), or a DEFAULT that computes with nextval() (nextval() * 1024 + 7): the column's values are then
 * not the sequence's, so such a link is never judged. All but the last are judged alike.
 */
export type LinkKind = "owned" | "identity" | "default" | "default_text" | "trigger" | "expression";

/** How a link was found, as the report says it (`via`): an "expression" link is a default of either kind. */
export type LinkVia = "owned" | "identity" | "default" | "default_text" | "trigger";

/** A column a sequence feeds, as discovery finds it in pg_depend. */
export interface ColumnLink {
  tableOid: number;
  /** Schema-qualified table name, quoted by the server (format('%I.%I')). */
  table: QuotedIdent;
  /** Column name, quoted by the server (quote_ident). */
  columnIdent: QuotedIdent;
  /** Column name as stored in the catalog (unquoted), for display. */
  column: string;
  /** Column type as format_type() shows it, e.g. "integer". */
  type: string;
  /** int2/int4/int8 range of the column when it is an integer column; null otherwise. */
  typeMin: bigint | null;
  typeMax: bigint | null;
  kind: LinkKind;
  /** How the link was found; when absent, from kind ("expression": "default"). */
  via?: LinkVia;
  /**
   * Set when the link depends on the inserting session's search_path (a text default or a trigger naming the
   * sequence without a schema): how the name was resolved.
   */
  note?: string;
  /** The role may read the column (has_column_privilege SELECT). */
  readable: boolean;
  /** The table's schema, quoted by the server, and whether the role may use it (USAGE); usable when absent. */
  schemaIdent?: QuotedIdent;
  schemaUsable?: boolean;
  /**
   * Row-level security would hide rows of the table from the role: "enabled" (policies apply to a role that is
   * neither the owner, nor a superuser, nor BYPASSRLS), "forced" (FORCE ROW LEVEL SECURITY: the owner too).
   */
  rowSecurity?: "enabled" | "forced";
  /** Relations a scan of this column's table will lock: the table, its indexes, its partitions/children. */
  lockCount: number;
}

/** A link to an integer column fed by the sequence's own values: the only kind that is judged. */
export type IntegerLink = ColumnLink & { typeMin: bigint; typeMax: bigint };

/** A sequence as the catalog describes it. */
export interface SequenceInfo {
  oid: number;
  /** Schema-qualified, quoted by the server: format('%I.%I', schema, name). */
  name: QuotedIdent;
  schema: string;
  relname: string;
  /** Sequence data type, e.g. "bigint". */
  dataType: string;
  start: bigint;
  increment: bigint;
  minValue: bigint;
  maxValue: bigint;
  cache: bigint;
  cycle: boolean;
  /** The role may read the sequence's position (SELECT on the sequence). */
  readable: boolean;
  /** The sequence's schema, quoted by the server, and whether the role may use it (USAGE); usable when absent. */
  schemaIdent?: QuotedIdent;
  schemaUsable?: boolean;
  links: ColumnLink[];
}

/**
 * The extreme of one linked column that can collide, counting only values inside the sequence's range: max for
 * an ascending sequence, min for a descending one (the other stays null: it cannot collide, so it is not read).
 */
export interface ColumnExtremes {
  min: bigint | null;
  max: bigint | null;
}

/** What probing read for one sequence. */
export interface SequenceState {
  lastValue: bigint;
  isCalled: boolean;
  /** One entry per integer link, in the order of SequenceInfo.links filtered to integer columns. */
  columns: ColumnExtremes[];
}

export type WarningCode = "near_exhaustion" | "cached_sessions";

export interface Warning {
  code: WarningCode;
  message: string;
}

export interface ColumnReport {
  table: string;
  column: string;
  type: string;
  /**
   * How the link was found: owned, identity, default (nextval(regclass) default), default_text
   * (nextval('name'::text) default), trigger (BEFORE INSERT trigger assignment). Always written by seq-guard.
   */
  via?: LinkVia;
  /** Only when the link depends on the inserting session's search_path: how the sequence's name was resolved. */
  note?: string;
  /**
   * Largest value inside the sequence's range (ascending sequences) or smallest (descending); the other is null,
   * as is either when the column holds no value in the range (empty, all NULL).
   */
  max: string | null;
  min: string | null;
}

export interface SequenceReport {
  sequence: string;
  status: Status;
  /** Why it was skipped or failed, in words; null otherwise. */
  reason: string | null;
  /** The code of why it was skipped (unlinked, expression_default, non_integer_column, cycle, excluded); else null. */
  skip_reason: SkipReason | null;
  columns: ColumnReport[];
  data_type: string;
  increment: string;
  min_value: string;
  max_value: string;
  cycle: boolean;
  last_value: string | null;
  is_called: boolean | null;
  next_value: string | null;
  /** The value that collides (largest linked value >= next, ascending; smallest <= next, descending). */
  max: string | null;
  min: string | null;
  fixed_next_value: string | null;
  warnings: Warning[];
  headroom: { used_pct: number; remaining: string } | null;
  fix_sql: string | null;
}

export interface Summary {
  sequences: number;
  ok: number;
  behind: number;
  fixed: number;
  exhausted: number;
  skipped: number;
  error: number;
}

export type DumpFormat = "custom" | "directory" | "tar" | "plain" | "plain-gzip";

export interface TargetReport {
  database: string;
  dump: string | null;
  format: DumpFormat | null;
  restore_ms: number | null;
  /** Set when the target could not be restored or verified at all. */
  error: string | null;
  hints: string[];
  summary: Summary;
  sequences: SequenceReport[];
}

/**
 * Why a run did not complete as a check: a usage error (2), a connection or database error (3), a restore failure
 * (4), an internal error (70), an interrupt (130/143). `exit_code` is the CLI's exit code for it.
 */
export interface RunError {
  code: "usage" | "connection" | "restore" | "internal" | "interrupted";
  exit_code: number;
  message: string;
}

export interface Report {
  version: 1;
  mode: Mode;
  ok: boolean;
  /** Null when every target was verified; otherwise what stopped the run or which target failed. */
  error?: RunError | null;
  summary: Summary;
  targets: TargetReport[];
}
