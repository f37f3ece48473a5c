// The sandbox (sandbox.ts) at work in a restore: for each database being restored, its throwaway role, made when
// the database is, retired when it is dropped or kept; and what that role may not do but the connecting role does
// for it, because it is harmless inside the scratch database: the extensions a fixture asks for that are on the
// allow-list (or named with the extension setting), and `ALTER TABLE ... DISABLE|ENABLE TRIGGER ALL` around a
// table's data. Also what a failure the sandbox caused tells the user to do.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { SQLSTATE, sqlStateOf } from "../core/sqlstate.ts";
import { say } from "../core/words.ts";
import { type ConnectionTarget, serverLabel } from "../db/connection.ts";
import { onCleanup } from "../process/cleanup.ts";
import {
  adminMayCreate,
  createExtensionSql,
  extensionStatement,
  makeRestoreRole,
  type RestoreRole,
  sandboxNote,
  triggersStatement,
} from "./sandbox.ts";
import { asAdminIn, onMaintenance } from "./sessions.ts";
import type { ArchiveSource, Cleanups, RestoreTools } from "./tools.ts";

/**
 * What to do when a restore failed because the sandbox's role may not do something (see sandbox.ts): name the
 * extension with the extension setting, or trust the dump. "" when the failure is not of that kind.
 */
export function sandboxRemedy(errorText: string, sandboxed: boolean): string {
  if (!sandboxed) return "";
  const trust = say.enable("trust-fixture");
  const ext = /permission denied to create extension "([^"]+)"/.exec(errorText)?.[1];
  if (ext !== undefined) {
    return ` The dump is restored as a role that owns only its scratch database, and ${ext} is not among the extensions seq-guard creates for a dump (those that reach nothing beyond the database). If ${ext} is safe to have there, name it: ${say.set("extension", ext)}; or, for a dump you trust (never one from a fork), restore it with the connecting role's rights: ${trust}.`;
  }
  // pg_hba.conf `cert`: the restore role logs in (never SET ROLE, which the dump could undo) with the connecting
  // role's certificate, whose name is not its own, or with none.
  if (/certificate authentication failed for user|requires a valid client certificate/.test(errorText)) {
    return ` The server authenticates by client certificate (pg_hba.conf cert), and the dump is restored as a throwaway role of seq-guard's that owns only its scratch database and has no certificate to present. Let the seq_guard_restore_* roles log in with a password instead (seq-guard gives each a random one): on PostgreSQL 16 or later, a pg_hba.conf line above the cert lines, hostssl all /^seq_guard_restore_ ADDRESS scram-sha-256 (ADDRESS: where seq-guard connects from, as in the cert lines), then SELECT pg_reload_conf(); before 16, pg_hba.conf cannot name roles by a prefix. Or, for a dump you trust (never one from a fork), restore it as the connecting role: ${trust}.`;
  }
  if (/must be superuser|permission denied|must be owner|must be able to SET ROLE/.test(errorText)) {
    return ` The dump is restored as a role that owns only its scratch database, with no rights beyond it: a statement that needs more (a superuser's, another role's) fails. For a dump you trust (never one from a fork), restore it with the connecting role's rights: ${trust}.`;
  }
  return "";
}

/** The sandbox roles of the databases a Restorer restores into. */
export class Sandboxes {
  /** The restore role of each database being restored; absent when restoring as the connecting role. */
  private readonly roles = new Map<
    string,
    { role: RestoreRole; retire: (handOver: boolean) => Promise<void> }
  >();
  /** The note that the dumps run with the connecting role's rights, said once a run. */
  private unsandboxedSaid = false;

  constructor(
    private readonly connection: ConnectionTarget,
    /** The maintenance database: the roles are made and dropped from there. */
    private readonly maintenance: ConnectionTarget,
    private readonly admin: pg.Client,
    /** The connecting role, and whether it may make the restore's sandbox role (see sandbox.ts). */
    private readonly adminRole: { name: string; sandbox: boolean },
    private readonly opts: { trustFixture: boolean; extensions: string[] },
  ) {}

  /** The restore role of database `name`, if it has one. */
  roleOf(name: string): RestoreRole | undefined {
    return this.roles.get(name)?.role;
  }

  /** Make the restore role for database `name`, or say (once a run) why the dumps run as the connecting role. */
  async enter(name: string, notes: string[]): Promise<void> {
    if (!this.adminRole.sandbox) {
      if (!this.unsandboxedSaid) {
        this.unsandboxedSaid = true;
        const note = sandboxNote(this.adminRole.name, this.opts.trustFixture);
        if (note) notes.push(note);
      }
      return;
    }
    const made = await makeRestoreRole(
      (sql, params) => onMaintenance(this.maintenance, sql, params),
      name,
      async (sql) => {
        await asAdminIn(this.connection, name, sql);
      },
      serverLabel(this.maintenance),
    );
    this.roles.set(name, made);
  }

  /**
   * The restore into `name` is over: its role goes. `dropped`: the database is gone; otherwise it stays, and it
   * and its objects pass to the connecting role first. Returns what is left behind when that fails, for the
   * report (the role's undo stays registered, so a Ctrl-C later tries again and names it).
   */
  async finish(name: string, dropped: boolean): Promise<string | null> {
    const r = this.roles.get(name);
    if (!r) return null;
    this.roles.delete(name);
    try {
      await r.retire(!dropped);
      return null;
    } catch (err) {
      const ident = `"${r.role.name.replaceAll('"', '""')}"`;
      return `seq-guard could not drop its restore role ${r.role.name}${dropped ? "" : ` after handing database ${name} to ${this.adminRole.name}`}: ${(err as Error).message}. Drop it yourself: ${dropped ? "" : `REASSIGN OWNED BY ${ident} TO CURRENT_USER; DROP OWNED BY ${ident}; (in ${name}), then `}DROP ROLE ${ident};`;
    }
  }

  /**
   * A statement of a plain script failed in the sandbox: may the restore go on past it? Yes, with what it asked
   * for done by the connecting role, for what the role may not do but is harmless inside the scratch database
   * (see sandbox.ts): the extension a fixture asks for that the connecting role may create; the COMMENT ON
   * EXTENSION (or CREATE EXTENSION without IF NOT EXISTS) that then fails only because the extension exists and
   * is not the role's; and `ALTER TABLE t DISABLE|ENABLE TRIGGER ALL` around a table's data (pg_dump
   * --disable-triggers), whose foreign-key triggers only a superuser may switch. Nothing of the statement's text
   * runs as the connecting role: the table is resolved in the restore's own session and named by its OID.
   */
  async passFailure(name: string, statement: string, err: unknown, session: pg.Client): Promise<boolean> {
    const r = this.roles.get(name);
    const code = sqlStateOf(err);
    // The role may not; or it exists already (an extension the connecting role made for the fixture).
    if (!r || (code !== SQLSTATE.insufficientPrivilege && code !== SQLSTATE.duplicateObject)) return false;
    const triggers = triggersStatement(statement);
    if (triggers) {
      try {
        const oid = await session.query<{ oid: string | null }>(
          "SELECT pg_catalog.to_regclass($1)::oid::int8::text AS oid",
          [triggers.table],
        );
        const table = oid.rows[0]?.oid;
        if (!table) return false;
        const [row] = await asAdminIn(
          this.connection,
          name,
          "SELECT pg_catalog.format('%s', $1::oid::regclass) AS t, c.relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $2) AS theirs FROM pg_catalog.pg_class c WHERE c.oid = $1::oid",
          [table, r.role.name],
        );
        // Only the role's own tables: what it restored, nothing the connecting role put there.
        if (row?.theirs !== true) return false;
        await asAdminIn(
          this.connection,
          name,
          `ALTER TABLE ${triggers.only ? "ONLY " : ""}${row.t as string} ${triggers.enable ? "ENABLE" : "DISABLE"} TRIGGER ALL`,
        );
        return true;
      } catch {
        return false;
      }
    }
    const ext = extensionStatement(statement);
    if (!ext) return false;
    if (ext.kind === "create" && code === SQLSTATE.insufficientPrivilege) {
      if (!adminMayCreate(ext.name, this.opts.extensions)) return false;
      try {
        await asAdminIn(this.connection, name, createExtensionSql(ext.name, ext.schema));
      } catch {
        return false;
      }
      r.role.adminCreated.add(ext.name);
      return true;
    }
    // Not the role's extension (made above, or there in every database, as plpgsql), or made twice.
    return ext.kind === "comment"
      ? code === SQLSTATE.insufficientPrivilege
      : code === SQLSTATE.duplicateObject;
  }

  /**
   * An archive restored in the sandbox: the extensions it asks for that the role may not create but the
   * connecting role may are created first, in the schema the archive names when that schema is there; their
   * COMMENT ON EXTENSION entries (and plpgsql's, there in every database) are left out with a -L list, since only
   * an extension's owner may comment on it. `toc` is the archive's table of contents as pg_restore -l prints it.
   * Returns the extra arguments, and what removes the list file.
   */
  async archiveExtensions(
    tools: RestoreTools,
    p: ArchiveSource & { toc: string },
    name: string,
    toolArgs: string[],
  ): Promise<{ args: string[]; done: () => Promise<void> }> {
    const none = { args: [], done: async () => undefined };
    // A list file for pg_restore: inside the container too when it runs there.
    const copies: Cleanups = [];
    const role = this.roleOf(name);
    if (!role) return none;
    const asked = [...p.toc.matchAll(/^(\d+); \d+ \d+ EXTENSION - (\S+)/gm)].map((m) => ({
      id: m[1] as string,
      ext: m[2] as string,
    }));
    if (asked.length === 0) return none;
    const untrusted = await this.admin.query<{ name: string }>(
      `SELECT name FROM pg_catalog.pg_available_extension_versions WHERE name = ANY($1)
       GROUP BY name HAVING NOT bool_or(trusted)`,
      [asked.map((a) => a.ext)],
    );
    const toCreate = untrusted.rows.map((r) => r.name).filter((n) => adminMayCreate(n, this.opts.extensions));
    if (toCreate.length > 0) {
      // Each extension's schema, from the archive's own CREATE EXTENSION statement.
      const only = toCreate
        .map((n) => `${asked.find((a) => a.ext === n)?.id}; 0 0 EXTENSION - ${n}`)
        .join("\n");
      const dir = mkdtempSync(join(tmpdir(), "seq-guard-list-"));
      try {
        writeFileSync(join(dir, "list"), `${only}\n`);
        const list = await tools.reachable(join(dir, "list"), copies);
        const sql = await tools.pgRestore(p, ["-f", "-", "-L", list], null, { captureStdout: true });
        for (const statement of sql.stdout.split(/;\s*\n/)) {
          const ext = extensionStatement(statement);
          if (ext?.kind !== "create" || !toCreate.includes(ext.name)) continue;
          const schema = ext.schema ?? "public";
          if (schema !== "public" && schema !== "pg_catalog") continue; // not made yet: the restore says so
          await asAdminIn(this.connection, name, createExtensionSql(ext.name, schema));
          role.adminCreated.add(ext.name);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
        for (const c of copies.splice(0)) await c();
      }
    }
    // The user's own -L list is theirs to edit.
    if (toolArgs.some((a) => /^(-L|--use-list)/.test(a))) return none;
    const skip = new Set([...role.adminCreated, "plpgsql"]);
    const comments = /^\d+; \d+ \d+ COMMENT - EXTENSION (\S+)/;
    let changed = false;
    const list = p.toc
      .split("\n")
      .map((l) => {
        const ext = comments.exec(l)?.[1];
        if (ext === undefined || !skip.has(ext)) return l;
        changed = true;
        return `;${l}`;
      })
      .join("\n");
    if (!changed) return none;
    const dir = mkdtempSync(join(tmpdir(), "seq-guard-list-"));
    const file = join(dir, "list");
    writeFileSync(file, list);
    const undo = onCleanup("remove the restore list", () => rmSync(dir, { recursive: true, force: true }));
    return {
      args: [`--use-list=${await tools.reachable(file, copies)}`],
      done: async () => {
        rmSync(dir, { recursive: true, force: true });
        undo();
        for (const c of copies.splice(0)) await c();
      },
    };
  }
}
