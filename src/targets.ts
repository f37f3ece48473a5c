// Targets: what one run verifies. Either the database named by the connection settings, as it is, or one
// scratch database per dump (restored first). Shared by the CLI and the Action; neither knows how a target is
// made.

import { type ConnectionTarget, explainConnectionError } from "./connection.ts";
import { type EngineOptions, verifyDatabase } from "./engine.ts";
import { SeqGuardError } from "./errors.ts";
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
  throw new SeqGuardError("restoring dumps is not built yet", 2);
}
