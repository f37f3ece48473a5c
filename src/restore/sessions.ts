// The restore's own sessions on the server, as the connecting role: the admin session in a maintenance database
// (postgres, else template1: a database cannot be made or dropped from a session inside it), and short sessions
// of their own for one statement, in the maintenance database or in a scratch database. Each is named seq-guard,
// bounded in its connect, and kept from crashing the process when the server drops it.

import pg from "pg";
import { connectWithRetry } from "../db/clients.ts";
import { type ConnectionTarget, withDatabase } from "../db/connection.ts";

/** A client for one of the restore's own sessions (the query that meets a dropped connection says so). */
export function sessionClient(target: ConnectionTarget): pg.Client {
  const c = new pg.Client({
    ...target.config,
    application_name: "seq-guard",
    connectionTimeoutMillis: 10_000,
  });
  c.on("error", () => undefined);
  return c;
}

/** Run `work` in a session of its own on `target`, which is ended afterwards whatever happens. */
export async function inSession<T>(target: ConnectionTarget, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = sessionClient(target);
  try {
    await c.connect();
    return await work(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Run one statement over a fresh connection to `maintenance`, which works also once the admin session is closed. */
export function onMaintenance<R extends pg.QueryResultRow>(
  maintenance: ConnectionTarget,
  sql: string,
  params?: unknown[],
): Promise<pg.QueryResult<R>> {
  return inSession(maintenance, (c) => c.query<R>(sql, params));
}

/** Run SQL as the connecting role inside database `name`, in a session of its own; the last result's rows. */
export function asAdminIn(
  connection: ConnectionTarget,
  name: string,
  sql: string,
  params?: unknown[],
): Promise<Record<string, unknown>[]> {
  return inSession(withDatabase(connection, name), async (c) => {
    // The restore's session may hold a lock this one would wait for (everything in one transaction, -1).
    await c.query("SET lock_timeout = '5s'");
    const r = await c.query(sql, params);
    return Array.isArray(r) ? ((r.at(-1) as pg.QueryResult | undefined)?.rows ?? []) : r.rows;
  });
}

/** The admin session, where it is, and what the server and the connection's own database are. */
export interface AdminSession {
  admin: pg.Client;
  /** The maintenance database the admin session is in: databases are made and dropped from there. */
  maintenance: ConnectionTarget;
  /** The database the connection settings name (never restored into). */
  connectedDatabase: string;
  serverVersionNum: number;
}

/**
 * Open the admin session: the connection's own database first (it says whether the server is there and lets us
 * in; retried while a just-started server comes up), then the maintenance database when that is another one.
 * `more` runs on the session before it is handed over; when it fails, the session is closed.
 */
export async function openAdmin<T>(
  connection: ConnectionTarget,
  connectTimeoutMs: number,
  more: (admin: pg.Client) => Promise<T>,
): Promise<AdminSession & { more: T }> {
  const first = await connectWithRetry(connection.config, connectTimeoutMs);
  let admin = first;
  try {
    const r = await first.query<{ v: number; db: string }>(
      "SELECT current_setting('server_version_num')::int AS v, current_database() AS db",
    );
    const { v, db } = r.rows[0] as { v: number; db: string };
    let maintenance = connection;
    // A database cannot be dropped from a session inside it: make and drop databases from postgres (else
    // template1, which a long session would block as a template for others, so only as a fallback).
    if (db !== "postgres") {
      for (const m of db === "template1" ? [] : ["postgres", "template1"]) {
        const target = withDatabase(connection, m);
        const c = sessionClient(target);
        try {
          await c.connect();
          admin = c;
          maintenance = target;
          break;
        } catch {
          await c.end().catch(() => undefined);
        }
      }
    }
    if (admin !== first) await first.end().catch(() => undefined);
    return { admin, maintenance, connectedDatabase: db, serverVersionNum: v, more: await more(admin) };
  } catch (err) {
    await admin.end().catch(() => undefined);
    if (admin !== first) await first.end().catch(() => undefined);
    throw err;
  }
}
