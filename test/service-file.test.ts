// src/db/service-file.ts and its use in connection.ts: a connection service (service=, PGSERVICE) read as libpq
// reads pg_service.conf: the user's file before the system's, the URL's own values over the service's, the
// service's over the PG* variables. Pure, files in a temp folder.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { UsageError } from "../src/core/errors.ts";
import { redact } from "../src/core/redact.ts";
import {
  explainConnectionError,
  parseDatabaseUrl,
  resolveConnection,
  secretsOf,
} from "../src/db/connection.ts";
import { lookupService, parseServiceFile } from "../src/db/service-file.ts";

let dir: string;
let user: string;
let sys: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "sg-svc-"));
  user = join(dir, "user.conf");
  sys = join(dir, "sys");
  writeFileSync(
    user,
    "# mine\n\n  [aud]  \n host=10.0.0.1 \nport=6001\ndbname=audit\nuser=auditor\npassword=svc-s3cr3t\nport=9\n[aud]\nport=7\n[both]\nhost=user-host\n[same]\nuser=postgres\npassword=postgres\n",
  );
  mkdirSync(sys);
  writeFileSync(join(sys, "pg_service.conf"), "[both]\nnonsense line\n[sysonly]\nhost=sys-host\nport=6002\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

const env = (over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PGSERVICEFILE: user,
  PGSYSCONFDIR: sys,
  HOME: dir,
  ...over,
});

describe("the service file as libpq reads it", () => {
  test("blanks and comments ignored, the first section of the name, the first of a key", () => {
    const v = parseServiceFile("# c\n [a] \n  host=h  \nport=1\nport=2\n[a]\nport=3\n", "f", "a");
    assert.deepEqual(Object.fromEntries(v ?? []), { host: "h", port: "1" });
    assert.equal(parseServiceFile("[ab]\nhost=h\n", "f", "a"), null);
  });

  test("a malformed line, an unknown keyword and a nested service are errors naming file and line", () => {
    assert.throws(
      () => parseServiceFile("[a]\nhost\n", "F", "a"),
      /syntax error in service file "F", line 2/,
    );
    assert.throws(() => parseServiceFile("[a]\nhost = h\n", "F", "a"), /line 2.*"host " is none/);
    assert.throws(() => parseServiceFile("[a]\nservice=b\n", "F", "a"), /nested service/);
    // Other sections are not read.
    assert.deepEqual(Object.fromEntries(parseServiceFile("[b]\nbad\n[a]\nport=1\n", "F", "a") ?? []), {
      port: "1",
    });
  });

  test("the user's file first; the system's only for a service the user's does not define", () => {
    assert.equal(lookupService("both", env(), "PGSERVICE").values.get("host"), "user-host");
    const s = lookupService("sysonly", env(), "PGSERVICE");
    assert.equal(s.file, join(sys, "pg_service.conf"));
    assert.equal(s.values.get("port"), "6002");
    // Without PGSERVICEFILE: ~/.pg_service.conf.
    writeFileSync(join(dir, ".pg_service.conf"), "[home]\nport=6003\n");
    assert.equal(lookupService("home", env({ PGSERVICEFILE: undefined }), "x").values.get("port"), "6003");
  });

  test('a service no file defines: definition of service "x" not found, a usage error', () => {
    assert.throws(
      () => resolveConnection(undefined, env({ PGSERVICE: "nosuch" })),
      (err: Error) =>
        err instanceof UsageError &&
        /definition of service "nosuch" not found \(named by PGSERVICE; looked in .*user\.conf/.test(
          err.message,
        ),
    );
    assert.throws(
      () => parseDatabaseUrl("postgres://h/d?service=nosuch", "--database-url", env()),
      /definition of service "nosuch" not found \(named by service= in .*database-url/,
    );
  });
});

describe("a service in the connection", () => {
  test("PGSERVICE: the service's values over the PG* variables, which fill in the rest", () => {
    const t = resolveConnection(undefined, env({ PGSERVICE: "aud", PGHOST: "env-host", PGPORT: "1" }));
    assert.equal(t.label, "10.0.0.1:6001/audit");
    assert.equal(
      t.config.connectionString,
      "postgres:///audit?host=10.0.0.1&port=6001&user=auditor&password=svc-s3cr3t",
    );
    assert.deepEqual(t.service, { name: "aud", file: user });
    const sysOnly = resolveConnection(undefined, env({ PGSERVICE: "sysonly", PGDATABASE: "envdb" }));
    assert.equal(sysOnly.label, "sys-host:6002/envdb");
  });

  test("the URL's own values over the service's; service= over PGSERVICE", () => {
    // The service's own server: its credentials may go there (see the next test).
    const t = parseDatabaseUrl(
      "postgres://me@10.0.0.1:6001/mine?service=aud",
      "--database-url",
      env({ PGSERVICE: "both" }),
    );
    assert.equal(t.label, "10.0.0.1:6001/mine");
    const u = new URL(t.config.connectionString ?? "");
    assert.equal(u.username, "me");
    assert.equal(u.searchParams.get("host"), null, "the URL's host stands");
    assert.equal(u.searchParams.get("user"), null, "the URL's user stands");
    assert.equal(
      u.searchParams.get("password"),
      "svc-s3cr3t",
      "what the URL leaves out comes from the service",
    );
    assert.equal(u.searchParams.get("service"), null);
    const only = parseDatabaseUrl("postgres:///?service=aud", "--database-url", env());
    assert.equal(only.label, "10.0.0.1:6001/audit");
  });

  test("a service's credentials go only to the server it names: a URL naming another host or port is refused", () => {
    // Without credentials in the service, the URL's host and port stand.
    const free = parseDatabaseUrl("postgres://me@127.0.0.1:7000/mine?service=both", "--database-url", env());
    assert.equal(free.label, "127.0.0.1:7000/mine");
    for (const [url, extra] of [
      ["postgres://me@127.0.0.1:7000/mine?service=aud", {}],
      ["postgres://127.0.0.1/?service=aud", {}],
      ["postgres:///?service=aud&host=evil.example", {}],
      ["postgres:///?service=aud&port=5999", {}],
      ["postgres://evil.example/", { PGSERVICE: "aud" }],
    ] as const) {
      assert.throws(
        () => parseDatabaseUrl(url, "--database-url", env(extra)),
        (err: Error) => {
          assert.match(
            err.message,
            /service "aud" .*holds credentials \(password\).*go only to the server it names/,
          );
          assert.ok(!err.message.includes("svc-s3cr3t"), err.message);
          return true;
        },
        url,
      );
    }
    // An empty service= names none: PGSERVICE counts, and service= is gone from what the tools get.
    const empty = parseDatabaseUrl("postgres:///?service=", "--database-url", env({ PGSERVICE: "both" }));
    assert.equal(new URL(empty.config.connectionString ?? "").searchParams.has("service"), false);
    assert.deepEqual(empty.service, { name: "both", file: user });
  });

  test("the service's password is a secret, masked in every message; one that is its user's name is not", () => {
    const t = resolveConnection(undefined, env({ PGSERVICE: "aud" }));
    assert.deepEqual(t.secrets, ["svc-s3cr3t"]);
    assert.deepEqual(secretsOf("", env({ PGSERVICE: "aud" })), ["svc-s3cr3t"]);
    const e = explainConnectionError(
      Object.assign(new Error("password svc-s3cr3t refused"), { code: "XX000" }),
      t,
    );
    assert.ok(!e.message.includes("svc-s3cr3t"), e.message);
    assert.match(e.message, /named by .*service aud in .*user\.conf/);
    const same = resolveConnection(undefined, env({ PGSERVICE: "same" }));
    assert.deepEqual(same.secrets, []);
    assert.equal(redact("the postgres service", same.secrets), "the postgres service");
  });
});
