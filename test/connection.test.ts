// Which secrets a connection setting holds, in every spelling a message could echo; and how they are masked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../src/core/errors.ts";
import { redact, redactUrl } from "../src/core/redact.ts";
import {
  explainConnectionError,
  parseDatabaseUrl,
  resolveConnection,
  secretsOf,
  withLogin,
} from "../src/db/connection.ts";

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

// A password that should have been percent-encoded: the URL parser reads "u" as the host, "2024" as the port and
// "pw@host/db" as the database. What a person meant is user info up to the last "@", and that is what is masked.
const MISREAD = "postgres://u:2024/pw@db.example/app";

test("a URL whose password does not parse as written: refused, the password in no message and in every secret list", () => {
  assert.throws(
    () => parseDatabaseUrl(MISREAD, "DATABASE_URL"),
    (err: Error) => {
      assert.ok(err instanceof UsageError);
      assert.ok(!err.message.includes("2024") && !err.message.includes("pw@"), err.message);
      return true;
    },
  );
  assert.ok(secretsOf(MISREAD, {}).includes("2024/pw"), JSON.stringify(secretsOf(MISREAD, {})));
  assert.ok(secretsOf("", { DATABASE_URL: MISREAD }).includes("2024/pw"));
  assert.equal(redactUrl(MISREAD), "postgres://u:***@db.example/app");
  const echoed = redact(
    `could not connect with ${MISREAD} (user u, password 2024/pw)`,
    secretsOf(MISREAD, {}),
  );
  assert.ok(!echoed.includes("2024/pw"), echoed);
});

test('a URL whose password\'s "?" or "#" ends the host part: refused (exit 2), the password in no message', () => {
  // "?" ends the host part: port 2024, a query "pw@db.example/app"; "#" likewise, as a fragment.
  for (const url of ["postgres://u:2024?pw@db.example/app", "postgres://u:2024#pw@db.example/app"]) {
    assert.throws(
      () => parseDatabaseUrl(url, "DATABASE_URL"),
      (err: Error) =>
        err instanceof UsageError && !err.message.includes("2024") && /Percent-encode/.test(err.message),
    );
  }
});

test("an sslpassword= parameter is masked by redactUrl too, and the longest secret first", () => {
  assert.equal(
    redactUrl("postgres://u:pw@h/db?sslmode=require&sslpassword=keypass"),
    "postgres://u:***@h/db?sslmode=require&sslpassword=***",
  );
  // "p@ss" inside its own encoded spelling "p%40ss" is never left half-masked.
  assert.equal(redact("x p%40ss y p@ss", ["p@ss", "p%40ss"]), "x *** y ***");
});

test("a password that is also the user's or the database's name is no secret to mask: the names stay readable", () => {
  assert.deepEqual(secretsOf("postgres://postgres:postgres@localhost:5432/postgres", {}), []);
  assert.deepEqual(secretsOf("postgres://app:ci-secret@localhost/app", {}), ["ci-secret"]);
  assert.deepEqual(secretsOf("", { PGUSER: "ro", PGPASSWORD: "ro" }), []);
  assert.deepEqual(secretsOf("postgres://u:shop@h/shop", {}), []);
  // The URL's user info is masked where it stands all the same.
  assert.equal(
    redact(
      "postgres://postgres:postgres@localhost:5432/postgres",
      secretsOf("postgres://postgres:postgres@localhost:5432/postgres", {}),
    ),
    "postgres://postgres:***@localhost:5432/postgres",
  );
});

test("every producer of secrets keeps the one rule: the connection's own secrets leave out a password that is a name too", () => {
  const url = "postgres://postgres:postgres@127.0.0.1:55439/postgres";
  const t = parseDatabaseUrl(url, "--database-url", {});
  assert.deepEqual(t.secrets, []);
  assert.equal(t.label, "127.0.0.1:55439/postgres");
  const refused = explainConnectionError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), t);
  assert.match(refused.message, /127\.0\.0\.1:55439\/postgres/);
  assert.match(refused.message, /the postgres service/);
  assert.ok(!refused.message.includes("***"), refused.message);
  assert.deepEqual(resolveConnection(undefined, { PGUSER: "ro", PGPASSWORD: "ro" }).secrets, []);
  // The sandbox's login adds its own password, never a name.
  assert.deepEqual(withLogin(t, "seq_guard_restore_1", "r4nd0m-pw").secrets, ["r4nd0m-pw"]);
});

test("a password that is no name is masked everywhere: label, message, secret lists", () => {
  const url = "postgres://app:s3cr3t-pw@127.0.0.1:55439/s3cr3t-pw-db";
  const t = parseDatabaseUrl(url, "--database-url", {});
  assert.deepEqual(t.secrets, ["s3cr3t-pw"]);
  assert.deepEqual(secretsOf(url, {}), ["s3cr3t-pw"]);
  const e = explainConnectionError(Object.assign(new Error("no s3cr3t-pw here"), { code: "XX000" }), t);
  assert.ok(!/s3cr3t-pw[^-]/.test(e.message), e.message);
  assert.deepEqual(resolveConnection(undefined, { PGUSER: "app", PGPASSWORD: "s3cr3t-pw" }).secrets, [
    "s3cr3t-pw",
  ]);
});
