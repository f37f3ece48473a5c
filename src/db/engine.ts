// The engine: verify (and in fix mode, fix) every sequence of one database. Discovery, probing, verdicts and
// fixing are separate modules; this one runs them in order over a small pool of connections.

import pg from "pg";
import { DEFAULT_PROBE, type EngineOptions, type ProbeOptions } from "../core/engine-options.ts";
import { EXIT, SeqGuardError } from "../core/errors.ts";
import { exclusionFilter } from "../core/filters.ts";
import { byImportance, errorReport, fixedReport, summarize, verdictReport } from "../core/report.ts";
import type { SequenceReport, Summary, Warning } from "../core/types.ts";
import { judge, skipped, skipReasonOf } from "../core/verdict.ts";
import { ConnectionLostError, isConnectionLoss, isTransient } from "./connection.ts";
import { CATALOG_TIMEOUT_FLOOR_MS, type DiscoveredSequence, discover } from "./discovery.ts";
import { type FixResult, fixAll } from "./fixing.ts";
import { type ProbeResult, Prober, probeAll, STATE_READER_SQL, type StateReader, timeouts } from "./probe.ts";

export { DEFAULT_ENGINE, type EngineOptions } from "../core/engine-options.ts";

/** The report of a behind sequence after its fix, from what fixing did and what was read again. */
function afterFix(
  seq: DiscoveredSequence,
  f: FixResult | undefined,
  r: ProbeResult | undefined,
  prev: SequenceReport | undefined,
  verdictOpts: { headroomThreshold: number },
): SequenceReport {
  if (f?.outcome === "error") return errorReport(seq, f.error, r?.ok ? r.state : null);
  if (!r?.ok) return errorReport(seq, r ? r.error : "could not verify after fixing");
  const v = judge(seq, r.state, verdictOpts);
  if (v.status === "ok" && v.next !== null && prev) {
    const warnings: Warning[] = [];
    if (seq.cache > 1n) {
      warnings.push({
        code: "cached_sessions",
        message: `CACHE ${seq.cache}: sessions connected before the fix may still hand out up to ${seq.cache} cached values each; reconnect them`,
      });
    }
    return fixedReport({ ...prev, warnings: v.warnings }, v.next, warnings);
  }
  const rep = verdictReport(seq, r.state, v);
  if (v.status === "behind") rep.reason = `the fix did not hold: ${v.reason}`;
  return rep;
}

/** Batches waiting for a connection before discovery reads on: about 10,000 sequences at 250 a batch. */
const QUEUED_BATCHES = 8;

/**
 * Sequences to verify beyond which the connections past the first are opened (`--concurrency`). Opening one costs
 * a backend, its authentication and its cold catalog caches; below this many sequences that costs about what
 * reading half of them on it saves. Measured with `seq-guard check` on 2 vCPUs (medians of 7-9 alternating
 * runs): at 500 and 1,000 sequences one connection was as fast as two or faster (1.38 s against 1.45 s, 1.65
 * against 1.71 s, loaded machine), at 3,000 two were faster (3.12 s against 3.35 s) and at 10,000 much faster
 * (9.7 s against 12.5 s).
 */
export const MORE_CONNECTIONS_AFTER = 1000;

export interface DatabaseResult {
  database: string;
  serverVersion: number;
  summary: Summary;
  sequences: SequenceReport[];
}

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

function lostError(what: string, err: unknown): ConnectionLostError {
  const e = err as { message?: string; code?: string };
  const why = `${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
  return new ConnectionLostError(
    `the connection to the server was lost during ${what} (${why}), so the results are incomplete and none is reported. Was the server stopped or restarted, or the session terminated? Run again once it is up.`,
  );
}

async function openClients(
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

/** Verify (and fix, in fix mode) one database. Connection errors are thrown for the caller to explain. */
export async function verifyDatabase(config: pg.ClientConfig, opts: EngineOptions): Promise<DatabaseResult> {
  // Every statement on these connections is bounded, discovery's catalog reads and the first query included;
  // the reading and fixing transactions set the same bounds again for themselves.
  const t = timeouts(opts.statementTimeoutMs, opts.lockTimeoutMs);
  const bounded: pg.ClientConfig = { ...config, statement_timeout: t.statement, lock_timeout: t.lock };
  const watch = new ConnectionWatch();
  const first = await connectWithRetry(bounded, opts.connectTimeoutMs);
  watch.watch(first);
  const clients = [first];
  const what = opts.mode === "fix" ? "verification and fixing" : "verification";
  try {
    const result = await verifyConnected(bounded, clients, opts, watch);
    watch.check(what);
    return result;
  } catch (err) {
    if (err instanceof SeqGuardError) throw err;
    if (watch.lost || isConnectionLoss(err)) throw lostError(what, watch.lost ?? err);
    const e = err as { message?: string; code?: string };
    // Per-sequence reads explain their own failures; what reaches here is the catalog's read, or the connection.
    const why =
      e.code === "57014"
        ? `reading the catalog took longer than ${Math.max(t.statement, CATALOG_TIMEOUT_FLOOR_MS)} ms (--statement-timeout, at least ${CATALOG_TIMEOUT_FLOOR_MS / 1000} s for the catalog): another session may hold a lock on a catalog table (a long migration?); run again when it is done, or raise --statement-timeout`
        : e.code === "55P03"
          ? `reading the catalog waited longer than --lock-timeout for another session's lock (a migration in progress?); run again when it is done, or raise --lock-timeout`
          : `${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
    throw new SeqGuardError(`verification stopped: ${why}`, EXIT.connection);
  } finally {
    watch.close();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

async function verifyConnected(
  config: pg.ClientConfig,
  clients: pg.Client[],
  opts: EngineOptions,
  watch: ConnectionWatch,
): Promise<DatabaseResult> {
  const main = clients[0] as pg.Client;
  type Info = { db: string; v: number; reader: StateReader; role: string };
  const info = await main.query<Info>(
    `SELECT current_database() AS db, current_setting('server_version_num')::int AS v, r.reader,
            quote_ident(current_user) AS role
     FROM (${STATE_READER_SQL}) r`,
  );
  const { db: database, v: serverVersion, reader, role } = info.rows[0] as Info;

  const reports = new Map<number, SequenceReport>();
  const excluded = exclusionFilter(opts);
  const verdictOpts = { headroomThreshold: opts.headroomThreshold };
  const probeOpts: ProbeOptions = {
    ...DEFAULT_PROBE,
    concurrency: opts.concurrency,
    statementTimeoutMs: opts.statementTimeoutMs,
    lockTimeoutMs: opts.lockTimeoutMs,
    role,
    onProgress: (d, t) => opts.onProgress?.("verify", d, t),
  };
  // Each sequence is judged as soon as its batch is read; only its report stays. In fix mode the connection that
  // read a batch then fixes that batch's behind sequences and reads them again, so nothing accumulates either.
  const fixOpts = { ...probeOpts, onProgress: undefined };
  let behindSeen = 0;
  let fixedDone = 0;
  const prober = new Prober(
    probeOpts,
    reader,
    (seq, r) => {
      const rep = r.ok
        ? verdictReport(seq, r.state, judge(seq, r.state, verdictOpts))
        : errorReport(seq, r.error);
      reports.set(seq.oid, rep);
      if (rep.status === "behind") behindSeen++;
    },
    opts.mode !== "fix"
      ? undefined
      : async (client, batch) => {
          const behind = (batch as DiscoveredSequence[]).filter(
            (s) => reports.get(s.oid)?.status === "behind",
          );
          if (behind.length === 0) return;
          const fixed = await fixAll([client], behind, fixOpts, verdictOpts);
          // Verify again what was touched: the status comes from a fresh read, not from what we meant to do.
          const again = await probeAll([client], behind, fixOpts, reader);
          for (const seq of behind) {
            reports.set(
              seq.oid,
              afterFix(seq, fixed.get(seq.oid), again.get(seq.oid), reports.get(seq.oid), verdictOpts),
            );
          }
          fixedDone += behind.length;
          opts.onProgress?.("fix", fixedDone, behindSeen);
        },
  );

  // Verification starts on the first sequences discovery hands over, on connections of their own, while the
  // first connection reads the rest of the catalog (its one snapshot). Discovery is held back while enough work
  // waits, so memory stays flat at any size. The other connections are opened only once there are more than
  // MORE_CONNECTIONS_AFTER sequences to verify: below that the first connection does it all, after discovery.
  let extra: Promise<void> | null = null;
  const openExtra = (n: number) => {
    extra ??= openClients(config, n, watch).then(
      (more) => {
        clients.push(...more);
        for (const c of more) prober.addWorker(c);
      },
      // The server may refuse more connections (max_connections): the first one does the work alone.
      () => undefined,
    );
  };
  let handed = 0;
  const discovering = discover(main, {
    onChunk: async (seqs) => {
      const mine: DiscoveredSequence[] = [];
      for (const seq of seqs) {
        const skip = excluded(seq.schema, seq.relname) ? "excluded" : skipReasonOf(seq);
        if (skip) reports.set(seq.oid, verdictReport(seq, null, skipped(seq, skip)));
        else mine.push(seq);
      }
      prober.add(mine);
      handed += mine.length;
      if (opts.concurrency > 1 && handed > MORE_CONNECTIONS_AFTER) {
        openExtra(opts.concurrency);
        await extra;
        await prober.room(QUEUED_BATCHES);
      }
    },
  });
  // Whatever happens to discovery, the connections being opened are in `clients` (closed by the caller) and no
  // batch is still running when this returns or throws.
  await discovering.catch(async (err: unknown) => {
    await extra;
    await prober.finish();
    throw err;
  });
  if (prober.workerCount < Math.max(1, opts.concurrency)) prober.addWorker(main);
  await prober.finish();

  const sequences = [...reports.values()].sort(byImportance);
  reports.clear();
  return { database, serverVersion, summary: summarize(sequences), sequences };
}
