// The command line, read: node's parseArgs takes the flags apart, and core/settings.ts checks them and applies
// the defaults and the rules the Action's inputs go through too. What only the CLI has is checked here: the
// command, how the report is printed, the docker: prefix of --restore-via, and `seq-guard sql`'s own flags.

import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { DEFAULT_ENGINE } from "../core/engine-options.ts";
import { UsageError } from "../core/errors.ts";
import { parseDuration, parsePercent } from "../core/options.ts";
import { printable } from "../core/printable.ts";
import { buildSettings, type Settings } from "../core/settings.ts";
import type { Mode } from "../core/types.ts";
import { VERSION } from "../core/version.ts";
import type { SqlScriptOptions } from "../sql-script/index.ts";

/** How the CLI prints: only the CLI has these. */
export interface PrintSettings {
  /** The JSON report on stdout instead of the table. */
  json: boolean;
  /** Nothing but errors. */
  quiet: boolean;
  /** Ok and skipped sequences too. */
  verbose: boolean;
  /** Colour in the table (a terminal, without --no-color or NO_COLOR). */
  color: boolean;
  /** Stack traces of unexpected errors. */
  debug: boolean;
}

export interface CliSettings extends Settings {
  print: PrintSettings;
}

/** What the command line asks for. */
export type CliCommand =
  | { kind: "run"; settings: CliSettings }
  | { kind: "sql"; options: SqlScriptOptions }
  | { kind: "help" }
  | { kind: "version" };

/** Node's parseArgs message on one line, without its closing full stop and its remedy for a value that looks like a flag. */
function parseArgsMessage(err: unknown): string {
  return (err as Error).message
    .replace(/\s*\n\s*/g, " ")
    .replace(/\. To specify a positional argument.*$/s, "")
    .replace(/\.+$/, "");
}

const COMMANDS = ["check", "fix", "report"] as const;

/** Read the command line. `isTTY` and `env` decide the colour. Throws a UsageError for what is wrong in it. */
export function parseCommandLine(argv: string[], isTTY: boolean, env: NodeJS.ProcessEnv): CliCommand {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        "database-url": { type: "string" },
        dump: { type: "string", multiple: true },
        "restore-database": { type: "string" },
        clean: { type: "boolean" },
        keep: { type: "boolean" },
        "restore-arg": { type: "string", multiple: true },
        jobs: { type: "string" },
        "on-restore-error": { type: "string" },
        "restore-via": { type: "string" },
        extension: { type: "string", multiple: true },
        "trust-fixture": { type: "boolean" },
        schema: { type: "string", multiple: true },
        exclude: { type: "string", multiple: true },
        fix: { type: "boolean" },
        "headroom-threshold": { type: "string" },
        "fail-on": { type: "string" },
        concurrency: { type: "string" },
        "statement-timeout": { type: "string" },
        "lock-timeout": { type: "string" },
        "connect-timeout": { type: "string" },
        "report-json": { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        verbose: { type: "boolean", short: "v" },
        "no-color": { type: "boolean" },
        debug: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (err) {
    const text = parseArgsMessage(err);
    // A dump whose file name starts with a dash reads as options: say how to give it.
    const dashed = argv.find((a) => a.startsWith("-") && a.length > 1 && existsSync(a));
    if (dashed) {
      throw new UsageError(
        `${text}: "${printable(dashed)}" is read as options. A dump whose name starts with a dash goes after --, as ./${printable(dashed)} or as --dump=${printable(dashed)}`,
      );
    }
    throw new UsageError(`${text}. Run seq-guard --help for the options.`);
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (v.help) return { kind: "help" };
  if (v.version) return { kind: "version" };
  const [command, ...rest] = parsed.positionals;
  if (command === "sql") return { kind: "sql", options: parseSqlCommand(argv) };
  if (!command) {
    throw new UsageError("no command given: use seq-guard check, fix, report or sql (seq-guard --help)");
  }
  if (!COMMANDS.includes(command as Mode)) {
    throw new UsageError(`unknown command "${command}": use check, fix, report or sql (seq-guard --help)`);
  }
  if (v.fix) {
    throw new UsageError("--fix belongs to seq-guard sql --fix; to fix a database, run seq-guard fix");
  }
  if (v.quiet && v.verbose) {
    throw new UsageError("--quiet and --verbose contradict each other: give one of them");
  }
  const str = (k: string) => v[k] as string | undefined;
  const list = (k: string) => (v[k] as string[] | undefined) ?? [];
  const via = str("restore-via");
  if (via !== undefined && !/^docker:.+/.test(via)) {
    throw new UsageError(`--restore-via takes docker:CONTAINER (got "${via}")`);
  }
  const settings = buildSettings(
    {
      mode: command as Mode,
      databaseUrl: str("database-url"),
      // Dumps come as --dump PATH or as plain arguments after the command: seq-guard check fixture.dump
      dumps: [...list("dump"), ...rest],
      restoreDatabase: str("restore-database"),
      clean: Boolean(v.clean),
      keep: Boolean(v.keep),
      restoreArgs: list("restore-arg"),
      jobs: str("jobs"),
      onRestoreError: str("on-restore-error"),
      restoreVia: via?.replace(/^docker:/, ""),
      trustFixture: Boolean(v["trust-fixture"]),
      extensions: list("extension"),
      schemas: list("schema"),
      exclude: list("exclude"),
      headroomThreshold: str("headroom-threshold"),
      failOn: str("fail-on"),
      concurrency: str("concurrency"),
      statementTimeout: str("statement-timeout"),
      lockTimeout: str("lock-timeout"),
      connectTimeout: str("connect-timeout"),
      reportJson: str("report-json"),
    },
    availableParallelism(),
  );
  return {
    kind: "run",
    settings: {
      ...settings,
      print: {
        json: Boolean(v.json),
        quiet: Boolean(v.quiet),
        verbose: Boolean(v.verbose),
        color: isTTY && !v["no-color"] && !env.NO_COLOR,
        debug: Boolean(v.debug),
      },
    },
  };
}

/** `seq-guard sql`: its own, smaller set of options; it connects to nothing, so connection and restore flags are errors. */
export function parseSqlCommand(argv: string[]): SqlScriptOptions {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        fix: { type: "boolean" },
        schema: { type: "string", multiple: true },
        exclude: { type: "string", multiple: true },
        "headroom-threshold": { type: "string" },
        "lock-timeout": { type: "string" },
        debug: { type: "boolean" },
      },
    });
  } catch (err) {
    throw new UsageError(
      `${parseArgsMessage(err)}. seq-guard sql prints a script and connects to nothing: it takes only --fix, --schema, --exclude, --headroom-threshold and --lock-timeout.`,
    );
  }
  const extra = parsed.positionals.filter((p, i) => !(p === "sql" && i === 0));
  if (extra.length > 0) {
    throw new UsageError(
      `seq-guard sql takes no arguments (got "${extra[0]}"): it prints a script for psql; run it with psql -X -v ON_ERROR_STOP=1 -d DATABASE -f FILE`,
    );
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  return {
    fix: Boolean(v.fix),
    schemas: (v.schema as string[] | undefined) ?? [],
    exclude: (v.exclude as string[] | undefined) ?? [],
    headroomThreshold:
      v["headroom-threshold"] !== undefined
        ? parsePercent("headroom-threshold", v["headroom-threshold"] as string)
        : DEFAULT_ENGINE.headroomThreshold,
    lockTimeoutMs:
      v["lock-timeout"] !== undefined
        ? parseDuration("lock-timeout", v["lock-timeout"] as string)
        : DEFAULT_ENGINE.lockTimeoutMs,
    version: VERSION,
  };
}

/**
 * The value of a string flag as written on the command line (`--flag VALUE` or `--flag=VALUE`), if any: the
 * password in --database-url is known, to be masked, before the command line is read (and found bad).
 */
export function flagValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") break;
    if (a === flag) return argv[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}
