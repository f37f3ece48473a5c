// Restoring dumps into a fresh database: created from template0 with the (first) dump's encoding (database.ts),
// then filled by pg_restore (custom, directory, tar: archive.ts) or by seq-guard itself over its own session
// (plain SQL, run-plain.ts; gzip decompressed on the way by zlib, never to disk). Usually one dump per database;
// several dumps under one restore-database (a schema file and a data file) go into it one after the other.
// Databases are made and dropped over a connection to a maintenance database (sessions.ts), never from inside
// the one dropped. Each database is restored as a throwaway role of its own unless the fixture is trusted
// (sandboxes.ts). Child processes get credentials through files, never their environment or argv, and run
// without a shell (tools.ts). Everything created registers its undo with cleanup.ts, so a failure or Ctrl-C
// leaves nothing. This file is the Restorer, which puts those steps in order.

import { realpath } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import type pg from "pg";
import { RestoreError, SeqGuardError, UsageError } from "../core/errors.ts";
import type { DumpFormat } from "../core/types.ts";
import { say } from "../core/words.ts";
import { type ConnectionTarget, serverLabel, withDatabase, withLogin } from "../db/connection.ts";
import { interrupted, onCleanup, throwIfInterrupted } from "../process/cleanup.ts";
import { type PreparedArchive, pgRestoreArgs, prepareArchive, restoreArchive } from "./archive.ts";
import { plainSingleTransaction } from "./args.ts";
import { checkNamedDatabase, createDatabase, databaseExists, dropDatabase, freeName } from "./database.ts";
import type { DumpInfo } from "./detect.ts";
import { type ArchiveListStats, mergeListStats, selectionArgs } from "./hints.ts";
import { sslpasswordProblem } from "./libpq-target.ts";
import type { RestoreOptions } from "./options.ts";
import { passedOver } from "./passed-over.ts";
import type { PlainFacts } from "./plain/facts.ts";
import { runPlainScript } from "./run-plain.ts";
import { sandboxPossible } from "./sandbox.ts";
import { Sandboxes, sandboxRemedy } from "./sandboxes.ts";
import { openAdmin, sessionClient } from "./sessions.ts";
import { type Cleanups, RestoreTools } from "./tools.ts";

// The front ends take the scratch database's name from here.
export { scratchName } from "./database.ts";

export interface RestoreResult {
  database: string;
  /** We created the database (and so may drop it). */
  created: boolean;
  /** The first dump's format. */
  format: DumpFormat;
  /** All dumps together. */
  restoreMs: number;
  /** Notes for the report: a version warning, errors passed over with on-restore-error continue. */
  notes: string[];
  /** What the hints need: the archives' selected tables of contents, and what each plain script did. */
  archive: { stats: ArchiveListStats; selection: string[] } | null;
  plain: { path: string; facts: PlainFacts }[];
  /**
   * Until called, a Ctrl-C drops the database: call it once the database is dropped, or is to be kept. Null when
   * the database existed before (it is never dropped).
   */
  release: (() => void) | null;
}

/** A plain SQL dump ready to restore: seq-guard runs it itself, so there is no tool to choose. */
interface PreparedPlain {
  info: DumpInfo;
  format: "plain" | "plain-gzip";
  encoding: string | null;
}

type Prepared = PreparedPlain | PreparedArchive;

const isArchive = (p: Prepared): p is PreparedArchive => p.format !== "plain" && p.format !== "plain-gzip";

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** Dumps into scratch databases on one server. */
export class Restorer {
  private readonly tools: RestoreTools;
  private readonly sandboxes: Sandboxes;

  private constructor(
    private readonly connection: ConnectionTarget,
    /** The maintenance database the admin session is in: databases are made and dropped from there. */
    private readonly maintenance: ConnectionTarget,
    private readonly admin: pg.Client,
    /** The database the connection settings name (never restored into). */
    readonly connectedDatabase: string,
    readonly serverVersionNum: number,
    private readonly opts: RestoreOptions,
    private readonly env: NodeJS.ProcessEnv,
    /** The connecting role, and whether it may make the restore's sandbox role (see sandbox.ts). */
    adminRole: { name: string; sandbox: boolean },
  ) {
    this.sandboxes = new Sandboxes(connection, maintenance, admin, adminRole, opts);
    this.tools = new RestoreTools(connection, env, opts.viaContainer, (db) => this.sandboxes.roleOf(db));
  }

  static async open(
    connection: ConnectionTarget,
    opts: RestoreOptions,
    connectTimeoutMs: number,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<Restorer> {
    const ssl = opts.viaContainer === undefined ? sslpasswordProblem(connection, env) : null;
    if (ssl) throw new UsageError(ssl);
    const s = await openAdmin(connection, connectTimeoutMs, sandboxPossible);
    return new Restorer(
      connection,
      s.maintenance,
      s.admin,
      s.connectedDatabase,
      s.serverVersionNum,
      opts,
      env,
      {
        name: s.more.role,
        sandbox: s.more.ok && !opts.trustFixture,
      },
    );
  }

  async close(): Promise<void> {
    await this.admin.end().catch(() => undefined);
    this.tools.close();
  }

  get serverMajor(): number {
    return Math.floor(this.serverVersionNum / 10000);
  }

  /** A database name for a dump that does not exist yet on the server (or the restore-database named). */
  async nameFor(path: string): Promise<string> {
    return this.opts.database ?? (await freeName(this.admin, path));
  }

  /**
   * Check the restore-database before anything is restored: not the database seq-guard connects to, and it must
   * not exist, or be empty, unless clean drops it.
   */
  async checkNamedDatabase(): Promise<void> {
    const name = this.opts.database;
    if (!name) return;
    await checkNamedDatabase(this.admin, this.connection, {
      name,
      clean: this.opts.clean,
      connectedDatabase: this.connectedDatabase,
    });
  }

  /** Drop a database (with any sessions still in it). Uses its own connection, so it works mid-query too. */
  async drop(name: string): Promise<void> {
    await dropDatabase(this.maintenance, name, this.serverVersionNum);
  }

  /**
   * The restore into `name` is over: its sandbox role goes (see Sandboxes.finish). Returns what is left behind
   * when that fails, for the report.
   */
  finish(name: string, dropped: boolean): Promise<string | null> {
    return this.sandboxes.finish(name, dropped);
  }

  /**
   * Restore dumps, in order, into one database (usually one dump). Throws RestoreError (nothing left behind) or
   * InterruptedError.
   */
  async restore(
    infos: DumpInfo[],
    name: string,
    progress: (text: string | null) => void,
  ): Promise<RestoreResult> {
    for (const info of infos) {
      const d = info.detection;
      if (!d.ok) throw new RestoreError(`${JSON.stringify(info.path)} cannot be restored: ${d.problem}`);
    }
    throwIfInterrupted();
    const notes: string[] = [];
    const started = Date.now();
    const cleanups: Cleanups = [];
    let createdHere = false;
    let undoDb: (() => void) | null = null;
    let existing = false;
    try {
      // Everything that can fail without touching the server comes first: choose the tools, copy what the
      // container needs, read the tables of contents.
      const toolArgs = await pgRestoreArgs(this.tools, this.opts.extraArgs, cleanups);
      const prepared: Prepared[] = [];
      for (const info of infos) prepared.push(await this.prepare(info, toolArgs, notes, cleanups));

      // The database: the restore-database (dropped first with clean; an existing empty one is used as it is),
      // or a fresh name.
      throwIfInterrupted();
      existing = this.opts.database !== undefined && (await databaseExists(this.admin, name));
      if (existing && this.opts.clean) await this.drop(name);
      if (!existing || this.opts.clean) {
        let creating: Promise<void> | null = null;
        const server = serverLabel(this.maintenance);
        undoDb = onCleanup(
          `drop database ${name}`,
          async () => {
            await creating?.catch(() => undefined);
            // The restore role owned the database, so its own undo (newer, so run first) could not drop it: it
            // goes after the database, also when the drop says the database is gone already.
            try {
              await this.drop(name);
            } finally {
              await this.finish(name, true);
            }
          },
          // For a person to run: the name always in double quotes, which suits any name (a reserved word, capitals).
          () => `database ${name} on ${server} (DROP DATABASE "${name.replaceAll('"', '""')}")`,
        );
        creating = createDatabase(this.admin, name, (prepared[0] as Prepared).encoding, notes);
        await creating;
        createdHere = true;
      }
      await this.sandboxes.enter(name, notes);

      let stats: ArchiveListStats | null = null;
      const plain: { path: string; facts: PlainFacts }[] = [];
      for (const p of prepared) {
        const r = await this.restoreOne(p, name, toolArgs, notes, progress);
        if (r.failure) {
          let failure = r.failure;
          if (prepared.length > 1 && p !== prepared[0]) {
            failure += ` (${p.info.path} is dump ${prepared.indexOf(p) + 1} of ${prepared.length} restored into ${name}; those before it restored)`;
          }
          if (existing && !this.opts.clean) {
            failure += ` The database ${name} existed before and was restored into in part: drop it, or run again with ${say.enable("clean")}.`;
          }
          throw new RestoreError(failure);
        }
        if (isArchive(p)) stats = stats ? mergeListStats(stats, p.stats) : p.stats;
        if (r.facts) plain.push({ path: p.info.path, facts: r.facts });
      }
      // A database that stays (kept, or there before) passes to the connecting role now; a scratch one keeps its
      // role until it is dropped (finish).
      if (this.opts.keep || !createdHere) {
        const left = await this.finish(name, false);
        if (left) notes.push(left);
      }
      return {
        database: name,
        created: createdHere,
        format: (prepared[0] as Prepared).format,
        restoreMs: Date.now() - started,
        notes,
        archive: stats ? { stats, selection: selectionArgs(this.opts.extraArgs) } : null,
        plain,
        release: undoDb,
      };
    } catch (err) {
      // Interrupted: the cleanup's undo drops it (dropping it here too would race that drop).
      if (createdHere && !interrupted()) await this.drop(name).catch(() => undefined);
      // Interrupted: the registered undos drop it (also when CREATE DATABASE was still under way), then the role.
      if (!interrupted()) {
        undoDb?.();
        const left = await this.finish(name, createdHere);
        if (left && err instanceof SeqGuardError) err.message += ` ${left}`;
      }
      throw err;
    } finally {
      if (!interrupted()) for (const c of cleanups.reverse()) await c();
      progress(null);
    }
  }

  /** Choose the tool for a dump, copy it into the container if need be, read its table of contents. */
  private async prepare(
    info: DumpInfo,
    toolArgs: string[],
    notes: string[],
    cleanups: Cleanups,
  ): Promise<Prepared> {
    const d = info.detection as Extract<DumpInfo["detection"], { ok: true }>;
    if (d.format === "plain" || d.format === "plain-gzip") {
      // No client tool: seq-guard runs plain SQL itself, also with restore-via (over its own connection).
      return { info, format: d.format, encoding: (d as { encoding: string | null }).encoding };
    }
    return prepareArchive(
      this.tools,
      info,
      { ...this.opts, pgRestoreArgs: toolArgs, serverMajor: this.serverMajor, env: this.env },
      notes,
      cleanups,
    );
  }

  /** Restore one prepared dump into the database; a failure comes back as its message. */
  private async restoreOne(
    p: Prepared,
    name: string,
    toolArgs: string[],
    notes: string[],
    progress: (text: string | null) => void,
  ): Promise<{ failure: string | null; facts: PlainFacts | null }> {
    const { info, format } = p;
    const started = Date.now();
    let read: number | null = null;
    const ticker = setInterval(() => {
      const s = Math.round((Date.now() - started) / 1000);
      const done = read !== null ? `${mb(read).replace(/ MB$/, "")} of ${mb(info.size)} read` : mb(info.size);
      progress(`restoring ${basename(info.path)} (${format}): ${done}, ${s}s`);
    }, 1000);
    ticker.unref();
    progress(`restoring ${basename(info.path)} (${format}): ${mb(info.size)}`);
    try {
      if (isArchive(p)) {
        const failure = await restoreArchive(
          this.tools,
          this.sandboxes,
          p,
          name,
          { ...this.opts, pgRestoreArgs: toolArgs },
          notes,
        );
        return { failure, facts: null };
      }
      // Plain SQL is run by seq-guard itself over its own session (run-plain.ts), never by psql: \i, \ir and
      // \copy reach files in the dump's folder only.
      read = 0;
      const run = await runPlainScript({
        path: info.path,
        format: p.format,
        connect: () => this.restoreSession(name),
        includeDir: await realpath(dirname(resolve(info.path))),
        onError: this.opts.onError,
        singleTransaction: plainSingleTransaction(this.opts.extraArgs),
        tolerate: (statement, err, session) => this.sandboxes.passFailure(name, statement, err, session),
        onRead: (bytes) => {
          read = bytes;
        },
      });
      if (run.failure !== null) {
        const sandboxed = this.sandboxes.roleOf(name) !== undefined;
        return { failure: run.failure + sandboxRemedy(run.failure, sandboxed), facts: run.facts };
      }
      notes.push(...passedOver("seq-guard", run.passedOver, run.passedOverCount));
      return { failure: null, facts: run.facts };
    } finally {
      clearInterval(ticker);
    }
  }

  /**
   * A session in the scratch database `name` for running a plain SQL script: opened as the restore role (see
   * sandbox.ts) unless the fixture is trusted or no such role could be made. The caller ends it.
   */
  async restoreSession(name: string): Promise<pg.Client> {
    const role = this.sandboxes.roleOf(name);
    const target = withDatabase(this.connection, name);
    const c = sessionClient(role ? withLogin(target, role.name, role.password) : target);
    await c.connect();
    return c;
  }
}
