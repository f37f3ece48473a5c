// The scratch database's life on the server: its name (from the dump's file name, free on the server), the
// checks on a restore-database the user names, CREATE DATABASE from template0 in the dump's encoding (with the
// fallbacks a server may need), and DROP DATABASE with the sessions still in it. Made and dropped over the admin
// session or a fresh one to the maintenance database (sessions.ts), never from inside the database itself.

import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import type pg from "pg";
import { RestoreError, UsageError } from "../core/errors.ts";
import { SQLSTATE, sqlStateOf } from "../core/sqlstate.ts";
import { say } from "../core/words.ts";
import { type ConnectionTarget, withDatabase } from "../db/connection.ts";
import { inSession } from "./sessions.ts";

/** Database name for a dump: seq_guard_ and the file name without its dump extensions, in [a-z0-9_]. */
export function scratchName(path: string): string {
  const base = basename(path.replace(/[\\/]+$/, "")).replace(
    /(\.(sql|gz|dump|backup|bak|pgdump|tar|dir|custom|dmp|pgsql|psql))+$/i,
    "",
  );
  const slug =
    base
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 40)
      .replace(/_+$/, "") || "dump";
  return `seq_guard_${slug}`;
}

/** Is there a database of this name on the server? */
export async function databaseExists(admin: pg.Client, name: string): Promise<boolean> {
  const r = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return (r.rowCount ?? 0) > 0;
}

/** A database name for a dump that does not exist yet on the server. */
export async function freeName(admin: pg.Client, path: string): Promise<string> {
  const base = scratchName(path);
  for (let i = 1; i < 1000; i++) {
    const name = i === 1 ? base : `${base}_${i}`;
    if (!(await databaseExists(admin, name))) return name;
  }
  return `${base}_${randomBytes(4).toString("hex")}`;
}

/**
 * Check the restore-database before anything is restored: not the database seq-guard connects to, no template,
 * and it must not exist, or be empty, unless clean drops it.
 */
export async function checkNamedDatabase(
  admin: pg.Client,
  connection: ConnectionTarget,
  named: { name: string; clean: boolean; connectedDatabase: string },
): Promise<void> {
  const { name, clean, connectedDatabase } = named;
  const option = say.option("restore-database");
  if (Buffer.byteLength(name) > 63) {
    throw new UsageError(`${option} "${name}" is longer than PostgreSQL's 63-byte limit for names`);
  }
  if (name === connectedDatabase) {
    // Connected to postgres itself, "connect to the postgres database" would be no advice.
    const instead =
      name === "postgres"
        ? `Name another database in ${option} (seq-guard creates it)`
        : `Name another database in ${option}, or connect to another one (for example the postgres database)`;
    throw new UsageError(
      `the restore database "${name}" (${option}) is the database seq-guard connects to: ${clean ? `${say.enable("clean")} cannot drop a database while connected to it` : "restoring into it would mix the dump with what is there"}. ${instead}.`,
    );
  }
  // A template (template1, template0, or any marked datistemplate): what is restored into it would be copied
  // into every database created from it afterwards. Refused, with clean or not.
  const template = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", [
    name,
  ]);
  if ((template.rowCount ?? 0) > 0) {
    throw new UsageError(
      `the restore database "${name}" (${option}) is a template database: every database created from it afterwards would get the dump's tables too. Name a new database to restore into (seq-guard creates it), or leave the name out for a scratch database.`,
    );
  }
  if (clean || !(await databaseExists(admin, name))) return;
  const count = await inSession(withDatabase(connection, name), async (c) => {
    const r = await c.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
         AND n.nspname NOT LIKE 'pg\\_temp%'`,
    );
    return Number(r.rows[0]?.n ?? 0);
  });
  if (count > 0) {
    throw new UsageError(
      `${option} "${name}" already exists and is not empty (${count} relations). Give ${say.enable("clean")} to drop it first, or name another database.`,
    );
  }
}

/**
 * CREATE DATABASE from template0 in the dump's encoding; where the server refuses that (an encoding its locale
 * does not take), with the C locale, then in UTF8 (said in `notes`).
 */
export async function createDatabase(
  admin: pg.Client,
  name: string,
  encoding: string | null,
  notes: string[],
): Promise<void> {
  const q = await admin.query<{ q: string; e: string; valid: boolean }>(
    "SELECT quote_ident($1) AS q, quote_literal($2) AS e, pg_char_to_encoding($2) >= 0 AS valid",
    [name, encoding ?? "UTF8"],
  );
  const { q: ident, e: enc, valid } = q.rows[0] as { q: string; e: string; valid: boolean };
  const attempts = valid
    ? [`ENCODING ${enc}`, `ENCODING ${enc} LC_COLLATE 'C' LC_CTYPE 'C'`]
    : ["ENCODING 'UTF8'", "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"];
  if (valid && encoding && encoding.toUpperCase() !== "UTF8") attempts.push("ENCODING 'UTF8'");
  // What the server says of a locale or encoding it cannot use: the next attempt may do.
  const retry: (string | undefined)[] = [
    SQLSTATE.invalidParameterValue,
    SQLSTATE.undefinedObject,
    SQLSTATE.featureNotSupported,
  ];
  let last: unknown;
  for (const a of attempts) {
    try {
      await admin.query(`CREATE DATABASE ${ident} TEMPLATE template0 ${a}`);
      if (a === "ENCODING 'UTF8'" && encoding && encoding.toUpperCase() !== "UTF8") {
        notes.push(
          `the dump's encoding ${encoding} cannot be used for a database on this server: restored into UTF8`,
        );
      }
      return;
    } catch (err) {
      last = err;
      const code = sqlStateOf(err);
      if (code === SQLSTATE.insufficientPrivilege) {
        throw new RestoreError(
          `the role may not create databases (CREATE DATABASE ${name}: ${(err as Error).message}). Grant it CREATEDB, or connect as a role that has it.`,
        );
      }
      if (!retry.includes(code)) break;
    }
  }
  throw new RestoreError(`could not create database ${name}: ${(last as Error)?.message ?? String(last)}`);
}

/** Drop a database and the sessions still in it, over a fresh connection to `maintenance` (not the database). */
export function dropDatabase(
  maintenance: ConnectionTarget,
  name: string,
  serverVersionNum: number,
): Promise<void> {
  return inSession(maintenance, async (c) => {
    const q = await c.query<{ q: string }>("SELECT quote_ident($1) AS q", [name]);
    const ident = (q.rows[0] as { q: string }).q;
    if (serverVersionNum >= 130000) {
      await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`).catch((err: unknown) => {
        // Dropped by another session between the IF EXISTS check and the lock: gone, as wanted.
        if (sqlStateOf(err) !== SQLSTATE.invalidCatalogName) throw err;
      });
      return;
    }
    for (let i = 0; i < 5; i++) {
      await c.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
      try {
        await c.query(`DROP DATABASE IF EXISTS ${ident}`);
        return;
      } catch (err) {
        if (sqlStateOf(err) !== SQLSTATE.objectInUse || i === 4) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });
}
