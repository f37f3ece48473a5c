// The engine: verify (and in fix mode, fix) every sequence of one database. Discovery, probing, verdicts and
// fixing are separate modules; this one runs them in order over a small pool of connections.

import type pg from "pg";
import { DEFAULT_PROBE, type EngineOptions, type ProbeOptions } from "../core/engine-options.ts";
import { EXIT, SeqGuardError } from "../core/errors.ts";
import { exclusionFilter } from "../core/filters.ts";
import { byImportance, errorReport, fixedReport, summarize, verdictReport } from "../core/report.ts";
import type { SequenceReport, Summary, Warning } from "../core/types.ts";
import { judge, skipped, skipReasonOf } from "../core/verdict.ts";
import { ConnectionWatch, closeClient, connectWithRetry, lostError, openClients } from "./clients.ts";
import { isConnectionLoss } from "./connection.ts";
import { type DiscoveredSequence, discover } from "./discovery.ts";
import { explainCatalogError } from "./explain.ts";
import { type FixResult, fixAll } from "./fixing.ts";
import { type ProbeResult, Prober, probeAll } from "./probe.ts";
import { SESSION_INFO_SQL, type StateReader, timeouts } from "./sql.ts";

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
  if (v.status === "ok" && prev) {
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
 * Sequences in the database (pg_sequence's rows, counted before discovery) beyond which the other connections
 * (`--concurrency`) are opened at once, while the first one reads the catalog: more than one batch, so that a
 * second connection has work. Opening one costs a backend, its authentication and its cold catalog caches, which
 * then overlap discovery instead of delaying verification. Measured with `seq-guard check` on 2 vCPUs (medians of
 * 11 alternating runs): at 1,000 sequences 0.54 s against 0.61 s with the first connection alone; at 100
 * sequences (one batch) a second connection opened all the same cost 20 ms.
 */
export const MORE_CONNECTIONS_AFTER = DEFAULT_PROBE.batchSize;

/**
 * Sequences beyond which `--concurrency` others verify while the first connection reads the catalog, which is long
 * at this size and above (0.35-0.8 s of server CPU at 10,000), and the first connection does not join them after
 * (a third backend verifying on 2 vCPUs measured no faster: 2.6 s against 2.4 s at 10,000). Below it
 * `--concurrency` connections verify in all, the first one from the moment discovery's last rows are read.
 */
export const DISCOVERY_ALONE_AFTER = 1000;

/**
 * The number of sequences in the database (in the schemas given, $1, when any), counted before discovery: whether
 * to open more connections. Only an estimate of the work (exclude globs and skipped sequences are not counted out).
 */
const SEQUENCE_COUNT_SQL = `SELECT count(*)::int AS n FROM pg_catalog.pg_sequence s
  JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE pg_catalog.cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[])`;

/**
 * How many sequences a run is about to verify, as far as the count can tell: 0 with one connection, or when the
 * count fails (discovery then reports whatever is wrong, with the timeouts the catalog reads get).
 */
async function sequencesToVerify(main: pg.Client, opts: EngineOptions): Promise<number> {
  if (opts.concurrency <= 1) return 0;
  try {
    return (await main.query<{ n: number }>(SEQUENCE_COUNT_SQL, [opts.schemas])).rows[0]?.n ?? 0;
  } catch {
    return 0;
  }
}

/** A row of SESSION_INFO_SQL. */
interface SessionInfo {
  db: string;
  v: number;
  reader: StateReader;
  role: string;
}

export interface DatabaseResult {
  database: string;
  serverVersion: number;
  summary: Summary;
  sequences: SequenceReport[];
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
    // Per-sequence reads explain their own failures; what reaches here is the catalog's read, or the connection.
    throw new SeqGuardError(
      `verification stopped: ${explainCatalogError(err, t.statement)}`,
      EXIT.connection,
    );
  } finally {
    watch.close();
    await Promise.all(clients.map(closeClient));
  }
}

async function verifyConnected(
  config: pg.ClientConfig,
  clients: pg.Client[],
  opts: EngineOptions,
  watch: ConnectionWatch,
): Promise<DatabaseResult> {
  const main = clients[0] as pg.Client;
  const reports = new Map<number, SequenceReport>();
  const excluded = await exclusionFilter(opts);
  const verdictOpts = { headroomThreshold: opts.headroomThreshold };
  let behindSeen = 0;
  let fixedDone = 0;
  // The database, the server's version, how to read positions and the role's name come in discovery's first
  // round trip (SESSION_INFO_SQL as its head query), before any sequence.
  let session: SessionInfo | undefined;
  let prober: Prober<DiscoveredSequence> | undefined;
  const proberFor = (info: SessionInfo): Prober<DiscoveredSequence> => {
    const probeOpts: ProbeOptions = {
      ...DEFAULT_PROBE,
      concurrency: opts.concurrency,
      statementTimeoutMs: opts.statementTimeoutMs,
      lockTimeoutMs: opts.lockTimeoutMs,
      role: info.role,
      onProgress: (d, t) => opts.onProgress?.("verify", d, t),
    };
    // Each sequence is judged as soon as its batch is read; only its report stays. In fix mode the connection
    // that read a batch then fixes that batch's behind sequences and reads them again, so nothing accumulates.
    const fixOpts = { ...probeOpts, onProgress: undefined };
    const reader = info.reader;
    return new Prober<DiscoveredSequence>(
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
            const behind = batch.filter((s) => reports.get(s.oid)?.status === "behind");
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
  };

  // The other connections are opened at once when the database holds more than MORE_CONNECTIONS_AFTER sequences,
  // so that they are ready when discovery hands the first sequences over. Up to DISCOVERY_ALONE_AFTER the first
  // connection verifies too, from the moment discovery's last rows are read; above it discovery keeps it, while
  // `--concurrency` others verify the sequences it hands over and discovery is held back while enough work waits
  // (memory stays flat at any size). Fix mode opens others only above DISCOVERY_ALONE_AFTER, as before: each
  // connection fixes its own batches, and two whose batches share a table would wait on each other's lock.
  const count = await sequencesToVerify(main, opts);
  let extra: Promise<void> | null = null;
  const waiting: pg.Client[] = [];
  const openExtra = (n: number) => {
    extra ??= openClients(config, n, watch).then(
      (more) => {
        clients.push(...more);
        for (const c of more) {
          if (prober) prober.addWorker(c);
          else waiting.push(c);
        }
      },
      // The server may refuse more connections (max_connections): the first one does the work alone.
      () => undefined,
    );
  };
  const discoveryAlone = count > DISCOVERY_ALONE_AFTER;
  if (discoveryAlone) openExtra(opts.concurrency);
  else if (count > MORE_CONNECTIONS_AFTER && opts.mode !== "fix") openExtra(opts.concurrency - 1);
  let handed = 0;
  let mainWorking = false;
  const discovering = discover(main, {
    statementTimeoutMs: opts.statementTimeoutMs,
    // The other connections start on a first chunk of one batch, which comes sooner than a whole one.
    ...(extra !== null ? { firstChunk: DEFAULT_PROBE.batchSize } : {}),
    head: {
      sql: SESSION_INFO_SQL,
      onRows: (rows) => {
        session = rows[0] as SessionInfo;
        prober = proberFor(session);
        for (const c of waiting.splice(0)) prober.addWorker(c);
      },
    },
    // Discovery's last chunk is read and its COMMIT sent: unless discovery keeps the first connection to itself,
    // it starts on the first batch while discovery turns the rest of the chunk into sequences.
    onCommit: (lastRows) => {
      if (!prober || discoveryAlone || handed + lastRows > DISCOVERY_ALONE_AFTER) return;
      prober.addWorker(main);
      mainWorking = true;
    },
    onChunk: async (seqs) => {
      if (!prober) throw new Error("discovery handed over sequences before the session's facts");
      const mine: DiscoveredSequence[] = [];
      for (const seq of seqs) {
        const skip = excluded(seq.schema, seq.relname) ? "excluded" : skipReasonOf(seq);
        if (skip) reports.set(seq.oid, verdictReport(seq, null, skipped(seq, skip)));
        else mine.push(seq);
      }
      prober.add(mine);
      handed += mine.length;
      // Past DISCOVERY_ALONE_AFTER discovery waits while enough batches wait (memory stays flat); the others are
      // opened here if the count said fewer (sequences created since).
      if (opts.concurrency > 1 && handed > DISCOVERY_ALONE_AFTER) {
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
    await prober?.finish();
    throw err;
  });
  if (!session || !prober) throw new Error("discovery read no session facts");
  const { db: database, v: serverVersion } = session;
  // The connections still opening join (or fail to) before the work is declared done.
  await extra;
  if (!mainWorking && prober.workerCount < Math.max(1, opts.concurrency)) prober.addWorker(main);
  await prober.finish();

  const sequences = [...reports.values()].sort(byImportance);
  reports.clear();
  return { database, serverVersion, summary: summarize(sequences), sequences };
}
