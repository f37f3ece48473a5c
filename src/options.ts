// Parsing of option values shared by the CLI and the Action. Bad values are usage errors with a message that
// says what is accepted.

import { UsageError } from "./errors.ts";
import { FAIL_ON_VALUES, type FailOn } from "./report.ts";

/** A duration: "5000" or "5000ms" (milliseconds), "5s", "2min". */
export function parseDuration(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m)?\s*$/i.exec(value);
  if (!m) throw new UsageError(`${flag} takes a duration such as 5000, 5000ms, 5s or 2min (got "${value}")`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "ms").toLowerCase();
  const factor = unit === "ms" ? 1 : unit === "s" || unit === "sec" ? 1000 : 60_000;
  return Math.round(n * factor);
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
