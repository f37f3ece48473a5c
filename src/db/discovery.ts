// Discovery: one pass over the catalog finds every sequence and every column it feeds, through the three links
// PostgreSQL records in pg_depend: OWNED BY (deptype 'a'), identity (deptype 'i'), and a column DEFAULT that
// calls nextval() (the pg_attrdef row depends on the sequence, deptype 'n'); and through two that it does not
// record, found beforehand where they exist (see extraLinks()): a DEFAULT that names the sequence as text,
// nextval('users_seq'::text), and a BEFORE INSERT row trigger whose PL/pgSQL function assigns
// NEW.id := nextval('users_seq').
//
// A default feeds the column the sequence's own values only when it is nextval() itself, at most wrapped in type
// coercions (a serial int column's default is int4(nextval(...))). A default that computes with it
// (nextval(...) * 1024 + 7, an offset, a negation) puts other values in the column: comparing those with the
// sequence would call it behind when it is fine, and a fix would then push it on without end. Such links are kept
// as kind "expression" and never judged.
//
// The SQL is in ./catalog-sql.ts; this file runs it in one snapshot and makes its rows SequenceInfo records. It is
// also the one place a QuotedIdent is made: every name the probing and fixing SQL holds comes from here, as the
// server quoted it.

import type pg from "pg";
import { interner } from "../core/intern.ts";
import type { ColumnLink, QuotedIdent, SequenceInfo } from "../core/types.ts";
import { INT_RANGES } from "../core/verdict.ts";
import {
  catalogBeginSql,
  catalogCursor,
  EXTRA_CANDIDATES_SQL,
  EXTRA_LINKS_SQL,
  type ExtraLink,
  INHERITS_SQL,
  LINK_CODES,
  type ResolvedLink,
  readLink,
  readResolvedLink,
  readSequenceRow,
  readTrigger,
  type SequenceRow,
  sequencesSql,
  TRIGGER_CODE,
  TRIGGER_LINKS_SQL,
} from "./catalog-sql.ts";
import { findTriggerFeeds } from "./plpgsql-scan.ts";

/**
 * A name the server quoted (quote_ident(), format('%I.%I')), read from the catalog. Not exported: nothing but
 * discovery's rows can become a QuotedIdent.
 */
function serverQuoted(text: string): QuotedIdent {
  return text as QuotedIdent;
}

interface ExtraLinks {
  /** Per sequence OID: each link to add to the catalog pass; null when there are none. */
  bySeq: Record<string, ExtraLink[]> | null;
  /** Per `seq/table oid/column`: how an unqualified name was resolved, for the report. */
  notes: Map<string, string>;
}

/** The links no dependency records: text defaults and trigger assignments, resolved to sequences. */
async function extraLinks(client: pg.ClientBase): Promise<ExtraLinks> {
  const { rows } = await client.query<{
    default_path: string | null;
    defaults: unknown[][] | null;
    triggers: unknown[][] | null;
  }>(EXTRA_LINKS_SQL);
  const head = rows[0];
  const resolved: ResolvedLink[] = (head?.defaults ?? []).map(readResolvedLink);
  // Trigger assignments whose function sets its own search_path: resolved on it, whatever the session's.
  const ownPath = new Set<string>();
  if (head?.triggers) {
    // One scan per function, however many tables its triggers sit on.
    const feeds = new Map<number, ReturnType<typeof findTriggerFeeds>>();
    const cands: { tbl: number; col: string; name: string; path: string | null }[] = [];
    const seen = new Set<string>();
    for (const { tbl, fn, source, path } of head.triggers.map(readTrigger)) {
      let f = feeds.get(fn);
      if (!f) {
        f = findTriggerFeeds(source);
        feeds.set(fn, f);
      }
      for (const feed of f) {
        const key = JSON.stringify([tbl, feed.column, feed.sequence, path]);
        if (seen.has(key)) continue;
        seen.add(key);
        cands.push({ tbl, col: feed.column, name: feed.sequence, path });
        if (path !== null) ownPath.add(JSON.stringify([tbl, feed.column, feed.sequence]));
      }
    }
    if (cands.length > 0) {
      const res = await client.query<{ r: unknown[] }>({
        text: TRIGGER_LINKS_SQL,
        values: [JSON.stringify(cands)],
      });
      for (const row of res.rows) resolved.push(readResolvedLink(row.r));
    }
  }
  if (resolved.length === 0) return { bySeq: null, notes: new Map() };
  const bySeq: Record<string, ExtraLink[]> = {};
  const notes = new Map<string, string>();
  const path = head?.default_path ?? "";
  for (const { seq, tbl, attnum, code, name, qualified, column } of resolved) {
    const list = bySeq[String(seq)] ?? [];
    // Numbers only: they are written into the catalog query's text (sequencesSql).
    list.push({ tbl: Number(tbl), attnum: Number(attnum), code: Number(code) });
    bySeq[String(seq)] = list;
    if (qualified || (code === TRIGGER_CODE && ownPath.has(JSON.stringify([tbl, column, name])))) continue;
    const what =
      code === TRIGGER_CODE
        ? `the trigger function's nextval('${name}') names no schema and the function sets no search_path`
        : `nextval('${name}'::text) names no schema`;
    notes.set(
      `${seq}/${tbl}/${column}`,
      `${what}: resolved on the database's search_path (${path}); a session with another search_path draws from the first ${name} on its own`,
    );
  }
  return { bySeq, notes };
}

// Integer types by OID: int2, int4, int8 (a domain over one of them counts as it).
const INT_TYPE_BY_OID: Record<number, string> = { 21: "smallint", 23: "integer", 20: "bigint" };

/** A sequence as discovery finds it: what the catalog says, and whether the role may fix it (UPDATE). */
export interface DiscoveredSequence extends SequenceInfo {
  canUpdate: boolean;
}

export interface DiscoverOptions {
  /** Rows per round trip of the cursor. */
  chunk?: number;
  /**
   * The run's statement timeout (0: none), which the catalog reads get at least CATALOG_TIMEOUT_FLOOR_MS of; without
   * it they keep the session's.
   */
  statementTimeoutMs?: number;
  /**
   * Rows of the first round trip, when fewer than `chunk`: a first chunk that comes sooner, for connections that
   * wait to verify it while the rest is read.
   */
  firstChunk?: number;
  /**
   * Called with each chunk of sequences as it is read, before discover() returns; the next chunk is asked for
   * before this one is handed over, and handed over only once the promise returned settles (so the caller can hold
   * discovery back, with at most two chunks alive). When given, discover() keeps nothing itself and returns an
   * empty list, so that a caller that hands sequences on holds no second copy.
   */
  onChunk?: (seqs: DiscoveredSequence[]) => void | Promise<void>;
  /**
   * A query of the caller's, sent in discovery's first round trip (inside its transaction: search_path is
   * pg_catalog alone), whose rows are handed to `onRows` before the first chunk: one round trip fewer.
   */
  head?: { sql: string; onRows: (rows: unknown[]) => void };
  /**
   * Called once the last chunk is read, with its number of rows, before any of them is handed over: COMMIT is
   * sent then, and the connection takes the caller's queries (they run after it) while discovery still turns the
   * rows into sequences, in slices of SLICE with a turn of the event loop between them, so that the server can
   * verify the first slice while the client reads the rest.
   */
  onCommit?: (lastRows: number) => void;
}

/** Rows per hand-over once the connection is free (onCommit): a batch's worth. */
const SLICE = 250;

/**
 * Find every sequence of the database and the columns it feeds. Children already covered by a parent are
 * dropped. The catalog is read in one snapshot, through a cursor in chunks: at 100,000 sequences a whole result
 * set (and the rows node-postgres builds from it) would cost far more memory than the few fields kept of each
 * row.
 *
 * Round trips: the first sends the transaction's start, the caller's head query, the inheritance pairs, whether
 * any link beyond pg_depend's may exist, the cursor and its first chunk; a chunk shorter than asked is the last;
 * COMMIT closes the cursor. Only when text defaults or trigger assignments exist is the cursor declared again,
 * with their links resolved (same snapshot). On a fresh backend this took discovery at 100 sequences from about
 * 78 to 44 ms of server CPU (connection included), and from 7 round trips to 2.
 */
export async function discover(
  client: pg.ClientBase,
  opts: DiscoverOptions = {},
): Promise<DiscoveredSequence[]> {
  const state = { committing: null as Promise<unknown> | null };
  try {
    const result = await discoverInTransaction(client, opts, state);
    await (state.committing ?? client.query("COMMIT"));
    return result;
  } catch (err) {
    // Once COMMIT is sent the connection is the caller's: a ROLLBACK now could land between its transactions.
    if (state.committing) await state.committing.catch(() => undefined);
    else await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

type Results = pg.QueryResult<Record<string, unknown>>[];

async function discoverInTransaction(
  client: pg.ClientBase,
  opts: DiscoverOptions,
  state: { committing: Promise<unknown> | null },
): Promise<DiscoveredSequence[]> {
  const chunk = opts.chunk ?? 2000;
  let asked = Math.min(chunk, opts.firstChunk ?? chunk);
  const first = [
    ...(opts.head ? [opts.head.sql] : []),
    INHERITS_SQL,
    EXTRA_CANDIDATES_SQL,
    catalogCursor.declare(sequencesSql(null)),
    catalogCursor.fetch(asked),
  ];
  // Several statements in one query string: one result each, the transaction's start first.
  const all = (await client.query(
    [catalogBeginSql(opts.statementTimeoutMs), ...first].join(";\n"),
  )) as unknown as Results;
  const res = all.slice(all.length - first.length);
  if (opts.head) opts.head.onRows((res.shift() as Results[number]).rows);
  const [inherits, candidates, , fetched] = res as [
    Results[number],
    Results[number],
    unknown,
    Results[number],
  ];

  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  const childIndexes = new Map<string, number>();
  for (const r of inherits.rows as { child: string; parent: string; indexes: number }[]) {
    const p = parents.get(r.child) ?? [];
    p.push(r.parent);
    parents.set(r.child, p);
    const c = children.get(r.parent) ?? [];
    c.push(r.child);
    children.set(r.parent, c);
    childIndexes.set(r.child, r.indexes);
  }
  // Relations a scan of the table locks: itself, its indexes, and every descendant with its indexes.
  const lockCount = (tbl: string, indexes: number): number => {
    let n = 1 + indexes;
    if (children.size === 0) return n;
    for (const c of reachable(tbl, children)) n += 1 + (childIndexes.get(c) ?? 0);
    return n;
  };

  // Each row is one JSON array in its column `r` (sequencesSql), read into a SequenceRow as it is converted.
  type Row = { r: unknown[] };
  let rows = fetched.rows as unknown as Row[];
  let notes = new Map<string, string>();
  const cand = candidates.rows[0] as { defaults: boolean; triggers: boolean };
  if (cand.defaults || cand.triggers) {
    // Links no dependency records: resolve them, and read the catalog again with them, in the same snapshot.
    const extra = await extraLinks(client);
    notes = extra.notes;
    if (extra.bySeq !== null) {
      await client.query(catalogCursor.close);
      const again = (await client.query(
        [catalogCursor.declare(sequencesSql(extra.bySeq)), catalogCursor.fetch(asked)].join(";\n"),
      )) as unknown as Results;
      rows = (again[1] as Results[number]).rows as unknown as Row[];
    }
  }

  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const out: DiscoveredSequence[] = [];
  for (;;) {
    const last = rows.length < asked;
    // The next chunk is asked for before this one is turned into sequences: the server reads it meanwhile.
    asked = chunk;
    const next = last ? null : client.query<Row>(catalogCursor.fetch(chunk));
    // Awaited below; a failure in the meantime is not an unhandled rejection.
    next?.catch(() => undefined);
    let slice = rows.length;
    if (last && opts.onCommit) {
      state.committing = client.query("COMMIT");
      // Awaited by discover(); a failure in the meantime is not an unhandled rejection.
      state.committing.catch(() => undefined);
      opts.onCommit(rows.length);
      slice = SLICE;
    }
    for (let at = 0; at < rows.length; at += slice) {
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      const seqs = rows.slice(at, at + slice).map((r) => sequenceOf(readSequenceRow(r.r), lockCount, notes));
      for (const seq of seqs) {
        // A child whose ancestor feeds from the same sequence through the same column is covered by max() over
        // the ancestor (no ONLY): drop it rather than scan it twice.
        if (parents.size > 0 && seq.links.length > 1)
          seq.links = seq.links.filter((l) => !ancestorLinked(l, seq.links, parents));
        if (seq.links.length > 1) seq.links.sort((x, y) => cmp(x.table, y.table) || cmp(x.column, y.column));
      }
      if (opts.onChunk) await opts.onChunk(seqs);
      else out.push(...seqs);
    }
    if (next === null) break;
    rows = (await next).rows;
  }
  return out;
}

// Type and column names, and the numbers of a sequence's definition (start 1, increment 1, the type bounds, cache
// 1), repeat across thousands of rows: one copy of each.
const shared = interner((v: string) => v);
const int8 = interner((v: string) => BigInt(v));

function sequenceOf(
  r: SequenceRow,
  lockCount: (tbl: string, indexes: number) => number,
  notes: Map<string, string>,
): DiscoveredSequence {
  const links: ColumnLink[] = (r.links ?? []).map((row) => {
    const l = readLink(row);
    const intType = INT_TYPE_BY_OID[l.baseType];
    const range = intType ? INT_RANGES[intType] : undefined;
    const { kind, via } = LINK_CODES[l.code] as (typeof LINK_CODES)[number];
    const note =
      notes.size > 0 && (via === "default_text" || via === "trigger")
        ? notes.get(`${r.oid}/${l.tableOid}/${l.column}`)
        : undefined;
    return {
      tableOid: l.tableOid,
      table: serverQuoted(l.table),
      columnIdent: serverQuoted(shared(l.columnIdent)),
      column: shared(l.column),
      type: shared(l.type),
      typeMin: range ? range.min : null,
      typeMax: range ? range.max : null,
      kind,
      via,
      ...(note === undefined ? {} : { note }),
      readable: l.readable,
      schemaIdent: serverQuoted(shared(l.schemaIdent)),
      schemaUsable: l.schemaUsable,
      ...(l.rowSecurity === 1
        ? { rowSecurity: "enabled" as const }
        : l.rowSecurity === 2
          ? { rowSecurity: "forced" as const }
          : {}),
      lockCount: lockCount(String(l.tableOid), l.indexes),
    };
  });
  return {
    oid: Number(r.oid),
    name: serverQuoted(r.name),
    schema: shared(r.schema),
    relname: r.relname,
    dataType: shared(r.data_type),
    start: int8(r.start),
    increment: int8(r.increment),
    minValue: int8(r.min),
    maxValue: int8(r.max),
    cache: int8(r.cache),
    cycle: r.cycle,
    readable: r.can_read,
    schemaIdent: serverQuoted(shared(r.schema_ident)),
    schemaUsable: r.schema_usage,
    canUpdate: r.can_update,
    links,
  };
}

/** Is one of the link's table's ancestors linked to the same sequence through a column of the same name? */
function ancestorLinked(link: ColumnLink, links: ColumnLink[], parents: Map<string, string[]>): boolean {
  for (const p of reachable(String(link.tableOid), parents))
    if (links.some((l) => String(l.tableOid) === p && l.column === link.column)) return true;
  return false;
}

/** Every relation reachable from `start` along `edges` (its children, or its parents), each once. */
function* reachable(start: string, edges: Map<string, string[]>): Generator<string> {
  const stack = [...(edges.get(start) ?? [])];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    yield next;
    stack.push(...(edges.get(next) ?? []));
  }
}
