// detect.ts: a dump's format from its content (random bytes included), never from its name.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import zlib from "node:zlib";
import fc from "fast-check";
import { detectFormat, looksLikeText } from "../src/restore/detect.ts";
import { header15 } from "./restore-helpers.ts";

function tarOf(name: string, content: Buffer): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, "utf8");
  h.write("ustar\u000000", 257, "latin1");
  return Buffer.concat([h, content]);
}

describe("format detection from content", () => {
  test("custom, tar, directory, plain and gzip plain", () => {
    assert.equal(
      (detectFormat({ isDirectory: false, head: header15() }) as { format: string }).format,
      "custom",
    );
    const tar = tarOf("toc.dat", header15(3));
    assert.equal((detectFormat({ isDirectory: false, head: tar }) as { format: string }).format, "tar");
    assert.equal(
      (detectFormat({ isDirectory: true, head: header15(3) }) as { format: string }).format,
      "directory",
    );
    const sql = Buffer.from(
      "--\n-- PostgreSQL database dump\n--\nSET client_encoding = 'LATIN1';\nSELECT 1;\n",
    );
    const plain = detectFormat({ isDirectory: false, head: sql });
    assert.deepEqual(plain, { ok: true, format: "plain", encoding: "LATIN1" });
    const gz = zlib.gzipSync(sql);
    const g = detectFormat({ isDirectory: false, head: gz, gunzipped: zlib.gunzipSync(gz) });
    assert.deepEqual(g, { ok: true, format: "plain-gzip", encoding: "LATIN1" });
  });

  test("never from the name: what is not a dump says what it is", () => {
    const cases: [Parameters<typeof detectFormat>[0], RegExp][] = [
      [{ isDirectory: false, head: Buffer.alloc(0) }, /empty/],
      [{ isDirectory: true, head: null }, /without a toc\.dat/],
      [{ isDirectory: false, head: Buffer.from([0, 1, 2, 3, 200, 0, 7]) }, /binary data/],
      [{ isDirectory: false, head: tarOf("backup/toc.dat", Buffer.alloc(600)) }, /not a pg_dump tar archive/],
      [{ isDirectory: false, head: Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2]) }, /zstd-compressed.*zstd -d/],
      [{ isDirectory: false, head: header15(3) }, /toc\.dat\) of a directory or tar archive/],
      [
        { isDirectory: false, head: Buffer.from([0x1f, 0x8b, 8, 0]), gunzipped: header15() },
        /gzip-compressed pg_dump archive/,
      ],
      [{ isDirectory: false, head: Buffer.from([0x1f, 0x8b, 8, 0]), gunzipped: null }, /corrupt/],
    ];
    for (const [sample, re] of cases) {
      const d = detectFormat(sample);
      assert.equal(d.ok, false, `${re}`);
      assert.match((d as { problem: string }).problem, re);
    }
  });

  test("random bytes never crash detection, and only a PGDMP or ustar start makes an archive", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2048 }), fc.boolean(), (bytes, gz) => {
        const head = gz ? Buffer.concat([Buffer.from([0x1f, 0x8b]), bytes]) : Buffer.from(bytes);
        const d = detectFormat({ isDirectory: false, head, gunzipped: gz ? Buffer.from(bytes) : null });
        if (d.ok && (d.format === "custom" || d.format === "tar" || d.format === "directory")) {
          assert.ok(head.subarray(0, 5).toString("latin1") === "PGDMP" || head.length >= 512);
        }
        if (d.ok && d.format === "plain") assert.ok(looksLikeText(head));
        if (!d.ok) assert.ok(d.problem.length > 20);
      }),
      { numRuns: 3000 },
    );
  });

  test("random bytes after a PGDMP magic: a clear verdict either way", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const d = detectFormat({ isDirectory: false, head: Buffer.concat([Buffer.from("PGDMP"), bytes]) });
        if (!d.ok) assert.match(d.problem, /header is corrupt|toc\.dat/);
      }),
      { numRuns: 3000 },
    );
  });
});
