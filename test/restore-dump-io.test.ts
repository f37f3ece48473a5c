// dump-io.ts: a dump's bytes read without reading more than is needed.
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileReader, quoted, readHead, readSmallFile } from "../src/restore/dump-io.ts";

const dir = mkdtempSync(join(tmpdir(), "seq-guard-dump-io-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const big = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
const file = join(dir, "big");
writeFileSync(file, big);

test("the first bytes of a file, fewer when it is shorter", () => {
  assert.deepEqual(readHead(file, 10), big.subarray(0, 10));
  assert.equal(readHead(file).length, 64 * 1024);
  writeFileSync(join(dir, "small"), "abc");
  assert.equal(readHead(join(dir, "small")).toString(), "abc");
});

test("a whole small file, or its size when it is too large", () => {
  assert.deepEqual(readSmallFile(file, 1_000_000), { ok: true, bytes: big });
  assert.deepEqual(readSmallFile(file, 1000), { ok: false, size: big.length });
});

test("a window reader gives the bytes at any position, fewer at the end", () => {
  const fd = openSync(file, "r");
  try {
    const read = fileReader(fd);
    for (const [pos, len] of [
      [0, 512],
      [70_000, 512],
      [512, 512],
      [199_900, 512],
    ] as const) {
      assert.deepEqual(Buffer.from(read(pos, len)), big.subarray(pos, Math.min(pos + len, big.length)));
    }
    assert.throws(() => read(0, 70_000), RangeError);
  } finally {
    closeSync(fd);
  }
});

test("a name from the dump is quoted as one printable line", () => {
  assert.equal(quoted('a "b"'), '"a \\"b\\""');
  assert.ok(!quoted("a\nb\u001b[31m").includes("\n"));
});
