// Running a plain SQL script (.sql, .sql.gz) over seq-guard's own connection, without psql: the server is the only
// SQL parser that matters, so whatever this side misreads in a hostile fixture ends as an SQL error, never as a
// shell command or a file read outside the fixture's folder. The script is read in chunks (gzip inflated on the
// way) and each chunk's events (plain/script.ts: statements, COPY data, \i, \copy) are run before the next chunk
// is read, so memory holds about one chunk. How statements and COPY data go to the server, and what a failure
// means, is the session's (plain-session.ts). \i, \ir and \copy ... FROM reach only files whose real path lies in
// the fixture's folder.

import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import type pg from "pg";
import { InterruptedError, interrupted, interruption, throwIfInterrupted } from "../process/cleanup.ts";
import { displayPath, isInside } from "./paths.ts";
import { decodeUtf8, encodingTranscoder } from "./plain/encodings.ts";
import { type PlainEvent, PlainSqlProblem, STATEMENT_MAX } from "./plain/events.ts";
import { mergeIncluded, type PlainFacts } from "./plain/facts.ts";
import { SqlScript } from "./plain/script.ts";
import {
  type CopyUnderWay,
  copyErrorLine,
  describeError,
  endSentence,
  isDatabaseError,
  PlainSession,
  type SessionOptions,
  type Where,
} from "./plain-session.ts";

export interface RunPlainOptions extends SessionOptions {
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

/** The options every script of a restore is read with: pg_restore's --no-owner --no-privileges. */
const FILTER = { noOwner: true, noPrivileges: true };

/** The statement under way in one script: its text as read, and the COPY being fed. */
interface Pending {
  pieces: Buffer[];
  bytes: number;
  copy: CopyUnderWay | null;
}

class Runner {
  private client: pg.Client | undefined;
  private readonly session: PlainSession;

  constructor(private readonly o: RunPlainOptions) {
    this.session = new PlainSession(o, this.what());
  }

  async run(): Promise<RunPlainResult> {
    const o = this.o;
    const session = this.session;
    throwIfInterrupted();
    const top = new SqlScript(FILTER, { file: null, display: null, depth: 0, order: { n: 0 } });
    const result = (): RunPlainResult => ({
      failure: session.failure,
      facts: top.facts,
      passedOver: session.errors,
      passedOverCount: session.errorCount,
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
        session.failure = `${this.what()}: could not open a session in the scratch database: ${(err as Error).message}`;
        return result();
      }
      session.attach(this.client);
      // node-postgres reads and writes UTF-8; the session's default would be the database's encoding.
      await this.client.query("SET client_encoding = 'UTF8'");
      if (o.singleTransaction) await this.client.query("BEGIN");
      const chunks = o.format === "plain" ? counted(input, count) : input;
      await this.runScript(top, chunks, { shown: o.path, dir: o.includeDir, script: top });
      await session.flush();
      if (!session.stopped && o.singleTransaction) await this.client.query("COMMIT");
      return result();
    } catch (err) {
      if (interrupted()) throw new InterruptedError();
      if (err instanceof PlainSqlProblem) {
        session.failure = `${err.file ?? o.path}:${err.line}: ${err.message}`;
        return result();
      }
      const e = (inputError ?? err) as NodeJS.ErrnoException;
      if (inputError && o.format === "plain-gzip" && e.code?.startsWith("Z_")) {
        session.failure = `${JSON.stringify(o.path)} is not a whole gzip file (${e.message}): it is truncated or corrupt. Make it again, or copy it again.`;
      } else if (inputError) {
        session.failure = `could not read ${JSON.stringify(o.path)}: ${e.message}`;
      } else {
        session.failure = `${this.what()}: ${endSentence(isDatabaseError(err) ? describeError(err) : `the session ended: ${e.message}`)}`;
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
        if (this.session.stopped) return;
      }
      script.end();
      await this.drain(script, where, p);
    } catch (err) {
      if (!(err instanceof PlainSqlProblem)) throw err;
      // What the script can not run: the statements before it run first, so that their error (the first one in
      // the script) is the one reported.
      for (const ev of script.take()) {
        await this.handle(ev, where, p);
        if (this.session.stopped) return;
      }
      await this.session.flush();
      if (!this.session.stopped) throw err;
    }
  }

  private async drain(script: SqlScript, where: Where, p: Pending): Promise<void> {
    for (;;) {
      for (const ev of script.take()) {
        await this.handle(ev, where, p);
        if (this.session.stopped) return;
      }
      if (!script.paused) return;
      script.resume();
    }
  }

  private async handle(ev: PlainEvent, where: Where, p: Pending): Promise<void> {
    const session = this.session;
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
        if (!ev.copy) await session.exec(text, ev.first, ev.last, where);
        else if (await this.sent()) p.copy = session.startCopy(text, ev.first, ev.last, where);
        return;
      }
      case "data":
        if (p.copy) {
          await p.copy.in.write(ev.buf);
          if (p.copy.in.error && this.o.onError === "stop") await this.endCopy(p);
        }
        return;
      case "copyEnd":
        await this.endCopy(p);
        return;
      case "copy": {
        if (!(await this.sent())) return;
        const text = this.text(ev.sql, ev.line, where);
        if (ev.file === null) p.copy = session.startCopy(text, ev.line, ev.line, where);
        else await this.copyFile(text, ev.file, ev.line, where);
        return;
      }
      case "include":
        if (await this.sent()) await this.include(ev, where);
        return;
    }
  }

  /** Send the statements waiting in the batch before what cannot join it; false when the restore stopped. */
  private async sent(): Promise<boolean> {
    await this.session.flush();
    return !this.session.stopped;
  }

  /** The COPY under way, if any, is over: the server's verdict. */
  private async endCopy(p: Pending): Promise<void> {
    const c = p.copy;
    if (!c) return;
    p.copy = null;
    await this.session.endCopy(c);
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
    if (!isInside(this.o.includeDir, real)) {
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
    const sub = new SqlScript(FILTER, {
      file: real,
      display: displayPath(this.o.includeDir, real),
      depth: parent.ctx.depth + 1,
      order: parent.ctx.order,
      encoding: parent.encoding,
    });
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
    const c = this.session.copyFromFile(text);
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
    const dataLine = copyErrorLine(err);
    await this.session.failed(
      err,
      text,
      dataLine !== null ? { ...where, shown } : where,
      dataLine ?? line,
      dataLine !== null
        ? `the data on that line (\\copy on line ${line} of ${where.shown})`
        : "the \\copy on that line",
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
