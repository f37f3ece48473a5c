// A connection service (pg_service.conf) end to end, on the tests' server: the built CLI connects where the
// service says (node-postgres reads no service file: connection.ts does, as libpq does), the URL's own values
// win over the service's and the service's over the PG* variables, a dump restored with pg_restore reaches the
// same database as the same role, and a service no file defines is a usage error (exit 2) that says so.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { adminUrl, runCli, type ScratchDb, scratchDb } from "./helpers.ts";

const BEHIND = "CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t VALUES (7);";

describe("PGSERVICE and service= with the CLI", () => {
  let dir: string;
  let behind: ScratchDb;
  let clean: ScratchDb;
  let file: string;
  let dump: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-svc-cli-"));
    behind = await scratchDb(BEHIND);
    clean = await scratchDb("CREATE TABLE c (id serial PRIMARY KEY); INSERT INTO c DEFAULT VALUES;");
    const u = new URL(adminUrl());
    file = join(dir, "svc.conf");
    writeFileSync(
      file,
      [
        "# the tests' server, as a service",
        "[other]",
        "host=203.0.113.1",
        "[aud]",
        `host=${u.hostname}`,
        `port=${u.port}`,
        `dbname=${behind.name}`,
        `user=${decodeURIComponent(u.username)}`,
        `password=${decodeURIComponent(u.password)}`,
        "sslmode=disable",
        "",
      ].join("\n"),
    );
    dump = join(dir, "behind.dump");
    execFileSync("pg_dump", ["-Fc", "-f", dump, "-d", behind.url], {
      env: { PATH: process.env.PATH, HOME: dir },
    });
  });
  after(async () => {
    await behind?.drop();
    await clean?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (over: NodeJS.ProcessEnv = {}) => ({ HOME: dir, PGSERVICEFILE: file, ...over });

  test("PGSERVICE=aud: check connects where the service says, over PGHOST and PGPORT", async () => {
    const r = await runCli(["check"], env({ PGSERVICE: "aud", PGHOST: "192.0.2.1", PGPORT: "1" }));
    assert.equal(r.code, 1, `${r.stderr}${r.stdout}`);
    assert.match(r.stdout, /behind\s+public\.t_id_seq/);
    assert.ok(r.stdout.includes(behind.name) || r.stderr.includes(behind.name), r.stdout);
  });

  test("the URL's own values over the service's: its database, with service=", async () => {
    const r = await runCli(["check", "--database-url", `postgres:///${clean.name}?service=aud`], env());
    assert.equal(r.code, 0, `${r.stderr}${r.stdout}`);
    assert.ok(!r.stdout.includes("t_id_seq"), r.stdout);
    // service= in the URL over PGSERVICE.
    const over = await runCli(
      ["check", "--database-url", `postgres:///${clean.name}?service=aud`],
      env({ PGSERVICE: "other" }),
    );
    assert.equal(over.code, 0, `${over.stderr}${over.stdout}`);
  });

  test("a dump restored by pg_restore through the service: same server, same role, the sandbox's login intact", async () => {
    const r = await runCli(["check", dump], env({ PGSERVICE: "aud" }));
    assert.equal(r.code, 1, `${r.stderr}${r.stdout}`);
    assert.match(r.stdout, /behind\s+public\.t_id_seq/);
  });

  test("a URL that names the service and another server: exit 2, and that server never hears from us", async () => {
    // A database-url a pull request can shape: the runner's stored login must not go to a server of its choosing.
    const heard: string[] = [];
    const trap = net.createServer((socket) => {
      heard.push("connection");
      socket.on("data", (d) => heard.push(d.toString("latin1")));
    });
    await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
    const port = (trap.address() as net.AddressInfo).port;
    try {
      const password = decodeURIComponent(new URL(adminUrl()).password);
      for (const [args, extra] of [
        [["check", "--database-url", `postgres://127.0.0.1:${port}/?service=aud`], {}],
        [["report", "--database-url", `postgres://127.0.0.1:${port}/x`], { PGSERVICE: "aud" }],
      ] as const) {
        const r = await runCli([...args], env(extra));
        assert.equal(r.code, 2, `${r.stderr}${r.stdout}`);
        assert.match(r.stderr, /credentials go only to the server it names/);
        assert.ok(!`${r.stdout}${r.stderr}`.includes(password), "the service's password is in no output");
      }
      assert.deepEqual(heard, [], "nothing reached the other server");
    } finally {
      await new Promise<void>((resolve) => trap.close(() => resolve()));
    }
  });

  test('a service that no file defines: exit 2, definition of service "nosuch" not found', async () => {
    for (const [args, extra] of [
      [["check"], { PGSERVICE: "nosuch" }],
      [["check", "--database-url", "postgres:///x?service=nosuch"], {}],
    ] as const) {
      const r = await runCli([...args], env(extra));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /definition of service "nosuch" not found/);
      assert.ok(r.stderr.includes(file), r.stderr);
    }
  });
});
