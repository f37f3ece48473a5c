// Opening the engine's connections: the first one retried while the server is still starting, the others at
// once; and a watch over them, so that a connection lost mid-run makes the run a connection error rather than a
// list of sequences that could not be read.

import pg from "pg";
import { ConnectionLostError, isTransient } from "./connection.ts";
import { errorText } from "./explain.ts";

/**
 * Which connections of a run broke: a server stopped or killed, or a session terminated, mid-run. Then what was
 * read is incomplete, and the run is a connection error (exit 3), never findings: the sequences it could not read
 * would otherwise be reported as errors (exit 1), or pass in report mode.
 */
export class ConnectionWatch {
  lost: Error | null = null;
  private closing = false;

  watch(c: pg.Client): void {
    // A server-side failure on an idle connection must not crash the process; it is remembered here.
    c.on("error", (err: Error) => {
      if (!this.closing) this.lost ??= err;
    });
    c.on("end", () => {
      if (!this.closing) this.lost ??= new Error("the server closed the connection");
    });
  }

  /** From now on connections close because the run is done. */
  close(): void {
    this.closing = true;
  }

  /** Throws when a connection broke before close(). */
  check(what: string): void {
    if (this.lost) throw lostError(what, this.lost);
  }
}

/** The error of a run whose connection broke during `what` (verification, fixing). */
export function lostError(what: string, err: unknown): ConnectionLostError {
  return new ConnectionLostError(
    `the connection to the server was lost during ${what} (${errorText(err)}), so the results are incomplete and none is reported. Was the server stopped or restarted, or the session terminated? Run again once it is up.`,
  );
}

/** Open `n` connections, all or none; with a watch, each is watched once all are open. */
export async function openClients(
  config: pg.ClientConfig,
  n: number,
  watch?: ConnectionWatch,
): Promise<pg.Client[]> {
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const c = new pg.Client({ ...config, application_name: "seq-guard" });
      // A server-side failure on an idle connection must not crash the process; the next query reports it.
      c.on("error", () => undefined);
      clients.push(c);
      await c.connect();
    }
    // Watched once all are open: those closed again because one could not open are no loss.
    if (watch) for (const c of clients) watch.watch(c);
    return clients;
  } catch (err) {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    throw err;
  }
}

/**
 * Close a connection as libpq's PQfinish() does: send Terminate and close the socket once it is written, without
 * waiting for the server to close its end, which it does only once the backend has exited (10-30 ms here, at the
 * end of every run).
 */
export async function closeClient(c: pg.Client): Promise<void> {
  const stream = (c as unknown as { connection?: { stream?: NodeJS.EventEmitter & { destroy(): void } } })
    .connection?.stream;
  // 'finish': Terminate and the end of our side are handed to the system, which still delivers them.
  stream?.once("finish", () => stream.destroy());
  await c.end().catch(() => undefined);
}

/**
 * Open the first connection, retrying while the server is not up yet (a service container that just started)
 * until the connect timeout has passed.
 */
export async function connectWithRetry(config: pg.ClientConfig, timeoutMs: number): Promise<pg.Client> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const left = Math.max(1000, deadline - Date.now());
      const [c] = await openClients({ ...config, connectionTimeoutMillis: left }, 1);
      return c as pg.Client;
    } catch (err) {
      if (!isTransient(err) || Date.now() + 500 > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
