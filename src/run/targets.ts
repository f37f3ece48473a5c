// Targets: what one run verifies. Either the database named by the connection settings, as it is, or one
// scratch database per dump (restored first), or, with a restore database and several dumps (a schema file and a
// data file), those dumps restored in order into that one database. Shared by the CLI and the Action; neither
// knows how a target is made. The restore arguments are checked here, before anything runs, for both.

import pg from "pg";
import { EXIT, loadPart, SeqGuardError } from "../core/errors.ts";
import { emptySummary } from "../core/report.ts";
import type { RestoreSettings, Settings } from "../core/settings.ts";
import type { TargetReport } from "../core/types.ts";
import {
  ConnectionLostError,
  type ConnectionTarget,
  explainConnectionError,
  isConnectionLoss,
  withDatabase,
} from "../db/connection.ts";
import { type EngineOptions, verifyDatabase } from "../db/engine.ts";
import { InterruptedError, interrupted, throwIfInterrupted } from "../process/cleanup.ts";
import { checkRestoreArgs, type ToolUse } from "../restore/args.ts";
import { checkDumpPath, type DumpInfo, inspectDump } from "../restore/detect.ts";
import { archiveHints, plainHints, plainNotes } from "../restore/hints.ts";
// Restoring (the statement filter, pg-copy-streams, child processes) is loaded only when there are dumps.
import type { Restorer } from "../restore/restore.ts";

/** A run: the settings the front end built (its dump globs expanded), and the server it resolved for them. */
export interface TargetsInput extends Pick<Settings, "dumps" | "restore" | "engine"> {
  connection: ConnectionTarget;
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
  try {
    return await runDumps(input);
  } catch (err) {
    // A session of the restorer's own (naming, creating, dropping databases) that broke mid-run.
    if (!(err instanceof SeqGuardError) && !(err instanceof InterruptedError) && isConnectionLoss(err)) {
      throw lostDuringRestore(err);
    }
    throw err;
  }
}

function lostDuringRestore(err: unknown): ConnectionLostError {
  const first = ((err as { message?: string })?.message ?? "").split("\n")[0]?.slice(0, 300) ?? "";
  return new ConnectionLostError(
    `the connection to the server was lost while dumps were restored${first ? ` (${first})` : ""}, so the results are incomplete and none is reported. Was the server stopped or restarted, or the session terminated? Run again once it is up.`,
  );
}

/**
 * After a restore failed: does the server still answer? A restore cut short because the server went away is a
 * lost connection (exit 3, the run stops), not a dump that cannot be restored (exit 4, the other dumps go on).
 * An answer that is an error of its own (too many connections, authentication) means the server is there.
 */
async function serverGone(connection: ConnectionTarget, timeoutMs: number): Promise<boolean> {
  const c = new pg.Client({
    ...connection.config,
    application_name: "seq-guard",
    connectionTimeoutMillis: Math.min(timeoutMs, 5000),
  });
  c.on("error", () => undefined);
  try {
    await c.connect();
    await c.query("SELECT 1");
    return false;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const sqlstate = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
    return !sqlstate || isConnectionLoss(err);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * Check every dump path before anything starts (exit 2 for a missing or unreadable one), and, given the restore
 * options, the restore arguments for the tools these dumps need (exit 2 for one that would send the restore
 * elsewhere). runTargets does both again.
 */
export function checkDumps(dumps: string[], restore?: RestoreSettings): void {
  for (const d of dumps) checkDumpPath(d, restore?.within);
  if (restore && dumps.length > 0) {
    checkRestoreArgs(restore.extraArgs, toolUse(dumps.map(inspectDump)), restore.viaContainer !== undefined);
  }
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

/** Which tool each kind of dump of the run goes through (a dump that is no dump needs none). */
function toolUse(infos: DumpInfo[]): ToolUse {
  const use: ToolUse = { pg_restore: null, psql: null };
  for (const i of infos) {
    if (!i.detection.ok) continue;
    const tool =
      i.detection.format === "plain" || i.detection.format === "plain-gzip" ? "psql" : "pg_restore";
    use[tool] ??= i.path;
  }
  return use;
}

async function runDumps(input: TargetsInput): Promise<TargetReport[]> {
  for (const d of input.dumps) checkDumpPath(d, input.restore.within);
  const infos = input.dumps.map(inspectDump);
  checkRestoreArgs(input.restore.extraArgs, toolUse(infos), input.restore.viaContainer !== undefined);
  const { Restorer } = await loadPart(() => import(/* webpackMode: "lazy" */ "../restore/restore.ts"));
  let restorer: Restorer;
  try {
    restorer = await Restorer.open(input.connection, input.restore, input.engine.connectTimeoutMs);
  } catch (err) {
    if (err instanceof SeqGuardError) throw err;
    throw explainConnectionError(err, input.connection);
  }
  try {
    await restorer.checkNamedDatabase();
    // Several dumps under one restore database: restored in order into it (schema, then data), one target.
    const groups = input.restore.database !== undefined ? [infos] : infos.map((i) => [i]);
    const out: TargetReport[] = [];
    for (const group of groups) {
      throwIfInterrupted();
      out.push(await restoreAndVerify(restorer, group, input));
    }
    return out;
  } finally {
    await restorer.close();
  }
}

/**
 * A target for dumps that could not be restored (or verified), from an error of any kind. A lost connection is
 * no target's failure: it stops the run (exit 3).
 */
function failedTarget(base: TargetReport, err: unknown): TargetReport {
  if (err instanceof InterruptedError || interrupted()) throw new InterruptedError();
  if (err instanceof ConnectionLostError) throw err;
  if (!(err instanceof SeqGuardError) && isConnectionLoss(err)) throw lostDuringRestore(err);
  if (err instanceof SeqGuardError) return { ...base, error: err.message };
  // Not one of ours (a connection that broke, a bug): this target fails, the other dumps still go on.
  const message = (err as Error)?.message ?? String(err);
  return { ...base, error: `the restore stopped on an unexpected error: ${message}` };
}

async function restoreAndVerify(
  restorer: Restorer,
  infos: DumpInfo[],
  input: TargetsInput,
): Promise<TargetReport> {
  const { scratchName } = await loadPart(() => import(/* webpackMode: "lazy" */ "../restore/restore.ts"));
  const first = infos[0] as DumpInfo;
  const dump = infos.map((i) => i.path).join(" + ");
  const base: TargetReport = {
    database: input.restore.database ?? scratchName(first.path),
    dump,
    format: first.detection.ok ? first.detection.format : (first.detection.format ?? null),
    restore_ms: null,
    error: null,
    hints: [],
    summary: emptySummary(),
    sequences: [],
  };
  let database: string;
  let restored: Awaited<ReturnType<Restorer["restore"]>>;
  try {
    database = await restorer.nameFor(first.path);
    base.database = database;
    restored = await restorer.restore(infos, database, input.progress);
  } catch (err) {
    if (
      !(err instanceof InterruptedError) &&
      !interrupted() &&
      (await serverGone(input.connection, input.engine.connectTimeoutMs))
    ) {
      throw lostDuringRestore(err);
    }
    return failedTarget(base, err);
  }
  let dropped = false;
  let result: TargetReport | undefined;
  try {
    let target: TargetReport;
    try {
      const live = await verifyLive(withDatabase(input.connection, database), input.engine, input.progress);
      target = { ...live, database, dump, format: restored.format, restore_ms: restored.restoreMs };
    } catch (err) {
      result = { ...failedTarget(base, err), restore_ms: restored.restoreMs, hints: [...restored.notes] };
      return result;
    }
    const behind = target.sequences.filter((s) => s.status === "behind" || s.status === "fixed");
    target.hints = [
      ...restored.notes,
      ...restored.plain.flatMap((p) => plainNotes(p.facts, p.path)),
      ...(restored.archive ? archiveHints(restored.archive.stats, behind, restored.archive.selection) : []),
      ...plainHints(restored.plain, behind),
    ];
    result = target;
    return target;
  } finally {
    if (restored.created && !input.restore.keep && !interrupted()) {
      await restorer.drop(database).catch(() => undefined);
      dropped = true;
    }
    if (dropped || input.restore.keep || !restored.created) restored.release?.();
    // The restore role of a dropped scratch database goes with it.
    if (dropped) {
      const left = await restorer.finish(database, true);
      if (left) result?.hints.push(left);
    }
  }
}
