// plain/encodings.ts: a script's client_encoding, converted to UTF-8 as it is read.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cleanEncoding, decodeUtf8, encodingTranscoder } from "../src/restore/plain/encodings.ts";

test("names are compared as PostgreSQL compares them, aliases resolved", () => {
  assert.equal(cleanEncoding("utf-8"), "UTF8");
  assert.equal(cleanEncoding("unicode"), "UTF8");
  assert.equal(cleanEncoding("ISO-8859-1"), "LATIN1");
  assert.equal(cleanEncoding("Windows-1252"), "WIN1252");
  assert.equal(cleanEncoding("sjis"), "SJIS");
});

test("UTF8 passes untouched; LATIN1 and LATIN5 convert as ISO-8859; bad bytes throw", () => {
  assert.equal(encodingTranscoder("UTF8"), null);
  const latin1 = encodingTranscoder("latin1");
  assert.equal(latin1?.(Buffer.from([0x63, 0x61, 0x66, 0xe9])).toString("utf8"), "café");
  const latin5 = encodingTranscoder("LATIN5");
  assert.equal(latin5?.(Buffer.from([0xfd, 0x80])).toString("utf8"), "ı\u0080");
  const sqlAscii = encodingTranscoder("SQL_ASCII");
  assert.throws(() => sqlAscii?.(Buffer.from([0xff])));
  const eucjp = encodingTranscoder("EUC_JP");
  assert.throws(() => eucjp?.(Buffer.from([0xff, 0xff])));
  assert.equal(encodingTranscoder("NO_SUCH_ENCODING"), null);
});

test("a statement's bytes as UTF-8, or null", () => {
  assert.equal(decodeUtf8(Buffer.from("é", "utf8")), "é");
  assert.equal(decodeUtf8(Buffer.from([0xc3])), null);
});
