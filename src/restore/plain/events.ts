// What the plain SQL reader (script.ts) hands its runner (run-plain.ts), and how: the events of a script in order,
// the context a script is read in (the dump, or a file it includes), and the problem that stops a script
// seq-guard cannot run, at its line. Pure.

/** A script seq-guard cannot run (a pg_dumpall file, a refused meta-command, ...), at FILE:LINE. */
export class PlainSqlProblem extends Error {
  constructor(
    readonly line: number,
    message: string,
    /** The included file it is in (from the dump's folder); null for the dump itself. */
    readonly file: string | null = null,
  ) {
    super(message);
    this.name = "PlainSqlProblem";
  }
}

export interface ScriptOptions {
  noOwner: boolean;
  noPrivileges: boolean;
}

/** The longest line outside COPY data, and the longest statement, seq-guard reads: 16 MiB. */
export const LINE_MAX = 16 * 1024 * 1024;
export const STATEMENT_MAX = LINE_MAX;

/** What a script asks for, in order: run by run-plain.ts. */
export type PlainEvent =
  /** Text of the statement under way (its cuts left out; between statements nothing is given). */
  | { k: "sql"; buf: Buffer }
  /** The statement ends (lines first..last). Blank: left out, its text is to be dropped. Copy: COPY FROM STDIN. */
  | { k: "end"; first: number; last: number; blank: boolean; copy: boolean }
  /** COPY data as it is read (not cut into lines), up to the \. line. */
  | { k: "data"; buf: Buffer }
  /** The \. line (or the end of the file) ended COPY data. */
  | { k: "copyEnd"; line: number }
  /** \i / \ir FILE: the line was read; the script waits (paused) until the runner has run the file. */
  | { k: "include"; path: string; relative: boolean; line: number; command: string }
  /** \copy ... FROM FILE (file) or FROM stdin (null: data events follow): sql is COPY ... FROM STDIN. */
  | { k: "copy"; sql: Buffer; file: string | null; line: number };

export interface ScriptContext {
  /** The included file being read (its real path); null for the dump itself. */
  file: string | null;
  /** The same from the dump's folder, for messages and hints; null for the dump itself. */
  display: string | null;
  depth: number;
  /** Order counter shared with the including script. */
  order: { n: number };
  /** The client encoding the script starts in (an included file: the including script's). */
  encoding?: string;
}
