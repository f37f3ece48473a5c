// Which secrets a connection setting holds, in every spelling a message could echo; and how they are masked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { redact, secretsOf } from "../src/connection.ts";

test("the password in the user info, a password= and an sslpassword= parameter, as written and decoded", () => {
  const s = secretsOf("postgres://u:p%40ss@h/db?password=q%26r&sslpassword=key%2Bpass", {});
  for (const spelling of ["p%40ss", "p@ss", "q%26r", "q&r", "key%2Bpass", "key+pass"]) {
    assert.ok(s.includes(spelling), `${spelling} is a secret: ${JSON.stringify(s)}`);
  }
  assert.deepEqual(secretsOf("", { PGPASSWORD: "from-env" }), ["from-env"]);
});

test("redaction masks every spelling and password-bearing URL", () => {
  const url = "postgres://u:p%40ss@h/db?sslpassword=key%2Bpass";
  const text = `could not connect with ${url}: key+pass was refused for p@ss`;
  const out = redact(text, secretsOf(url, {}));
  for (const part of ["p%40ss", "p@ss", "key%2Bpass", "key+pass"]) assert.ok(!out.includes(part), out);
});
