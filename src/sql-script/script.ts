// `seq-guard sql`: the text of a standalone script that does what `check` (or, with --fix, `fix`) does, for people
// who have psql but no Node. Pure: options in, text out; nothing here talks to a database.
//
// The script is generated, not hand-written, so that the rules live in one place per language: its queries
// (./batches.ts, ./sequences.ts, ./verdicts.ts) mirror src/db/catalog-sql.ts, src/db/sql.ts and
// src/core/verdict.ts, and its PL/pgSQL steps (./steps.ts) src/db/explain.ts's error
// handling; the tests run it and the engine against the same databases. This file only puts them in order, once
// each, behind the settings section: what the user passes (--schema, --exclude, --headroom-threshold) goes in
// there as SET literals, which the queries read with current_setting() and compare with catalog text, never
// execute.

import { batchLoop } from "./batches.ts";
import { globToRegex } from "./glob.ts";
import { SEQUENCES_QUERY } from "./sequences.ts";
import { FIX_STEP, READ_STEP } from "./steps.ts";
import { VERDICTS_QUERY } from "./verdicts.ts";

export interface SqlScriptOptions {
  /** Print the fixing script instead of the checking one. */
  fix: boolean;
  /** Only these schemas (empty: all). */
  schemas: string[];
  /** Skip sequences whose unquoted schema.name matches one of these globs (the syntax of --exclude). */
  exclude: string[];
  /** Warn when this share (percent) of the effective range is used. */
  headroomThreshold: number;
  /** fix: how long to wait for a busy table's lock, in milliseconds. */
  lockTimeoutMs: number;
  /** Shown in the script's header. */
  version?: string;
}

/**
 * Quote text as a literal that means the same whatever standard_conforming_strings says: '' when it holds no
 * backslash (the common case, easier to read), else E'' with the backslashes doubled.
 */
export function sqlLiteral(text: string): string {
  const quotes = text.replaceAll("'", "''");
  return text.includes("\\") ? `E'${quotes.replaceAll("\\", "\\\\")}'` : `'${quotes}'`;
}

/** Wrap a step in dollar quotes whose tag it does not contain (it is our own text: checked, not assumed). */
function quoted(text: string, tag: string): string {
  if (text.includes(`$${tag}$`)) throw new Error(`the ${tag} text contains its own quote`);
  return `$${tag}$\n${text}\n$${tag}$`;
}

/** A PostgreSQL array literal of text elements ('{"a","b"}'), each element double-quoted and escaped. */
function textArray(items: string[]): string {
  return `{${items.map((item) => `"${item.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}

const CHECK_HEADER = `-- What it does: one row per sequence with the verdict of \`seq-guard check\`: status (ok, behind, exhausted,
-- skipped, error), the sequence, the columns it feeds, the largest value in them (max / min: the smallest, as
-- "min -50", when descending), the value nextval() hands out next, and for a behind sequence the setval()
-- statement that fixes it.
-- It writes nothing: every batch is read in a READ ONLY transaction.`;

const FIX_HEADER = `-- What it does: what \`seq-guard fix\` does. It reads every sequence; for each one that is behind its data, it locks
-- the tables the sequence feeds IN SHARE ROW EXCLUSIVE MODE (inserts wait; reads go on) for at most lock_timeout,
-- reads again under the lock, and calls setval(seq, largest value, true) only if the sequence is still behind and
-- only forward; then commits. CYCLE, exhausted, skipped and ok sequences are never touched. NOTICE lines name each
-- sequence advanced; the table of each batch is the verdict afterwards (status fixed for what was advanced).
-- A sequence with CACHE > 1: sessions connected before the fix may still hand out cached values; reconnect them.`;

/** How the script works, for the person who reviews it. */
function how(fix: boolean): string {
  return `-- How, in the order of this file, with nothing created (no table, no function; prepared statements and
-- settings live in this session only). Each statement that runs is printed once, and its text is the same
-- whatever options the script was generated with: what you chose is in the settings of part 1.
--   1. settings: the server's, and yours (seq_guard.schemas, seq_guard.exclude_pattern,
--      seq_guard.headroom_threshold), which the queries read with current_setting();
--   2. two prepared statements: seq_guard_sequences (one batch's sequences, the columns they feed, the statement
--      that reads each) and seq_guard_verdicts (the verdict of each from what was read);
--   3. the reading step${fix ? " and the fixing step" : ""}: PL/pgSQL DO blocks, kept as the values of session settings (hence
--      the second level of dollar quotes around them) because psql's only loop, \\gexec, runs text that a query
--      returns; PL/pgSQL, because only it can catch one sequence's error (a lock held past lock_timeout) and go
--      on with the next;
--   4. the batch loop: one catalog query cuts the sequences into batches (at most 250 sequences and about 1000
--      locked relations each, so no transaction overflows the lock table on a large database) and psql's \\gexec
--      runs, for each batch: SET seq_guard.batch_sequences and seq_guard.batch_links (the batch),${
    fix
      ? "\n--      the fixing step (it commits as it goes: after reading the batch, after each group it fixes),"
      : ""
  }
--      BEGIN READ ONLY, the reading step, EXECUTE seq_guard_verdicts (the batch's rows of the report), COMMIT.
-- State goes from one statement to the next in session settings (seq_guard.*), written by SET and set_config():
-- the batch; seq_guard.readings, what the reading step read, for seq_guard_verdicts${
    fix ? ";\n-- seq_guard.fix_log, what the fixing step did, for seq_guard_verdicts" : ""
  }.
-- Nothing is pasted into query text at run time: dynamic SQL (EXECUTE in the steps) runs only the prepared
-- statements, the reading step, and statements whose names are built on the server with format('%I') from the
-- catalog (each sequence's reading statement${fix ? ", LOCK TABLE" : ""}).
-- Alternatives weighed: CREATE FUNCTION or a temporary table, even in pg_temp, writes the catalog and is refused
-- in a READ ONLY transaction or on a standby; one statement over every table would hold all their locks at once.
-- The arithmetic is done in numeric, so last_value + increment near the int8 bounds is exact.`;
}

/** The whole script, ready for psql -f. */
export function sqlScript(opts: SqlScriptOptions): string {
  const lockTimeoutMs = Math.max(0, Math.trunc(opts.lockTimeoutMs));
  const settings = [
    opts.schemas.length > 0 ? `--schema ${opts.schemas.join(", ")}` : null,
    opts.exclude.length > 0 ? `--exclude ${opts.exclude.join(", ")}` : null,
    `--headroom-threshold ${opts.headroomThreshold}`,
    opts.fix ? `--lock-timeout ${opts.lockTimeoutMs}ms` : null,
  ]
    .filter(Boolean)
    .join("; ")
    // Keep user text from ending the comment line.
    .replace(/[\r\n]+/g, " ");
  // Globs that can match nothing (a reversed range such as [z-a]) drop out, as they exclude nothing. Each regular
  // expression is anchored (^(?:...)$), so joined with | they match what any one of them matches.
  const excludePatterns = opts.exclude.map(globToRegex).filter((r): r is string => r !== null);
  const lines = [
    `-- seq-guard${opts.version ? ` ${opts.version}` : ""}: ${opts.fix ? "fix" : "check"} every PostgreSQL sequence against the data it feeds.`,
    `-- Generated by \`seq-guard sql${opts.fix ? " --fix" : ""}\`. Settings: ${settings}.`,
    "--",
    opts.fix ? FIX_HEADER : CHECK_HEADER,
    "--",
    "-- Run it with psql (PostgreSQL 12 or newer server; no extension needed):",
    "--   psql -X -v ON_ERROR_STOP=1 -d DATABASE -f THIS_FILE",
    ...(opts.fix ? ["-- It commits as it goes: do not run it with psql -1 / --single-transaction."] : []),
    "-- The role needs SELECT on the sequences and on the tables they feed" +
      (opts.fix
        ? ", UPDATE on the sequences to advance, and UPDATE, DELETE or TRUNCATE on the tables to lock them."
        : "."),
    "-- Wide output reads better with psql's \\x (expanded) or as CSV: psql --csv ...",
    "--",
    how(opts.fix),
    "",
    "\\set QUIET on",
    "",
    "-- 1. Settings.",
    "-- A table whose row-level security would hide rows from this role makes its read fail, never read part of it.",
    "SET row_security = off;",
    "-- A table another session keeps locked is reported as busy after this long, not waited on.",
    `SET lock_timeout = ${lockTimeoutMs};`,
    "-- --schema: only sequences of these schemas ('{}': of every schema).",
    `SET seq_guard.schemas = ${sqlLiteral(textArray(opts.schemas))};`,
    "-- --exclude: skip sequences whose unquoted schema.name matches this regular expression, the globs translated",
    "-- ('': skip none).",
    `SET seq_guard.exclude_pattern = ${sqlLiteral(excludePatterns.join("|"))};`,
    "-- --headroom-threshold: warn (near_exhaustion) when this share of a sequence's range, in percent, is used.",
    `SET seq_guard.headroom_threshold = ${sqlLiteral(String(opts.headroomThreshold))};`,
    "",
    "-- 2a. seq_guard_sequences: the sequences of the batch in seq_guard.batch_sequences, the columns they feed (from",
    "-- the links in seq_guard.batch_links), whether each is skipped or lacks a privilege, the bound of its range, and",
    "-- the one statement that reads it (built here with format('%I') from catalog names).",
    "PREPARE seq_guard_sequences AS",
    `${SEQUENCES_QUERY};`,
    "",
    "-- 2b. seq_guard_verdicts: the report's rows for the batch, from what the reading step left in",
    `-- seq_guard.readings${opts.fix ? " (and what the fixing step left in seq_guard.fix_log)" : ""}.`,
    "PREPARE seq_guard_verdicts AS",
    `${VERDICTS_QUERY};`,
    "",
    "-- 3. The reading step: runs seq_guard_sequences, then each sequence's reading statement in a block of its own",
    "-- (a sequence that cannot be read is that sequence's error row, and a WARNING), and leaves what it read in",
    "-- seq_guard.readings for seq_guard_verdicts. It writes nothing.",
    `SET seq_guard.read_step = ${quoted(READ_STEP, "read_step")};`,
    "",
    ...(opts.fix
      ? [
          "-- 3b. The fixing step, per batch: run the reading step and seq_guard_verdicts; lock the tables of what is",
          "-- behind, read again under the lock, setval() what is still behind, forward only; commit. What it did goes",
          "-- to seq_guard.fix_log for the batch's report.",
          `SET seq_guard.fix_step = ${quoted(FIX_STEP, "fix_step")};`,
          "",
        ]
      : []),
    "-- 4. The batch loop: \\gexec runs each cell of each row below as a statement, left to right.",
    batchLoop(opts.fix),
    "\\gexec",
    "",
    "\\set QUIET off",
    "",
  ];
  const text = lines.join("\n");
  // Catalog text in UTF-8 filters: make the server read this file as UTF-8.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting non-ASCII text
  if (/[^\x00-\x7f]/.test(text)) return text.replace("\\set QUIET on", "\\set QUIET on\n\\encoding UTF8");
  return text;
}
