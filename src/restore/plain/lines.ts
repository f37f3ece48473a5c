// The lines of a plain SQL script as the reader holds them until it gives them out: each line's bytes, the ranges
// of its text to leave out (statements that must not run, meta-commands), and the marks where statements start
// and end and commands stand. LineOutput turns held lines into events: the text of statements, cuts left out,
// whole runs of untouched lines given in one piece. Pure.

import type { PlainEvent } from "./events.ts";

export interface Line {
  buf: Buffer;
  start: number;
  /** Length of the text without the line end. */
  len: number;
  /** Offset of the next line in buf (after \n). */
  end: number;
  /** Ranges of the text to leave out, as flat [from, to) pairs; null when none (most lines). */
  cuts: number[] | null;
  /** Where statements start and end and commands stand on the line; null when none. */
  marks: Mark[] | null;
}

export interface Mark {
  pos: number;
  /** null: a statement starts here. */
  ev: PlainEvent | null;
}

/** Leave [from, to) of a line's text out. */
export function cut(l: Line, from: number, to: number): void {
  if (l.cuts === null) l.cuts = [from, to];
  else l.cuts.push(from, to);
}

/** Mark a place on a line: a statement starts there (null), or an event stands there. */
export function addMark(l: Line, pos: number, ev: PlainEvent | null): void {
  if (l.marks === null) l.marks = [{ pos, ev }];
  else l.marks.push({ pos, ev });
}

/** The events given out so far, and where the script stands between them. */
export class LineOutput {
  private events: PlainEvent[] = [];
  /** Statement text is being given (between a statement's start and its end). */
  inStmt = false;
  /** A run of whole lines of one buffer, given in one piece. */
  private run: { buf: Buffer; from: number; to: number } | null = null;

  push(ev: PlainEvent): void {
    this.events.push(ev);
  }

  /** The events since the last take. */
  take(): PlainEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  /** Give a line out: the text of statements (cuts left out) and, where marked, the statements' ends and commands. */
  give(l: Line): void {
    if (l.cuts === null && l.marks === null) {
      if (!this.inStmt) return;
      const r = this.run;
      if (r && r.buf === l.buf && r.to === l.start) r.to = l.end;
      else {
        this.flush();
        this.run = { buf: l.buf, from: l.start, to: l.end };
      }
      return;
    }
    this.flush();
    const pairs: [number, number][] = [];
    const cuts = l.cuts ?? [];
    for (let i = 0; i < cuts.length; i += 2) pairs.push([cuts[i] as number, cuts[i + 1] as number]);
    pairs.sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const m of (l.marks ?? []).sort((a, b) => a.pos - b.pos)) {
      this.text(l, at, m.pos, pairs);
      at = m.pos;
      if (m.ev === null) this.inStmt = true;
      else {
        if (m.ev.k === "end") this.inStmt = false;
        this.events.push(m.ev);
      }
    }
    this.text(l, at, l.len, pairs);
    if (this.inStmt && l.end > l.start + l.len) {
      this.events.push({ k: "sql", buf: l.buf.subarray(l.start + l.len, l.end) });
    }
  }

  /** [from, to) of a line's text, less its cuts, when a statement is under way. */
  private text(l: Line, from: number, to: number, cuts: [number, number][]): void {
    if (!this.inStmt || to <= from) return;
    let at = from;
    for (const [a, b] of cuts) {
      if (b <= at) continue;
      if (a >= to) break;
      if (a > at) this.events.push({ k: "sql", buf: l.buf.subarray(l.start + at, l.start + a) });
      at = Math.max(at, b);
    }
    if (at < to) this.events.push({ k: "sql", buf: l.buf.subarray(l.start + at, l.start + to) });
  }

  /** Give out the run of whole lines held back, if any. */
  flush(): void {
    if (this.run) {
      this.events.push({ k: "sql", buf: this.run.buf.subarray(this.run.from, this.run.to) });
      this.run = null;
    }
  }
}
