// The session a plain SQL script runs in, and how its statements are sent: alone, or several in one simple query
// (a batch: one round trip) where that cannot change what they do; in one transaction with -1
// (--single-transaction), each statement behind a savepoint where a failure may be passed over; COPY data through
// the COPY protocol (copy-in.ts). A failing statement is named by its file and line (also inside a batch, from
// the error's position) and passed over (tolerated by the sandbox, or on-restore-error continue) or the end of
// the restore, with what to do about it.

import type pg from "pg";
import { SQLSTATE, sqlStateOf } from "../core/sqlstate.ts";
import { say } from "../core/words.ts";
import { interrupted } from "../process/cleanup.ts";
import { CopyIn } from "./copy-in.ts";
import { PlainSqlProblem } from "./plain/events.ts";
import type { SqlScript } from "./plain/script.ts";

/** Where the events come from: the dump or an included file. */
export interface Where {
  /** How the file is named in messages: the dump's path as given, an included file's from the dump's folder. */
  shown: string;
  /** The folder \ir resolves from. */
  dir: string;
  script: SqlScript;
}

/** How the statements are sent and their failures taken (see RunPlainOptions). */
export interface SessionOptions {
  onError: "stop" | "continue";
  singleTransaction: boolean;
  tolerate?: (statement: string, err: pg.DatabaseError, session: pg.Client) => boolean | Promise<boolean>;
}

interface DatabaseErrorLike extends Error {
  severity?: string;
  code?: string;
  detail?: string;
  hint?: string;
  where?: string;
  position?: string;
}

export const isDatabaseError = (e: unknown): e is pg.DatabaseError =>
  e instanceof Error && typeof (e as DatabaseErrorLike).severity === "string" && "code" in e;

/** "ERROR: message DETAIL: ... HINT: ... CONTEXT: ..." on one line (as seq-guard has always shown psql's). */
export function describeError(e: DatabaseErrorLike): string {
  let text = `${e.severity ?? "ERROR"}: ${e.message}`;
  if (e.detail) text += ` DETAIL: ${e.detail}`;
  if (e.hint) text += ` HINT: ${e.hint}`;
  if (e.where) text += ` CONTEXT: ${e.where}`;
  return text.replace(/\s*\n\s*/g, " ");
}

export const endSentence = (t: string) => (/[.!?]$/.test(t) ? t : `${t}.`);

/** The line of `text` (which starts on line `first`) that the error's 1-based character position falls on. */
export function lineOfPosition(text: string, first: number, position: number): number {
  let line = first;
  if (position > 0) {
    for (let i = text.indexOf("\n"); i >= 0 && i < position - 1; i = text.indexOf("\n", i + 1)) line++;
  }
  return line;
}

/** The data line a COPY error names in its context ("COPY t, line 3: ..."), or null. */
export function copyErrorLine(err: unknown): number | null {
  const m = /^COPY [^,]+, line (\d+)/.exec((err as DatabaseErrorLike).where ?? "");
  return m ? Number(m[1]) : null;
}

const SHOWN_ERRORS = 20;
/** The savepoint before each statement (in a batch, and with -1 where a failure may be passed over). */
const SAVEPOINT = "seq_guard_statement";
/** A batch holds at most this many statements, or about this many bytes. */
const BATCH_STATEMENTS = 200;
const BATCH_BYTES = 256 * 1024;
/** Statements that go alone: transaction control (a batch is one implicit transaction) and encoding switches. */
const ALONE =
  /^(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE|SET\s+(LOCAL\s+|SESSION\s+)?TRANSACTION|SET\s+SESSION\s+CHARACTERISTICS)\b|client_encoding/i;
const TOLERATE_TEXT = 4096;

/** A statement waiting in the batch. */
interface Batched {
  text: string;
  first: number;
  last: number;
  where: Where;
}

/** COPY FROM stdin under way: the statement, where its data starts, and what feeds it. */
export interface CopyUnderWay {
  in: CopyIn;
  text: string;
  sqlLine: number;
  dataFrom: number;
  where: Where;
}

export class PlainSession {
  private client!: pg.Client;
  /** Why the script did not restore, as a whole message; null while it goes on. */
  failure: string | null = null;
  /** Errors passed over (on-restore-error continue): the first 20, and how many. */
  readonly errors: string[] = [];
  errorCount = 0;
  private savepoint = false;
  private encodingChange: string | null = null;
  /** Statements not sent yet (see runBatch), and their bytes. */
  private batch: Batched[] = [];
  private batchBytes = 0;
  /** The session's transaction status after the last query ("I": idle, outside a transaction block). */
  private txStatus = "I";
  /** CommandComplete messages since the last batch was sent: the statements of it that ran. */
  private completed = 0;

  constructor(
    private readonly o: SessionOptions,
    /** "could not restore FILE (plain SQL)", the start of a failure's message. */
    private readonly what: string,
  ) {}

  get stopped(): boolean {
    return this.failure !== null;
  }

  /** Run in this session: what the server says of it (encoding, transaction status, statements done) is followed. */
  attach(client: pg.Client): void {
    this.client = client;
    const connection = (client as unknown as { connection?: NodeJS.EventEmitter }).connection;
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
  async exec(text: string, first: number, last: number, where: Where): Promise<void> {
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
  async flush(): Promise<void> {
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
      const step = `RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT};`;
      const parts = [`BEGIN; SAVEPOINT ${SAVEPOINT};`];
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
        await this.client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; COMMIT`);
        const failed = rest[ran] as Batched;
        const code = sqlStateOf(err);
        if (code === SQLSTATE.activeSqlTransaction || code === SQLSTATE.unsafeNewEnumValueUsage) {
          await this.execOne(failed.text, failed.first, failed.last, failed.where);
        } else {
          const position = Number((err as DatabaseErrorLike).position) - (offsets[ran] as number);
          await this.failedStatement(err, failed, lineOfPosition(failed.text, failed.first, position));
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
      const position = Number((err as DatabaseErrorLike).position) - prefix.length;
      await this.failedStatement(err, { text, first, last, where }, lineOfPosition(text, first, position));
    }
    this.checkEncoding(first, where);
  }

  /** A statement failed at `line`: what to fix names the statement's lines. */
  private failedStatement(err: pg.DatabaseError, s: Batched, line: number): Promise<void> {
    const fix =
      s.first < s.last ? `the statement on lines ${s.first}-${s.last}` : "the statement on that line";
    return this.failed(err, s.text, s.where, line, fix);
  }

  /** A statement failed: passed over (tolerated, or on-restore-error continue) or the end of the restore. */
  async failed(err: pg.DatabaseError, text: string, where: Where, line: number, fix: string): Promise<void> {
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
      : `Fix ${fix}, or pass ${say.set("on-restore-error", "continue")} to restore past failing statements.`;
    this.failure = `${this.what}: ${endSentence(at)} ${remedy}`;
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

  /**
   * Start COPY ... FROM STDIN with this statement (on line `sqlLine`: a script's COPY, or \copy ... FROM stdin),
   * its data to follow in the script after line `dataFrom`.
   */
  startCopy(text: string, sqlLine: number, dataFrom: number, where: Where): CopyUnderWay {
    this.transactionControl(text, sqlLine, where);
    return { in: new CopyIn(this.client, this.prefix() + text), text, sqlLine, dataFrom, where };
  }

  /** Start COPY ... FROM STDIN for \copy ... FROM a file. */
  copyFromFile(text: string): CopyIn {
    return new CopyIn(this.client, this.prefix() + text);
  }

  /** COPY data is complete (or failed): the server's verdict, errors named by the data line they are on. */
  async endCopy(c: CopyUnderWay): Promise<void> {
    const err = await c.in.end();
    if (!err) return;
    if (!isDatabaseError(err)) throw err;
    const dataLine = copyErrorLine(err);
    await this.failed(
      err,
      c.text,
      c.where,
      dataLine !== null ? c.dataFrom + dataLine : c.sqlLine,
      dataLine !== null
        ? `the data on that line (COPY on line ${c.sqlLine})`
        : `the COPY on line ${c.sqlLine}`,
    );
  }
}
