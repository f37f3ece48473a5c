// Plain SQL as seq-guard runs it itself (run-plain.ts; psql is not involved): a streaming reader that cuts the
// script into statements and leaves out, statement by statement, what must not run in a scratch database: the
// database-level statements of a dump made with --create (CREATE/ALTER/DROP/COMMENT ON DATABASE and its
// \connect), which would act on the user's real database; the cluster-level ones (roles, tablespaces, ALTER
// SYSTEM), which would outlive the scratch database on the server; and, under --no-owner --no-privileges, what
// pg_restore would skip (ALTER ... OWNER TO, SET SESSION AUTHORIZATION, GRANT, REVOKE, ALTER DEFAULT PRIVILEGES).
// Exactly the statement's text is cut, wherever it lies (after a comment, next to another statement, over several
// lines). The server is the only SQL parser that matters: where this reader and the server would read a script
// differently, the server gets text that is at worst an SQL error. Its output is events (events.ts): statement
// text and ends, COPY data, \i and \copy requests. It also notes what the script does for the root-cause hints
// (facts.ts): INSERT and COPY statements, and each setval / RESTART with its target and value (positions.ts).
//
// This file reads bytes into lines (a script in another client_encoding than UTF-8 is converted to UTF-8 as it is
// read, encodings.ts), follows statements to their verdicts (statement.ts) and runs or refuses meta-commands
// (meta.ts). The lexer it extends (lexer.ts) follows quotes, dollar quotes, comments and meta-commands across
// lines; COPY data is passed on as read (copy-data.ts); lines are held, then given out as events (lines.ts).

import { CopyData } from "./copy-data.ts";
import { cleanEncoding, type Transcoder, transcoder } from "./encodings.ts";
import {
  LINE_MAX,
  type PlainEvent,
  PlainSqlProblem,
  type ScriptContext,
  type ScriptOptions,
} from "./events.ts";
import { emptyFacts, type PlainFacts, type PositionSet, targetKey } from "./facts.ts";
import { ScriptLexer } from "./lexer.ts";
import { addMark, cut, type Line, LineOutput } from "./lines.ts";
import { firstArg, IGNORED_META, REFUSED_META, refusal, slashCopy } from "./meta.ts";
import { type PositionNote, restartPosition, setvalPosition, truncatePositions } from "./positions.ts";
import { AT_END, classify, describe, isRoutine, newStatement, type Stmt } from "./statement.ts";
import { type Token, word } from "./tokens.ts";

/** The first tokens kept of a statement (its head, for its verdict), and the last (its tail, for OWNER TO). */
const HEAD_MAX = 24;
const TAIL_MAX = 4;
/** A statement held back for its verdict (an ALTER ... OWNER TO is only known at its end) holds at most this. */
const HOLD_MAX = 8 * 1024 * 1024;
/** Files included in files included ... at most this deep. */
const MAX_INCLUDE_DEPTH = 16;

/**
 * The script reader and its cuts, fed chunks (feed, then end). Synchronous: what it reads becomes events, taken with
 * take() after each feed. After an \i it pauses at the end of that line (paused), so that the included file runs
 * (and notes its setvals) before the lines after it are read: resume() reads on.
 */
export class SqlScript extends ScriptLexer {
  readonly facts: PlainFacts = emptyFacts();
  private readonly output = new LineOutput();
  private readonly copy = new CopyData();
  private queue: Buffer = Buffer.alloc(0);
  private qpos = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  private inCopy = false;
  private copyNext = false;
  private pendingEnd: PlainEvent | null = null;
  private connects = 0;
  private encodingName = "UTF8";
  private decoder: Transcoder = null;
  private switched = false;
  private pauseAfterLine = false;
  paused = false;
  /** The line "-- PostgreSQL database dump" that pg_dump writes first, and whether its last line was seen. */
  private dumpHead = false;
  private dumpComplete = false;
  /** Where the cut of a statement being left out starts on the current line. */
  private openCut: number | null = null;
  /** Lines not yet given out: the current one, and those of a statement waiting for its verdict. */
  private held: Line[] = [];
  private heldBytes = 0;

  constructor(
    private readonly opts: ScriptOptions,
    readonly ctx: ScriptContext,
  ) {
    super();
    if (ctx.encoding !== undefined) this.setEncoding(ctx.encoding);
    this.switched = false;
  }

  /** The client encoding the script is read in now (PostgreSQL's name, cleaned: UTF8, LATIN1, EUCJP...). */
  get encoding(): string {
    return this.encodingName;
  }

  /** The line a statement under way started on, or null. */
  get statementLine(): number | null {
    return this.stmt?.lineNo ?? null;
  }

  /** The events of what was read since the last take. */
  take(): PlainEvent[] {
    return this.output.take();
  }

  feed(chunk: Buffer): void {
    if (this.paused) throw new Error("SqlScript.feed while paused");
    this.queue = this.copy.join(this.decoder ? this.transcode(chunk) : chunk);
    this.qpos = 0;
    this.pump();
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  end(): void {
    if (this.paused) throw new Error("SqlScript.end while paused");
    if (this.inCopy) {
      this.facts.lines += this.copy.finish(this.output);
      this.inCopy = false;
      this.output.push({ k: "copyEnd", line: this.facts.lines });
    } else if (this.carryLen > 0) {
      const last = Buffer.concat(this.carry);
      this.carry = [];
      this.carryLen = 0;
      this.line(last, 0, last.length, last.length);
      if (this.copyNext) {
        this.copyNext = false;
        this.output.push({ k: "copyEnd", line: this.facts.lines });
      }
    }
    this.cur = null;
    // A statement left open at the end of the file is run, as psql does.
    if (this.stmt) this.endStatement(0);
    this.flushHeld();
    this.output.flush();
    if (this.pendingEnd) {
      this.output.push(this.pendingEnd);
      this.pendingEnd = null;
      this.output.inStmt = false;
    }
    if (this.dumpHead && !this.dumpComplete && this.ctx.file === null) {
      throw this.problem(
        "the script starts as pg_dump writes one (-- PostgreSQL database dump) but ends without the line pg_dump writes last (-- PostgreSQL database dump complete): it was cut short, so only part of the data was restored and the verdicts would be wrong. Make the dump again, or copy it again if it was cut short on the way (compare its size with the original's).",
      );
    }
  }

  private transcode(b: Buffer): Buffer {
    const t = this.decoder as (b: Buffer) => Buffer;
    try {
      return t(b);
    } catch {
      // Find the line: decode line by line (no encoding seq-guard reads has a newline byte inside a character).
      let at = 0;
      let line = this.facts.lines + 1;
      const check = transcoder(this.encodingName) as (b: Buffer) => Buffer;
      for (;;) {
        const nl = b.indexOf(10, at);
        const end = nl < 0 ? b.length : nl + 1;
        try {
          check(b.subarray(at, end));
        } catch {
          break;
        }
        if (nl < 0) break;
        at = nl + 1;
        line++;
      }
      const name = this.encodingName === "SQLASCII" ? "SQL_ASCII" : this.encodingName;
      throw new PlainSqlProblem(
        line,
        name === "SQL_ASCII"
          ? "this line holds bytes that are not UTF-8, in a script that declares no encoding (client_encoding SQL_ASCII): seq-guard sends the script as UTF-8. Convert the file to UTF-8 (iconv -f ENCODING -t UTF-8) and set client_encoding = 'UTF8' in it, or set the client_encoding it is written in."
          : `this line holds bytes that are not valid ${name}, the client_encoding the script sets. Fix the encoding of the file (iconv), or the SET client_encoding in it.`,
        this.ctx.display,
      );
    }
  }

  private pump(): void {
    while (this.qpos < this.queue.length && !this.paused) {
      if (this.inCopy) {
        this.copyScan();
        continue;
      }
      const buf = this.queue;
      const nl = buf.indexOf(10, this.qpos);
      if (nl < 0) {
        this.carry.push(buf.subarray(this.qpos));
        this.carryLen += buf.length - this.qpos;
        this.qpos = buf.length;
        if (this.carryLen > LINE_MAX) throw this.tooLong(this.facts.lines + 1);
        break;
      }
      if (this.carryLen > 0) {
        // The line that started in an earlier chunk ends here.
        if (this.carryLen + nl - this.qpos > LINE_MAX) throw this.tooLong(this.facts.lines + 1);
        const whole = Buffer.concat([...this.carry, buf.subarray(this.qpos, nl + 1)]);
        this.carry = [];
        this.carryLen = 0;
        this.line(whole, 0, whole.length - 1, whole.length);
      } else {
        if (nl - this.qpos > LINE_MAX) throw this.tooLong(this.facts.lines + 1);
        this.line(buf, this.qpos, nl, nl + 1);
      }
      this.qpos = nl + 1;
      if (this.switched) {
        // SET client_encoding: what follows is read in the new encoding.
        this.switched = false;
        this.output.flush();
        if (this.decoder) {
          this.queue = this.transcode(buf.subarray(this.qpos));
          this.qpos = 0;
        }
      }
    }
    this.output.flush();
  }

  private tooLong(line: number): PlainSqlProblem {
    return new PlainSqlProblem(
      line,
      `this line is longer than ${LINE_MAX / 1024 / 1024} MiB outside COPY data, the most seq-guard reads in one line or one statement (COPY data lines have no such limit). Split the statement, or load such values with COPY.`,
      this.ctx.display,
    );
  }

  /** COPY data: given out as read, in pieces of the chunk (copy-data.ts), up to the \. line. */
  private copyScan(): void {
    this.output.flush();
    const r = this.copy.scan(this.queue, this.qpos, this.output);
    this.facts.lines += r.lines;
    this.qpos = r.next;
    if (r.ended) {
      this.inCopy = false;
      this.output.push({ k: "copyEnd", line: this.facts.lines });
    }
  }

  private line(buf: Buffer, start: number, nl: number, end: number): void {
    this.facts.lines++;
    let e = nl;
    if (e > start && buf[e - 1] === 13) e--;
    const rec: Line = { buf, start, len: e - start, end, cuts: null, marks: null };
    this.held.push(rec);
    this.heldBytes += end - start;
    this.cur = rec;
    if (this.stmt?.blank) this.openCut = 0;
    const text = buf.toString("latin1", start, e);
    if (this.facts.lines <= 50 && this.facts.pgDump === null) {
      this.facts.pgDump = /^-- Dumped by pg_dump version (\S+)/.exec(text)?.[1] ?? null;
    }
    if (text.length >= 26 && text.charCodeAt(0) === 0x2d) {
      if (text === "-- PostgreSQL database dump complete") this.dumpComplete = true;
      else if (this.facts.lines <= 5 && text === "-- PostgreSQL database dump") this.dumpHead = true;
    }
    this.lex(text);
    if (this.openCut !== null) {
      cut(rec, this.openCut, rec.len);
      this.openCut = null;
    }
    // A statement that waits too long for its verdict (only an ALTER can) is passed as it is.
    if (this.stmt && this.stmt.verdict === null && this.heldBytes > HOLD_MAX) this.stmt.verdict = "pass";
    if (this.copyNext) {
      if (this.stmt) {
        throw this.problem(
          "a statement starts after COPY ... FROM stdin on the line where the COPY data is to begin. Put it after the \\. line that ends the data.",
        );
      }
      this.copyNext = false;
      this.inCopy = true;
      this.copy.start();
    }
    if (!(this.stmt && this.stmt.verdict === null)) this.flushHeld();
    if (this.pauseAfterLine) {
      this.pauseAfterLine = false;
      this.paused = true;
    }
  }

  private flushHeld(): void {
    for (const l of this.held) this.output.give(l);
    this.held.length = 0;
    this.heldBytes = 0;
  }

  private problem(message: string): PlainSqlProblem {
    return new PlainSqlProblem(this.facts.lines, message, this.ctx.display);
  }

  private mark(pos: number, ev: PlainEvent | null): void {
    addMark(this.cur as Line, pos, ev);
  }

  /** SET client_encoding / SET NAMES / RESET client_encoding: read the rest of the script in that encoding. */
  private setEncoding(value: string): void {
    const name = cleanEncoding(value);
    if (name === this.encodingName) return;
    const t = transcoder(name);
    if (t === undefined) {
      throw this.problem(
        `the script sets client_encoding to ${value}, which seq-guard cannot convert to UTF-8 (the encoding its session speaks). Convert the file to UTF-8 (iconv -f ${value} -t UTF-8) and set client_encoding = 'UTF8' in it.`,
      );
    }
    if (this.decoder !== null) {
      throw this.problem(
        `the script sets client_encoding a second time (${value}, after ${this.encodingName}): seq-guard reads a script in one encoding besides UTF-8. Convert the file to one encoding (iconv) and set it once, at the top.`,
      );
    }
    this.encodingName = name;
    this.decoder = t;
    this.switched = true;
  }

  // ---- statements

  protected override startStatement(pos: number): Stmt {
    const s = newStatement(this.cur, pos, this.facts.lines);
    this.stmt = s;
    this.mark(pos, null);
    return s;
  }

  protected override token(t: Token, pos: number): void {
    const s = this.stmt ?? this.startStatement(pos);
    if (s.skim) return;
    const prev = s.tail[s.tail.length - 1];
    s.count++;
    if (s.head.length < HEAD_MAX) s.head.push(t);
    s.tail.push(t);
    if (s.tail.length > TAIL_MAX) s.tail.shift();
    if (t.k === "w") {
      // As psql counts them: BEGIN and CASE open a block in CREATE [OR REPLACE] FUNCTION / PROCEDURE, END closes.
      if ((t.v === "BEGIN" || t.v === "CASE") && isRoutine(s.head)) s.begin++;
      else if (t.v === "END" && s.begin > 0) s.begin--;
      if (t.v === "RENAME") s.rename = true;
      else if (t.v === "STDIN" && prev?.k === "w" && prev.v === "FROM" && s.paren <= 0) s.fromStdin = true;
      else if (t.v === "IDENTITY" && prev?.k === "w" && prev.v === "RESTART") s.restartIdentity = true;
    }
    this.setvalToken(s, t, prev);
    if (s.verdict === null && !s.waitEnd) this.decide(s, false);
    if (s.verdict === "pass" && s.sv === null && s.count === 1) {
      const first = s.head[0]?.v;
      s.data = first === "INSERT";
      // ALTER (RESTART), TRUNCATE (RESTART IDENTITY) and COPY (FROM STDIN) are read to their end.
      s.skim = first !== "ALTER" && first !== "TRUNCATE" && first !== "COPY";
    }
  }

  /** Follow setval( ... ) calls at the top level of a statement, and note each one. */
  private setvalToken(s: Stmt, t: Token, prev: Token | undefined): void {
    if (s.sv) {
      if (t.k === "p" && t.v === "(") s.sv.depth++;
      if (t.k === "p" && t.v === ")") s.sv.depth--;
      if (s.sv.depth === 0) {
        this.noteSetval(s.sv.toks);
        s.sv = null;
      } else if (s.sv.toks.length < 64) s.sv.toks.push(t);
      return;
    }
    if (t.k === "p" && t.v === "(" && prev?.k === "w" && prev.v === "SETVAL") s.sv = { depth: 1, toks: [] };
  }

  private noteSetval(toks: Token[]): void {
    this.facts.setvals++;
    const p = setvalPosition(toks);
    if (p === "opaque") this.facts.opaqueSetvals++;
    else this.notePosition(p);
  }

  protected override noteOpaque(): void {
    this.facts.opaqueSetvals++;
  }

  private notePosition(p: PositionNote): void {
    const set = p as PositionSet;
    set.file = this.ctx.display;
    set.line = this.facts.lines;
    set.order = this.ctx.order.n++;
    this.facts.positions.set(targetKey(p.target), set);
  }

  private decide(s: Stmt, final: boolean): void {
    const v = classify(s, final);
    if (v === null) return;
    if (v === AT_END) {
      s.waitEnd = true;
      return;
    }
    s.verdict = v;
    const o = this.opts;
    const blank =
      v === "database" ||
      v === "encoding" ||
      (v === "cluster" && (o.noOwner || o.noPrivileges)) ||
      (v === "owner" && o.noOwner) ||
      (v === "privileges" && o.noPrivileges);
    if (!blank) return;
    s.blank = true;
    if (v === "owner") this.facts.skippedOwner++;
    else if (v === "privileges") this.facts.skippedPrivileges++;
    else if (v === "database") this.facts.skippedDatabase++;
    else if (v === "cluster") {
      this.facts.skippedCluster++;
      if (this.facts.cluster.length < 20) s.clusterAt = this.facts.cluster.push(describe(s)) - 1;
    }
    // Cut from the statement's first token on: whole lines up to the current one, the current one from there on.
    let started = false;
    for (const l of this.held) {
      if (l === s.line) started = true;
      if (!started) continue;
      const from = l === s.line ? s.pos : 0;
      if (l === this.cur) this.openCut = from;
      else cut(l, from, l.len);
    }
  }

  /** The statement ends at `end` on the current line (after its ;). */
  protected override endStatement(end: number): void {
    const s = this.stmt;
    if (!s) return;
    if (s.verdict === null) this.decide(s, true);
    if (s.blank) {
      if (this.cur) cut(this.cur, this.openCut ?? 0, end);
      this.openCut = null;
    }
    this.stmt = null;
    const h = s.head;
    const first = word(h, 0);
    const copy = !s.blank && first === "COPY" && s.fromStdin;
    const ev: PlainEvent = { k: "end", first: s.lineNo, last: this.facts.lines, blank: s.blank, copy };
    if (this.cur) this.mark(end, ev);
    else this.pendingEnd = ev;
    if (s.clusterAt !== null) this.facts.cluster[s.clusterAt] = describe(s);
    if (s.verdict === "encoding") {
      // SET client_encoding = 'X' (TO X, DEFAULT), SET NAMES 'X', RESET client_encoding: never sent (the session
      // stays UTF8); the rest of the script is read in X and converted.
      const at = h.findIndex(
        (t, i) => i > 0 && ((t.k === "p" && t.v === "=") || (t.k === "w" && t.v === "TO")),
      );
      const value = word(h, 1) === "NAMES" ? h[2] : h[at + 1];
      const text =
        first === "RESET" || !value || (value.k === "w" && value.v === "DEFAULT") ? "UTF8" : value.v;
      this.setEncoding(text);
      return;
    }
    if (first === "SET" && word(h, 1) === "STANDARD_CONFORMING_STRINGS") {
      const v = h[h.length - 1];
      const off = v && (v.k === "w" || v.k === "s") ? /^(off|false|no|0)$/i.test(v.v) : false;
      this.stdStrings = !off;
    }
    if (s.blank) return;
    if (first === "INSERT") this.facts.inserts++;
    else if (copy) {
      this.facts.copies++;
      this.copyNext = true;
    } else if (first === "ALTER") this.noteRestart(s);
    else if (first === "TRUNCATE" && s.restartIdentity) this.noteTruncate(s);
  }

  /** ALTER ... RESTART: a position set, or one seq-guard cannot read. */
  private noteRestart(s: Stmt): void {
    const p = restartPosition(s.head);
    if (p === null) return;
    this.facts.setvals++;
    if (p === "opaque") this.facts.opaqueSetvals++;
    else this.notePosition(p);
  }

  /** TRUNCATE ... RESTART IDENTITY: every identity and owned sequence of the tables. */
  private noteTruncate(s: Stmt): void {
    this.facts.setvals++;
    for (const p of truncatePositions(s.head)) this.notePosition(p);
  }

  // ---- meta-commands

  protected override metaCommand(name: string, args: string, at: number): void {
    if (name === "c" || name === "connect") {
      this.connects++;
      if (this.connects > 1) {
        throw this.problem(
          "the script connects to a second database (\\connect): it holds several databases (pg_dumpall output?). seq-guard restores one database per dump: dump each database with pg_dump and give each file.",
        );
      }
      // A dump made with pg_dump --create connects to the database it just created: stay in the scratch one.
      this.facts.skippedDatabase++;
      return;
    }
    if (IGNORED_META.has(name)) return;
    if ((name === "g" || name === "gx") && args.trim() === "") {
      // Sends the statement, as ; does.
      this.endStatement(at);
      return;
    }
    const include = name === "i" || name === "include" || name === "ir" || name === "include_relative";
    if ((include || name === "copy") && this.stmt) {
      throw this.problem(
        `\\${name} stands inside a statement (after its first words, before the ; that ends it). Put it on a line of its own, between statements.`,
      );
    }
    if (include) {
      const path = firstArg(args);
      if (path === "") throw this.problem(`\\${name} names no file. Name the file to include.`);
      if (this.ctx.depth >= MAX_INCLUDE_DEPTH) {
        throw this.problem(
          `the script includes files more than ${MAX_INCLUDE_DEPTH} deep (${path}): does a file include itself?`,
        );
      }
      const relative = name === "ir" || name === "include_relative";
      this.mark(at, { k: "include", path, relative, line: this.facts.lines, command: name });
      this.pauseAfterLine = true;
      return;
    }
    if (name === "copy") {
      const c = slashCopy(args);
      if ("problem" in c) throw this.problem(refusal(name, c.problem));
      this.mark(at, { k: "copy", sql: Buffer.from(c.sql, "latin1"), file: c.file, line: this.facts.lines });
      this.facts.copies++;
      if (c.file === null) this.copyNext = true;
      return;
    }
    throw this.problem(refusal(name, REFUSED_META[name] ?? "is a psql meta-command"));
  }
}
