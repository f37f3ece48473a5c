// The restore's sandbox: a fixture is code (its DO blocks, defaults, CHECK constraints and index expressions run
// while it is restored), so it runs with no rights beyond its scratch database. For each database restored, a
// throwaway login role is made: no SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS, member of nothing
// (so none of pg_read_server_files, pg_write_server_files, pg_execute_server_program), owner of the scratch
// database and of its public schema. The restore's sessions (seq-guard's own for plain SQL, pg_restore's) are
// opened as that role: not SET ROLE or SET SESSION AUTHORIZATION, which the fixture could RESET.
//
// Its password is random, stored on the server as a SCRAM verifier made here (so no server log ever holds it in
// clear), and reaches pg_restore only through a passfile of mode 600 removed at the end; it is never printed.
// When the restore is done the role's objects and the database pass to the connecting role (a kept database is
// then an ordinary database of that role) and the role is dropped; on Ctrl-C the registered undo drops it after
// the database.
//
// Extensions: trusted ones (pgcrypto, hstore, pg_trgm, ...) the role, as database owner, creates itself. Others
// that reach nothing beyond the database (ADMIN_EXTENSIONS) or that the user names (--extension) are created by
// the connecting role when the fixture asks for them; those that reach files, programs, other databases or the
// network (dblink, postgres_fdw, file_fdw, adminpack, untrusted languages) never are, unless the user names them.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import type pg from "pg";
import { onCleanup } from "../process/cleanup.ts";
import { passfileLine, privateFile } from "./credentials.ts";

/**
 * Extensions the connecting role creates for a fixture that asks for them: each reaches nothing beyond the
 * database it is created in (no files, programs, other databases or network). Documented in the README.
 */
export const ADMIN_EXTENSIONS: readonly string[] = [
  "pg_stat_statements",
  "pgstattuple",
  "pg_buffercache",
  "pg_freespacemap",
  "pg_visibility",
  "pgrowlocks",
  "pg_prewarm",
  "amcheck",
  "bloom",
  "pageinspect",
  "earthdistance",
  "intagg",
  "postgis",
  "postgis_topology",
  "postgis_raster",
  "address_standardizer",
  "address_standardizer_data_us",
  "vector",
];

/** A SCRAM-SHA-256 verifier for a password, as PostgreSQL stores it (RFC 5802/7677, 4096 iterations). */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** The role a restore runs as, and how its sessions log in. */
export interface RestoreRole {
  name: string;
  password: string;
  /** A libpq passfile (mode 600, in a folder of its own) that holds the password for pg_restore. */
  passfile: string;
  /** Extensions the connecting role created in the database for the fixture. */
  adminCreated: Set<string>;
}

const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** A statement run as the connecting role, with its result. */
export type AdminQuery = <R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params?: unknown[],
) => Promise<pg.QueryResult<R>>;

/** Can the connecting role make the sandbox? Superusers can; others restore as themselves. */
export async function sandboxPossible(admin: pg.Client): Promise<{ ok: boolean; role: string }> {
  const r = await admin.query<{ su: boolean; role: string }>(
    "SELECT rolsuper AS su, current_user::text AS role FROM pg_catalog.pg_roles WHERE rolname = current_user",
  );
  const row = r.rows[0];
  return { ok: row?.su === true, role: row?.role ?? "" };
}

/**
 * Make the restore role for `database` and hand it the database. `admin` runs a statement as the connecting
 * role in the maintenance database, each time in a session of its own (a Ctrl-C's cleanup may run when the
 * restore's own admin session is already closed).
 * `inDatabase` runs statements as the connecting role inside the scratch database. Registers the role's undo
 * (which stays registered, naming the role as left behind, when dropping it fails); returns the role with the
 * function that retires it.
 */
export async function makeRestoreRole(
  admin: AdminQuery,
  database: string,
  inDatabase: (sql: string) => Promise<void>,
  server: string,
): Promise<{ role: RestoreRole; retire: (handOver: boolean) => Promise<void> }> {
  const name = `seq_guard_restore_${randomBytes(6).toString("hex")}`;
  const password = randomBytes(24).toString("base64url");
  const { file: passfile, dir } = privateFile("seq-guard-pass-", "pgpass", passfileLine(name, password));
  const removeFile = () => rmSync(dir, { recursive: true, force: true });
  const ident = quoteIdent(name);
  const db = quoteIdent(database);
  let created = false;
  const dropRole = async () => {
    if (!created) return;
    // Its sessions first (a pg_restore worker still connected), then whatever it still owns or was granted in
    // the scratch database (when that is kept), then the role.
    await admin(
      "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1",
      [name],
    );
    await admin(`DROP ROLE IF EXISTS ${ident}`);
    created = false;
  };
  const undo = onCleanup(
    `drop role ${name}`,
    // Run first on Ctrl-C (it is newer than the database's): while the role still owns the database the DROP
    // fails, and the database's undo drops the role after the database. A failure keeps the entry unfinished,
    // so a role still there when the cleanup ends is named.
    async () => {
      try {
        await dropRole();
      } finally {
        removeFile();
      }
    },
    () => (created ? `role ${name} on ${server} (DROP ROLE ${ident})` : null),
    // A cleanup abandoned (a third Ctrl-C) still takes the password file with it: the role is named as left.
    removeFile,
  );
  // Who owns the database now (the connecting role for a database made for the restore; someone else's for an
  // existing empty --restore-database): it is theirs again afterwards.
  const owner = await admin<{ o: string }>(
    "SELECT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(datdba)) AS o FROM pg_catalog.pg_database WHERE datname = $1",
    [database],
  );
  const previousOwner = owner.rows[0]?.o ?? "CURRENT_USER";
  try {
    await admin(
      `CREATE ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${scramVerifier(password)}'`,
    );
    created = true;
    await admin(`ALTER DATABASE ${db} OWNER TO ${ident}`);
    // Before 15 the public schema belongs to the bootstrap superuser; from 15 on to pg_database_owner, which the
    // role now is. Either way the role may then do in it what a database owner does.
    await inDatabase(
      `DO $$BEGIN IF pg_catalog.current_setting('server_version_num')::int < 150000 THEN ALTER SCHEMA public OWNER TO ${ident}; END IF; END$$`,
    );
  } catch (err) {
    await dropRole().catch(() => undefined);
    removeFile();
    undo();
    throw err;
  }
  /**
   * The restore is over. handOver: the database stays (kept, or it existed before), so it and everything the role
   * made in it pass to its previous owner (the connecting role, for a database made for the restore), and what
   * was granted to the role goes (only in this database: the role could make nothing anywhere else). Otherwise
   * the database is gone already. Then the role is dropped.
   */
  const retire = async (handOver: boolean) => {
    try {
      if (created && handOver) {
        await admin(
          "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1",
          [name],
        );
        await inDatabase(`REASSIGN OWNED BY ${ident} TO ${previousOwner}; DROP OWNED BY ${ident}`);
      }
      await dropRole();
    } finally {
      removeFile();
      if (!created) undo();
    }
  };
  return { role: { name, password, passfile, adminCreated: new Set() }, retire };
}

/** The extension a CREATE EXTENSION or COMMENT ON EXTENSION statement names, and the schema it asks for. */
export function extensionStatement(
  text: string,
): { kind: "create" | "comment"; name: string; schema: string | null } | null {
  // Comments and blank lines before the statement, as pg_dump writes them.
  const body = text.replace(/^(?:\s+|--[^\n]*\n)*/, "");
  const ident = `("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$-]*)`;
  const create = new RegExp(
    String.raw`^CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?${ident}(?:\s+WITH)?(?:\s+SCHEMA\s+${ident})?`,
    "i",
  ).exec(body);
  const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s.toLowerCase());
  if (create) {
    return {
      kind: "create",
      name: unquote(create[1] as string),
      schema: create[2] ? unquote(create[2]) : null,
    };
  }
  const comment = new RegExp(String.raw`^COMMENT\s+ON\s+EXTENSION\s+${ident}`, "i").exec(body);
  if (comment) return { kind: "comment", name: unquote(comment[1] as string), schema: null };
  return null;
}

/**
 * `ALTER TABLE [ONLY] name DISABLE|ENABLE TRIGGER ALL`, as `pg_dump --disable-triggers` writes around each
 * table's data: the table as written (for to_regclass, which reads it as the server does) and what it does.
 * Disabling a table's system triggers (its foreign keys') takes a superuser.
 */
export function triggersStatement(text: string): { only: boolean; table: string; enable: boolean } | null {
  const body = text.replace(/^(?:\s+|--[^\n]*\n)*/, "");
  const part = '(?:"(?:[^"]|"")+"|[A-Za-z_\\u0080-\\uffff][A-Za-z0-9_$\\u0080-\\uffff]*)';
  const m = new RegExp(
    `^ALTER\\s+TABLE\\s+(ONLY\\s+)?(${part}(?:\\s*\\.\\s*${part})?)\\s+(DISABLE|ENABLE)\\s+TRIGGER\\s+ALL\\s*;?\\s*$`,
    "i",
  ).exec(body);
  if (!m) return null;
  return {
    only: m[1] !== undefined,
    table: m[2] as string,
    enable: (m[3] as string).toUpperCase() === "ENABLE",
  };
}

/**
 * May the connecting role create this extension for the fixture? The allow-list, or named by the user
 * (--extension), and installed on the server.
 */
export function adminMayCreate(name: string, userNamed: readonly string[]): boolean {
  return ADMIN_EXTENSIONS.includes(name) || userNamed.includes(name);
}

/**
 * The SQL that creates an extension for the fixture as the connecting role (in the scratch database): in the
 * schema the fixture names, which it has made by then (pg_dump writes schemas first). No CASCADE: what the
 * extension requires must be there already (pg_dump creates it first), or be created the same way, so that an
 * allow-listed name never brings in one that is not.
 */
export function createExtensionSql(name: string, schema: string | null): string {
  return `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)}${schema ? ` SCHEMA ${quoteIdent(schema)}` : ""}`;
}

/**
 * Why the dumps run with the connecting role's rights, said once a run; null with --trust-fixture (the user
 * asked for exactly that).
 */
export function sandboxNote(admin: string, trusted: boolean): string | null {
  if (trusted) return null;
  return `the connecting role ${admin} is not a superuser, so seq-guard cannot make a role of its own to restore as: the dumps were restored as ${admin}, with its rights (a managed database?). Restore fixtures you do not trust on a server where seq-guard connects as a superuser (a service container, or the CLI's own embedded server).`;
}
