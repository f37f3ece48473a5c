// Nothing left behind: whatever a run creates (a scratch database, a child process, the embedded server, a copy
// inside a container) registers how to undo it here, and unregisters once undone. On SIGINT or SIGTERM the
// handlers stop the work in flight (the abort signal), undo everything in reverse order and exit 130 or 143.

type Undo = () => Promise<unknown> | unknown;

interface Entry {
  label: string;
  undo: Undo;
}

const entries = new Set<Entry>();
let controller = new AbortController();
let exitCode = 130;

/** Register an undo action; call the returned function once it is no longer needed (or done). */
export function onCleanup(label: string, undo: Undo): () => void {
  const e: Entry = { label, undo };
  entries.add(e);
  return () => {
    entries.delete(e);
  };
}

/** Aborted when the run is interrupted: work in flight stops and creates nothing new. */
export function interruption(): AbortSignal {
  return controller.signal;
}

export function interrupted(): boolean {
  return controller.signal.aborted;
}

/**
 * The exit code of an interrupted run: 130 after SIGINT, 143 after SIGTERM. Work that stops with InterruptedError
 * returns this, so the code is right whether the signal handler or the interrupted run ends the process first.
 */
export function interruptedExitCode(): number {
  return exitCode;
}

/** Thrown by work that stops because the run was interrupted. */
export class InterruptedError extends Error {
  constructor() {
    super("interrupted");
    this.name = "InterruptedError";
  }
}

export function throwIfInterrupted(): void {
  if (interrupted()) throw new InterruptedError();
}

/** Undo everything registered, newest first; each step bounded so a dead server cannot hang the exit. */
export async function runCleanups(stepTimeoutMs = 15_000): Promise<void> {
  const list = [...entries].reverse();
  entries.clear();
  for (const e of list) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(e.undo),
        new Promise((resolve) => {
          timer = setTimeout(resolve, stepTimeoutMs);
        }),
      ]);
    } catch {
      // best effort: the next step still runs
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Handle SIGINT and SIGTERM while a run is under way: abort the work, clean up, and exit 130 (SIGINT) or 143
 * (SIGTERM). A second signal exits at once. Returns a function that removes the handlers.
 */
export function installSignalHandlers(opts: {
  notify: (text: string) => void;
  exit: (code: number) => void;
}): () => void {
  let handling = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (handling) {
      opts.exit(code);
      return;
    }
    handling = true;
    exitCode = code;
    process.exitCode = code;
    controller.abort(new InterruptedError());
    opts.notify(`seq-guard: ${signal === "SIGINT" ? "interrupted" : "terminated"}: cleaning up\n`);
    void runCleanups().finally(() => opts.exit(code));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/** For tests that run several runs in one process. */
export function resetInterruption(): void {
  controller = new AbortController();
}
