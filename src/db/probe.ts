// Probing: read every sequence's position and the extremes of the columns it feeds, fast and within the lock
// table. One statement per sequence reads both; statements travel in batches of one round trip each, each batch
// its own READ ONLY transaction whose relation count is bounded, over a small pool of connections that can start
// on the first sequences discovery hands over while it reads the rest.
//
// Order matters on a live database: the position is read after the extremes' snapshot is taken. Every row that
// snapshot sees was inserted by a transaction that called nextval() before it committed, so a position read
// later already counts it; read the other way round, a concurrent insert would look like a collision.
//
// Identifiers in this SQL are the server's own quote_ident()/format('%I') output from discovery, and numbers are
// bigint values printed by this code: no name or value from outside is pasted in.

import type pg from "pg";
import { DEFAULT_PROBE, type ProbeOptions } from "../core/engine-options.ts";
import type { ColumnExtremes, ColumnLink, SequenceInfo, SequenceState } from "../core/types.ts";
import { integerLinks } from "../core/verdict.ts";

export type ProbeResult = { ok: true; state: SequenceState } | { ok: false; error: string };

function typeName(link: ColumnLink): string {
  if (link.typeMax === 32767n) return "int2";
  if (link.typeMax === 2147483647n) return "int4";
  return "int8";
}

/** The range of a column that can collide with the sequence: the sequence's range cut to the column type's. */
export function collisionRange(seq: SequenceInfo, link: ColumnLink): { lo: bigint; hi: bigint } | null {
  const lo = seq.minValue > (link.typeMin as bigint) ? seq.minValue : (link.typeMin as bigint);
  const hi = seq.maxValue < (link.typeMax as bigint) ? seq.maxValue : (link.typeMax as bigint);
  return lo > hi ? null : { lo, hi };
}

/** The subqueries that read, for each integer column a sequence feeds, the extreme that can collide. */
function extremeColumns(seq: SequenceInfo): string[] {
  const ascending = seq.increment > 0n;
  return integerLinks(seq).map((link, i) => {
    const range = collisionRange(seq, link);
    if (!range) return `NULL::text AS e${i}`;
    const c = link.columnIdent;
    const t = typeName(link);
    let where = "";
    if (ascending && range.hi < (link.typeMax as bigint)) where = ` WHERE ${c} <= '${range.hi}'::${t}`;
    if (!ascending && range.lo > (link.typeMin as bigint)) where = ` WHERE ${c} >= '${range.lo}'::${t}`;
    return `(SELECT ${ascending ? "max" : "min"}(${c}) FROM ${link.table}${where})::text AS e${i}`;
  });
}

/**
 * The one statement that reads a sequence's position and, for each integer column it feeds, the extreme that can
 * collide: max() when the sequence ascends, min() when it descends. With an index on the column that is one index
 * probe. A bound goes into the WHERE clause only where the sequence's range is narrower than the column type's
 * (values past it can never come from this sequence); the other side needs none: an extreme that falls short of
 * the range means no value lies in it, which parseRow turns into null.
 *
 * The position is read from the sequence relation in the same statement, after the snapshot the subqueries use.
 * Fixing uses this form under its locks; see probeStatementFast for the cheaper one verification uses.
 */
export function probeStatement(seq: SequenceInfo): string {
  return `SELECT s.last_value::text AS lv, s.is_called AS ic, ${extremeColumns(seq).join(", ")} FROM ${seq.name} s`;
}

/**
 * How a server lets one statement read a sequence's position without naming the sequence as a relation (which
 * costs the planner about as much as the column's max() does): PostgreSQL 18 has pg_get_sequence_data()
 * (last_value, is_called); every version since 10 has pg_sequence_last_value(), which returns NULL when
 * is_called is false, so for those a second statement reads the sequence itself. (17 has neither: the
 * pg_sequence_read_tuple() of 18's development was renamed before release.)
 */
export type StateReader = "pg_get_sequence_data" | "pg_sequence_last_value";

/** The SQL that finds the best reader on a server: one row, one text column `reader`. */
export const STATE_READER_SQL = `SELECT CASE
  WHEN to_regproc('pg_catalog.pg_get_sequence_data') IS NOT NULL THEN 'pg_get_sequence_data'
  ELSE 'pg_sequence_last_value' END AS reader`;

/**
 * Verification's statement for a group of sequences: one row, with for the sequence at index j its extremes
 * (`a{j}_e{i}`) and then its position read by function (`a{j}_lv`, `a{j}_ic`), after the statement's snapshot.
 * A few sequences per statement save the per-statement and per-result costs on both sides; each subquery is
 * planned on its own, so the planner's work stays linear in the group's size.
 */
export function probeStatementFast(seqs: SequenceInfo[], reader: StateReader): string {
  const cols: string[] = [];
  const from: string[] = [];
  seqs.forEach((seq, j) => {
    for (const c of extremeColumns(seq)) cols.push(c.replace(/ AS (e\d+)$/, ` AS a${j}_$1`));
    if (reader === "pg_sequence_last_value") {
      cols.push(`pg_catalog.pg_sequence_last_value(${seq.oid}::oid)::text AS a${j}_lv`);
    } else {
      cols.push(`d${j}.last_value::text AS a${j}_lv`, `d${j}.is_called AS a${j}_ic`);
      from.push(`pg_catalog.${reader}(${seq.oid}::oid) d${j}`);
    }
  });
  return `SELECT ${cols.join(", ")}${from.length > 0 ? ` FROM ${from.join(", ")}` : ""}`;
}

/**
 * The statement that reads the positions of a group of sequences from the relations themselves: one row, one
 * text column `a{j}` per sequence holding "last_value is_called" (a scalar subquery each, so no join to plan).
 */
export function stateStatement(seqs: SequenceInfo[]): string {
  return `SELECT ${seqs.map((seq, j) => `(SELECT last_value::text || ' ' || is_called::text FROM ${seq.name}) AS a${j}`).join(", ")}`;
}

interface ProbeRow {
  lv: string | null;
  ic?: boolean | null;
  [k: string]: string | boolean | null | undefined;
}

function parseExtremes(seq: SequenceInfo, field: (i: number) => unknown): ColumnExtremes[] {
  const ascending = seq.increment > 0n;
  return integerLinks(seq).map((link, i) => {
    const raw = field(i);
    const range = collisionRange(seq, link);
    let v = typeof raw === "string" ? BigInt(raw) : null;
    // The extreme fell short of the range: no value of the column lies inside it.
    if (v !== null && range && (v < range.lo || v > range.hi)) v = null;
    return ascending ? { min: null, max: v } : { min: v, max: null };
  });
}

function parseRow(seq: SequenceInfo, row: ProbeRow): SequenceState {
  return {
    lastValue: BigInt(row.lv as string),
    isCalled: row.ic === true,
    columns: parseExtremes(seq, (i) => row[`e${i}`]),
  };
}

/**
 * A reason a role cannot read what probing needs, or null. Checked from the catalog, before any query; `role` is
 * the role's name as the server quotes it, for the GRANT that helps.
 */
export function privilegeProblem(seq: SequenceInfo, role = "<role>"): string | null {
  const noSchema = (schema: string, what: string) =>
    `permission denied: the role cannot use schema ${schema}, which holds ${what}; grant it USAGE (GRANT USAGE ON SCHEMA ${schema} TO ${role})`;
  if (seq.schemaUsable === false) return noSchema(seq.schemaIdent ?? seq.schema, `sequence ${seq.name}`);
  if (!seq.readable) {
    return `permission denied: the role cannot read the position of sequence ${seq.name}; grant it SELECT (GRANT SELECT ON SEQUENCE ${seq.name} TO ${role})`;
  }
  for (const col of integerLinks(seq)) {
    if (col.schemaUsable === false) return noSchema(col.schemaIdent ?? "?", `table ${col.table}`);
    if (!col.readable) {
      return `permission denied: the role cannot read column ${col.columnIdent} of table ${col.table}; grant it SELECT (GRANT SELECT ON ${col.table} TO ${role})`;
    }
    if (col.rowSecurity) {
      return col.rowSecurity === "forced"
        ? `row-level security hides rows of table ${col.table} from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: run seq-guard as a role with BYPASSRLS (ALTER ROLE ${role} BYPASSRLS)`
        : `row-level security hides rows of table ${col.table} from this role, so its largest value cannot be read: run seq-guard as the table's owner or a role with BYPASSRLS (ALTER ROLE ${role} BYPASSRLS)`;
    }
  }
  return null;
}

/** Relations a sequence's statement locks: the sequence, and each linked table with its indexes and children. */
export function lockCost(seq: SequenceInfo): number {
  return 1 + integerLinks(seq).reduce((n, l) => n + l.lockCount, 0);
}

/** Split sequences into batches: at most batchSize statements and lockBudget relations per transaction. */
export function planBatches<T extends SequenceInfo>(
  seqs: T[],
  opts: Pick<ProbeOptions, "lockBudget" | "batchSize">,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let locks = 0;
  for (const seq of seqs) {
    const cost = lockCost(seq);
    if (current.length > 0 && (current.length >= opts.batchSize || locks + cost > opts.lockBudget)) {
      batches.push(current);
      current = [];
      locks = 0;
    }
    current.push(seq);
    locks += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Explain a failed probe statement in words a user can act on. */
export function explainError(seq: SequenceInfo, err: unknown, statementTimeoutMs: number): string {
  const e = err as { code?: string; message?: string };
  if (e.code === "57014") {
    const cols = integerLinks(seq)
      .map((l) => `${l.table}(${l.columnIdent})`)
      .join(", ");
    return `timed out after ${statementTimeoutMs} ms reading ${cols}: a column without an index makes max() scan the whole table; add an index on it or raise --statement-timeout`;
  }
  if (e.code === "42501" && /row-level security/.test(e.message ?? "")) {
    return `row-level security hides rows from this role (${e.message}), so the largest value cannot be read: run seq-guard as the table's owner or a role with BYPASSRLS`;
  }
  if (e.code === "42501") return `permission denied: ${e.message ?? "insufficient privilege"}`;
  if (e.code === "55P03") {
    const tables = [...new Set(integerLinks(seq).map((l) => l.table))].join(", ");
    return `could not read ${tables}: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise --lock-timeout`;
  }
  return `could not read ${seq.name}: ${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
}

/**
 * Run one batch's statements in one round trip, after `prefix` (statements that return no rows of interest, such
 * as BEGIN and SET LOCAL) and before `suffix` (such as COMMIT). Returns the states in order; when any statement
 * fails the server skips the rest and the error is thrown (the caller rolls back).
 */
export async function readBatch(
  client: pg.ClientBase,
  seqs: SequenceInfo[],
  prefix: string[] = [],
  suffix: string[] = [],
): Promise<SequenceState[]> {
  const sql = [...prefix, ...seqs.map(probeStatement), ...suffix].join(";\n");
  if (sql === "") return [];
  const res = (await client.query(sql)) as unknown as pg.QueryResult<ProbeRow> | pg.QueryResult<ProbeRow>[];
  const results = Array.isArray(res) ? res : [res];
  return seqs.map((seq, i) =>
    parseRow(seq, (results[prefix.length + i] as pg.QueryResult<ProbeRow>).rows[0] as ProbeRow),
  );
}

/**
 * Settings every reading or fixing transaction starts with: names in the statements are schema-qualified, so
 * search_path holds pg_catalog alone (a function or operator named like max() in another schema is never
 * picked); row_security off makes a table whose policies would hide rows fail loudly instead of reading only the
 * visible ones (discovery already reports the tables it knows to be hidden).
 */
export function sessionSettings(statementTimeoutMs: number, lockTimeoutMs: number): string[] {
  const t = timeouts(statementTimeoutMs, lockTimeoutMs);
  return [
    "SET LOCAL search_path = pg_catalog",
    "SET LOCAL row_security = off",
    `SET LOCAL statement_timeout = ${t.statement}`,
    `SET LOCAL lock_timeout = ${t.lock}`,
  ];
}

/**
 * The two timeouts as the server gets them, in whole milliseconds (0: none). A lock wait must end before the
 * statement timeout does, so that a table held by a migration is reported as busy (lock_timeout), not as a slow
 * scan that wants an index (statement_timeout).
 */
export function timeouts(
  statementTimeoutMs: number,
  lockTimeoutMs: number,
): { statement: number; lock: number } {
  const statement = Math.max(0, Math.trunc(statementTimeoutMs));
  let lock = Math.max(0, Math.trunc(lockTimeoutMs));
  if (statement > 0 && (lock === 0 || lock >= statement)) lock = Math.max(1, Math.floor(statement * 0.9));
  return { statement, lock };
}

function beginReadOnly(timeoutMs: number, lockTimeoutMs: number): string[] {
  return ["BEGIN READ ONLY", ...sessionSettings(timeoutMs, lockTimeoutMs)];
}

/**
 * Sequences per verification statement. Measured on 10,000 sequences (PostgreSQL 15, 2 cores): 10 to 25 per
 * statement cost the server and the client about a quarter less CPU than one per statement; 50 no less again.
 */
const GROUP = 16;

/**
 * Verification's read of one batch: one round trip of READ ONLY statements that read the extremes and then the
 * positions by function; where the function cannot tell (pg_sequence_last_value() says NULL for is_called =
 * false), a second round trip reads those sequences themselves, still after the extremes' snapshots.
 */
export async function readBatchFast(
  client: pg.ClientBase,
  seqs: SequenceInfo[],
  reader: StateReader,
  timeouts: Pick<ProbeOptions, "statementTimeoutMs" | "lockTimeoutMs">,
  perStatement = GROUP,
): Promise<SequenceState[]> {
  const begin = beginReadOnly(timeouts.statementTimeoutMs, timeouts.lockTimeoutMs);
  const groups: SequenceInfo[][] = [];
  for (let i = 0; i < seqs.length; i += perStatement) groups.push(seqs.slice(i, i + perStatement));
  const sql = [...begin, ...groups.map((g) => probeStatementFast(g, reader)), "COMMIT"].join(";\n");
  // Rows as arrays: the columns come in the order probeStatementFast writes them, and no object is built per row.
  type Row = (string | boolean | null)[];
  const res = (await client.query({ text: sql, rowMode: "array" })) as unknown as pg.QueryResult<Row>[];
  const unknown: number[] = [];
  const states: SequenceState[] = [];
  const withIc = reader !== "pg_sequence_last_value";
  groups.forEach((group, g) => {
    const row = (res[begin.length + g] as pg.QueryResult<Row>).rows[0] as Row;
    let at = 0;
    for (const seq of group) {
      const n = integerLinks(seq).length;
      const base = at;
      const lv = row[base + n] as string | null;
      const isCalled = withIc ? row[base + n + 1] === true : lv !== null;
      at += n + (withIc ? 2 : 1);
      if (lv === null) unknown.push(states.length);
      const columns = parseExtremes(seq, (k) => row[base + k]);
      states.push({ lastValue: lv === null ? 0n : BigInt(lv), isCalled, columns });
    }
  });
  if (unknown.length > 0) {
    const ugroups: number[][] = [];
    for (let i = 0; i < unknown.length; i += perStatement) ugroups.push(unknown.slice(i, i + perStatement));
    const again = [
      ...begin,
      ...ugroups.map((g) => stateStatement(g.map((i) => seqs[i] as SequenceInfo))),
      "COMMIT",
    ].join(";\n");
    const res2 = (await client.query({ text: again, rowMode: "array" })) as unknown as pg.QueryResult<
      string[]
    >[];
    ugroups.forEach((g, k) => {
      const row = (res2[begin.length + k] as pg.QueryResult<string[]>).rows[0] as string[];
      g.forEach((i, j) => {
        const [lv, ic] = (row[j] as string).split(" ");
        const state = states[i] as SequenceState;
        state.lastValue = BigInt(lv as string);
        state.isCalled = ic === "true";
      });
    });
  }
  return states;
}

/** Probe one batch; if it fails, probe each sequence alone to find the one at fault. */
async function probeBatch(
  client: pg.ClientBase,
  batch: SequenceInfo[],
  opts: ProbeOptions,
  reader: StateReader,
  out: Map<number, ProbeResult>,
): Promise<void> {
  try {
    const states = await readBatchFast(client, batch, reader, opts);
    batch.forEach((seq, i) => {
      out.set(seq.oid, { ok: true, state: states[i] as SequenceState });
    });
    return;
  } catch {
    await client.query("ROLLBACK").catch(() => undefined);
  }
  for (const seq of batch) {
    try {
      const [state] = await readBatchFast(client, [seq], reader, opts);
      out.set(seq.oid, { ok: true, state: state as SequenceState });
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      out.set(seq.oid, { ok: false, error: explainError(seq, err, opts.statementTimeoutMs) });
    }
  }
}

/** Run work items over a fixed set of workers, each taking the next item when free. */
export async function runPool<T>(
  items: T[],
  workers: number,
  work: (item: T, worker: number) => Promise<void>,
) {
  let next = 0;
  const run = async (w: number) => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item, w);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, (_, w) => run(w)));
}

/**
 * Probing as a queue: sequences are added as discovery finds them, and connections join as they open; each takes
 * the next batch when free. finish() says no more sequences come and waits for every batch to be read.
 */
export class Prober {
  readonly results = new Map<number, ProbeResult>();
  private readonly queue: SequenceInfo[][] = [];
  private readonly workers: Promise<void>[] = [];
  private wake: (() => void) | null = null;
  private roomWaiters: (() => void)[] = [];
  private closed = false;
  private added = 0;
  private done = 0;

  /**
   * With `onResult`, each result is handed over as soon as its batch is read and not kept in `results`: at
   * 100,000 sequences the states would otherwise all be alive at once.
   */
  constructor(
    private readonly opts: ProbeOptions,
    private readonly reader: StateReader,
    private readonly onResult?: (seq: SequenceInfo, result: ProbeResult) => void,
    /**
     * Work to do on the same connection once a batch is read and its results handed over (fix mode fixes the
     * batch's behind sequences here), before the connection takes the next batch.
     */
    private readonly afterBatch?: (client: pg.ClientBase, batch: SequenceInfo[]) => Promise<void>,
  ) {}

  private put(seq: SequenceInfo, result: ProbeResult) {
    if (this.onResult) this.onResult(seq, result);
    else this.results.set(seq.oid, result);
  }

  /** Batches waiting for a connection. */
  get pending(): number {
    return this.queue.length;
  }

  /** Sequences handed over so far (not counting those refused from the catalog). */
  get total(): number {
    return this.added;
  }

  add(seqs: SequenceInfo[]): void {
    const readable: SequenceInfo[] = [];
    for (const seq of seqs) {
      const problem = privilegeProblem(seq, this.opts.role);
      if (problem) this.put(seq, { ok: false, error: problem });
      else readable.push(seq);
    }
    this.added += readable.length;
    this.queue.push(...planBatches(readable, this.opts));
    this.notify();
  }

  addWorker(client: pg.ClientBase): void {
    this.workers.push(this.work(client));
  }

  /** Connections working the queue. */
  get workerCount(): number {
    return this.workers.length;
  }

  /**
   * Resolves once at most `batches` batches wait: a producer that waits here before adding more keeps the queue,
   * and so memory, bounded whatever the size of the database.
   */
  async room(batches: number): Promise<void> {
    while (this.queue.length > batches && this.workers.length > 0) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  async finish(): Promise<Map<number, ProbeResult>> {
    this.closed = true;
    this.notify();
    await Promise.all(this.workers);
    return this.results;
  }

  private notify() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async work(client: pg.ClientBase): Promise<void> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch) {
        const out = new Map<number, ProbeResult>();
        await probeBatch(client, batch, this.opts, this.reader, out);
        for (const seq of batch) this.put(seq, out.get(seq.oid) as ProbeResult);
        if (this.afterBatch) await this.afterBatch(client, batch);
        const waiters = this.roomWaiters;
        this.roomWaiters = [];
        for (const w of waiters) w();
        this.done += batch.length;
        this.opts.onProgress?.(this.done, this.added);
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        const prev = this.wake;
        this.wake = () => {
          prev?.();
          resolve();
        };
      });
    }
  }
}

/** The best way this server offers to read sequence positions by function. */
export async function stateReader(client: pg.ClientBase): Promise<StateReader> {
  const { rows } = await client.query<{ reader: StateReader }>(STATE_READER_SQL);
  return (rows[0] as { reader: StateReader }).reader;
}

/**
 * Probe every sequence given. `clients` are open connections (one per worker). Sequences the role cannot read get
 * an error result without a query.
 */
export async function probeAll(
  clients: pg.ClientBase[],
  seqs: SequenceInfo[],
  opts: ProbeOptions,
  reader?: StateReader,
): Promise<Map<number, ProbeResult>> {
  const prober = new Prober(opts, reader ?? (await stateReader(clients[0] as pg.ClientBase)));
  prober.add(seqs);
  for (const c of clients.slice(0, Math.max(1, Math.min(clients.length, prober.pending))))
    prober.addWorker(c);
  return await prober.finish();
}
