// Running a plain SQL script (.sql, .sql.gz) over seq-guard's own connection, without psql: the server is the only
// SQL parser that matters, so whatever this side misreads in a hostile fixture ends as an SQL error, never as a
// shell command or a file read outside the fixture's folder. The script is read in chunks (gzip inflated on the
// way) and each chunk's events (plain.ts: statements, COPY data, \i, \copy) are run before the next chunk is read,
// so memory holds about one chunk. Statements go with the simple query protocol, several in one query (a batch,
// one round trip: see Runner.runBatch) where that cannot change what they do; COPY FROM stdin data goes through
// the COPY protocol (pg-copy-streams), streamed as read. \i, \ir and \copy ... FROM reach only files whose real
// path lies in the fixture's folder.

import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { InterruptedError, interrupted, interruption, throwIfInterrupted } from "../process/cleanup.ts";
import {
  decodeUtf8,
  displayPath,
  encodingTranscoder,
  mergeIncluded,
  type PlainEvent,
  type PlainFacts,
  PlainSqlProblem,
  SqlScript,
  STATEMENT_MAX,
} from "./plain.ts";

export interface RunPlainOptions {
  /** The dump, as given (for messages). */
  path: string;
  format: "plain" | "plain-gzip";
  /** Opens the session the script runs in (in the scratch database); the runner ends it. */
  connect: () => Promise<pg.Client>;
  /** The real path of the dump's folder: \i, \ir and \copy reach files inside it only; \i paths resolve from it. */
  includeDir: string;
  onError: "stop" | "continue";
  /** BEGIN before the script, COMMIT after: any error rolls everything back (and stops, whatever onError says). */
  singleTransaction: boolean;
  /** A failure the caller accepts (skipped silently, also under "stop"): the statement's first 4 KB and the error. */
  tolerate?: (statement: string, err: pg.DatabaseError, session: pg.Client) => boolean | Promise<boolean>;
  /** Bytes of the dump read so far (compressed bytes for gzip). */
  onRead?: (bytes: number) => void;
}

export interface RunPlainResult {
  /** Why the script did not restore, as a whole message; null when it did. */
  failure: string | null;
  facts: PlainFacts;
  /** Errors passed over (onError "continue"): the first 20, as FILE:LINE: ERROR:  message ... */
  passedOver: string[];
  passedOverCount: number;
}

const SHOWN_ERRORS = 20;
/** The savepoint before each statement of a batch (see runBatch). */
const BATCH_SAVEPOINT = "seq_guard_statement";
/** A batch holds at most this many statements, or about this many bytes. */
const BATCH_STATEMENTS = 200;
const BATCH_BYTES = 256 * 1024;
/** Statements that go alone: transaction control (a batch is one implicit transaction) and encoding switches. */
const ALONE =
  /^(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE|SET\s+(LOCAL\s+|SESSION\s+)?TRANSACTION|SET\s+SESSION\s+CHARACTERISTICS)\b|client_encoding/i;
const TOLERATE_TEXT = 4096;
const SAVEPOINT = "seq_guard_statement";

/** Where the events come from: the dump or an included file. */
interface Where {
  /** How the file is named in messages: the dump's path as given, an included file's from the dump's folder. */
  shown: string;
  /** The folder \ir resolves from. */
  dir: string;
  script: SqlScript;
}

interface DatabaseErrorLike extends Error {
  severity?: string;
  code?: string;
  detail?: string;
  hint?: string;
  where?: string;
  position?: string;
}

const isDatabaseError = (e: unknown): e is pg.DatabaseError =>
  e instanceof Error && typeof (e as DatabaseErrorLike).severity === "string" && "code" in e;

/** "ERROR: message DETAIL: ... HINT: ... CONTEXT: ..." on one line (as seq-guard has always shown psql's). */
function describeError(e: DatabaseErrorLike): string {
  let text = `${e.severity ?? "ERROR"}: ${e.message}`;
  if (e.detail) text += ` DETAIL: ${e.detail}`;
  if (e.hint) text += ` HINT: ${e.hint}`;
  if (e.where) text += ` CONTEXT: ${e.where}`;
  return text.replace(/\s*\n\s*/g, " ");
}

const endSentence = (t: string) => (/[.!?]$/.test(t) ? t : `${t}.`);

/** COPY ... FROM STDIN over the connection, fed as the data is read. */
class CopyIn {
  private readonly stream: ReturnType<typeof copyFrom>;
  error: Error | null = null;
  private readonly done: Promise<void>;

  constructor(client: pg.Client, sql: string) {
    const stream = copyFrom(sql);
    // What pg-copy-streams does not expect (the server answered without entering COPY mode) ends as an error
    // here rather than as an exception thrown in the connection's message handler.
    const s = stream as unknown as Record<string, unknown>;
    const ready = s.handleReadyForQuery as () => void;
    s.handleReadyForQuery = function (this: {
      cb_ReadyForQuery: unknown;
      emit: (e: string, x: unknown) => void;
    }) {
      if (typeof this.cb_ReadyForQuery === "function") ready.call(this);
      else this.emit("error", new Error("the statement did not start COPY FROM STDIN"));
    };
    s.handleCopyData = () => undefined;
    this.stream = client.query(stream);
    this.done = new Promise((res) => {
      this.stream.on("finish", () => res());
      this.stream.on("error", (e: Error) => {
        this.error ??= e;
        res();
      });
    });
  }

  /** Send a piece of data; resolves once it is handed to the socket (one piece in flight at a time). */
  async write(buf: Buffer): Promise<void> {
    if (this.error) return;
    await Promise.race([new Promise<void>((res) => this.stream.write(buf, () => res())), this.done]);
  }

  /** The data is complete: the server's verdict (null when the rows went in). */
  async end(): Promise<Error | null> {
    if (!this.error) this.stream.end();
    await this.done;
    return this.error;
  }
}

/** A statement waiting in the batch. */
interface Batched {
  text: string;
  first: number;
  last: number;
  where: Where;
}

/** The statement under way in one script: its text as read, and the COPY being fed. */
interface Pending {
  pieces: Buffer[];
  bytes: number;
  copy: { in: CopyIn; text: string; sqlLine: number; dataFrom: number; where: Where } | null;
}

class Runner {
  private client!: pg.Client;
  private failure: string | null = null;
  private readonly errors: string[] = [];
  private errorCount = 0;
  private savepoint = false;
  private encodingChange: string | null = null;
  /** Statements not sent yet (see runBatch), and their bytes. */
  private batch: Batched[] = [];
  private batchBytes = 0;
  /** The session's transaction status after the last query ("I": idle, outside a transaction block). */
  private txStatus = "I";
  /** CommandComplete messages since the last batch was sent: the statements of it that ran. */
  private completed = 0;

  constructor(private readonly o: RunPlainOptions) {}

  private get stopped(): boolean {
    return this.failure !== null;
  }

  async run(): Promise<RunPlainResult> {
    const o = this.o;
    throwIfInterrupted();
    const top = new SqlScript(
      { noOwner: true, noPrivileges: true },
      { file: null, display: null, depth: 0, order: { n: 0 } },
    );
    const result = (): RunPlainResult => ({
      failure: this.failure,
      facts: top.facts,
      passedOver: this.errors,
      passedOverCount: this.errorCount,
    });
    const source = createReadStream(o.path, { highWaterMark: 1 << 20 });
    let read = 0;
    const count = (n: number) => {
      read += n;
      o.onRead?.(read);
    };
    let inputError: Error | null = null;
    source.on("error", (e) => {
      inputError ??= e;
    });
    let input: Readable = source;
    if (o.format === "plain-gzip") {
      const gunzip = zlib.createGunzip({ chunkSize: 1 << 18 });
      source.on("error", (e) => gunzip.destroy(e));
      gunzip.on("error", (e) => {
        inputError ??= e;
      });
      // Piped at once (flowing): what gunzip has not given out yet holds the source back.
      source.on("data", (c: Buffer | string) => count(c.length));
      input = source.pipe(gunzip);
    }
    const signal = interruption();
    const stop = () => {
      input.destroy();
      source.destroy();
      // Ends the session: a statement under way is cancelled with it (the server notices the closed socket; the
      // scratch database is then dropped WITH (FORCE), which ends the session for certain).
      this.client?.end().catch(() => undefined);
    };
    signal.addEventListener("abort", stop, { once: true });
    try {
      try {
        this.client = await o.connect();
      } catch (err) {
        if (interrupted()) throw new InterruptedError();
        this.failure = `${this.what()}: could not open a session in the scratch database: ${(err as Error).message}`;
        return result();
      }
      const connection = (this.client as unknown as { connection?: NodeJS.EventEmitter }).connection;
      connection?.on("parameterStatus", (m: { parameterName?: string; parameterValue?: string }) => {
        if (m.parameterName === "client_encoding" && m.parameterValue !== "UTF8") {
          this.encodingChange = m.parameterValue ?? "";
        }
      });
      connection?.on("readyForQuery", (m: { status?: string }) => {
        this.txStatus = m.status ?? "I";
      });
      connection?.on("commandComplete", () => {
        this.completed++;
      });
      // node-postgres reads and writes UTF-8; the session's default would be the database's encoding.
      await this.client.query("SET client_encoding = 'UTF8'");
      if (o.singleTransaction) await this.client.query("BEGIN");
      const chunks = o.format === "plain" ? counted(input, count) : input;
      await this.runScript(top, chunks, { shown: o.path, dir: o.includeDir, script: top });
      await this.flush();
      if (!this.stopped && o.singleTransaction) await this.client.query("COMMIT");
      return result();
    } catch (err) {
      if (interrupted()) throw new InterruptedError();
      if (err instanceof PlainSqlProblem) {
        this.failure = `${err.file ?? o.path}:${err.line}: ${err.message}`;
        return result();
      }
      const e = (inputError ?? err) as NodeJS.ErrnoException;
      if (inputError && o.format === "plain-gzip" && e.code?.startsWith("Z_")) {
        this.failure = `${JSON.stringify(o.path)} is not a whole gzip file (${e.message}): it is truncated or corrupt. Make it again, or copy it again.`;
      } else if (inputError) {
        this.failure = `could not read ${JSON.stringify(o.path)}: ${e.message}`;
      } else {
        this.failure = `${this.what()}: ${endSentence(isDatabaseError(err) ? describeError(err) : `the session ended: ${e.message}`)}`;
      }
      return result();
    } finally {
      signal.removeEventListener("abort", stop);
      input.destroy();
      source.destroy();
      await this.client?.end().catch(() => undefined);
    }
  }

  private what(): string {
    return `could not restore ${JSON.stringify(this.o.path)} (${this.o.format === "plain" ? "plain SQL" : "gzip-compressed plain SQL"})`;
  }

  /** Read a script chunk by chunk, running each chunk's events before the next is read. */
  private async runScript(script: SqlScript, input: AsyncIterable<Buffer>, where: Where): Promise<void> {
    const p: Pending = { pieces: [], bytes: 0, copy: null };
    try {
      for await (const chunk of input) {
        if (interrupted()) throw new InterruptedError();
        script.feed(chunk);
        await this.drain(script, where, p);
        if (this.stopped) return;
      }
      script.end();
      await this.drain(script, where, p);
    } catch (err) {
      if (!(err instanceof PlainSqlProblem)) throw err;
      // What the script can not run: the statements before it run first, so that their error (the first one in
      // the script) is the one reported.
      for (const ev of script.take()) {
        await this.handle(ev, where, p);
        if (this.stopped) return;
      }
      await this.flush();
      if (!this.stopped) throw err;
    }
  }

  private async drain(script: SqlScript, where: Where, p: Pending): Promise<void> {
    for (;;) {
      for (const ev of script.take()) {
        await this.handle(ev, where, p);
        if (this.stopped) return;
      }
      if (!script.paused) return;
      script.resume();
    }
  }

  private async handle(ev: PlainEvent, where: Where, p: Pending): Promise<void> {
    switch (ev.k) {
      case "sql":
        p.pieces.push(ev.buf);
        p.bytes += ev.buf.length;
        if (p.bytes > STATEMENT_MAX) {
          throw new PlainSqlProblem(
            where.script.statementLine ?? where.script.facts.lines,
            `this statement is longer than ${STATEMENT_MAX / 1024 / 1024} MiB, the most seq-guard reads in one statement (COPY data has no such limit). Split it, or load such values with COPY.`,
            where.script.ctx.display,
          );
        }
        return;
      case "end": {
        const buf = p.pieces.length === 1 ? (p.pieces[0] as Buffer) : Buffer.concat(p.pieces);
        p.pieces = [];
        p.bytes = 0;
        if (ev.blank) return;
        const text = this.text(buf, ev.first, where);
        if (ev.copy) {
          await this.flush();
          if (this.stopped) return;
          p.copy = {
            in: this.startCopy(text, ev.first, where),
            text,
            sqlLine: ev.first,
            dataFrom: ev.last,
            where,
          };
          return;
        }
        await this.exec(text, ev.first, ev.last, where);
        return;
      }
      case "data":
        if (p.copy) {
          await p.copy.in.write(ev.buf);
          if (p.copy.in.error && this.o.onError === "stop") await this.endCopy(p);
        }
        return;
      case "copyEnd":
        if (p.copy) await this.endCopy(p);
        return;
      case "copy": {
        await this.flush();
        if (this.stopped) return;
        const text = this.text(ev.sql, ev.line, where);
        if (ev.file === null) {
          p.copy = {
            in: this.startCopy(text, ev.line, where),
            text,
            sqlLine: ev.line,
            dataFrom: ev.line,
            where,
          };
          return;
        }
        await this.copyFile(text, ev.file, ev.line, where);
        return;
      }
      case "include":
        await this.flush();
        if (this.stopped) return;
        await this.include(ev, where);
        return;
    }
  }

  /** A statement's bytes as text: UTF-8 (the script's own encoding was converted as it was read). */
  private text(buf: Buffer, line: number, where: Where): string {
    const text = decodeUtf8(buf);
    if (text === null) {
      throw new PlainSqlProblem(
        line,
        "this statement holds bytes that are not UTF-8, and the script sets no other client_encoding. Add SET client_encoding = '...'; (the encoding the file is written in, LATIN1 for instance) at its top, or convert the file to UTF-8 (iconv).",
        where.script.ctx.display,
      );
    }
    return text;
  }

  /** In a single transaction, what the script's own transaction control would break. */
  private transactionControl(text: string, line: number, where: Where): "skip" | null {
    if (!this.o.singleTransaction) return null;
    const m =
      /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|PREPARE\s+TRANSACTION)\b(\s+(TO|PREPARED)\b)?/i.exec(
        text,
      );
    if (!m || /^TO$/i.test(m[3] ?? "")) return null;
    const verb = (m[1] as string).toUpperCase().replace(/\s+/g, " ");
    if ((verb === "BEGIN" || verb === "START TRANSACTION" || verb === "COMMIT" || verb === "END") && !m[3]) {
      return "skip"; // the whole script is one transaction already
    }
    throw new PlainSqlProblem(
      line,
      `the script ends its transaction itself (${verb}${m[3] ? ` ${m[3].toUpperCase()}` : ""}), which --single-transaction cannot wrap. Restore it without --single-transaction (restore argument -1).`,
      where.script.ctx.display,
    );
  }

  /** What goes before a statement: in a single transaction with `tolerate`, a savepoint to return to. */
  private prefix(): string {
    if (!(this.o.singleTransaction && this.o.tolerate)) return "";
    const p = this.savepoint
      ? `RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}; `
      : `SAVEPOINT ${SAVEPOINT}; `;
    this.savepoint = true;
    return p;
  }

  /**
   * A statement to run: into the batch when it can go with others, else alone (after the batch). Only outside
   * --single-transaction and outside a transaction block the script opened, and for statements ending in their
   * own ; (one ended by \g or by the end of the file could end in a comment).
   */
  private async exec(text: string, first: number, last: number, where: Where): Promise<void> {
    const batchable =
      !this.o.singleTransaction && this.txStatus === "I" && /;\s*$/.test(text) && !ALONE.test(text);
    if (!batchable) {
      await this.flush();
      if (this.stopped) return;
      await this.execOne(text, first, last, where);
      return;
    }
    this.batch.push({ text, first, last, where });
    this.batchBytes += text.length;
    if (this.batch.length >= BATCH_STATEMENTS || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  /** Send the statements waiting in the batch. */
  private async flush(): Promise<void> {
    const list = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (list.length > 0 && !this.stopped) await this.runBatch(list);
  }

  /**
   * Statements in one simple query: one round trip instead of one each (a pg_dump script holds thousands). The
   * query is an explicit transaction with a savepoint before each statement, so that when one fails (the server
   * then skips the rest of the query) the ones before it are kept: back to the savepoint, commit, and nothing is
   * ever sent twice. (Sending them again would run their nextval() calls twice, which are not transactional: a
   * sequence would end ahead of where psql leaves it, and a behind one could read as fine.) The failing statement
   * is reported from the batch's own error (its position mapped to the statement), passed over or tolerated as
   * any other. Only a statement that cannot run in a transaction block (VACUUM, CREATE INDEX CONCURRENTLY: it
   * fails before doing anything) or uses an enum value added in the same transaction is then sent again alone,
   * as psql would send it. A failure at COMMIT (a deferred constraint) undoes the whole batch: its statements are
   * then sent one by one, as psql would have.
   */
  private async runBatch(list: Batched[]): Promise<void> {
    let rest = list;
    while (rest.length > 0 && !this.stopped) {
      const head = rest[0] as Batched;
      if (rest.length === 1) {
        await this.execOne(head.text, head.first, head.last, head.where);
        return;
      }
      const step = `RELEASE SAVEPOINT ${BATCH_SAVEPOINT}; SAVEPOINT ${BATCH_SAVEPOINT};`;
      const parts = [`BEGIN; SAVEPOINT ${BATCH_SAVEPOINT};`];
      const offsets: number[] = [];
      let at = (parts[0] as string).length + 1;
      for (const b of rest) {
        offsets.push(at);
        parts.push(b.text, step);
        at += b.text.length + 1 + step.length + 1;
      }
      parts.push("COMMIT;");
      this.completed = 0;
      try {
        await this.client.query(parts.join("\n"));
        this.checkEncoding(head.first, head.where);
        return;
      } catch (err) {
        if (!isDatabaseError(err) || interrupted()) throw err;
        this.encodingChange = null;
        // CommandComplete: BEGIN and SAVEPOINT, then three for each statement that ran (it, RELEASE, SAVEPOINT).
        const ran = Math.floor((this.completed - 2) / 3);
        if (ran >= rest.length || ran < 0) {
          // COMMIT failed (or BEGIN did): nothing of the batch stayed.
          if (this.txStatus !== "I") await this.client.query("ROLLBACK");
          for (const b of rest) {
            if (this.stopped) return;
            await this.execOne(b.text, b.first, b.last, b.where);
          }
          return;
        }
        await this.client.query(`ROLLBACK TO SAVEPOINT ${BATCH_SAVEPOINT}; COMMIT`);
        const failed = rest[ran] as Batched;
        const code = (err as DatabaseErrorLike).code;
        if (code === "25001" || code === "55P04") {
          await this.execOne(failed.text, failed.first, failed.last, failed.where);
        } else {
          let line = failed.first;
          const pos = Number((err as DatabaseErrorLike).position) - (offsets[ran] as number);
          if (pos > 0) {
            for (
              let i = failed.text.indexOf("\n");
              i >= 0 && i < pos - 1;
              i = failed.text.indexOf("\n", i + 1)
            ) {
              line++;
            }
          }
          await this.failed(
            err,
            failed.text,
            failed.where,
            line,
            failed.first < failed.last
              ? `the statement on lines ${failed.first}-${failed.last}`
              : "the statement on that line",
          );
        }
        rest = rest.slice(ran + 1);
      }
    }
  }

  private async execOne(text: string, first: number, last: number, where: Where): Promise<void> {
    if (this.transactionControl(text, first, where) === "skip") return;
    const prefix = this.prefix();
    try {
      await this.client.query(prefix + text);
    } catch (err) {
      if (!isDatabaseError(err) || interrupted()) throw err;
      let line = first;
      const pos = Number((err as DatabaseErrorLike).position) - prefix.length;
      if (pos > 0) {
        for (let i = text.indexOf("\n"); i >= 0 && i < pos - 1; i = text.indexOf("\n", i + 1)) line++;
      }
      await this.failed(
        err,
        text,
        where,
        line,
        first < last ? `the statement on lines ${first}-${last}` : "the statement on that line",
      );
    }
    this.checkEncoding(first, where);
  }

  /** A statement failed: passed over (tolerated, or onError continue) or the end of the restore. */
  private async failed(
    err: pg.DatabaseError,
    text: string,
    where: Where,
    line: number,
    fix: string,
  ): Promise<void> {
    if (this.o.singleTransaction && this.savepoint)
      await this.client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    const tolerated = (await this.o.tolerate?.(text.slice(0, TOLERATE_TEXT), err, this.client)) ?? false;
    if (tolerated && (!this.o.singleTransaction || this.savepoint)) return;
    const at = `${where.shown}:${line}: ${describeError(err)}`;
    if (this.o.onError === "continue" && !this.o.singleTransaction) {
      this.errorCount++;
      if (this.errors.length < SHOWN_ERRORS) this.errors.push(at);
      return;
    }
    const remedy = this.o.singleTransaction
      ? `Fix ${fix}; with --single-transaction (restore argument -1) the whole script was rolled back.`
      : `Fix ${fix}, or pass --on-restore-error continue to restore past failing statements.`;
    this.failure = `${this.what()}: ${endSentence(at)} ${remedy}`;
  }

  /** set_config('client_encoding', ...) or the like changed the session's encoding under node-postgres. */
  private checkEncoding(line: number, where: Where): void {
    if (this.encodingChange === null) return;
    throw new PlainSqlProblem(
      line,
      `this statement changed the session's client_encoding to ${this.encodingChange}: seq-guard's session speaks UTF-8 only. Write SET client_encoding = '...'; as a statement of its own (seq-guard then converts the rest of the script), or remove it.`,
      where.script.ctx.display,
    );
  }

  private startCopy(text: string, first: number, where: Where): CopyIn {
    this.transactionControl(text, first, where);
    return new CopyIn(this.client, this.prefix() + text);
  }

  /** COPY data is complete (or failed): the server's verdict, errors named by the data line they are on. */
  private async endCopy(p: Pending): Promise<void> {
    const c = p.copy;
    if (!c) return;
    p.copy = null;
    const err = await c.in.end();
    if (!err) return;
    if (!isDatabaseError(err)) throw err;
    const m = /^COPY [^,]+, line (\d+)/.exec((err as DatabaseErrorLike).where ?? "");
    const line = m ? c.dataFrom + Number(m[1]) : c.sqlLine;
    await this.failed(
      err,
      c.text,
      c.where,
      line,
      m ? `the data on that line (COPY on line ${c.sqlLine})` : `the COPY on line ${c.sqlLine}`,
    );
  }

  /** The real path of a file a script names, when it lies in the dump's folder; else why not. */
  private async confined(
    path: string,
    base: string,
    command: string,
    line: number,
    where: Where,
  ): Promise<string> {
    const full = isAbsolute(path) ? path : resolve(base, path);
    const problem = (why: string) =>
      new PlainSqlProblem(line, `\\${command} ${path}: ${why}`, where.script.ctx.display);
    let real: string;
    try {
      real = await realpath(full);
    } catch (err) {
      throw problem(`could not read it (${(err as Error).message}).`);
    }
    const rel = relative(this.o.includeDir, real);
    if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw problem(
        `it lies outside the dump's folder (${real === full ? real : `${full} leads to ${real}`}), and seq-guard reads only files in the dump's folder, since a dump may come from anyone (a pull request). Copy the file next to the dump.`,
      );
    }
    // Not a regular file (a FIFO, a device): reading it could block or never end.
    if (!(await stat(real)).isFile()) throw problem("it is not a regular file. Name a file.");
    return real;
  }

  private async include(ev: Extract<PlainEvent, { k: "include" }>, where: Where): Promise<void> {
    const parent = where.script;
    const real = await this.confined(
      ev.path,
      ev.relative ? where.dir : this.o.includeDir,
      ev.command,
      ev.line,
      where,
    );
    const sub = new SqlScript(
      { noOwner: true, noPrivileges: true },
      {
        file: real,
        display: displayPath(this.o.includeDir, real),
        depth: parent.ctx.depth + 1,
        order: parent.ctx.order,
        encoding: parent.encoding,
      },
    );
    const input = createReadStream(real, { highWaterMark: 1 << 20 });
    try {
      await this.runScript(sub, input, { shown: sub.ctx.display as string, dir: dirname(real), script: sub });
    } finally {
      input.destroy();
    }
    mergeIncluded(parent.facts, sub.facts);
  }

  /** \copy ... FROM 'file': the file's bytes (in the script's encoding) as COPY data. */
  private async copyFile(text: string, file: string, line: number, where: Where): Promise<void> {
    const real = await this.confined(file, this.o.includeDir, "copy ... FROM", line, where);
    const shown = displayPath(this.o.includeDir, real);
    const convert = encodingTranscoder(where.script.encoding);
    const c = new CopyIn(this.client, this.prefix() + text);
    const input = createReadStream(real, { highWaterMark: 1 << 20 });
    try {
      for await (const chunk of input) {
        if (interrupted()) throw new InterruptedError();
        let b = chunk as Buffer;
        if (convert) {
          try {
            b = convert(b);
          } catch {
            throw new PlainSqlProblem(
              line,
              `\\copy ... FROM ${file}: the file holds bytes that are not valid ${where.script.encoding}, the client_encoding the script sets. Fix the file's encoding (iconv).`,
              where.script.ctx.display,
            );
          }
        }
        await c.write(b);
        if (c.error) break;
      }
    } finally {
      input.destroy();
    }
    const err = await c.end();
    if (!err) return;
    if (!isDatabaseError(err)) throw err;
    const m = /^COPY [^,]+, line (\d+)/.exec((err as DatabaseErrorLike).where ?? "");
    await this.failed(
      err,
      text,
      m ? { ...where, shown } : where,
      m ? Number(m[1]) : line,
      m ? `the data on that line (\\copy on line ${line} of ${where.shown})` : "the \\copy on that line",
    );
  }
}

/** The chunks of a stream, counted as they are taken (a 'data' listener would set it flowing before it is read). */
async function* counted(input: AsyncIterable<Buffer>, count: (n: number) => void): AsyncIterable<Buffer> {
  for await (const chunk of input) {
    count(chunk.length);
    yield chunk;
  }
}

/** Run a plain SQL dump into the session `connect` opens. Throws InterruptedError on Ctrl-C. */
export function runPlainScript(opts: RunPlainOptions): Promise<RunPlainResult> {
  return new Runner(opts).run();
}
