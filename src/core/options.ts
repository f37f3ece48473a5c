// Parsing of option values shared by the CLI and the Action. Bad values are usage errors with a message that
// says what is accepted.

import { UsageError } from "./errors.ts";
import { defaultFailOn, FAIL_ON_VALUES, type FailOn } from "./report.ts";
import type { Mode } from "./types.ts";

/**
 * A duration with its unit: "5000ms", "5s", "2min". A bare number is refused: PostgreSQL's statement_timeout
 * (and Rails' database.yml) read 5 as 5 milliseconds, most people as 5 seconds, and a check that times out after
 * 5 ms reports every unindexed column as an error.
 */
export function parseDuration(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m)?\s*$/i.exec(value);
  if (!m) throw new UsageError(`${flag} takes a duration such as 5000ms, 5s or 2min (got "${value}")`);
  if (m[2] === undefined) {
    throw new UsageError(
      `${flag} takes a duration with its unit, such as ${m[1]}ms or ${m[1]}s (got "${value}"): a bare number is ambiguous (PostgreSQL reads it as milliseconds)`,
    );
  }
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  const factor = unit === "ms" ? 1 : unit === "s" || unit === "sec" ? 1000 : 60_000;
  return Math.round(n * factor);
}

export type OnRestoreError = "stop" | "continue";

/** What a restore does at a failing statement: stop (the default) or continue past it. */
export function parseOnRestoreError(flag: string, value: string): OnRestoreError {
  const v = value.trim().toLowerCase();
  if (v !== "stop" && v !== "continue")
    throw new UsageError(`${flag} takes stop or continue (got "${value}")`);
  return v;
}

/**
 * The engine's tuning options, from the CLI's flags or the Action's inputs: `get` returns the value given (or
 * undefined / empty for none) and `label` how the front end names the option in a message.
 */
export function parseEngineTuning(
  get: (name: "concurrency" | "statement-timeout" | "lock-timeout" | "connect-timeout") => string | undefined,
  label: (name: string) => string,
): { concurrency?: number; statementTimeoutMs?: number; lockTimeoutMs?: number; connectTimeoutMs?: number } {
  const given = (name: Parameters<typeof get>[0]) => {
    const v = get(name);
    return v === undefined || v.trim() === "" ? undefined : v;
  };
  const out: ReturnType<typeof parseEngineTuning> = {};
  const c = given("concurrency");
  if (c !== undefined) out.concurrency = parseInteger(label("concurrency"), c, 1, 64);
  const st = given("statement-timeout");
  if (st !== undefined) out.statementTimeoutMs = parseDuration(label("statement-timeout"), st);
  const lt = given("lock-timeout");
  if (lt !== undefined) out.lockTimeoutMs = parseDuration(label("lock-timeout"), lt);
  const ct = given("connect-timeout");
  if (ct !== undefined) out.connectTimeoutMs = parseDuration(label("connect-timeout"), ct);
  return out;
}

export function parseInteger(flag: string, value: string, min: number, max: number): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${flag} takes a whole number from ${min} to ${max} (got "${value}")`);
  }
  return Number(value);
}

export function parsePercent(flag: string, value: string): number {
  const n = Number(value.replace(/%$/, ""));
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 100) {
    throw new UsageError(`${flag} takes a percentage above 0 and at most 100 (got "${value}")`);
  }
  return n;
}

/** A list of fail-on kinds, separated by commas, spaces or new lines; "none" for nothing. */
export function parseFailOn(flag: string, value: string): FailOn[] {
  const items = value
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase().replace("_", "-"))
    .filter(Boolean);
  if (items.length === 1 && items[0] === "none") return [];
  for (const i of items) {
    if (!FAIL_ON_VALUES.includes(i as FailOn)) {
      throw new UsageError(`${flag} takes a list of ${FAIL_ON_VALUES.join(", ")} or none (got "${i}")`);
    }
  }
  return items as FailOn[];
}

/**
 * An extension name as CREATE EXTENSION takes it (the name, unquoted): letters, digits, _ and -, as the
 * extensions shipped with PostgreSQL and PostGIS are named. Curried for Array.map with the option's name.
 */
export function extensionName(flag: string): (value: string) => string {
  return (value) => {
    const name = value.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) {
      throw new UsageError(
        `${flag} takes the name of an extension, as in CREATE EXTENSION name (got ${JSON.stringify(value)})`,
      );
    }
    return name;
  };
}

/**
 * The words each front end uses for its options, so that a message names what the reader can set: the CLI's
 * flags (--statement-timeout) or the Action's inputs (the statement-timeout input). Keys are the CLI's flag names.
 */
export interface FrontEndWords {
  frontEnd: "cli" | "action";
  /** The option as the reader writes it: "--schema" / "the schemas input". */
  option(flag: string): string;
  /** The option set to a value: "--on-restore-error continue" / "on-restore-error: continue". */
  set(flag: string, value: string): string;
  /** One value of a list option: '--schema "app"' / 'the schemas entry "app"'. */
  entry(flag: string, value: string): string;
  /** A switch turned on: "--clean" / "clean: true". */
  enable(flag: string): string;
  /** How to run a mode: "seq-guard check" / "mode: check". */
  mode(mode: Mode): string;
}

/** CLI flags whose Action input has another name. */
const ACTION_INPUT: Record<string, string> = {
  schema: "schemas",
  extension: "extensions",
  "restore-arg": "restore-args",
  "restore-via": "container",
  keep: "keep-database",
};

const inputName = (flag: string) => ACTION_INPUT[flag] ?? flag;

export const CLI_WORDS: FrontEndWords = {
  frontEnd: "cli",
  option: (flag) => `--${flag}`,
  set: (flag, value) => `--${flag} ${value}`,
  entry: (flag, value) => `--${flag} "${value}"`,
  enable: (flag) => `--${flag}`,
  mode: (mode) => `seq-guard ${mode}`,
};

export const ACTION_WORDS: FrontEndWords = {
  frontEnd: "action",
  option: (flag) => `the ${inputName(flag)} input`,
  set: (flag, value) => `${inputName(flag)}: ${value}`,
  entry: (flag, value) => `the ${inputName(flag)} entry "${value}"`,
  enable: (flag) => `${inputName(flag)}: true`,
  mode: (mode) => `mode: ${mode}`,
};

/**
 * The findings that fail the run. Report never fails on findings, so a fail-on given with it is refused (the
 * reader meant check); without one, check and fix fail on behind, exhausted and error.
 */
export function resolveFailOn(mode: Mode, given: string | undefined, words: FrontEndWords): FailOn[] {
  if (given === undefined || given.trim() === "") return defaultFailOn(mode);
  if (mode === "report") {
    throw new UsageError(
      `${words.option("fail-on")} does not go with report, which never fails on findings: to fail on them, use ${words.mode("check")} with ${words.set("fail-on", given.trim())}`,
    );
  }
  return parseFailOn(words.option("fail-on"), given);
}
