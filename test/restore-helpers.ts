// Shared by the restore unit tests: an archive header as pg_dump 15 writes it, the plain SQL reader fed in
// chunks, and a message rendered in the CLI's words (the restore names settings with markers, core/words.ts).
import { CLI_WORDS, inWords } from "../src/core/words.ts";
import type { PlainEvent } from "../src/restore/plain/events.ts";
import { SqlScript } from "../src/restore/plain/script.ts";

/** A message as the CLI shows it. */
export const cli = (text: string): string => inWords(text, CLI_WORDS);

/** A header as pg_dump 15 writes it (format 1.14), for a custom (1) or tar (3) archive. */
export function header15(formatCode = 1, dumpVersion = "15.18 (Debian 15.18-0+deb12u1)", minor = 14): Buffer {
  const int = (v: number) =>
    Buffer.from([v < 0 ? 1 : 0, ...[0, 1, 2, 3].map((i) => (Math.abs(v) >> (8 * i)) & 0xff)]);
  const str = (s: string) => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
  return Buffer.concat([
    Buffer.from("PGDMP"),
    Buffer.from([1, minor, 0, 4, 8, formatCode]),
    minor >= 15 ? Buffer.from([0]) : int(-1),
    ...[0, 30, 12, 25, 10, 126, 0].map(int),
    str("shop"),
    str("15.18"),
    str(dumpVersion),
    Buffer.alloc(64),
  ]);
}

/** A script read as run-plain.ts reads it, in chunks: the statements it sends (blank ones not), and its COPY data. */
/** A script fed to the reader `chunk` bytes at a time: its statements, its COPY data, its events, the reader. */
export async function filtered(
  input: string | Buffer,
  chunk = 7,
): Promise<{ stmts: string[]; data: string; events: PlainEvent[]; f: SqlScript }> {
  const f = new SqlScript(
    { noOwner: true, noPrivileges: true },
    { file: null, display: null, depth: 0, order: { n: 0 } },
  );
  const b = Buffer.from(input);
  const events: PlainEvent[] = [];
  const take = () => {
    for (;;) {
      events.push(...f.take());
      if (!f.paused) return;
      f.resume();
    }
  };
  for (let i = 0; i < b.length; i += chunk) {
    f.feed(b.subarray(i, i + chunk));
    take();
  }
  f.end();
  take();
  const stmts: string[] = [];
  let text = "";
  let data = "";
  for (const e of events) {
    if (e.k === "sql") text += e.buf.toString("utf8");
    else if (e.k === "end") {
      if (!e.blank) stmts.push(text);
      text = "";
    } else if (e.k === "data") data += e.buf.toString("utf8");
    else if (e.k === "copyEnd") data += "<end>";
  }
  return { stmts, data, events, f };
}
