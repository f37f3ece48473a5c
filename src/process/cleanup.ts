// Nothing left behind: whatever a run creates (a scratch database, a child process, the embedded server, a copy
// inside a container) registers how to undo it here, and unregisters once undone. On SIGINT or SIGTERM the
// handlers stop the work in flight (the abort signal), undo everything in reverse order and exit 130 or 143. A
// second signal while that runs (Ctrl-C pressed twice) only says what is still being undone; a third abandons
// the cleanup and says what is left behind.

type Undo = () => Promise<unknown> | unknown;

/** What an undo that did not run (or not to its end) leaves behind, for people: paths, names, what to do. */
type LeftBehind = () => string | null;

interface Entry {
  label: string;
  undo: Undo;
  leftBehind?: LeftBehind;
  /** Called when the cleanup is abandoned: a last, immediate step (stop a server without waiting for it). */
  abandon?: () => void;
}

const entries = new Set<Entry>();
/** Entries taken by the cleanup under way (or done) whose undo has not finished, or failed. */
const unfinished = new Set<Entry>();
let controller = new AbortController();
let exitCode = 130;

/**
 * Register an undo action; call the returned function once it is no longer needed (or done). `leftBehind` says
 * what remains if the undo never runs; `abandon` is a last immediate step for an abandoned cleanup.
 */
export function onCleanup(
  label: string,
  undo: Undo,
  leftBehind?: LeftBehind,
  abandon?: () => void,
): () => void {
  const e: Entry = { label, undo, leftBehind, abandon };
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
  for (const e of list) unfinished.add(e);
  for (const e of list) {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    try {
      await Promise.race([
        Promise.resolve()
          .then(e.undo)
          .then(() => {
            done = true;
          }),
        new Promise((resolve) => {
          timer = setTimeout(resolve, stepTimeoutMs);
        }),
      ]);
    } catch {
      // best effort: the next step still runs
    } finally {
      clearTimeout(timer);
    }
    if (done) unfinished.delete(e);
  }
}

const GERUNDS: Record<string, string> = { stop: "stopping", drop: "dropping", remove: "removing" };

/** "drop database x" -> "dropping database x". */
function doing(label: string): string {
  const [verb, ...rest] = label.split(" ");
  const ing = GERUNDS[verb as string];
  return ing ? [ing, ...rest].join(" ") : label;
}

/** What the cleanup still has to do, newest first: "stopping psql, dropping database seq_guard_x". */
export function stillToUndo(): string {
  const labels = [...new Set([...unfinished].map((e) => doing(e.label)))];
  return labels.length > 0 ? labels.join(", ") : "finishing";
}

/** What remains when the cleanup stops here: "database seq_guard_x on h:5432 (...)", one per thing. */
export function leftBehind(): string[] {
  const out: string[] = [];
  for (const e of unfinished) {
    let text: string | null;
    try {
      text = e.leftBehind ? e.leftBehind() : `not done: ${e.label}`;
    } catch {
      text = `not done: ${e.label}`;
    }
    if (text && !out.includes(text)) out.push(text);
  }
  return out;
}

/**
 * Handle SIGINT and SIGTERM while a run is under way: abort the work, clean up, and exit 130 (SIGINT) or 143
 * (SIGTERM). A second signal during the cleanup says what it still does and lets it go on; a third abandons it,
 * says what is left behind, and exits. Returns a function that removes the handlers.
 */
export function installSignalHandlers(opts: {
  notify: (text: string) => void;
  exit: (code: number) => void;
}): () => void {
  let signals = 0;
  let finished = false;
  const handler = (signal: NodeJS.Signals) => {
    signals++;
    if (finished) return;
    if (signals === 1) {
      const code = signal === "SIGINT" ? 130 : 143;
      exitCode = code;
      process.exitCode = code;
      controller.abort(new InterruptedError());
      opts.notify(`seq-guard: ${signal === "SIGINT" ? "interrupted" : "terminated"}: cleaning up\n`);
      void runCleanups().finally(() => {
        if (finished) return;
        finished = true;
        const left = leftBehind();
        if (left.length > 0)
          opts.notify(`seq-guard: the cleanup could not finish; left behind: ${left.join("; ")}\n`);
        opts.exit(exitCode);
      });
      return;
    }
    if (signals === 2) {
      const again = signal === "SIGINT" ? "press Ctrl-C again" : `send ${signal} again`;
      opts.notify(`seq-guard: still cleaning up: ${stillToUndo()}; ${again} to abandon it\n`);
      return;
    }
    finished = true;
    for (const e of unfinished) {
      try {
        e.abandon?.();
      } catch {
        // best effort
      }
    }
    const left = leftBehind();
    opts.notify(
      `seq-guard: cleanup abandoned; ${left.length > 0 ? `left behind: ${left.join("; ")}` : "nothing was left behind"}\n`,
    );
    opts.exit(exitCode);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    // The run may end (with the interrupt's exit code) while the cleanup still runs: its handlers stay until it
    // exits, or a second Ctrl-C would kill the process half-way (the default action).
    if (signals > 0 && !finished) return;
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/** For tests that run several runs in one process. */
export function resetInterruption(): void {
  controller = new AbortController();
  unfinished.clear();
}
