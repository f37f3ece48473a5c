// plain/names.ts: names as a script and the server's reports write them, read as the server reads them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { nameParts, parseRegclassText, splitQualified } from "../src/restore/plain/names.ts";

test('unquoted parts fold to lower case in ASCII only; quoted ones stay as written, with "" read as "', () => {
  assert.deepEqual(nameParts('Public."Mixed ""Q"" Seq"'), ["public", 'Mixed "Q" Seq']);
  assert.deepEqual(nameParts("ÄBC_seq"), ["Äbc_seq"]);
  assert.deepEqual(nameParts("  users  "), ["users"]);
  for (const bad of ["", "a b", '"open', "a..b", 'a."b']) assert.equal(nameParts(bad), null, bad);
});

test("regclass text: one to three parts, the last two as schema and name", () => {
  assert.deepEqual(parseRegclassText("t_id_seq"), { schema: null, name: "t_id_seq" });
  assert.deepEqual(parseRegclassText('app."T_id_seq"'), { schema: "app", name: "T_id_seq" });
  assert.deepEqual(parseRegclassText("db.app.t_id_seq"), { schema: "app", name: "t_id_seq" });
  assert.equal(parseRegclassText("a.b.c.d"), null);
});

test("a report's schema.name: exactly two parts", () => {
  assert.deepEqual(splitQualified('app."Mixed Case_Id_seq"'), { schema: "app", name: "Mixed Case_Id_seq" });
  assert.equal(splitQualified("users_id_seq"), null);
  assert.equal(splitQualified("a.b.c"), null);
});
