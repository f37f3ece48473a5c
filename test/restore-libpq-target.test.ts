// libpq-target.ts: how a client tool gets the connection: no secret in its command line.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { libpqConnection, parseDatabaseUrl, resolveConnection, serverLabel } from "../src/db/connection.ts";
import { containerCredentials, libpqTarget, sslpasswordProblem } from "../src/restore/libpq-target.ts";

describe("tools and their output", () => {
  test("the password goes to the environment, never into the --dbname argument", () => {
    const c = parseDatabaseUrl(
      "postgres://app:s%40cret@db.example:6543/prod?sslmode=require&ssl=true&application_name=x&foo=1",
      "--database-url",
    );
    const t = libpqTarget(c, "seq_guard_it's");
    assert.ok(!t.dbname.includes("cret"));
    assert.equal(t.env.PGPASSWORD, "s@cret");
    assert.match(t.dbname, /^postgres:\/\/app@db\.example:6543\/seq_guard_it's\?/);
    assert.match(t.dbname, /sslmode=require/);
    assert.ok(!t.dbname.includes("foo="));
    const pgVars = libpqTarget({ config: {}, label: "x", secrets: [], source: "PG* variables" }, "a'b\\c");
    assert.equal(pgVars.dbname, "dbname='a\\'b\\\\c'");
  });

  test("sslpassword leaves the --dbname argument, into a connection service of ours", () => {
    const c = parseDatabaseUrl(
      "postgres://app:pw@db.example/prod?sslmode=verify-full&sslkey=%2Fk.pem&sslpassword=k%20ey%26pass",
      "--database-url",
    );
    const t = libpqTarget(c, "seq_guard_x");
    assert.equal(t.sslpassword, "k ey&pass");
    assert.ok(!t.dbname.includes("sslpassword") && !t.dbname.includes("pass"), t.dbname);
    assert.match(t.dbname, /sslkey=%2Fk\.pem/);
    assert.equal(sslpasswordProblem(c, {}), null);
    const trailing = parseDatabaseUrl("postgres://app@db/prod?sslpassword=p%20", "--database-url");
    assert.match(sslpasswordProblem(trailing, {}) ?? "", /ends in a blank/);
    assert.equal(libpqTarget(parseDatabaseUrl("postgres://a@h/d", "--database-url"), "x").sslpassword, null);
  });
});

describe("the connection as libpq's tools take it", () => {
  test("read once: a parameter over the user info, no secret and no node-postgres parameter left in the URL", () => {
    const c = libpqConnection(
      parseDatabaseUrl(
        "postgres://app:pw%40@db:6543/prod?user=other&password=p2&sslpassword=k&sslmode=no-verify&dbname=x&foo=1",
        "--database-url",
      ),
    );
    assert.equal(c.user, "other");
    assert.equal(c.password, "p2");
    assert.equal(c.sslpassword, "k");
    assert.equal(c.service, null);
    assert.equal(c.url?.toString(), "postgres://app@db:6543/?user=other&sslmode=require");
    assert.deepEqual(libpqConnection({ config: {}, label: "x", secrets: [], source: "PG* variables" }), {
      url: null,
      user: null,
      password: null,
      sslpassword: null,
      service: null,
    });
  });

  test("in a container: the URL's role and password, else the PG* variables', else postgres", () => {
    const url = (u: string) => parseDatabaseUrl(u, "--database-url");
    assert.deepEqual(containerCredentials(url("postgres://app:s%40cret@h/d"), {}), {
      PGUSER: "app",
      PGPASSWORD: "s@cret",
    });
    assert.deepEqual(containerCredentials(url("postgres://h/d"), { PGUSER: "u", PGPASSWORD: "p" }), {
      PGUSER: "u",
      PGPASSWORD: "p",
    });
    const pgVars = { config: {}, label: "x", secrets: [], source: "PG* variables" as const };
    assert.deepEqual(containerCredentials(pgVars, {}), { PGUSER: "postgres" });
  });

  test("another role logs in: its name in the URL, the connecting role's password not given", () => {
    const c = parseDatabaseUrl(
      "postgres://app:pw@db/prod?user=app&passfile=/p&sslpassword=k",
      "--database-url",
    );
    const t = libpqTarget(c, "scratch", {
      as: "seq_guard_restore_1",
      service: (p) => ({ file: `/svc/${p}`, name: "svc1" }),
    });
    assert.equal(t.dbname, "postgres://seq_guard_restore_1@db/scratch?service=svc1");
    assert.deepEqual(t.env, { PGSERVICEFILE: "/svc/k" });
    assert.equal(serverLabel(c), "db:5432");
  });
});

describe("a connection from a service of the user's (pg_service.conf)", () => {
  test("the tool gets the service's values in its URL and a service of ours, so PGSERVICE is not read again", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-svc-target-"));
    try {
      const file = join(dir, "svc.conf");
      writeFileSync(file, "[aud]\nhost=db.example\nport=6543\ndbname=x\nuser=y\npassword=svc-pw\n");
      const env = { PGSERVICEFILE: file, PGSERVICE: "aud" };
      const c = resolveConnection(undefined, env);
      const made: (string | null)[] = [];
      const t = libpqTarget(c, "scratch", {
        service: (p) => {
          made.push(p);
          return { file: "/ours/svc.conf", name: "ours" };
        },
      });
      assert.deepEqual(made, [null], "an empty service of ours: nothing to carry but the name");
      assert.equal(t.dbname, "postgres:///scratch?host=db.example&port=6543&user=y&service=ours");
      assert.deepEqual(t.env, { PGSERVICEFILE: "/ours/svc.conf", PGPASSWORD: "svc-pw" });
      assert.equal(sslpasswordProblem(c, env), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
