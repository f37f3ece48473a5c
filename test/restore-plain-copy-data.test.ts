// plain/copy-data.ts: COPY data passed on as read, the \. line found wherever the chunks are cut.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CopyData } from "../src/restore/plain/copy-data.ts";
import type { PlainEvent } from "../src/restore/plain/events.ts";

/** Feed `text` in chunks of `size`: the data given out, the lines counted, and what follows the \. line. */
function scanAll(text: string, size: number): { data: string; lines: number; ended: boolean; rest: string } {
  const c = new CopyData();
  c.start();
  const events: PlainEvent[] = [];
  const out = { push: (ev: PlainEvent) => events.push(ev) };
  const b = Buffer.from(text);
  let lines = 0;
  for (let i = 0; i < b.length; i += size) {
    const chunk = c.join(b.subarray(i, i + size));
    const r = c.scan(chunk, 0, out);
    lines += r.lines;
    if (r.ended) {
      const rest = Buffer.concat([chunk.subarray(r.next), b.subarray(i + size)]).toString();
      return { data: data(events), lines, ended: true, rest };
    }
  }
  lines += c.finish(out);
  return { data: data(events), lines, ended: false, rest: "" };
}

const data = (events: PlainEvent[]) =>
  events.map((e) => (e.k === "data" ? e.buf.toString() : `<${e.k}>`)).join("");

test("data up to the \\. line, whatever the chunks; what follows is the script's", () => {
  for (const size of [1, 2, 3, 5, 64]) {
    assert.deepEqual(scanAll("1\ta\n2\t\\.b\n\\.\r\nSELECT 1;\n", size), {
      data: "1\ta\n2\t\\.b\n",
      lines: 3,
      ended: true,
      rest: "SELECT 1;\n",
    });
  }
});

test("the file ends inside the data: what is held back is data, unless it is the \\. line", () => {
  assert.deepEqual(scanAll("1\n\\", 64), { data: "1\n\\", lines: 2, ended: false, rest: "" });
  assert.deepEqual(scanAll("1\n\\.", 64), { data: "1\n", lines: 2, ended: false, rest: "" });
  assert.deepEqual(scanAll("1\n2", 1), { data: "1\n2", lines: 1, ended: false, rest: "" });
});
