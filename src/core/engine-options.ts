// The engine's options and their defaults, apart from the engine itself: settings.ts builds them from what the
// front end was given before it knows whether it will connect at all, and loading them must not load the driver.

import type { Filters } from "./filters.ts";
import type { Mode } from "./types.ts";

export interface ProbeOptions {
  /** Connections used side by side. */
  concurrency: number;
  /** Bound on each statement, in milliseconds (0: none). */
  statementTimeoutMs: number;
  /** How long to wait for a lock another session holds (0: forever). */
  lockTimeoutMs: number;
  /** Most relations one transaction may lock (tables, their indexes and partitions, sequences). */
  lockBudget: number;
  /** Most statements per round trip. */
  batchSize: number;
  /** The role's name as the server quotes it, for the GRANTs that messages suggest. */
  role?: string;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_PROBE: Omit<ProbeOptions, "onProgress"> = {
  concurrency: 2,
  statementTimeoutMs: 30_000,
  lockTimeoutMs: 5_000,
  lockBudget: 1000,
  batchSize: 250,
};

export interface EngineOptions extends Filters {
  mode: Mode;
  headroomThreshold: number;
  concurrency: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
  onProgress?: (phase: "verify" | "fix", done: number, total: number) => void;
}

export const DEFAULT_ENGINE: Omit<EngineOptions, "mode"> = {
  schemas: [],
  exclude: [],
  headroomThreshold: 80,
  concurrency: DEFAULT_PROBE.concurrency,
  statementTimeoutMs: DEFAULT_PROBE.statementTimeoutMs,
  lockTimeoutMs: 5_000,
  connectTimeoutMs: 10_000,
};
