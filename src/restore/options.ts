// How dumps are restored: the restore's part of the settings, filled by the front ends from flags or inputs.

/** How dumps are restored. Filled by the front ends from flags or inputs. */
export interface RestoreOptions {
  /**
   * Name of the database to restore into; derived from each file's name otherwise. With several dumps, they are
   * all restored into it, in order, and verified once (one target).
   */
  database: string | undefined;
  /** Drop a non-empty restore-database first. */
  clean: boolean;
  /** Keep the restored databases afterwards (the Action keeps them for later steps). */
  keep: boolean;
  /** Extra arguments for pg_restore / psql (both get all of them); checked by checkRestoreArgs. */
  extraArgs: string[];
  /** Parallel jobs for custom and directory archives. */
  jobs: number;
  onError: "stop" | "continue";
  /** Run pg_restore/psql inside this container (docker exec -i) instead of on this machine. */
  viaContainer: string | undefined;
  /** Every dump's real path (symbolic links resolved) must lie inside this folder: the Action's workspace. */
  within?: string;
  /**
   * Restore as the connecting role, with its rights, as psql and pg_restore would: never for fixtures from
   * forks. Otherwise each dump is restored as a throwaway role that owns only its scratch database (sandbox.ts).
   */
  trustFixture: boolean;
  /** Extensions beyond the built-in allow-list that the connecting role may create for a fixture. */
  extensions: string[];
}
