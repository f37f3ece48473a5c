// The engine's options and their defaults, apart from the engine itself: the CLI parses its flags into these
// before it knows whether it will connect at all, and loading them must not load the driver.

import type { Filters } from "./filters.ts";
import { DEFAULT_PROBE } from "./probe.ts";
import type { Mode } from "./types.ts";

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
