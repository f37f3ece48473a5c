// The settings of one run, whichever front end they came from. The CLI reads its argv and the Action its inputs
// into a GivenSettings (each value as the reader wrote it, nothing checked); buildSettings() checks every value,
// applies the defaults and the rules between settings, and returns the one typed Settings everything below the
// front ends uses. A rule lives here once, and its message names each setting with `say`, so that each front end
// shows it in its own words. Pure: what it needs to know of the machine (its CPUs) is passed in.

import { DEFAULT_ENGINE, type EngineOptions } from "./engine-options.ts";
import { UsageError } from "./errors.ts";
import {
  type OnRestoreError,
  parseDuration,
  parseExtensionName,
  parseFailOn,
  parseInteger,
  parseOnRestoreError,
  parsePercent,
} from "./options.ts";
import { defaultFailOn, type FailOn } from "./report.ts";
import type { Mode } from "./types.ts";
import { say } from "./words.ts";

/**
 * What the reader gave, in either front end: each value as written, before any check. A value that is absent
 * or blank is not given (an empty Action input, a CLI flag given an empty variable): its default applies.
 */
export interface GivenSettings {
  mode: Mode;
  databaseUrl?: string;
  /** Dump paths, or the Action's lines, which may be globs (expanded later: only their count matters here). */
  dumps?: string[];
  restoreDatabase?: string;
  clean?: boolean;
  keep?: boolean;
  restoreArgs?: string[];
  jobs?: string;
  onRestoreError?: string;
  /** The container to run pg_restore in (its id or name, without the CLI's docker: prefix). */
  restoreVia?: string;
  trustFixture?: boolean;
  extensions?: string[];
  /** The folder every dump must lie in (the Action's workspace); anywhere when absent. */
  dumpsWithin?: string;
  schemas?: string[];
  exclude?: string[];
  headroomThreshold?: string;
  failOn?: string;
  concurrency?: string;
  statementTimeout?: string;
  lockTimeout?: string;
  connectTimeout?: string;
  reportJson?: string;
}

/** How dumps are restored (restore/options.ts's RestoreOptions is this shape). */
export interface RestoreSettings {
  /**
   * Name of the database to restore into; derived from each file's name otherwise. With several dumps, they are
   * all restored into it, in order, and verified once (one target).
   */
  database: string | undefined;
  /** Drop a non-empty restore database first. */
  clean: boolean;
  /** Keep the restored databases afterwards (the Action keeps them for later steps). */
  keep: boolean;
  /** Extra arguments for pg_restore / psql; checked against the dumps before anything runs. */
  extraArgs: string[];
  /** Parallel jobs for custom and directory archives. */
  jobs: number;
  onError: OnRestoreError;
  /** Run pg_restore/psql inside this container (docker exec -i) instead of on this machine. */
  viaContainer: string | undefined;
  /** Every dump's real path (symbolic links resolved) must lie inside this folder: the Action's workspace. */
  within?: string;
  /** Restore as the connecting role, with its rights, instead of a throwaway role (never for forks' dumps). */
  trustFixture: boolean;
  /** Extensions beyond the built-in allow-list that the connecting role may create for a dump. */
  extensions: string[];
}

/** One run's settings, checked, with every default applied. */
export interface Settings {
  mode: Mode;
  /** The server the reader named; undefined: the one DATABASE_URL or the PG* variables name, if any. */
  databaseUrl: string | undefined;
  /**
   * The dumps to restore and verify, in order (the Action's lines may be globs, which it expands before the run);
   * none: verify the database as it is.
   */
  dumps: string[];
  restore: RestoreSettings;
  /** What is verified (mode, filters, headroom) and how (concurrency, timeouts). */
  engine: EngineOptions;
  /** The findings that fail the run: none in report mode, which never fails on findings. */
  failOn: FailOn[];
  /** Where to write the JSON report, if anywhere. */
  reportJson: string | undefined;
}

/** A value that was given: absent and blank are the same. */
function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * Check what was given and make the Settings of the run. `cpus` is the default number of parallel restore
 * jobs (one per CPU). Throws a UsageError naming the setting for a bad value or settings that do not go together.
 */
export function buildSettings(g: GivenSettings, cpus: number): Settings {
  const dumps = g.dumps ?? [];
  const restoreDatabase = given(g.restoreDatabase);
  if (restoreDatabase !== undefined && dumps.length === 0) {
    throw new UsageError(
      `${say.option("restore-database")} names the database to restore the dumps into: give at least one dump with it, or leave it out`,
    );
  }
  const jobs = given(g.jobs);
  const onError = given(g.onRestoreError);
  const restore: RestoreSettings = {
    database: restoreDatabase,
    clean: g.clean ?? false,
    keep: g.keep ?? false,
    extraArgs: g.restoreArgs ?? [],
    jobs: jobs !== undefined ? parseInteger("jobs", jobs, 1, 64) : cpus,
    onError: onError !== undefined ? parseOnRestoreError(onError) : "stop",
    viaContainer: given(g.restoreVia),
    trustFixture: g.trustFixture ?? false,
    extensions: (g.extensions ?? []).map(parseExtensionName),
  };
  if (g.dumpsWithin !== undefined) restore.within = g.dumpsWithin;
  return {
    mode: g.mode,
    databaseUrl: given(g.databaseUrl),
    dumps,
    restore,
    engine: engineSettings(g),
    failOn: failOnOf(g.mode, given(g.failOn)),
    reportJson: given(g.reportJson),
  };
}

/** The engine's settings: mode and filters, headroom, and the tuning, each with its default. */
function engineSettings(g: GivenSettings): EngineOptions {
  const headroom = given(g.headroomThreshold);
  const concurrency = given(g.concurrency);
  const statementTimeout = given(g.statementTimeout);
  const lockTimeout = given(g.lockTimeout);
  const connectTimeout = given(g.connectTimeout);
  return {
    ...DEFAULT_ENGINE,
    mode: g.mode,
    schemas: g.schemas ?? [],
    exclude: g.exclude ?? [],
    headroomThreshold:
      headroom !== undefined
        ? parsePercent("headroom-threshold", headroom)
        : DEFAULT_ENGINE.headroomThreshold,
    concurrency:
      concurrency !== undefined
        ? parseInteger("concurrency", concurrency, 1, 64)
        : DEFAULT_ENGINE.concurrency,
    statementTimeoutMs:
      statementTimeout !== undefined
        ? parseDuration("statement-timeout", statementTimeout)
        : DEFAULT_ENGINE.statementTimeoutMs,
    lockTimeoutMs:
      lockTimeout !== undefined ? parseDuration("lock-timeout", lockTimeout) : DEFAULT_ENGINE.lockTimeoutMs,
    connectTimeoutMs:
      connectTimeout !== undefined
        ? parseDuration("connect-timeout", connectTimeout)
        : DEFAULT_ENGINE.connectTimeoutMs,
  };
}

/**
 * The findings that fail the run. Report never fails on findings, so a fail-on given with it is refused (the
 * reader meant check); without one, check and fix fail on behind, exhausted and error.
 */
function failOnOf(mode: Mode, failOn: string | undefined): FailOn[] {
  if (failOn === undefined) return defaultFailOn(mode);
  if (mode === "report") {
    throw new UsageError(
      `${say.option("fail-on")} does not go with report, which never fails on findings: to fail on them, use ${say.mode("check")} with ${say.set("fail-on", failOn.trim())}`,
    );
  }
  return parseFailOn(failOn);
}
