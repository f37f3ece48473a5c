// Targets: what one run verifies. Either the database named by the connection settings, as it is, or one
// scratch database per dump (restored first). Shared by the CLI and the Action; neither knows how a target is
// made.

import { type ConnectionTarget, explainConnectionError, withDatabase } from "./connection.ts";
import { type EngineOptions, verifyDatabase } from "./engine.ts";
import { EXIT, SeqGuardError } from "./errors.ts";
import { emptySummary } from "./report.ts";
import { InterruptedError, interrupted, throwIfInterrupted } from "./restore/cleanup.ts";
import { checkDumpPath, inspectDump } from "./restore/detect.ts";
import { archiveHints, plainHints } from "./restore/hints.ts";
import { Restorer } from "./restore/restore.ts";
import type { TargetReport } from "./types.ts";

/** How dumps are restored. Filled by the front ends from flags or inputs. */
export interface RestoreOptions {
  /** Name of the scratch database (only with one dump); derived from the file name otherwise. */
  database: string | undefined;
  /** Drop a non-empty --restore-database first. */
  clean: boolean;
  /** Keep the restored databases afterwards (the Action keeps them for later steps). */
  keep: boolean;
  /** Extra arguments for pg_restore / psql. */
  extraArgs: string[];
  /** Parallel jobs for custom and directory archives. */
  jobs: number;
  onError: "stop" | "continue";
  /** Run pg_restore/psql inside this container (docker exec -i) instead of on this machine. */
  viaContainer: string | undefined;
}

export interface TargetsInput {
  connection: ConnectionTarget;
  /** Dump paths; empty: verify the database as it is. */
  dumps: string[];
  restore: RestoreOptions;
  engine: EngineOptions;
  /** Progress text for people (stderr on a TTY, log lines in the Action); null clears it. */
  progress: (text: string | null) => void;
}

/** Verify the database named by the connection settings as it is. */
export async function verifyLive(
  connection: ConnectionTarget,
  engine: EngineOptions,
  progress: TargetsInput["progress"],
): Promise<TargetReport> {
  try {
    const res = await verifyDatabase(connection.config, {
      ...engine,
      onProgress: (phase, done, total) =>
        progress(`${phase === "fix" ? "fixed" : "verified"} ${done}/${total} sequences`),
    });
    return {
      database: res.database,
      dump: null,
      format: null,
      restore_ms: null,
      error: null,
      hints: [],
      summary: res.summary,
      sequences: res.sequences,
    };
  } catch (err) {
    if (err instanceof SeqGuardError) throw err;
    throw explainConnectionError(err, connection);
  } finally {
    progress(null);
  }
}

/** Run every target: the live database, or each dump restored into its own scratch database. */
export async function runTargets(input: TargetsInput): Promise<TargetReport[]> {
  if (input.dumps.length === 0) return [await verifyLive(input.connection, input.engine, input.progress)];
  return await runDumps(input);
}

/** Check every dump path before anything starts (exit 2 for a missing or unreadable one). */
export function checkDumps(dumps: string[]): void {
  for (const d of dumps) checkDumpPath(d);
}

/**
 * A target whose dump could not be restored: the error is set and restore_ms is null. The CLI exits 4 when any
 * target is like this.
 */
export function restoreFailed(t: TargetReport): boolean {
  return t.dump !== null && t.error !== null && t.restore_ms === null;
}

/** Exit code of a run from its targets: 4 when a dump failed to restore, 3 when a target failed otherwise. */
export function targetsExitCode(targets: TargetReport[], reportOk: boolean): number {
  if (targets.some(restoreFailed)) return EXIT.restore;
  if (targets.some((t) => t.error !== null)) return EXIT.connection;
  return reportOk ? EXIT.ok : EXIT.findings;
}

async function runDumps(input: TargetsInput): Promise<TargetReport[]> {
  checkDumps(input.dumps);
  let restorer: Restorer;
  try {
    restorer = await Restorer.open(input.connection, input.restore, input.engine.connectTimeoutMs);
  } catch (err) {
    if (err instanceof SeqGuardError) throw err;
    throw explainConnectionError(err, input.connection);
  }
  try {
    await restorer.checkNamedDatabase();
    const out: TargetReport[] = [];
    for (const dump of input.dumps) {
      throwIfInterrupted();
      out.push(await restoreAndVerify(restorer, dump, input));
    }
    return out;
  } finally {
    await restorer.close();
  }
}

async function restoreAndVerify(
  restorer: Restorer,
  dump: string,
  input: TargetsInput,
): Promise<TargetReport> {
  const info = inspectDump(dump);
  const database = await restorer.nameFor(dump);
  const base: TargetReport = {
    database,
    dump,
    format: info.detection.ok ? info.detection.format : null,
    restore_ms: null,
    error: null,
    hints: [],
    summary: emptySummary(),
    sequences: [],
  };
  let restored: Awaited<ReturnType<Restorer["restore"]>>;
  try {
    restored = await restorer.restore(info, database, input.progress);
  } catch (err) {
    if (err instanceof InterruptedError || interrupted()) throw new InterruptedError();
    if (err instanceof SeqGuardError) return { ...base, error: err.message };
    throw err;
  }
  let dropped = false;
  try {
    let target: TargetReport;
    try {
      const live = await verifyLive(withDatabase(input.connection, database), input.engine, input.progress);
      target = { ...live, database, dump, format: restored.format, restore_ms: restored.restoreMs };
    } catch (err) {
      if (interrupted()) throw new InterruptedError();
      if (!(err instanceof SeqGuardError)) throw err;
      return { ...base, restore_ms: restored.restoreMs, error: err.message, hints: restored.notes };
    }
    const behind = target.sequences.filter((s) => s.status === "behind" || s.status === "fixed").length;
    target.hints = [
      ...restored.notes,
      ...(restored.archive ? archiveHints(restored.archive.stats, behind, restored.archive.selection) : []),
      ...(restored.plain ? plainHints(restored.plain, behind, dump) : []),
    ];
    return target;
  } finally {
    if (restored.created && !input.restore.keep && !interrupted()) {
      await restorer.drop(database).catch(() => undefined);
      dropped = true;
    }
    if (dropped || input.restore.keep || !restored.created) restored.release?.();
  }
}
