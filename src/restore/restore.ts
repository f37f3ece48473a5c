// Restoring dumps into a fresh database: created from template0 with the (first) dump's encoding, then filled by
// pg_restore (custom, directory, tar) or by seq-guard itself over its own session (plain SQL, run-plain.ts; gzip
// decompressed on the way by zlib, never to disk). Usually one dump per database; several dumps
// under one --restore-database (a schema file and a data file) go into it one after the other. Databases are made
// and dropped over a connection to a maintenance database (postgres, else template1), never from inside the one
// dropped. Child processes get credentials through the environment, never argv, and run without a shell.
// Everything created registers its undo with cleanup.ts, so a failure or Ctrl-C leaves nothing.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { devNull, constants as osConstants, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { RestoreError, SeqGuardError, UsageError } from "../core/errors.ts";
import { CLI_WORDS } from "../core/options.ts";
import type { DumpFormat } from "../core/types.ts";
import { type ConnectionTarget, withDatabase, withLogin } from "../db/connection.ts";
import { connectWithRetry } from "../db/engine.ts";
import {
  InterruptedError,
  interrupted,
  interruption,
  onCleanup,
  throwIfInterrupted,
} from "../process/cleanup.ts";
import { fileValues, plainSingleTransaction } from "./args.ts";
import { childEnv, passfileField } from "./child-env.ts";
import { restoreClientFor } from "./clients.ts";
import type { ArchiveHeader, DumpInfo } from "./detect.ts";
import { type ArchiveListStats, archiveListStats, mergeListStats, selectionArgs } from "./hints.ts";
import type { RestoreOptions } from "./options.ts";
import type { PlainFacts } from "./plain.ts";
import { runPlainScript } from "./run-plain.ts";
import {
  adminMayCreate,
  createExtensionSql,
  extensionStatement,
  makeRestoreRole,
  type RestoreRole,
  sandboxNote,
  sandboxPossible,
  triggersStatement,
} from "./sandbox.ts";

export interface RestoreResult {
  database: string;
  /** We created the database (and so may drop it). */
  created: boolean;
  /** The first dump's format. */
  format: DumpFormat;
  /** All dumps together. */
  restoreMs: number;
  /** Notes for the report: a version warning, errors passed over with --on-restore-error continue. */
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

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** The libpq parameters a URL may carry; anything else (node-postgres only) is left out for the tools. */
const LIBPQ_PARAMS = new Set([
  "host",
  "hostaddr",
  "port",
  "dbname",
  "user",
  "passfile",
  "channel_binding",
  "connect_timeout",
  "client_encoding",
  "options",
  "application_name",
  "fallback_application_name",
  "keepalives",
  "keepalives_idle",
  "keepalives_interval",
  "keepalives_count",
  "tcp_user_timeout",
  "gssencmode",
  "sslmode",
  "sslnegotiation",
  "sslcompression",
  "sslcert",
  "sslkey",
  "sslpassword",
  "sslcertmode",
  "sslrootcert",
  "sslcrl",
  "sslcrldir",
  "sslsni",
  "requirepeer",
  "require_auth",
  "ssl_min_protocol_version",
  "ssl_max_protocol_version",
  "krbsrvname",
  "gsslib",
  "gssdelegation",
  "service",
  "target_session_attrs",
  "load_balance_hosts",
  "ssl",
]);

/** A conninfo value in single quotes. */
const conninfoQuote = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * How a client tool reaches `database` on the server: a --dbname argument without password, and environment.
 * `sslpassword` (it unlocks the client key) has no environment variable: it is taken out of the argument and
 * handed over in a connection service file (see Restorer.serviceFor).
 */
export function libpqTarget(
  connection: ConnectionTarget,
  database: string,
): { dbname: string; env: Record<string, string>; sslpassword: string | null } {
  const env: Record<string, string> = {};
  const cs = connection.config.connectionString;
  if (!cs) return { dbname: `dbname=${conninfoQuote(database)}`, env, sslpassword: null };
  const u = new URL(cs);
  if (u.password) env.PGPASSWORD = safeDecode(u.password);
  u.password = "";
  const pw = u.searchParams.get("password");
  if (pw !== null) {
    env.PGPASSWORD = pw;
    u.searchParams.delete("password");
  }
  const sslpassword = u.searchParams.get("sslpassword");
  u.searchParams.delete("sslpassword");
  for (const k of [...u.searchParams.keys()]) if (!LIBPQ_PARAMS.has(k)) u.searchParams.delete(k);
  if (u.searchParams.get("sslmode") === "no-verify") u.searchParams.set("sslmode", "require");
  u.searchParams.delete("dbname");
  u.pathname = `/${encodeURIComponent(database)}`;
  return { dbname: u.toString(), env, sslpassword };
}

/**
 * Why an sslpassword cannot go through a connection service file (libpq reads a value to the end of its line,
 * trailing blanks cut), or why the URL's own service would keep it from being read; null when it can.
 */
export function sslpasswordProblem(connection: ConnectionTarget, env: NodeJS.ProcessEnv): string | null {
  const cs = connection.config.connectionString;
  if (!cs) return null;
  let u: URL;
  try {
    u = new URL(cs);
  } catch {
    return null;
  }
  const value = u.searchParams.get("sslpassword");
  if (value === null) return null;
  const service = u.searchParams.get("service") ?? env.PGSERVICE;
  if (service) {
    return `sslpassword= in ${connection.source} cannot be combined with a connection service (${u.searchParams.has("service") ? "service=" : "PGSERVICE"}) when dumps are restored: seq-guard hands the sslpassword to pg_restore through a service of its own, so that it never appears in its command line. Put sslpassword in the entry of service ${service} in pg_service.conf instead, and leave it out of the URL.`;
  }
  if (/[\r\n]/.test(value) || /\s$/.test(value) || Buffer.byteLength(value) > 1000) {
    return `the sslpassword= in ${connection.source} holds a line break, ends in a blank or is longer than 1000 bytes, so seq-guard cannot hand it to pg_restore other than in its command line (where every local user could read it). Use a key passphrase without them, or restore the dump yourself.`;
  }
  return null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The role and password the tools inside a container use (they reach the server on its own socket). */
function containerCredentials(connection: ConnectionTarget, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const cs = connection.config.connectionString;
  if (cs) {
    const u = new URL(cs);
    out.PGUSER = safeDecode(u.username) || u.searchParams.get("user") || env.PGUSER || "postgres";
    const pw = u.password ? safeDecode(u.password) : u.searchParams.get("password");
    if (pw) out.PGPASSWORD = pw;
  } else {
    out.PGUSER = env.PGUSER || "postgres";
    if (env.PGPASSWORD) out.PGPASSWORD = env.PGPASSWORD;
  }
  return out;
}

interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The input stream failed (unreadable file, corrupt gzip, a script problem). */
  inputError: Error | null;
}

const CAP = 64 * 1024;

/** Keep the first and last 64 KB of a stream's text. */
class Capture {
  private head = "";
  private tail = "";
  private dropped = false;
  add(s: string) {
    if (this.head.length < CAP) {
      const take = CAP - this.head.length;
      this.head += s.slice(0, take);
      s = s.slice(take);
    }
    if (s.length === 0) return;
    this.tail += s;
    if (this.tail.length > 2 * CAP) {
      this.tail = this.tail.slice(-CAP);
      this.dropped = true;
    }
  }
  text() {
    return this.dropped ? `${this.head}\n[...]\n${this.tail.slice(-CAP)}` : this.head + this.tail;
  }
}

const isPipeClosed = (err: unknown) => {
  const code = (err as { code?: string }).code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ERR_STREAM_PREMATURE_CLOSE";
};

interface ToolOptions {
  input?: (Readable | NodeJS.ReadWriteStream)[];
  captureStdout?: boolean;
}

/** Run a client tool without a shell; feed it `input` (a chain of streams) on stdin. */
function runTool(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: ToolOptions = {},
): Promise<ToolRun> {
  throwIfInterrupted();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      env,
      stdio: [opts.input ? "pipe" : "ignore", opts.captureStdout ? "pipe" : "ignore", "pipe"],
      windowsHide: true,
    });
    const out = new Capture();
    const err = new Capture();
    let inputError: Error | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), 3000);
      killTimer.unref();
    };
    const unregister = onCleanup(`stop ${basename(cmd)}`, kill);
    const signal = interruption();
    signal.addEventListener("abort", kill, { once: true });
    child.stdout?.setEncoding("utf8").on("data", (s: string) => out.add(s));
    child.stderr?.setEncoding("utf8").on("data", (s: string) => err.add(s));
    if (opts.input && child.stdin) {
      const stdin = child.stdin;
      stdin.on("error", () => undefined);
      pipeline([...opts.input, stdin] as (NodeJS.ReadableStream | NodeJS.WritableStream)[]).catch(
        (e: unknown) => {
          if (isPipeClosed(e)) return;
          inputError = e as Error;
          kill();
        },
      );
    }
    child.on("error", (e) => {
      unregister();
      signal.removeEventListener("abort", kill);
      reject(
        (e as NodeJS.ErrnoException).code === "ENOENT"
          ? new RestoreError(`could not run ${cmd}: it was not found. Install it, or check PATH.`)
          : new RestoreError(`could not run ${cmd}: ${e.message}`),
      );
    });
    child.on("close", (code, sig) => {
      clearTimeout(killTimer);
      unregister();
      signal.removeEventListener("abort", kill);
      if (interrupted()) {
        reject(new InterruptedError());
        return;
      }
      resolvePromise({ code, signal: sig, stdout: out.text(), stderr: err.text(), inputError });
    });
  });
}

/** The error lines of pg_restore's stderr, shortened for a message. */
export function pgRestoreErrors(stderr: string): string[] {
  const lines = stderr.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    const m = /^pg_restore: (?:error|fatal|\[archiver[^\]]*\]): (.*)$/.exec(l);
    if (!m) continue;
    let text = (m[1] as string).trim();
    // "could not execute query: ERROR:  x" is followed by "LINE n:", a caret line and "Command was: ..." (the
    // command may run over several lines), up to the next "pg_restore:" line.
    let j = i + 1;
    while (j < lines.length && !(lines[j] as string).startsWith("pg_restore:")) {
      if ((lines[j] as string).startsWith("Command was:")) {
        let cmd = (lines[j] as string).slice("Command was:".length);
        for (let k = j + 1; k < lines.length && !(lines[k] as string).startsWith("pg_restore:"); k++) {
          cmd += ` ${lines[k]}`;
        }
        cmd = cmd.replace(/\s+/g, " ").trim();
        text += ` (while running: ${cmd.length > 160 ? `${cmd.slice(0, 160)}...` : cmd})`;
        break;
      }
      j++;
    }
    out.push(text.replace(/\s+/g, " "));
  }
  return out;
}

/** Errors passed over with --on-restore-error continue, one note each (the first 20), for the hints. */
export function passedOver(tool: "seq-guard" | "pg_restore", errors: string[], count: number): string[] {
  const SHOWN = 20;
  const total = Math.max(count, errors.length);
  if (total === 0) return [];
  const notes = errors
    .slice(0, SHOWN)
    .map((e, i) => `${tool} passed over error ${i + 1} of ${total} (--on-restore-error continue): ${e}`);
  if (notes.length === 0) {
    notes.push(
      `${tool} passed over ${total} error(s) (--on-restore-error continue); run the restore with --on-restore-error stop to see the first`,
    );
  } else if (total > notes.length) {
    notes.push(
      `${tool} passed over ${total - notes.length} more error(s) (--on-restore-error continue), not listed here; run the restore with --on-restore-error stop to see them one at a time`,
    );
  }
  return notes;
}

/** What pg_restore says when damaged bytes in an archive read as huge lengths or bad compressed data. */
const LOOKS_CORRUPT =
  /worker process died unexpectedly|out of memory|could not (uncompress|decompress)|invalid (compressed data|block type|distance|stored block|code lengths|literal)|incorrect (header|data) check|unrecognized data block type|unexpected data offset flag|invalid (OID|dumpId|negative|TOC)/i;

/** How a tool ended: its exit code, or the signal that killed it. */
export interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The signal a process died of: by the child's own signal, or docker exec's 128+N exit code. */
function deathSignal(exit: ToolExit | undefined, inContainer: boolean): string | null {
  if (!exit) return null;
  if (exit.signal) return exit.signal;
  if (inContainer && exit.code !== null && exit.code > 128 && exit.code < 128 + 65) {
    const n = exit.code - 128;
    const name = Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0];
    return name ?? null;
  }
  return null;
}

const AGAIN =
  "Make it again with pg_dump, or copy it again if it was damaged on the way (compare its size and checksum with the original's).";

/** Explain pg_restore's failure: what went wrong and what to do. */
export function explainArchiveFailure(
  errors: string[],
  stderr: string,
  header: ArchiveHeader,
  version: string,
  how: { exit?: ToolExit; format?: DumpFormat } = {},
): string {
  const { exit, format } = how;
  const inContainer = version === "in the container";
  const tool = inContainer ? "pg_restore (in the container)" : `pg_restore ${version}`;
  // A worker's death only echoes the error of the worker (or a crash): leave it out when there is more to say.
  const real = errors.filter((e) => !/worker process died unexpectedly/i.test(e));
  let all = (real.length > 0 ? real : errors).join(" | ");
  const v = /unsupported version \((\d+\.\d+)\) in file header/.exec(stderr);
  if (v) {
    return `pg_restore ${version} cannot read archive format ${v[1]} (written by pg_dump ${header.dumpVersion ?? "of a newer release"}). Use a pg_restore at least as new as that pg_dump: install those client tools, or run the restore in the server's container with --restore-via docker:CONTAINER.`;
  }
  const signal = deathSignal(exit, inContainer);
  if (signal) {
    const said = all ? ` (after: ${all})` : "";
    if (signal === "SIGKILL") {
      return `${tool} was killed (SIGKILL) while reading the archive${said}, most likely by the out-of-memory killer: damaged bytes in an archive read as absurd lengths, which make pg_restore ask for all the memory there is. The archive is most likely corrupt. ${AGAIN}`;
    }
    return `${tool} crashed (${signal}) while reading the archive${said}: the archive is corrupt (damaged bytes that pg_restore does not check for). ${AGAIN}`;
  }
  if (all === "") all = stderr.trim().split("\n").slice(-3).join(" ").replace(/\s+/g, " ").trim();
  if (all === "") {
    return `${tool} stopped (exit code ${exit?.code ?? "unknown"}) without a message while reading the archive: the archive is most likely corrupt. ${AGAIN}`;
  }
  const open = /could not open input file "([^"]+)": ([^|]+)/.exec(all);
  if (open && format === "directory") {
    const reason = (open[2] as string).trim();
    const remedy = /permission denied/i.test(reason)
      ? "Make the folder's files readable by this user (chmod -R a+rX on the folder), or run as a user who may read them."
      : "Copy the whole folder again (every file pg_dump -Fd wrote into it), or make the dump again with pg_dump -Fd.";
    return `the directory archive is incomplete or unreadable: pg_restore could not open ${open[1]} (${reason}). ${remedy}`;
  }
  if (
    /end of file|unexpected end|could not read from input file|did not find magic string|corrupt/i.test(all)
  ) {
    return `${all}. The archive is truncated or corrupt: make it again with pg_dump, or copy it again if it was damaged on the way.`;
  }
  if (/lack of data offsets|non-seekable|could not find block ID/i.test(all)) {
    return `${all}. The archive was written to a pipe, so it cannot be restored in parallel: give --jobs 1.`;
  }
  if (LOOKS_CORRUPT.test(all)) {
    return `${all}. The archive may be corrupt: damaged bytes in an archive read as absurd lengths or bad compressed data, which makes pg_restore run out of memory or its parallel workers die. Check the file against its source (size, checksum), copy it again or make it again with pg_dump; --jobs 1 shows pg_restore's own message where a worker's death hides it.`;
  }
  return all;
}

const SERVER_SIDE_ARGS = new Set(["-j", "--jobs", "-1", "--single-transaction"]);

/** A dump ready to restore: its tool chosen, its table of contents read, copied into the container if need be. */
interface Prepared {
  info: DumpInfo;
  format: DumpFormat;
  archive: boolean;
  toolPath: string;
  /** The pg_restore version chosen (local tools); "" inside a container. */
  toolVersion: string;
  encoding: string | null;
  stats: ArchiveListStats | null;
  /** An archive's table of contents as pg_restore -l prints it (with the selection arguments); "" for plain. */
  toc: string;
  /** Where the archive was copied inside the container; null when it is read from this machine or stdin. */
  containerCopy: string | null;
}

/** Dumps into scratch databases on one server. */
export class Restorer {
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
    private readonly adminRole: { name: string; sandbox: boolean },
  ) {}

  /** The restore role of each database being restored (see sandbox.ts); absent when restoring as the admin. */
  private readonly roles = new Map<
    string,
    { role: RestoreRole; retire: (handOver: boolean) => Promise<void> }
  >();
  /** The note that the dumps run with the connecting role's rights, said once a run. */
  private unsandboxedSaid = false;

  static async open(
    connection: ConnectionTarget,
    opts: RestoreOptions,
    connectTimeoutMs: number,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<Restorer> {
    const ssl = opts.viaContainer === undefined ? sslpasswordProblem(connection, env) : null;
    if (ssl) throw new UsageError(ssl);
    // The connection's own database first: it says whether the server is there and lets us in (exit 3 if not).
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
      const can = await sandboxPossible(admin);
      return new Restorer(connection, maintenance, admin, db, v, opts, env, {
        name: can.role,
        sandbox: can.ok && !opts.trustFixture,
      });
    } catch (err) {
      await admin.end().catch(() => undefined);
      if (admin !== first) await first.end().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.admin.end().catch(() => undefined);
    this.removeService?.();
    this.removePassfile?.();
  }

  private passfile: string | null = null;

  /**
   * A passfile (mode 600, in a folder of its own, mode 700) with the connecting role's password, for the tools
   * when they restore as that role (--trust-fixture, or no sandbox): never in their environment or argv. Made
   * once, removed by close() or on Ctrl-C.
   */
  private adminPassfile(password: string): string {
    if (this.passfile) return this.passfile;
    const dir = mkdtempSync(join(tmpdir(), `seq-guard-pass-${process.pid}-`));
    const file = join(dir, "pgpass");
    const remove = () => rmSync(dir, { recursive: true, force: true });
    const undo = onCleanup("remove the passfile", remove, () => `the folder ${dir} (rm -rf it)`);
    this.removePassfile = () => {
      remove();
      undo();
      this.passfile = null;
      this.removePassfile = null;
    };
    writeFileSync(file, `*:*:*:*:${passfileField(password)}\n`, { mode: 0o600, flag: "wx" });
    this.passfile = file;
    return file;
  }

  private removePassfile: (() => void) | null = null;

  private service: { file: string; name: string } | null = null;
  private removeService: (() => void) | null = null;

  /**
   * A connection service file (mode 600, in a folder of its own, mode 700) that holds the sslpassword: libpq has
   * no environment variable for it, and in --dbname every local user could read it (/proc/PID/cmdline). Made once,
   * removed by close() or on Ctrl-C.
   */
  private serviceFor(sslpassword: string): { file: string; name: string } {
    if (this.service) return this.service;
    const dir = mkdtempSync(join(tmpdir(), `seq-guard-svc-${process.pid}-`));
    const name = `seq-guard-${randomBytes(6).toString("hex")}`;
    const file = join(dir, "pg_service.conf");
    const remove = () => rmSync(dir, { recursive: true, force: true });
    const undo = onCleanup(
      "remove the connection service file",
      remove,
      () => `the folder ${dir} (rm -rf it)`,
    );
    this.removeService = () => {
      remove();
      undo();
      this.service = null;
      this.removeService = null;
    };
    writeFileSync(file, `[${name}]\nsslpassword=${sslpassword}\n`, { mode: 0o600, flag: "wx" });
    this.service = { file, name };
    return this.service;
  }

  get serverMajor(): number {
    return Math.floor(this.serverVersionNum / 10000);
  }

  private async exists(name: string): Promise<boolean> {
    const r = await this.admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return (r.rowCount ?? 0) > 0;
  }

  /** A database name for a dump that does not exist yet on the server. */
  async nameFor(path: string): Promise<string> {
    if (this.opts.database) return this.opts.database;
    const base = scratchName(path);
    for (let i = 1; i < 1000; i++) {
      const name = i === 1 ? base : `${base}_${i}`;
      if (!(await this.exists(name))) return name;
    }
    return `${base}_${randomBytes(4).toString("hex")}`;
  }

  /**
   * Check --restore-database before anything is restored: not the database seq-guard connects to, and it must
   * not exist, or be empty, unless --clean drops it.
   */
  async checkNamedDatabase(): Promise<void> {
    const name = this.opts.database;
    if (!name) return;
    const w = this.opts.words ?? CLI_WORDS;
    const option = w.option("restore-database");
    if (Buffer.byteLength(name) > 63) {
      throw new UsageError(`${option} "${name}" is longer than PostgreSQL's 63-byte limit for names`);
    }
    if (name === this.connectedDatabase) {
      // Connected to postgres itself, "connect to the postgres database" would be no advice.
      const instead =
        name === "postgres"
          ? `Name another database in ${option} (seq-guard creates it)`
          : `Name another database in ${option}, or connect to another one (for example the postgres database)`;
      throw new UsageError(
        `the restore database "${name}" (${option}) is the database seq-guard connects to: ${this.opts.clean ? `${w.enable("clean")} cannot drop a database while connected to it` : "restoring into it would mix the dump with what is there"}. ${instead}.`,
      );
    }
    // A template (template1, template0, or any marked datistemplate): what is restored into it would be copied
    // into every database created from it afterwards. Refused, with clean or not.
    const template = await this.admin.query(
      "SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate",
      [name],
    );
    if ((template.rowCount ?? 0) > 0) {
      throw new UsageError(
        `the restore database "${name}" (${option}) is a template database: every database created from it afterwards would get the dump's tables too. Name a new database to restore into (seq-guard creates it), or leave the name out for a scratch database.`,
      );
    }
    if (this.opts.clean || !(await this.exists(name))) return;
    const c = new pg.Client({ ...withDatabase(this.connection, name).config, application_name: "seq-guard" });
    c.on("error", () => undefined);
    let count = 0;
    try {
      await c.connect();
      const r = await c.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
           AND n.nspname NOT LIKE 'pg\\_temp%'`,
      );
      count = Number(r.rows[0]?.n ?? 0);
    } finally {
      await c.end().catch(() => undefined);
    }
    if (count > 0) {
      throw new UsageError(
        `${w.option("restore-database")} "${name}" already exists and is not empty (${count} relations). Give ${w.enable("clean")} to drop it first, or name another database.`,
      );
    }
  }

  /** Drop a database (with any sessions still in it). Uses its own connection, so it works mid-query too. */
  async drop(name: string): Promise<void> {
    await dropDatabase(this.maintenance, name, this.serverVersionNum);
  }

  private async createDatabase(name: string, encoding: string | null, notes: string[]): Promise<void> {
    const q = await this.admin.query<{ q: string; e: string; valid: boolean }>(
      "SELECT quote_ident($1) AS q, quote_literal($2) AS e, pg_char_to_encoding($2) >= 0 AS valid",
      [name, encoding ?? "UTF8"],
    );
    const { q: ident, e: enc, valid } = q.rows[0] as { q: string; e: string; valid: boolean };
    const attempts = valid
      ? [`ENCODING ${enc}`, `ENCODING ${enc} LC_COLLATE 'C' LC_CTYPE 'C'`]
      : ["ENCODING 'UTF8'", "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"];
    if (valid && encoding && encoding.toUpperCase() !== "UTF8") attempts.push("ENCODING 'UTF8'");
    let last: unknown;
    for (const a of attempts) {
      try {
        await this.admin.query(`CREATE DATABASE ${ident} TEMPLATE template0 ${a}`);
        if (a === "ENCODING 'UTF8'" && encoding && encoding.toUpperCase() !== "UTF8") {
          notes.push(
            `the dump's encoding ${encoding} cannot be used for a database on this server: restored into UTF8`,
          );
        }
        return;
      } catch (err) {
        last = err;
        const code = (err as { code?: string }).code;
        if (code === "42501") {
          throw new RestoreError(
            `the role may not create databases (CREATE DATABASE ${name}: ${(err as Error).message}). Grant it CREATEDB, or connect as a role that has it.`,
          );
        }
        if (code !== "22023" && code !== "42704" && code !== "0A000") break;
      }
    }
    throw new RestoreError(`could not create database ${name}: ${(last as Error)?.message ?? String(last)}`);
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
    const cleanups: (() => Promise<void>)[] = [];
    let createdHere = false;
    let undoDb: (() => void) | null = null;
    let existing = false;
    try {
      // Everything that can fail without touching the server comes first: choose the tools, copy what the
      // container needs, read the tables of contents.
      const extraArgs = await this.argsForTools(cleanups);
      const prepared: Prepared[] = [];
      for (const info of infos) prepared.push(await this.prepare(info, extraArgs, notes, cleanups));

      // The database: --restore-database (dropped first with --clean; an existing empty one is used as it is),
      // or a fresh name.
      throwIfInterrupted();
      existing = this.opts.database !== undefined && (await this.exists(name));
      if (existing && this.opts.clean) await this.drop(name);
      if (!existing || this.opts.clean) {
        let creating: Promise<void> | null = null;
        const server = this.maintenance.label.replace(/\/[^/]*$/, "");
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
        creating = this.createDatabase(name, (prepared[0] as Prepared).encoding, notes);
        await creating;
        createdHere = true;
      }
      await this.enterSandbox(name, notes);

      let stats: ArchiveListStats | null = null;
      const plain: { path: string; facts: PlainFacts }[] = [];
      for (const p of prepared) {
        const r = await this.restoreOne(p, name, extraArgs, notes, progress);
        if (r.failure) {
          let failure = r.failure;
          if (prepared.length > 1 && p !== prepared[0]) {
            failure += ` (${p.info.path} is dump ${prepared.indexOf(p) + 1} of ${prepared.length} restored into ${name}; those before it restored)`;
          }
          if (existing && !this.opts.clean) {
            failure += ` The database ${name} existed before and was restored into in part: drop it, or run again with --clean.`;
          }
          throw new RestoreError(failure);
        }
        if (p.stats) stats = stats ? mergeListStats(stats, p.stats) : p.stats;
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

  /**
   * The --restore-arg values as pg_restore and the plain SQL runner get them. In a container, a file pg_restore
   * names (-L LIST, --filter FILE) is copied in and named by its copy. (Plain SQL takes no file argument.)
   */
  private async argsForTools(
    cleanups: (() => Promise<void>)[],
  ): Promise<{ pgRestore: string[]; plain: string[] }> {
    const args = this.opts.extraArgs;
    const pgRestore = [...args];
    const via = this.opts.viaContainer;
    for (const f of fileValues("pg_restore", args)) {
      if (!via) continue;
      const dest = await this.copyIn(resolve(f.path), cleanups);
      pgRestore[f.index] = (pgRestore[f.index] as string).slice(0, f.at) + dest;
    }
    return { pgRestore, plain: [...args] };
  }

  /** Copy a file or folder into the container's /tmp; the copy is removed again (cleanups, or on Ctrl-C). */
  private async copyIn(path: string, cleanups: (() => Promise<void>)[]): Promise<string> {
    const via = this.opts.viaContainer as string;
    const dest = `/tmp/seq-guard-${randomBytes(6).toString("hex")}`;
    const remove = () =>
      runTool("docker", ["exec", via, "rm", "-rf", dest], childEnv(this.env)).then(
        () => undefined,
        () => undefined,
      );
    const undo = onCleanup(
      `remove the copy ${dest} in container ${via}`,
      remove,
      () => `the copy ${dest} in container ${via} (docker exec ${via} rm -rf ${dest})`,
    );
    cleanups.push(async () => {
      await remove();
      undo();
    });
    const cp = await runTool("docker", ["cp", path, `${via}:${dest}`], childEnv(this.env));
    if (cp.code !== 0) {
      throw new RestoreError(
        `could not copy ${JSON.stringify(path)} into container ${via}: ${cp.stderr.trim() || `docker cp exited with ${cp.code}`}`,
      );
    }
    return dest;
  }

  /** Choose the tool for a dump, copy it into the container if need be, read its table of contents. */
  private async prepare(
    info: DumpInfo,
    extraArgs: { pgRestore: string[] },
    notes: string[],
    cleanups: (() => Promise<void>)[],
  ): Promise<Prepared> {
    const d = info.detection as Extract<DumpInfo["detection"], { ok: true }>;
    const via = this.opts.viaContainer;
    if (d.format === "plain" || d.format === "plain-gzip") {
      // No client tool: seq-guard runs plain SQL itself, also with --restore-via (over its own connection).
      return {
        info,
        format: d.format,
        archive: false,
        toolPath: "",
        toolVersion: "",
        encoding: d.encoding,
        stats: null,
        toc: "",
        containerCopy: null,
      };
    }
    const header = (d as { header: ArchiveHeader }).header;
    let toolPath = "pg_restore";
    let toolVersion = "";
    let containerCopy: string | null = null;
    if (!via) {
      const choice = await restoreClientFor(info.path, header, this.serverMajor, this.env);
      toolPath = choice.tool.path;
      toolVersion = choice.tool.version;
      if (choice.warning) notes.push(choice.warning);
    } else if (info.isDirectory || (d.format === "custom" && this.parallelAllowed())) {
      // A directory cannot be streamed; a custom archive can, but pg_restore --jobs needs a file to seek in.
      containerCopy = await this.copyIn(resolve(info.path), cleanups);
    }
    const p: Prepared = {
      info,
      format: d.format,
      archive: true,
      toolPath,
      toolVersion,
      encoding: null,
      stats: null,
      toc: "",
      containerCopy,
    };
    const list = await this.archiveTool(p, ["-l", ...selectionArgs(extraArgs.pgRestore)], null, {
      captureStdout: true,
    });
    if (list.code !== 0) {
      const errors = pgRestoreErrors(list.stderr);
      throw new RestoreError(
        `could not read the table of contents of ${JSON.stringify(info.path)} (${d.format} archive): ${explainArchiveFailure(errors, list.stderr, header, toolVersion || "in the container", { exit: list, format: d.format })}`,
      );
    }
    p.stats = archiveListStats(list.stdout);
    p.toc = list.stdout;
    const pre = await this.archiveTool(p, ["-f", "-", "-L", via ? "/dev/null" : devNull], null, {
      captureStdout: true,
    });
    p.encoding = /^SET client_encoding = '([^']+)';/m.exec(pre.stdout)?.[1] ?? null;
    return p;
  }

  /**
   * An archive restored in the sandbox (see sandbox.ts): the extensions it asks for that the role may not create
   * but the connecting role may are created first, in the schema the archive names when that schema is there;
   * their COMMENT ON EXTENSION entries (and plpgsql's, there in every database) are left out with a -L list, since
   * only an extension's owner may comment on it. Returns the extra arguments, and what removes the list file.
   */
  private async archiveExtensions(
    p: Prepared,
    name: string,
    toolArgs: string[],
  ): Promise<{ args: string[]; done: () => Promise<void> }> {
    const none = { args: [], done: async () => undefined };
    // A list file for pg_restore: inside the container too when it runs there.
    const copies: (() => Promise<void>)[] = [];
    const listArg = async (file: string) => (this.opts.viaContainer ? await this.copyIn(file, copies) : file);
    const role = this.roles.get(name)?.role;
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
        const sql = await this.archiveTool(p, ["-f", "-", "-L", await listArg(join(dir, "list"))], null, {
          captureStdout: true,
        });
        for (const statement of sql.stdout.split(/;\s*\n/)) {
          const ext = extensionStatement(statement);
          if (ext?.kind !== "create" || !toCreate.includes(ext.name)) continue;
          const schema = ext.schema ?? "public";
          if (schema !== "public" && schema !== "pg_catalog") continue; // not made yet: the restore says so
          await this.asAdminIn(name, createExtensionSql(ext.name, schema));
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
      args: [`--use-list=${await listArg(file)}`],
      done: async () => {
        rmSync(dir, { recursive: true, force: true });
        undo();
        for (const c of copies.splice(0)) await c();
      },
    };
  }

  /** --jobs > 1 and no restore argument that rules parallel restore out (or sets --jobs itself). */
  private parallelAllowed(): boolean {
    return (
      this.opts.jobs > 1 &&
      !this.opts.extraArgs.some((a) => SERVER_SIDE_ARGS.has(a.split("=")[0] as string) || /^-j\d/.test(a))
    );
  }

  /** Restore one prepared dump into the database; a failure comes back as its message. */
  private async restoreOne(
    p: Prepared,
    name: string,
    extraArgs: { pgRestore: string[]; plain: string[] },
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
    const via = this.opts.viaContainer;
    try {
      if (p.archive) {
        const header = (info.detection as { header: ArchiveHeader }).header;
        const args = ["--no-owner", "--no-privileges"];
        if (this.opts.onError === "stop") args.push("--exit-on-error");
        const fromFile = !via || p.containerCopy !== null;
        if (fromFile && (format === "custom" || format === "directory") && this.parallelAllowed()) {
          args.push(`--jobs=${this.opts.jobs}`);
        }
        args.push(...extraArgs.pgRestore);
        const sandboxed = await this.archiveExtensions(p, name, extraArgs.pgRestore);
        args.push(...sandboxed.args);
        const run = await this.archiveTool(p, args, name, {}).finally(sandboxed.done);
        const errors = pgRestoreErrors(run.stderr);
        const ignored = /errors ignored on restore: (\d+)/.exec(run.stderr);
        if (run.code !== 0 && !(this.opts.onError === "continue" && ignored)) {
          return {
            failure: `could not restore ${JSON.stringify(info.path)} (${format} archive) with pg_restore${p.toolVersion ? ` ${p.toolVersion}` : ` in container ${via}`}: ${explainArchiveFailure(errors, run.stderr, header, p.toolVersion || "in the container", { exit: run, format })}${sandboxRemedy(run.stderr, this.roles.has(name))}`,
            facts: null,
          };
        }
        if (ignored && this.opts.onError === "continue") {
          notes.push(...passedOver("pg_restore", errors, Number(ignored[1])));
        }
        return { failure: null, facts: null };
      }
      // Plain SQL is run by seq-guard itself over its own session (run-plain.ts), never by psql: \i, \ir and
      // \copy reach files in the dump's folder only.
      read = 0;
      const run = await runPlainScript({
        path: info.path,
        format: format as "plain" | "plain-gzip",
        connect: () => this.restoreSession(name),
        includeDir: await realpath(dirname(resolve(info.path))),
        onError: this.opts.onError,
        singleTransaction: plainSingleTransaction(extraArgs.plain),
        tolerate: (statement, err, session) => this.passSandboxFailure(name, statement, err, session),
        onRead: (bytes) => {
          read = bytes;
        },
      });
      if (run.failure !== null) {
        return { failure: run.failure + sandboxRemedy(run.failure, this.roles.has(name)), facts: run.facts };
      }
      notes.push(...passedOver("seq-guard", run.passedOver, run.passedOverCount));
      return { failure: null, facts: run.facts };
    } finally {
      clearInterval(ticker);
    }
  }

  /** Make the restore role for database `name`, or say (once a run) why the dumps run as the connecting role. */
  private async enterSandbox(name: string, notes: string[]): Promise<void> {
    if (!this.adminRole.sandbox) {
      if (!this.unsandboxedSaid) {
        this.unsandboxedSaid = true;
        const note = sandboxNote(this.adminRole.name, this.opts.trustFixture);
        if (note) notes.push(note);
      }
      return;
    }
    const server = this.maintenance.label.replace(/\/[^/]*$/, "");
    const made = await makeRestoreRole(
      (sql, params) => onMaintenance(this.maintenance, sql, params),
      name,
      async (sql) => {
        await this.asAdminIn(name, sql);
      },
      server,
    );
    this.roles.set(name, made);
  }

  /** Run SQL as the connecting role inside database `name`, in a session of its own; the last result's rows. */
  private async asAdminIn(name: string, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
    const c = sessionClient(withDatabase(this.connection, name));
    try {
      await c.connect();
      // The restore's session may hold a lock this one would wait for (everything in one transaction, -1).
      await c.query("SET lock_timeout = '5s'");
      const r = await c.query(sql, params);
      return Array.isArray(r) ? ((r.at(-1) as pg.QueryResult | undefined)?.rows ?? []) : r.rows;
    } finally {
      await c.end().catch(() => undefined);
    }
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
  async passSandboxFailure(
    name: string,
    statement: string,
    err: { code?: string },
    session: pg.Client,
  ): Promise<boolean> {
    const r = this.roles.get(name);
    // 42501: the role may not; 42710: it exists already (an extension the connecting role made for the fixture).
    if (!r || (err.code !== "42501" && err.code !== "42710")) return false;
    const triggers = triggersStatement(statement);
    if (triggers) {
      try {
        const oid = await session.query<{ oid: string | null }>(
          "SELECT pg_catalog.to_regclass($1)::oid::int8::text AS oid",
          [triggers.table],
        );
        const table = oid.rows[0]?.oid;
        if (!table) return false;
        const [row] = await this.asAdminIn(
          name,
          "SELECT pg_catalog.format('%s', $1::oid::regclass) AS t, c.relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $2) AS theirs FROM pg_catalog.pg_class c WHERE c.oid = $1::oid",
          [table, r.role.name],
        );
        // Only the role's own tables: what it restored, nothing the connecting role put there.
        if (row?.theirs !== true) return false;
        await this.asAdminIn(
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
    if (ext.kind === "create" && err.code === "42501") {
      if (!adminMayCreate(ext.name, this.opts.extensions)) return false;
      try {
        await this.asAdminIn(name, createExtensionSql(ext.name, ext.schema));
      } catch {
        return false;
      }
      r.role.adminCreated.add(ext.name);
      return true;
    }
    // Not the role's extension (made above, or there in every database, as plpgsql), or made twice.
    return ext.kind === "comment" ? err.code === "42501" : err.code === "42710";
  }

  /**
   * A session in the scratch database `name` for running a plain SQL script: opened as the restore role (see
   * sandbox.ts) unless the fixture is trusted or no such role could be made. The caller ends it.
   */
  async restoreSession(name: string): Promise<pg.Client> {
    const role = this.roles.get(name)?.role;
    const target = withDatabase(this.connection, name);
    const c = sessionClient(role ? withLogin(target, role.name, role.password) : target);
    await c.connect();
    return c;
  }

  /** Run pg_restore on this machine, or inside the container with docker exec. */
  private tool(
    toolName: "pg_restore",
    toolPath: string,
    args: string[],
    database: string | null,
    opts: ToolOptions,
    positional: string[] = [],
  ): Promise<ToolRun> {
    const via = this.opts.viaContainer;
    if (!via) {
      const target = database ? libpqTarget(this.connection, database) : null;
      const role = database ? this.roles.get(database)?.role : undefined;
      const env: NodeJS.ProcessEnv = { ...childEnv(this.env), PGAPPNAME: this.env.PGAPPNAME ?? "seq-guard" };
      let dbname = target?.dbname;
      if (role && dbname !== undefined) {
        // The sandbox's role (see sandbox.ts): its name in place of the connecting role's, its passfile.
        env.PGUSER = role.name;
        env.PGPASSFILE = role.passfile;
        if (/^postgres(ql)?:/.test(dbname)) {
          const u = new URL(dbname);
          u.username = encodeURIComponent(role.name);
          u.searchParams.delete("user");
          u.searchParams.delete("passfile");
          dbname = u.toString();
        }
      } else if (target) {
        const password = target.env.PGPASSWORD ?? this.env.PGPASSWORD;
        if (password !== undefined) env.PGPASSFILE = this.adminPassfile(password);
      }
      if (target?.sslpassword != null && dbname !== undefined) {
        const service = this.serviceFor(target.sslpassword);
        env.PGSERVICEFILE = service.file;
        const u = new URL(dbname);
        u.searchParams.set("service", service.name);
        dbname = u.toString();
      }
      const all = [...args, ...(dbname !== undefined ? [`--dbname=${dbname}`] : []), ...positional];
      return runTool(toolPath, all, env, opts);
    }
    const role = database ? this.roles.get(database)?.role : undefined;
    // docker exec -e NAME hands the value from docker's own environment into the container's tool. (The sandbox
    // role's password lives only as long as the restore and opens nothing but its scratch database.)
    const creds = role
      ? { PGUSER: role.name, PGPASSWORD: role.password }
      : containerCredentials(this.connection, this.env);
    const env = { ...childEnv(this.env), ...creds, PGAPPNAME: "seq-guard" };
    const dockerArgs = ["exec"];
    if (opts.input) dockerArgs.push("-i");
    for (const k of Object.keys(creds)) dockerArgs.push("-e", k);
    dockerArgs.push("-e", "PGAPPNAME", via, toolName, ...args);
    if (database) dockerArgs.push(`--dbname=dbname=${conninfoQuote(database)}`);
    dockerArgs.push(...positional);
    return runTool("docker", dockerArgs, env, opts);
  }

  /** pg_restore on an archive: the file path locally, the copy in the container, or the file on stdin. */
  private archiveTool(
    p: Prepared,
    args: string[],
    database: string | null,
    opts: { captureStdout?: boolean },
  ): Promise<ToolRun> {
    const via = this.opts.viaContainer;
    if (!via) return this.tool("pg_restore", p.toolPath, args, database, opts, [resolve(p.info.path)]);
    if (p.containerCopy)
      return this.tool("pg_restore", "pg_restore", args, database, opts, [p.containerCopy]);
    return this.tool("pg_restore", "pg_restore", args, database, {
      ...opts,
      input: [createReadStream(p.info.path)],
    });
  }
}

/**
 * What to do when a restore failed because the sandbox's role may not do something (see sandbox.ts): name the
 * extension with --extension, or trust the dump. "" when the failure is not of that kind.
 */
export function sandboxRemedy(errorText: string, sandboxed: boolean): string {
  if (!sandboxed) return "";
  const ext = /permission denied to create extension "([^"]+)"/.exec(errorText)?.[1];
  if (ext !== undefined) {
    return ` The dump is restored as a role that owns only its scratch database, and ${ext} is not among the extensions seq-guard creates for a dump (those that reach nothing beyond the database). If ${ext} is safe to have there, name it: --extension ${ext} (input extensions in the Action); or, for a dump you trust (never one from a fork), restore it with the connecting role's rights: --trust-fixture.`;
  }
  if (/must be superuser|permission denied|must be owner|must be able to SET ROLE/.test(errorText)) {
    return " The dump is restored as a role that owns only its scratch database, with no rights beyond it: a statement that needs more (a superuser's, another role's) fails. For a dump you trust (never one from a fork), restore it with the connecting role's rights: --trust-fixture (input trust-fixture in the Action).";
  }
  return "";
}

/**
 * A client for one of the restore's own sessions (admin, maintenance, the scratch database's): named seq-guard,
 * bounded in its connect, and kept from crashing the process when the server drops it (the query says so).
 */
function sessionClient(target: ConnectionTarget): pg.Client {
  const c = new pg.Client({
    ...target.config,
    application_name: "seq-guard",
    connectionTimeoutMillis: 10_000,
  });
  c.on("error", () => undefined);
  return c;
}

/** Run one statement over a fresh connection to `maintenance`, which works also once the admin session is closed. */
async function onMaintenance<R extends pg.QueryResultRow>(
  maintenance: ConnectionTarget,
  sql: string,
  params?: unknown[],
): Promise<pg.QueryResult<R>> {
  const c = sessionClient(maintenance);
  try {
    await c.connect();
    return await c.query<R>(sql, params);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Drop a database and the sessions still in it, over a fresh connection to `maintenance` (not the database). */
export async function dropDatabase(
  maintenance: ConnectionTarget,
  name: string,
  serverVersionNum: number,
): Promise<void> {
  const c = sessionClient(maintenance);
  try {
    await c.connect();
    const q = await c.query<{ q: string }>("SELECT quote_ident($1) AS q", [name]);
    const ident = (q.rows[0] as { q: string }).q;
    if (serverVersionNum >= 130000) {
      await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`).catch((err: { code?: string }) => {
        // Dropped by another session between the IF EXISTS check and the lock: gone, as wanted.
        if (err.code !== "3D000") throw err;
      });
    } else {
      for (let i = 0; i < 5; i++) {
        await c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [name],
        );
        try {
          await c.query(`DROP DATABASE IF EXISTS ${ident}`);
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== "55006" || i === 4) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  } finally {
    await c.end().catch(() => undefined);
  }
}
