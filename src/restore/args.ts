// --restore-arg values (the Action's restore-args), read the way pg_restore reads them (getopt_long: bundled short
// options, attached values, unique prefixes of long options), and checked before anything runs: options that send
// the restore somewhere else than the scratch database seq-guard verifies (which would then pass empty, and leave
// a database behind) are refused. pg_restore options not listed here pass through unjudged (a newer release may
// know them). Plain SQL is run by seq-guard itself, not by psql: there, only -1 (--single-transaction) means
// something, and every other argument is refused, in a run with archives too (each dump gets every argument).
// Pure.

import { UsageError } from "../core/errors.ts";
import { say } from "../core/words.ts";

/** Who reads the arguments: pg_restore, or seq-guard's own plain SQL runner ("psql" for history's sake). */
export type RestoreTool = "pg_restore" | "psql";

interface Spec {
  short?: string;
  long: string;
  /** Takes a value: -t users, -tusers, --table=users, --table users. */
  value: boolean;
  /** Names a file on this machine (for --restore-via docker:ID: copied in, or refused). */
  file?: boolean;
  /** Why it is refused, after "restore argument X ". */
  refuse?: string;
}

const EMPTY =
  "so nothing would be restored and the check would pass on an empty scratch database. Remove it.";
const ELSEWHERE = `points the tool at another server than the one seq-guard makes the scratch database on and verifies. Remove it: the server comes from ${say.option("database-url")}, DATABASE_URL or the PG* variables.`;
const DBNAME = `names the database to restore into, but seq-guard restores every dump into a scratch database of its own and connects the tool to it itself. Remove it; to choose that database's name, use ${say.option("restore-database")}.`;
const VERSION = `makes the tool print its version and exit, ${EMPTY}`;
const HELP = `makes the tool print its help and exit, ${EMPTY}`;

const PG_RESTORE: Spec[] = [
  { short: "d", long: "dbname", value: true, refuse: DBNAME },
  {
    short: "f",
    long: "file",
    value: true,
    refuse: `makes pg_restore write a script instead of restoring, ${EMPTY}`,
  },
  { short: "F", long: "format", value: true },
  {
    short: "l",
    long: "list",
    value: false,
    refuse: `makes pg_restore print the archive's table of contents instead of restoring it, ${EMPTY} To restore part of an archive, give -L LISTFILE.`,
  },
  { short: "v", long: "verbose", value: false },
  { short: "V", long: "version", value: false, refuse: VERSION },
  { short: "?", long: "help", value: false, refuse: HELP },
  { short: "a", long: "data-only", value: false },
  { short: "c", long: "clean", value: false },
  {
    short: "C",
    long: "create",
    value: false,
    refuse: `makes pg_restore create the database named in the archive and restore into that, not into the scratch database seq-guard verifies: the check would pass on an empty database, and the archive's database would stay behind on the server (with --clean, a database of that name would be dropped first). Remove it: seq-guard creates the database itself; to choose its name, use ${say.option("restore-database")}.`,
  },
  { short: "e", long: "exit-on-error", value: false },
  { short: "I", long: "index", value: true },
  { short: "j", long: "jobs", value: true },
  { short: "L", long: "use-list", value: true, file: true },
  { short: "n", long: "schema", value: true },
  { short: "N", long: "exclude-schema", value: true },
  { short: "O", long: "no-owner", value: false },
  { short: "P", long: "function", value: true },
  { short: "s", long: "schema-only", value: false },
  { short: "S", long: "superuser", value: true },
  { short: "t", long: "table", value: true },
  { short: "T", long: "trigger", value: true },
  { short: "x", long: "no-privileges", value: false },
  { short: "1", long: "single-transaction", value: false },
  { long: "disable-triggers", value: false },
  { long: "enable-row-security", value: false },
  { long: "if-exists", value: false },
  { long: "no-comments", value: false },
  { long: "no-data-for-failed-tables", value: false },
  { long: "no-publications", value: false },
  { long: "no-security-labels", value: false },
  { long: "no-subscriptions", value: false },
  { long: "no-table-access-method", value: false },
  { long: "no-tablespaces", value: false },
  { long: "restrict-key", value: true },
  { long: "section", value: true },
  { long: "strict-names", value: false },
  { long: "use-set-session-authorization", value: false },
  { long: "filter", value: true, file: true },
  { long: "transaction-size", value: true },
  { long: "role", value: true },
  { short: "h", long: "host", value: true, refuse: ELSEWHERE },
  { short: "p", long: "port", value: true, refuse: ELSEWHERE },
  { short: "U", long: "username", value: true },
  { short: "w", long: "no-password", value: false },
  { short: "W", long: "password", value: false },
];

/**
 * Plain SQL is run by seq-guard itself (run-plain.ts), not by psql: it takes -1 (BEGIN before the script, COMMIT
 * after), and --no-owner / --no-privileges, which is what it always does. Every other option is refused.
 */
const PLAIN: Spec[] = [
  { short: "1", long: "single-transaction", value: false },
  { short: "O", long: "no-owner", value: false },
  { short: "x", long: "no-privileges", value: false },
];

const SPECS: Record<RestoreTool, Spec[]> = { pg_restore: PG_RESTORE, psql: PLAIN };

/** One option as the tool reads it, or a word that is no option (`spec` null, `positional` true). */
export interface ParsedArg {
  /** Index of the argument it starts at. */
  index: number;
  /** As written: "-Cc", "--table=users". */
  written: string;
  spec: Spec | null;
  /** The value, and where it is: in the same argument after `at`, or the whole next argument. */
  value?: { text: string; index: number; at: number };
  positional: boolean;
  /** An option the tool may know although this table does not (or an ambiguous prefix). */
  unknown: boolean;
}

function findLong(specs: Spec[], name: string): Spec | null | "ambiguous" {
  const exact = specs.find((s) => s.long === name);
  if (exact) return exact;
  const hits = specs.filter((s) => s.long.startsWith(name));
  if (hits.length === 1) return hits[0] as Spec;
  return hits.length > 1 ? "ambiguous" : null;
}

/** Read the arguments as `tool` reads them. */
export function parseToolArgs(tool: RestoreTool, args: string[]): ParsedArg[] {
  const specs = SPECS[tool];
  const out: ParsedArg[] = [];
  let afterUnknown = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const spec = findLong(specs, name);
      if (spec === null || spec === "ambiguous") {
        out.push({ index: i, written: a, spec: null, positional: false, unknown: true });
        afterUnknown = eq < 0;
        continue;
      }
      const p: ParsedArg = { index: i, written: a, spec, positional: false, unknown: false };
      if (spec.value) {
        if (eq >= 0) p.value = { text: a.slice(eq + 1), index: i, at: eq + 1 };
        else if (i + 1 < args.length) {
          p.value = { text: args[i + 1] as string, index: i + 1, at: 0 };
          i++;
        }
      }
      out.push(p);
      afterUnknown = false;
      continue;
    }
    if (a.startsWith("-") && a.length > 1 && a !== "--") {
      // Bundled short options: -Cc, -1e, -tusers (a value takes the rest).
      for (let j = 1; j < a.length; j++) {
        const spec = specs.find((s) => s.short === a[j]);
        if (!spec) {
          out.push({ index: i, written: a, spec: null, positional: false, unknown: true });
          afterUnknown = j === a.length - 1;
          break;
        }
        const p: ParsedArg = { index: i, written: a, spec, positional: false, unknown: false };
        afterUnknown = false;
        if (spec.value) {
          if (j + 1 < a.length) p.value = { text: a.slice(j + 1), index: i, at: j + 1 };
          else if (i + 1 < args.length) {
            p.value = { text: args[i + 1] as string, index: i + 1, at: 0 };
            i++;
          }
          out.push(p);
          break;
        }
        out.push(p);
      }
      continue;
    }
    // A word after an option this table does not know may be that option's value: claim nothing.
    out.push({ index: i, written: a, spec: null, positional: !afterUnknown, unknown: afterUnknown });
    afterUnknown = false;
  }
  return out;
}

function named(p: ParsedArg): string {
  const spec = p.spec as Spec;
  return p.written === `--${spec.long}` ? p.written : `${p.written} (--${spec.long})`;
}

export interface ToolUse {
  /** A dump of the run that goes through pg_restore / is plain SQL, for messages; null when none does. */
  pg_restore: string | null;
  psql: string | null;
}

/**
 * Refuse restore arguments that would send the restore somewhere else, and any argument but -1 (--single-transaction),
 * -O and -x when the run has plain SQL, which seq-guard runs itself. UsageError. (With --restore-via the container
 * runs pg_restore only: plain SQL goes over seq-guard's own connection.)
 */
export function checkRestoreArgs(args: string[], use: ToolUse, _viaContainer: boolean): void {
  if (use.pg_restore !== null) {
    const parsed = parseToolArgs("pg_restore", args);
    for (const p of parsed) {
      if (p.spec?.refuse) throw new UsageError(`restore argument ${named(p)} ${p.spec.refuse}`);
    }
    const p = parsed.find((x) => x.positional);
    if (p) {
      throw new UsageError(
        `restore argument "${p.written}" is no option: pg_restore would take it for a second archive. Give each value with its option (--table=users, or -t and then users).`,
      );
    }
  }
  if (use.psql === null) return;
  for (const p of parseToolArgs("psql", args)) {
    if (p.spec) continue;
    const plain = `plain SQL (${use.psql}) is run by seq-guard itself over its own connection, without psql, and takes only -1 (--single-transaction; -O and -x are what it always does)`;
    throw new UsageError(
      use.pg_restore !== null
        ? `restore argument ${p.written} does not apply to ${plain}, and this run also restores archives with pg_restore (${use.pg_restore}), and every dump gets every restore argument. Restore the archives and the plain SQL files in separate runs, each with its own restore arguments.`
        : `restore argument ${p.written} does not apply: ${plain}. Remove it.`,
    );
  }
}

/** -1 / --single-transaction among the restore arguments: plain SQL runs in one transaction. */
export function plainSingleTransaction(args: string[]): boolean {
  return parseToolArgs("psql", args).some((p) => p.spec?.long === "single-transaction");
}

/** The indices of the arguments that are file values of pg_restore options (-L FILE, --filter=FILE). */
export function fileValues(tool: RestoreTool, args: string[]): { index: number; at: number; path: string }[] {
  return parseToolArgs(tool, args)
    .filter((p) => p.spec?.file && p.value !== undefined && p.value.text !== "")
    .map((p) => {
      const v = p.value as NonNullable<ParsedArg["value"]>;
      return { index: v.index, at: v.at, path: v.text };
    });
}
