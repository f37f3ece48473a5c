// Running a client tool (pg_restore, docker) as a child process: without a shell, its stdin fed from a chain of
// streams, its output kept within bounds (the first and last 64 KB), stopped on Ctrl-C (SIGTERM, then SIGKILL).
// The environment and arguments are the caller's (tools.ts): this file only runs what it is given.

import { spawn } from "node:child_process";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RestoreError } from "../core/errors.ts";
import {
  InterruptedError,
  interrupted,
  interruption,
  onCleanup,
  throwIfInterrupted,
} from "../process/cleanup.ts";

/** How a tool ended: its exit code, or the signal that killed it. */
export interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ToolRun extends ToolExit {
  stdout: string;
  stderr: string;
  /** The input stream failed (unreadable file, corrupt gzip, a script problem). */
  inputError: Error | null;
}

const CAP = 64 * 1024;

/** Keep the first and last 64 KB of a stream's text. */
class Capture {
  private head = "";
  private tail = "";
  private dropped = false;
  add(s: string) {
    if (this.head.length < CAP) {
      const take = CAP - this.head.length;
      this.head += s.slice(0, take);
      s = s.slice(take);
    }
    if (s.length === 0) return;
    this.tail += s;
    if (this.tail.length > 2 * CAP) {
      this.tail = this.tail.slice(-CAP);
      this.dropped = true;
    }
  }
  text() {
    return this.dropped ? `${this.head}\n[...]\n${this.tail.slice(-CAP)}` : this.head + this.tail;
  }
}

const isPipeClosed = (err: unknown) => {
  const code = (err as { code?: string }).code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ERR_STREAM_PREMATURE_CLOSE";
};

export interface ToolOptions {
  input?: (Readable | NodeJS.ReadWriteStream)[];
  captureStdout?: boolean;
}

/** Run a client tool without a shell; feed it `input` (a chain of streams) on stdin. */
export function runTool(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: ToolOptions = {},
): Promise<ToolRun> {
  throwIfInterrupted();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      env,
      stdio: [opts.input ? "pipe" : "ignore", opts.captureStdout ? "pipe" : "ignore", "pipe"],
      windowsHide: true,
    });
    const out = new Capture();
    const err = new Capture();
    let inputError: Error | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), 3000);
      killTimer.unref();
    };
    const unregister = onCleanup(`stop ${basename(cmd)}`, kill);
    const signal = interruption();
    signal.addEventListener("abort", kill, { once: true });
    child.stdout?.setEncoding("utf8").on("data", (s: string) => out.add(s));
    child.stderr?.setEncoding("utf8").on("data", (s: string) => err.add(s));
    if (opts.input && child.stdin) {
      const stdin = child.stdin;
      stdin.on("error", () => undefined);
      pipeline([...opts.input, stdin] as (NodeJS.ReadableStream | NodeJS.WritableStream)[]).catch(
        (e: unknown) => {
          if (isPipeClosed(e)) return;
          inputError = e as Error;
          kill();
        },
      );
    }
    child.on("error", (e) => {
      unregister();
      signal.removeEventListener("abort", kill);
      reject(
        (e as NodeJS.ErrnoException).code === "ENOENT"
          ? new RestoreError(`could not run ${cmd}: it was not found. Install it, or check PATH.`)
          : new RestoreError(`could not run ${cmd}: ${e.message}`),
      );
    });
    child.on("close", (code, sig) => {
      clearTimeout(killTimer);
      unregister();
      signal.removeEventListener("abort", kill);
      if (interrupted()) {
        reject(new InterruptedError());
        return;
      }
      resolvePromise({ code, signal: sig, stdout: out.text(), stderr: err.text(), inputError });
    });
  });
}
