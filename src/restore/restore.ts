// Restoring one dump into a fresh database: created from template0 with the dump's encoding, then filled by
// pg_restore (custom, directory, tar) or psql with ON_ERROR_STOP (plain SQL, streamed; gzip decompressed on the
// way by zlib, never to disk). Child processes get credentials through the environment, never argv, and run
// without a shell. Everything created registers its undo with cleanup.ts, so a failure or Ctrl-C leaves nothing.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { devNull } from "node:os";
import { basename, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import pg from "pg";
import { type ConnectionTarget, withDatabase } from "../connection.ts";
import { connectWithRetry } from "../engine.ts";
import { RestoreError, UsageError } from "../errors.ts";
import type { RestoreOptions } from "../targets.ts";
import type { DumpFormat } from "../types.ts";
import { InterruptedError, interrupted, interruption, onCleanup, throwIfInterrupted } from "./cleanup.ts";
import { psqlClient, restoreClientFor } from "./clients.ts";
import type { ArchiveHeader, DumpInfo } from "./detect.ts";
import { type ArchiveListStats, archiveListStats, selectionArgs } from "./hints.ts";
import { type PlainFacts, PlainSqlFilter, PlainSqlProblem } from "./plain.ts";

export interface RestoreResult {
  database: string;
  /** We created the database (and so may drop it). */
  created: boolean;
  format: DumpFormat;
  restoreMs: number;
  /** Notes for the report: a version warning, errors passed over with --on-restore-error continue. */
  notes: string[];
  /** What the hints need: the archive's selected table of contents, or what the plain script did. */
  archive: { stats: ArchiveListStats; selection: string[] } | null;
  plain: PlainFacts | null;
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

/** How a client tool reaches `database` on the server: a --dbname argument without password, and environment. */
export function libpqTarget(
  connection: ConnectionTarget,
  database: string,
): { dbname: string; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const cs = connection.config.connectionString;
  if (!cs) return { dbname: `dbname=${conninfoQuote(database)}`, env };
  const u = new URL(cs);
  if (u.password) env.PGPASSWORD = safeDecode(u.password);
  u.password = "";
  const pw = u.searchParams.get("password");
  if (pw !== null) {
    env.PGPASSWORD = pw;
    u.searchParams.delete("password");
  }
  for (const k of [...u.searchParams.keys()]) if (!LIBPQ_PARAMS.has(k)) u.searchParams.delete(k);
  if (u.searchParams.get("sslmode") === "no-verify") u.searchParams.set("sslmode", "require");
  u.searchParams.delete("dbname");
  u.pathname = `/${encodeURIComponent(database)}`;
  return { dbname: u.toString(), env };
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

/** Run a client tool without a shell; feed it `input` (a chain of streams) on stdin. */
function runTool(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { input?: (Readable | NodeJS.ReadWriteStream)[]; captureStdout?: boolean } = {},
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
    const unregister = onCleanup(`stop ${cmd}`, kill);
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
    // "could not execute query: ERROR:  x" is followed by "Command was: ..." on the next lines.
    const next = lines[i + 1];
    if (next?.startsWith("Command was:")) {
      const cmd = next.slice("Command was:".length).trim();
      text += ` (while running: ${cmd.length > 160 ? `${cmd.slice(0, 160)}...` : cmd})`;
    }
    out.push(text.replace(/\s+/g, " "));
  }
  return out;
}

/** psql's errors as FILE:LINE: message, with the DETAIL/HINT lines that follow. */
export function psqlErrors(stderr: string, path: string): string[] {
  const lines = stderr.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^psql:(?:<stdin>|-):(\d+): (.*)$/.exec(lines[i] as string);
    if (!m) continue;
    let text = `${path}:${m[1]}: ${(m[2] as string).replace(/\s+/g, " ").trim()}`;
    for (let j = i + 1; j < lines.length && !(lines[j] as string).startsWith("psql:"); j++) {
      const d = /^(DETAIL|HINT|CONTEXT):\s+(.*)$/.exec(lines[j] as string);
      if (d) text += ` ${d[1]}: ${(d[2] as string).trim()}`;
    }
    out.push(text);
  }
  if (out.length === 0) {
    const fatal = lines.find((l) => /^psql: (error|fatal):/.test(l));
    if (fatal) out.push(fatal.replace(/^psql: (error|fatal):\s*/, ""));
  }
  return out;
}

/** Explain pg_restore's failure: what went wrong and what to do. */
function explainArchiveFailure(
  errors: string[],
  stderr: string,
  header: ArchiveHeader,
  version: string,
): string {
  const all = errors.join(" | ");
  const v = /unsupported version \((\d+\.\d+)\) in file header/.exec(stderr);
  if (v) {
    return `pg_restore ${version} cannot read archive format ${v[1]} (written by pg_dump ${header.dumpVersion ?? "of a newer release"}). Use a pg_restore at least as new as that pg_dump: install those client tools, or run the restore in the server's container with --restore-via docker:CONTAINER.`;
  }
  if (
    /end of file|unexpected end|could not read from input file|did not find magic string|corrupt/i.test(all)
  ) {
    return `${all}. The archive is truncated or corrupt: make it again with pg_dump, or copy it again if it was damaged on the way.`;
  }
  if (/lack of data offsets|non-seekable|could not find block ID/i.test(all)) {
    return `${all}. The archive was written to a pipe, so it cannot be restored in parallel: give --jobs 1.`;
  }
  if (all === "") {
    const last = stderr.trim().split("\n").slice(-3).join(" ").trim();
    return last || "pg_restore failed without a message";
  }
  return all;
}

const SERVER_SIDE_ARGS = new Set(["-j", "--jobs", "-1", "--single-transaction"]);

/** One dump at a time into scratch databases on one server. */
export class Restorer {
  private constructor(
    private readonly connection: ConnectionTarget,
    private readonly admin: pg.Client,
    readonly serverVersionNum: number,
    private readonly opts: RestoreOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async open(
    connection: ConnectionTarget,
    opts: RestoreOptions,
    connectTimeoutMs: number,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<Restorer> {
    const admin = await connectWithRetry(connection.config, connectTimeoutMs);
    try {
      const r = await admin.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
      return new Restorer(connection, admin, (r.rows[0] as { v: number }).v, opts, env);
    } catch (err) {
      await admin.end().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.admin.end().catch(() => undefined);
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
   * Check --restore-database before anything is restored: it must not exist, or be empty, unless --clean drops
   * it. Returns whether it exists (empty) and is to be restored into as it is.
   */
  async checkNamedDatabase(): Promise<void> {
    const name = this.opts.database;
    if (!name) return;
    if (Buffer.byteLength(name) > 63) {
      throw new UsageError(
        `--restore-database "${name}" is longer than PostgreSQL's 63-byte limit for names`,
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
        `--restore-database "${name}" already exists and is not empty (${count} relations). Give --clean to drop it first, or name another database.`,
      );
    }
  }

  /** Drop a database (with any sessions still in it). Uses its own connection, so it works mid-query too. */
  async drop(name: string): Promise<void> {
    await dropDatabase(this.connection, name, this.serverVersionNum);
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

  /** Restore one dump. Throws RestoreError (nothing left behind) or InterruptedError. */
  async restore(
    info: DumpInfo,
    name: string,
    progress: (text: string | null) => void,
  ): Promise<RestoreResult> {
    const d = info.detection;
    if (!d.ok) throw new RestoreError(`${JSON.stringify(info.path)} cannot be restored: ${d.problem}`);
    throwIfInterrupted();
    const notes: string[] = [];
    const archive = d.format === "custom" || d.format === "directory" || d.format === "tar";
    const via = this.opts.viaContainer;

    // Everything that can fail without touching the server comes first: choose the tool, read the table of contents.
    let restoreTool = "pg_restore";
    let restoreVersion = "";
    let encoding: string | null = null;
    let stats: ArchiveListStats | null = null;
    const selection = archive ? selectionArgs(this.opts.extraArgs) : [];
    let containerCopy: string | null = null;
    let undoCopy: (() => void) | null = null;
    const started = Date.now();
    let plainRead: number | null = null;
    let plainFacts: PlainFacts | null = null;
    const ticker = setInterval(() => {
      const s = Math.round((Date.now() - started) / 1000);
      const done =
        plainRead !== null ? `${mb(plainRead).replace(/ MB$/, "")} of ${mb(info.size)} read` : mb(info.size);
      progress(`restoring ${basename(info.path)} (${d.format}): ${done}, ${s}s`);
    }, 1000);
    ticker.unref();
    let createdHere = false;
    let undoDb: (() => void) | null = null;
    try {
      if (archive) {
        const header = (d as { header: ArchiveHeader }).header;
        if (!via) {
          const choice = await restoreClientFor(info.path, header, this.serverMajor, this.env);
          restoreTool = choice.tool.path;
          restoreVersion = choice.tool.version;
          if (choice.warning) notes.push(choice.warning);
        } else if (info.isDirectory) {
          containerCopy = `/tmp/seq-guard-${randomBytes(6).toString("hex")}`;
          const dest = containerCopy;
          undoCopy = onCleanup("remove the copy in the container", () =>
            runTool("docker", ["exec", via, "rm", "-rf", dest], this.env).catch(() => undefined),
          );
          const cp = await runTool("docker", ["cp", resolve(info.path), `${via}:${dest}`], this.env);
          if (cp.code !== 0) {
            throw new RestoreError(
              `could not copy ${JSON.stringify(info.path)} into container ${via}: ${cp.stderr.trim() || `docker cp exited with ${cp.code}`}`,
            );
          }
        }
        const list = await this.archiveTool(restoreTool, ["-l", ...selection], info, containerCopy, null, {
          captureStdout: true,
        });
        if (list.code !== 0) {
          const errors = pgRestoreErrors(list.stderr);
          throw new RestoreError(
            `could not read the table of contents of ${JSON.stringify(info.path)} (${d.format} archive): ${explainArchiveFailure(errors, list.stderr, header, restoreVersion || "in the container")}`,
          );
        }
        stats = archiveListStats(list.stdout);
        const pre = await this.archiveTool(
          restoreTool,
          ["-f", "-", "-L", via ? "/dev/null" : devNull],
          info,
          containerCopy,
          null,
          { captureStdout: true },
        );
        encoding = /^SET client_encoding = '([^']+)';/m.exec(pre.stdout)?.[1] ?? null;
      } else {
        encoding = (d as { encoding: string | null }).encoding;
      }
      let psqlPath = "psql";
      if (!archive && !via) psqlPath = (await psqlClient(this.env)).path;

      // The database: --restore-database (dropped first with --clean; an existing empty one is used as it is),
      // or a fresh name.
      throwIfInterrupted();
      const existing = this.opts.database !== undefined && (await this.exists(name));
      if (existing && this.opts.clean) await this.drop(name);
      if (!existing || this.opts.clean) {
        let creating: Promise<void> | null = null;
        undoDb = onCleanup(`drop database ${name}`, async () => {
          await creating?.catch(() => undefined);
          await this.drop(name);
        });
        creating = this.createDatabase(name, encoding, notes);
        await creating;
        createdHere = true;
      }

      // The restore itself.
      progress(`restoring ${basename(info.path)} (${d.format}): ${mb(info.size)}`);
      let run: ToolRun;
      let failure: string | null = null;
      if (archive) {
        const header = (d as { header: ArchiveHeader }).header;
        const args = ["--no-owner", "--no-privileges"];
        if (this.opts.onError === "stop") args.push("--exit-on-error");
        const fromFile = !via || containerCopy !== null;
        const parallelOk =
          fromFile &&
          (d.format === "custom" || d.format === "directory") &&
          this.opts.jobs > 1 &&
          !this.opts.extraArgs.some(
            (a) => SERVER_SIDE_ARGS.has(a.split("=")[0] as string) || /^-j\d/.test(a),
          );
        if (parallelOk) args.push(`--jobs=${this.opts.jobs}`);
        args.push(...this.opts.extraArgs);
        run = await this.archiveTool(restoreTool, args, info, containerCopy, name, {});
        const errors = pgRestoreErrors(run.stderr);
        const ignored = /errors ignored on restore: (\d+)/.exec(run.stderr);
        if (run.code !== 0 && !(this.opts.onError === "continue" && ignored)) {
          failure = `could not restore ${JSON.stringify(info.path)} (${d.format} archive) with pg_restore${restoreVersion ? ` ${restoreVersion}` : ` in container ${via}`}: ${explainArchiveFailure(errors, run.stderr, header, restoreVersion || "in the container")}`;
        } else if (ignored) {
          notes.push(
            `pg_restore passed over ${ignored[1]} error(s) (--on-restore-error continue); the first: ${errors[0] ?? "see pg_restore's output"}`,
          );
        }
      } else {
        const filter = new PlainSqlFilter({ noOwner: true, noPrivileges: true });
        plainFacts = filter.facts;
        const source = createReadStream(info.path, { highWaterMark: 1 << 20 });
        plainRead = 0;
        source.on("data", (c) => {
          plainRead = (plainRead ?? 0) + c.length;
        });
        const input: (Readable | NodeJS.ReadWriteStream)[] = [source];
        if (d.format === "plain-gzip") input.push(zlib.createGunzip());
        input.push(filter);
        const args = [
          "-X",
          "-q",
          "-v",
          `ON_ERROR_STOP=${this.opts.onError === "stop" ? 1 : 0}`,
          ...this.opts.extraArgs,
        ];
        run = await this.tool("psql", psqlPath, [...args, "-f", "-"], name, { input });
        const errors = psqlErrors(run.stderr, info.path);
        if (run.inputError) {
          const e = run.inputError;
          failure =
            e instanceof PlainSqlProblem
              ? `${info.path}:${e.line}: ${e.message}`
              : d.format === "plain-gzip" && (e as NodeJS.ErrnoException).code?.startsWith("Z_")
                ? `${JSON.stringify(info.path)} is not a whole gzip file (${e.message}): it is truncated or corrupt. Make it again, or copy it again.`
                : `could not read ${JSON.stringify(info.path)}: ${e.message}`;
        } else if (run.code !== 0) {
          failure = `could not restore ${JSON.stringify(info.path)} (${d.format === "plain" ? "plain SQL" : "gzip-compressed plain SQL"}) with psql: ${errors[0] ?? (run.stderr.trim().split("\n").slice(-3).join(" ") || `psql exited with ${run.code}`)}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`;
        } else if (errors.length > 0) {
          notes.push(
            `psql passed over ${errors.length} error(s) (--on-restore-error continue); the first: ${errors[0]}`,
          );
        }
      }
      if (failure) {
        if (existing && !this.opts.clean) {
          failure += ` The database ${name} existed before and was restored into in part: drop it, or run again with --clean.`;
        }
        throw new RestoreError(failure);
      }
      return {
        database: name,
        created: createdHere,
        format: d.format,
        restoreMs: Date.now() - started,
        notes,
        archive: stats ? { stats, selection } : null,
        plain: plainFacts,
        release: undoDb,
      };
    } catch (err) {
      if (createdHere) await this.drop(name).catch(() => undefined);
      // Interrupted: the registered undo drops it (also when CREATE DATABASE was still under way).
      if (!interrupted()) undoDb?.();
      throw err;
    } finally {
      clearInterval(ticker);
      if (containerCopy && via && !interrupted()) {
        await runTool("docker", ["exec", via, "rm", "-rf", containerCopy], this.env).catch(() => undefined);
        undoCopy?.();
      }
      progress(null);
    }
  }

  /** Run a client tool on this machine, or inside the container with docker exec. */
  private tool(
    toolName: "pg_restore" | "psql",
    toolPath: string,
    args: string[],
    database: string | null,
    opts: { input?: (Readable | NodeJS.ReadWriteStream)[]; captureStdout?: boolean },
    positional: string[] = [],
  ): Promise<ToolRun> {
    const via = this.opts.viaContainer;
    if (!via) {
      const target = database ? libpqTarget(this.connection, database) : null;
      const env = { ...this.env, PGAPPNAME: this.env.PGAPPNAME ?? "seq-guard", ...(target?.env ?? {}) };
      const all = [...args, ...(target ? [`--dbname=${target.dbname}`] : []), ...positional];
      return runTool(toolPath, all, env, opts);
    }
    const creds = containerCredentials(this.connection, this.env);
    const env = { ...this.env, ...creds, PGAPPNAME: "seq-guard" };
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
    toolPath: string,
    args: string[],
    info: DumpInfo,
    containerCopy: string | null,
    database: string | null,
    opts: { captureStdout?: boolean },
  ): Promise<ToolRun> {
    const via = this.opts.viaContainer;
    if (!via) return this.tool("pg_restore", toolPath, args, database, opts, [resolve(info.path)]);
    if (containerCopy) return this.tool("pg_restore", "pg_restore", args, database, opts, [containerCopy]);
    return this.tool("pg_restore", "pg_restore", args, database, {
      ...opts,
      input: [createReadStream(info.path)],
    });
  }
}

/** Drop a database and the sessions still in it, over a fresh connection. */
export async function dropDatabase(
  connection: ConnectionTarget,
  name: string,
  serverVersionNum: number,
): Promise<void> {
  const c = new pg.Client({
    ...connection.config,
    application_name: "seq-guard",
    connectionTimeoutMillis: 10_000,
  });
  c.on("error", () => undefined);
  try {
    await c.connect();
    const q = await c.query<{ q: string }>("SELECT quote_ident($1) AS q", [name]);
    const ident = (q.rows[0] as { q: string }).q;
    if (serverVersionNum >= 130000) {
      await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
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
