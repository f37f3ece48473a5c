// Plain SQL on its way to psql: a streaming filter that keeps every line where it was (so psql's line numbers
// are the file's), blanks the statements that pg_restore --no-owner --no-privileges would skip (ALTER ... OWNER
// TO, GRANT, REVOKE, ALTER DEFAULT PRIVILEGES, SET SESSION AUTHORIZATION) and the database-level statements of a
// dump made with --create (CREATE/ALTER/DROP/COMMENT ON DATABASE and its \connect), and notes what the script
// does for the root-cause hints (INSERT and COPY statements, setval calls).
//
// A small lexer follows quotes, dollar quotes, comments and COPY data across lines, so only whole one-line
// statements at the top level are ever blanked. COPY data lines are passed through without being decoded.

import { Transform, type TransformCallback } from "node:stream";

export interface PlainFacts {
  /** Lines seen. */
  lines: number;
  inserts: number;
  copies: number;
  /** setval() calls and ALTER SEQUENCE ... RESTART statements. */
  setvals: number;
  /** Statements blanked: ownership, privileges, database-level. */
  skippedOwner: number;
  skippedPrivileges: number;
  skippedDatabase: number;
}

/** A script seq-guard cannot restore into one scratch database (for example a pg_dumpall file). */
export class PlainSqlProblem extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = "PlainSqlProblem";
  }
}

export interface PlainFilterOptions {
  noOwner: boolean;
  noPrivileges: boolean;
}

const OWNER = [/^ALTER\s.+\sOWNER\s+TO\s.+;$/is, /^SET\s+SESSION\s+AUTHORIZATION\s.+;$/is];
const PRIVILEGES = [/^(GRANT|REVOKE)\s.+;$/is, /^ALTER\s+DEFAULT\s+PRIVILEGES\s.+;$/is];
const DATABASE = [/^(CREATE|DROP|ALTER)\s+DATABASE\s.+;$/is, /^COMMENT\s+ON\s+DATABASE\s.+;$/is];

const isIdent = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;

type Quote =
  | null
  | { kind: "single"; escapes: boolean }
  | { kind: "double" }
  | { kind: "dollar"; tag: string }
  | { kind: "block"; depth: number };

export class PlainSqlFilter extends Transform {
  readonly facts: PlainFacts = {
    lines: 0,
    inserts: 0,
    copies: 0,
    setvals: 0,
    skippedOwner: 0,
    skippedPrivileges: 0,
    skippedDatabase: 0,
  };
  private carry: Buffer | null = null;
  private inCopy = false;
  private quote: Quote = null;
  private stmtStarted = false;
  private stmtHead = "";
  private connects = 0;
  private completed = 0;
  private copyNext = false;

  constructor(private readonly opts: PlainFilterOptions) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
      this.carry = null;
      let start = 0;
      let passFrom = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        const blank = this.line(buf, start, nl);
        if (blank) {
          if (start > passFrom) this.push(buf.subarray(passFrom, start));
          this.push(buf[nl - 1] === 13 && nl > start ? "\r\n" : "\n");
          passFrom = nl + 1;
        }
        start = nl + 1;
      }
      if (start > passFrom) this.push(buf.subarray(passFrom, start));
      if (start < buf.length) this.carry = Buffer.from(buf.subarray(start));
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (this.carry && this.carry.length > 0) {
        if (!this.line(this.carry, 0, this.carry.length)) this.push(this.carry);
      }
      this.carry = null;
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  /** Look at one line (without its \n); true when it is to be blanked. */
  private line(buf: Buffer, start: number, end: number): boolean {
    this.facts.lines++;
    let e = end;
    if (e > start && buf[e - 1] === 13) e--;
    if (this.inCopy) {
      if (e - start === 2 && buf[start] === 0x5c && buf[start + 1] === 0x2e) this.inCopy = false;
      return false;
    }
    const text = buf.toString("latin1", start, e);
    const atStart = this.quote === null && !this.stmtStarted;
    if (atStart) {
      const t = text.trimStart();
      if (t.startsWith("\\")) return this.metaCommand(t);
    }
    this.completed = 0;
    this.lex(text);
    if (this.copyNext) {
      this.copyNext = false;
      this.inCopy = true;
    }
    if (!atStart || this.quote !== null || this.stmtStarted || this.completed !== 1) return false;
    const stmt = text.trim();
    if (this.opts.noOwner && OWNER.some((r) => r.test(stmt))) {
      this.facts.skippedOwner++;
      return true;
    }
    if (this.opts.noPrivileges && PRIVILEGES.some((r) => r.test(stmt))) {
      this.facts.skippedPrivileges++;
      return true;
    }
    if (DATABASE.some((r) => r.test(stmt))) {
      this.facts.skippedDatabase++;
      return true;
    }
    return false;
  }

  private metaCommand(t: string): boolean {
    if (/^\\(c|connect)(\s|$)/.test(t)) {
      this.connects++;
      if (this.connects > 1) {
        throw new PlainSqlProblem(
          this.facts.lines,
          "the script connects to a second database (\\connect): it holds several databases (pg_dumpall output?). seq-guard restores one database per dump: dump each database with pg_dump and give each file.",
        );
      }
      // A dump made with pg_dump --create connects to the database it just created: stay in the scratch one.
      this.facts.skippedDatabase++;
      return true;
    }
    return false;
  }

  private endStatement(): void {
    const head = this.stmtHead.trimStart();
    if (/^COPY\s/i.test(head) && /\sFROM\s+STDIN\b/i.test(head)) {
      this.facts.copies++;
      this.copyNext = true;
    } else if (/^INSERT\s/i.test(head)) {
      this.facts.inserts++;
    }
    if (/\bsetval\s*\(/i.test(head) || /^ALTER\s+SEQUENCE\s[\s\S]*\bRESTART\b/i.test(head))
      this.facts.setvals++;
    this.stmtStarted = false;
    this.stmtHead = "";
    this.completed++;
  }

  private note(text: string, from: number, to: number): void {
    if (this.stmtHead.length < 400) this.stmtHead += text.slice(from, Math.min(to, from + 400));
  }

  private lex(text: string): void {
    const n = text.length;
    let i = 0;
    let runStart = 0;
    while (i < n) {
      const q = this.quote;
      const c = text.charCodeAt(i);
      if (q !== null) {
        if (q.kind === "single") {
          if (q.escapes && c === 0x5c) i++;
          else if (c === 0x27) {
            if (text.charCodeAt(i + 1) === 0x27) i++;
            else this.quote = null;
          }
        } else if (q.kind === "double") {
          if (c === 0x22) {
            if (text.charCodeAt(i + 1) === 0x22) i++;
            else this.quote = null;
          }
        } else if (q.kind === "dollar") {
          if (c === 0x24 && text.startsWith(q.tag, i)) {
            i += q.tag.length - 1;
            this.quote = null;
          }
        } else if (c === 0x2a && text.charCodeAt(i + 1) === 0x2f) {
          i++;
          q.depth--;
          if (q.depth === 0) this.quote = null;
        } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
          i++;
          q.depth++;
        }
        i++;
        continue;
      }
      if (c === 0x2d && text.charCodeAt(i + 1) === 0x2d) break; // -- comment to the end of the line
      if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
        this.quote = { kind: "block", depth: 1 };
        i += 2;
        continue;
      }
      if (c === 0x3b) {
        this.note(text, runStart, i);
        this.endStatement();
        i++;
        runStart = i;
        continue;
      }
      if (c !== 0x20 && c !== 0x09 && c !== 0x0c && !this.stmtStarted) {
        this.stmtStarted = true;
        runStart = i;
      }
      if (c === 0x27) {
        const p = i > 0 ? text.charCodeAt(i - 1) : 0;
        const pp = i > 1 ? text.charCodeAt(i - 2) : 0;
        this.quote = { kind: "single", escapes: (p === 0x45 || p === 0x65) && !isIdent(pp) };
      } else if (c === 0x22) {
        this.quote = { kind: "double" };
      } else if (
        c === 0x24 &&
        !(i > 0 && (isIdent(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 0x24))
      ) {
        const m = /^\$([A-Za-z_\u0080-\u00ff][A-Za-z0-9_\u0080-\u00ff]*)?\$/.exec(text.slice(i, i + 64));
        if (m) {
          this.quote = { kind: "dollar", tag: m[0] };
          i += m[0].length;
          continue;
        }
      }
      i++;
    }
    if (this.stmtStarted) this.note(text.length > 0 ? `${text}\n` : "\n", runStart, n + 1);
  }
}
