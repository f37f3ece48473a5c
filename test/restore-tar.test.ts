// tar.ts: a tar archive walked header to header (whole, cut anywhere, damaged, random bytes).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { checkTarArchive } from "../src/restore/tar.ts";

/** A tar file as pg_dump writes one: ustar headers with their checksums, data padded to 512, two zero blocks. */
function tarFile(members: [string, number][], opts: { base256?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const [name, size] of members) {
    const h = Buffer.alloc(512);
    h.write(name, 0, "utf8");
    h.write("0000600\0", 100, "latin1");
    if (opts.base256) {
      h[124] = 0x80;
      h.writeUIntBE(size, 124 + 12 - 6, 6);
    } else h.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
    h.write("0", 156, "latin1");
    h.write("ustar\u000000", 257, "latin1");
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const c of h) sum += c;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    parts.push(h, Buffer.alloc(Math.ceil(size / 512) * 512, 0x41));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

describe("tar archives are walked header to header", () => {
  const walk = (b: Buffer) =>
    checkTarArchive((pos, len) => b.subarray(pos, Math.min(pos + len, b.length)), b.length);
  const whole = tarFile([
    ["toc.dat", 700],
    ["3268.dat", 5000],
    ["restore.sql", 20],
  ]);

  test("a whole archive passes, whatever its sizes (base-256 ones too)", () => {
    assert.equal(walk(whole), null);
    assert.equal(walk(tarFile([["toc.dat", 0]])), null);
    assert.equal(walk(tarFile([["toc.dat", 513]], { base256: true })), null);
    // tar may pad a file beyond its end blocks
    assert.equal(walk(Buffer.concat([whole, Buffer.alloc(8192)])), null);
  });

  test("cut anywhere, it is called truncated, naming where", () => {
    for (let cut = 512; cut < whole.length; cut += 397) {
      const problem = walk(whole.subarray(0, cut));
      assert.ok(problem, `cut at ${cut}`);
      assert.match(
        problem,
        /^the tar archive is truncated: .*Make the dump again with pg_dump -Ft/,
        `cut at ${cut}`,
      );
    }
    assert.match(
      walk(whole.subarray(0, 3000)) ?? "",
      /its member "3268\.dat" \(5000 bytes, at offset 1536\) runs past the end of the file \(3000 bytes\)/,
    );
    assert.match(
      walk(whole.subarray(0, whole.length - 1024)) ?? "",
      /ends after its member "restore\.sql" without the two zero blocks/,
    );
    assert.match(walk(whole.subarray(0, whole.length - 100)) ?? "", /ends inside the two zero blocks/);
  });

  test("a damaged header is called corrupt", () => {
    const b = Buffer.from(whole);
    b[1536 + 130] = 0x39; // a digit of 3268.dat's size: the checksum no longer matches
    assert.match(
      walk(b) ?? "",
      /the tar archive is corrupt: the block at offset 1536 \(after member "toc\.dat"\) is not a valid tar header/,
    );
    const garbage = Buffer.from(whole);
    garbage.fill(0x55, 1536, 2048);
    assert.match(walk(garbage) ?? "", /is not a valid tar header/);
  });

  test("random bytes after a valid first header never crash the walk", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4096 }), (bytes) => {
        const b = Buffer.concat([whole.subarray(0, 1536), Buffer.from(bytes)]);
        const problem = walk(b);
        if (problem !== null) assert.match(problem, /^the tar archive (is truncated|is corrupt|could not)/);
      }),
      { numRuns: 500 },
    );
  });
});
