// Parsers of single option values, shared by the CLI and the Action through settings.ts. A bad value is a usage
// error that names the setting (say.option: the front end renders it as --jobs or "the jobs input") and says
// what it takes. Pure.

import { UsageError } from "./errors.ts";
import { FAIL_ON_VALUES, type FailOn } from "./report.ts";
import { type SettingKey, say } from "./words.ts";

/**
 * A duration with its unit: "5000ms", "5s", "2min". A bare number is refused: PostgreSQL's statement_timeout
 * (and Rails' database.yml) read 5 as 5 milliseconds, most people as 5 seconds, and a check that times out after
 * 5 ms reports every unindexed column as an error.
 */
export function parseDuration(setting: SettingKey, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m)?\s*$/i.exec(value);
  if (!m) {
    throw new UsageError(
      `${say.option(setting)} takes a duration such as 5000ms, 5s or 2min (got "${value}")`,
    );
  }
  if (m[2] === undefined) {
    throw new UsageError(
      `${say.option(setting)} takes a duration with its unit, such as ${m[1]}ms or ${m[1]}s (got "${value}"): a bare number is ambiguous (${setting === "connect-timeout" ? "libpq's connect_timeout reads it as seconds, PostgreSQL's statement_timeout as milliseconds" : "PostgreSQL reads it as milliseconds"})`,
    );
  }
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  const factor = unit === "ms" ? 1 : unit === "s" || unit === "sec" ? 1000 : 60_000;
  return Math.round(n * factor);
}

export type OnRestoreError = "stop" | "continue";

/** What a restore does at a failing statement: stop (the default) or continue past it. */
export function parseOnRestoreError(value: string): OnRestoreError {
  const v = value.trim().toLowerCase();
  if (v !== "stop" && v !== "continue") {
    throw new UsageError(`${say.option("on-restore-error")} takes stop or continue (got "${value}")`);
  }
  return v;
}

/** A whole number from `min` to `max`. */
export function parseInteger(setting: SettingKey, value: string, min: number, max: number): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(
      `${say.option(setting)} takes a whole number from ${min} to ${max} (got "${value}")`,
    );
  }
  return Number(value);
}

/** A percentage above 0 and at most 100, with or without its %. */
export function parsePercent(setting: SettingKey, value: string): number {
  const n = Number(value.replace(/%$/, ""));
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 100) {
    throw new UsageError(
      `${say.option(setting)} takes a percentage above 0 and at most 100 (got "${value}")`,
    );
  }
  return n;
}

/** A list of fail-on kinds, separated by commas, spaces or new lines; "none" for nothing. */
export function parseFailOn(value: string): FailOn[] {
  const items = value
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase().replace("_", "-"))
    .filter(Boolean);
  if (items.length === 1 && items[0] === "none") return [];
  for (const i of items) {
    if (!FAIL_ON_VALUES.includes(i as FailOn)) {
      throw new UsageError(
        `${say.option("fail-on")} takes a list of ${FAIL_ON_VALUES.join(", ")} or none (got "${i}")`,
      );
    }
  }
  return items as FailOn[];
}

/**
 * An extension name as CREATE EXTENSION takes it (the name, unquoted): letters, digits, _ and -, as the
 * extensions shipped with PostgreSQL and PostGIS are named.
 */
export function parseExtensionName(value: string): string {
  const name = value.trim();
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) {
    throw new UsageError(
      `${say.option("extension")} takes the name of an extension, as in CREATE EXTENSION name (got ${JSON.stringify(value)})`,
    );
  }
  return name;
}
