// COPY ... FROM stdin data in a plain SQL script: passed on in pieces of the chunks read, never held as whole
// lines, with only each line's start looked at for the \. line that ends the data. A line start at a chunk's end
// that may be \. is held back and joined to the next chunk. Pure.

import type { PlainEvent } from "./events.ts";

/** Where the data events go. */
export interface EventSink {
  push(ev: PlainEvent): void;
}

/** The \. line, as the end of the file leaves it (with its \r, without its \n). */
const END_LINE = /^\\\.\r?$/;

export class CopyData {
  /** At the start of a data line (where the \. line may stand). */
  private atLineStart = true;
  /** The start of a data line at a chunk's end that may be \. : joined to the next chunk. */
  private hold: Buffer | null = null;

  /** COPY data begins with the next byte. */
  start(): void {
    this.atLineStart = true;
  }

  /** A chunk with the bytes held back from the one before in front of it. */
  join(b: Buffer): Buffer {
    if (!this.hold) return b;
    const joined = Buffer.concat([this.hold, b]);
    this.hold = null;
    return joined;
  }

  /**
   * Read data from `buf` at `pos`, giving it out as data events: up to the \. line (ended: true, `next` is just
   * after it) or to the chunk's end. `lines`: how many lines ended in what was read (the \. line included).
   */
  scan(buf: Buffer, pos: number, out: EventSink): { next: number; lines: number; ended: boolean } {
    const n = buf.length;
    const from = pos;
    let lines = 0;
    while (pos < n) {
      if (this.atLineStart) {
        if (buf[pos] === 0x5c) {
          const avail = n - pos;
          if (avail < 2 || (buf[pos + 1] === 0x2e && (avail < 3 || (buf[pos + 2] === 0x0d && avail < 4)))) {
            // Too few bytes left to tell whether this is the \. line: kept for the next chunk.
            if (pos > from) out.push({ k: "data", buf: buf.subarray(from, pos) });
            this.hold = Buffer.from(buf.subarray(pos));
            return { next: n, lines, ended: false };
          }
          if (buf[pos + 1] === 0x2e) {
            let e = pos + 2;
            if (buf[e] === 0x0d) e++;
            if (buf[e] === 0x0a) {
              if (pos > from) out.push({ k: "data", buf: buf.subarray(from, pos) });
              return { next: e + 1, lines: lines + 1, ended: true };
            }
          }
        }
        this.atLineStart = false;
      }
      const nl = buf.indexOf(10, pos);
      if (nl < 0) {
        pos = n;
        break;
      }
      lines++;
      pos = nl + 1;
      this.atLineStart = true;
    }
    if (pos > from) out.push({ k: "data", buf: buf.subarray(from, pos) });
    return { next: n, lines, ended: false };
  }

  /**
   * The file ends inside COPY data: what was held back is data, unless it is the \. line. Returns the lines it
   * ends (1 when something was held back).
   */
  finish(out: EventSink): number {
    const h = this.hold;
    this.hold = null;
    if (!h) return 0;
    if (!END_LINE.test(h.toString("latin1"))) out.push({ k: "data", buf: h });
    return 1;
  }
}
