// The restore's sandbox (src/restore/sandbox.ts): a dump runs as a throwaway role that owns only its scratch
// database, the role is gone after the run, a kept database belongs to the connecting role, extensions are made
// by the connecting role only from the allow-list or when named, and a role that may not make roles restores as
// itself and says so. Run in-process through runTargets against the test server, with real pg_dump/pg_restore.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import pg from "pg";
import type { TargetReport } from "../src/core/types.ts";
import { parseDatabaseUrl } from "../src/db/connection.ts";
import { DEFAULT_ENGINE } from "../src/db/engine.ts";
import { childEnv } from "../src/restore/child-env.ts";
import type { RestoreOptions } from "../src/restore/options.ts";
import { ADMIN_EXTENSIONS, extensionStatement, scramVerifier } from "../src/restore/sandbox.ts";
import { runTargets } from "../src/run/targets.ts";
import { pgTool } from "./fixtures/restore/util.ts";
import { adminUrl, restoreOptions, scratchDb, urlFor, withClient } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "seq-guard-sandbox-"));
const kept: string[] = [];
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await withClient(adminUrl(), async (c) => {
    for (const d of kept) await c.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
  });
});

function run(
  dumps: string[],
  restore: Partial<RestoreOptions> = {},
  url = adminUrl(),
): Promise<TargetReport[]> {
  return runTargets({
    connection: parseDatabaseUrl(url, "--database-url"),
    dumps,
    restore: restoreOptions(restore),
    engine: { ...DEFAULT_ENGINE, mode: "check" },
    progress: () => undefined,
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Does this role exist on the server? (Other test files restore side by side: look for one role by name.) */
async function roleExists(name: string): Promise<boolean> {
  const r = await withClient(adminUrl(), (c) => c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name]));
  return (r.rowCount ?? 0) > 0;
}

async function extensionAvailable(name: string): Promise<void> {
  const r = await withClient(adminUrl(), (c) =>
    c.query("SELECT 1 FROM pg_available_extensions WHERE name = $1", [name]),
  );
  assert.equal(
    r.rowCount,
    1,
    `this test needs the ${name} extension on the test server (PostgreSQL's contrib modules): install them`,
  );
}

/** What the restoring session could do, recorded by the fixture itself into a table. */
const WHO = `
CREATE TABLE who AS
SELECT current_user::text AS u, session_user::text AS s, r.rolsuper AS su, r.rolcreaterole AS createrole,
       r.rolcreatedb AS createdb, r.rolbypassrls AS bypassrls, r.rolreplication AS replication,
       pg_has_role('pg_read_server_files', 'USAGE') AS read_files,
       pg_has_role('pg_write_server_files', 'USAGE') AS write_files,
       pg_has_role('pg_execute_server_program', 'USAGE') AS programs
FROM pg_roles r WHERE r.rolname = current_user;
CREATE TABLE users (id serial PRIMARY KEY);
INSERT INTO users (id) VALUES (1), (2);
`;

async function whoIn(database: string): Promise<Record<string, unknown>> {
  return withClient(urlFor(database), async (c) => (await c.query("SELECT * FROM who")).rows[0]);
}

async function ownersIn(database: string): Promise<{ db: string; who: string }> {
  return withClient(urlFor(database), async (c) => {
    const r = await c.query<{ db: string; who: string }>(
      `SELECT pg_get_userbyid(d.datdba) AS db, pg_get_userbyid(c.relowner) AS who
       FROM pg_database d, pg_class c WHERE d.datname = current_database() AND c.relname = 'who'`,
    );
    return r.rows[0] as { db: string; who: string };
  });
}

const NO_RIGHTS = {
  su: false,
  createrole: false,
  createdb: false,
  bypassrls: false,
  replication: false,
  read_files: false,
  write_files: false,
  programs: false,
};

describe("the restore's sandbox", () => {
  test("a plain script runs as a throwaway role with no rights beyond its database; a kept database passes to the connecting role", async () => {
    const [t] = await run([file("who.sql", WHO)], { keep: true });
    assert.ok(t && t.error === null, t?.error ?? "no target");
    kept.push(t.database);
    const who = await whoIn(t.database);
    assert.match(String(who.u), /^seq_guard_restore_[0-9a-f]{12}$/);
    assert.equal(who.s, who.u, "a session opened as the role, not SET ROLE");
    assert.deepEqual({ ...who, u: undefined, s: undefined }, { ...NO_RIGHTS, u: undefined, s: undefined });
    assert.deepEqual(await ownersIn(t.database), { db: "postgres", who: "postgres" });
    assert.equal(await roleExists(String(who.u)), false, "the role is gone");
  });

  test("pg_restore runs as the role too: code in an archive (a CHECK constraint) cannot act as the connecting role", async () => {
    const src = await scratchDb(`
      CREATE TABLE log (u text, su boolean);
      CREATE FUNCTION record() RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO public.log SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user;
        RETURN true;
      END$$;
      CREATE TABLE t (id serial PRIMARY KEY, CONSTRAINT c CHECK (public.record()));
      INSERT INTO t (id) VALUES (5);
      TRUNCATE log;`);
    const dump = join(dir, "check.dump");
    try {
      await pgTool("pg_dump", ["-Fc", "-f", dump], src.url);
    } finally {
      await src.drop();
    }
    const [t] = await run([dump], { keep: true });
    assert.ok(t && t.error === null, t?.error ?? "no target");
    kept.push(t.database);
    const rows = await withClient(urlFor(t.database), async (c) => (await c.query("SELECT * FROM log")).rows);
    assert.ok(rows.length > 0, "the constraint ran during the restore");
    for (const r of rows) {
      assert.match(String(r.u), /^seq_guard_restore_/);
      assert.equal(r.su, false);
      assert.equal(await roleExists(String(r.u)), false, "the role is gone");
    }
  });

  test("a scratch database that is dropped takes its role with it", async () => {
    // The script names its role in an error passed over (--on-restore-error continue), so the test knows it.
    const [t] = await run(
      [file("plain.sql", `${WHO}DO $$BEGIN RAISE EXCEPTION 'restored by %', current_user; END$$;\n`)],
      { onError: "continue" },
    );
    assert.ok(t && t.error === null, t?.error ?? "no target");
    assert.equal(t.summary.behind, 1);
    const role = /restored by (seq_guard_restore_[0-9a-f]{12})/.exec(t.hints.join("\n"))?.[1];
    assert.ok(role, t.hints.join("\n"));
    assert.equal(await roleExists(role), false, "the role is gone");
    const left = await withClient(adminUrl(), (c) =>
      c.query("SELECT 1 FROM pg_database WHERE datname = $1", [t.database]),
    );
    assert.equal(left.rowCount, 0);
  });

  test("--trust-fixture restores as the connecting role", async () => {
    const [t] = await run([file("trusted.sql", WHO)], { keep: true, trustFixture: true });
    assert.ok(t && t.error === null, t?.error ?? "no target");
    kept.push(t.database);
    const who = await whoIn(t.database);
    assert.equal(who.u, "postgres");
    assert.equal(who.su, true);
  });

  test("a role that may not make roles restores as itself, and says so", async () => {
    const role = `sg_t_plain_${randomBytes(4).toString("hex")}`;
    const password = randomBytes(12).toString("hex");
    await withClient(adminUrl(), (c) => c.query(`CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '${password}'`));
    const u = new URL(adminUrl());
    u.username = role;
    u.password = password;
    try {
      const [t] = await run([file("managed.sql", WHO)], { keep: true }, u.toString());
      assert.ok(t && t.error === null, t?.error ?? "no target");
      kept.push(t.database);
      assert.equal((await whoIn(t.database)).u, role);
      assert.equal(
        t.hints.filter((h) => h.includes(`${role} is not a superuser`)).length,
        1,
        t.hints.join("\n"),
      );
    } finally {
      await withClient(adminUrl(), async (c) => {
        for (const d of kept.splice(kept.length - 1))
          await c.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
        await c.query(`DROP ROLE ${role}`);
      });
    }
  });

  test("an allow-listed extension an archive asks for is made by the connecting role, and its comment left out", async () => {
    await extensionAvailable("pgstattuple");
    const src = await scratchDb(`
      CREATE EXTENSION pgstattuple;
      COMMENT ON EXTENSION pgstattuple IS 'tuple stats';
      CREATE TABLE t (id serial PRIMARY KEY);
      INSERT INTO t (id) VALUES (3);`);
    const dump = join(dir, "ext.dump");
    try {
      await pgTool("pg_dump", ["-Fc", "-f", dump], src.url);
    } finally {
      await src.drop();
    }
    const [t] = await run([dump], { keep: true });
    assert.ok(t && t.error === null, t?.error ?? "no target");
    kept.push(t.database);
    assert.equal(t.summary.behind, 1);
    const ext = await withClient(urlFor(t.database), (c) =>
      c.query("SELECT pg_get_userbyid(extowner) AS owner FROM pg_extension WHERE extname = 'pgstattuple'"),
    );
    assert.equal(ext.rows[0]?.owner, "postgres");
  });

  test("an allow-listed extension a plain script asks for is made by the connecting role", async () => {
    await extensionAvailable("pgstattuple");
    const [t] = await run([
      file(
        "ext.sql",
        `CREATE EXTENSION IF NOT EXISTS pgstattuple WITH SCHEMA public;
COMMENT ON EXTENSION pgstattuple IS 'tuple stats';
CREATE TABLE t (id serial PRIMARY KEY);
INSERT INTO t (id) VALUES (3);
`,
      ),
    ]);
    assert.ok(t && t.error === null, t?.error ?? "no target");
    assert.equal(t.summary.behind, 1);
  });

  test("pg_dump --disable-triggers data restores: the connecting role switches the role's tables' triggers", async () => {
    const src = await scratchDb(`
      CREATE TABLE parent (id serial PRIMARY KEY);
      CREATE TABLE child (id serial PRIMARY KEY, parent_id int REFERENCES parent);
      INSERT INTO parent (id) VALUES (1), (2);
      INSERT INTO child (id, parent_id) VALUES (7, 2);`);
    const schema = join(dir, "fk-schema.sql");
    const data = join(dir, "fk-data.sql");
    try {
      await pgTool("pg_dump", ["--schema-only", "-f", schema], src.url);
      await pgTool("pg_dump", ["--data-only", "--disable-triggers", "-f", data], src.url);
    } finally {
      await src.drop();
    }
    const database = `sg_t_fk_${randomBytes(4).toString("hex")}`;
    const [t] = await run([schema, data], { keep: true, database });
    assert.ok(t && t.error === null, t?.error ?? "no target");
    kept.push(database);
    const disabled = await withClient(urlFor(database), (c) =>
      c.query("SELECT tgname FROM pg_trigger WHERE tgenabled = 'D'"),
    );
    assert.deepEqual(disabled.rows, [], "every trigger is enabled again after the data");
  });

  test("an extension that reaches beyond the database (dblink) is made only when the user names it", async () => {
    await extensionAvailable("dblink");
    const script = file("dblink.sql", "CREATE EXTENSION dblink;\nCREATE TABLE t (id serial PRIMARY KEY);\n");
    const [refused] = await run([script]);
    assert.ok(refused?.error, "restoring a dump that needs dblink fails");
    assert.match(refused.error, /dblink/);
    const [named] = await run([script], { extensions: ["dblink"] });
    assert.ok(named && named.error === null, named?.error ?? "no target");
  });
});

describe("sandbox units", () => {
  test("a SCRAM verifier made here lets the role log in with its password, and only with it", async () => {
    const role = `sg_t_scram_${randomBytes(4).toString("hex")}`;
    const password = `p:${randomBytes(8).toString("hex")}\\`;
    await withClient(adminUrl(), (c) =>
      c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${scramVerifier(password)}'`),
    );
    try {
      const u = new URL(adminUrl());
      u.username = role;
      u.password = encodeURIComponent(password);
      const r = await withClient(u.toString(), (c) => c.query("SELECT current_user AS u"));
      assert.equal(r.rows[0]?.u, role);
      u.password = "wrong";
      const bad = new pg.Client({ connectionString: u.toString() });
      await assert.rejects(bad.connect(), /password authentication failed/);
      await bad.end().catch(() => undefined);
      const stored = await withClient(adminUrl(), (c) =>
        c.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role]),
      );
      assert.match(String(stored.rows[0]?.rolpassword), /^SCRAM-SHA-256\$4096:/);
    } finally {
      await withClient(adminUrl(), (c) => c.query(`DROP ROLE ${role}`));
    }
  });

  test("extension statements as pg_dump and people write them", () => {
    assert.deepEqual(extensionStatement("CREATE EXTENSION IF NOT EXISTS pgstattuple WITH SCHEMA public;"), {
      kind: "create",
      name: "pgstattuple",
      schema: "public",
    });
    assert.deepEqual(
      extensionStatement('--\n-- Name: x\n--\n\ncreate extension "uuid-ossp" schema "My App"'),
      {
        kind: "create",
        name: "uuid-ossp",
        schema: "My App",
      },
    );
    assert.deepEqual(extensionStatement("CREATE EXTENSION PostGIS"), {
      kind: "create",
      name: "postgis",
      schema: null,
    });
    assert.deepEqual(extensionStatement("COMMENT ON EXTENSION pg_stat_statements IS 'x';"), {
      kind: "comment",
      name: "pg_stat_statements",
      schema: null,
    });
    assert.equal(extensionStatement("CREATE TABLE extension (id int)"), null);
    assert.equal(extensionStatement("SELECT 'CREATE EXTENSION dblink'"), null);
  });

  test("the allow-list holds nothing that reaches files, programs, other databases or the network", () => {
    for (const reaching of [
      "dblink",
      "postgres_fdw",
      "file_fdw",
      "adminpack",
      "plpython3u",
      "plperlu",
      "xml2",
    ]) {
      assert.ok(!ADMIN_EXTENSIONS.includes(reaching), reaching);
    }
  });

  test("child processes get no token, input, runner credential or password", () => {
    const env = childEnv({
      PATH: "/usr/bin",
      HOME: "/root",
      LC_ALL: "C",
      PGHOST: "db",
      PGSSLMODE: "require",
      PGPASSWORD: "secret",
      GITHUB_TOKEN: "ghs_x",
      INPUT_DATABASE_URL: "postgres://u:p@h/d",
      ACTIONS_RUNTIME_TOKEN: "x",
      ACTIONS_ID_TOKEN_REQUEST_URL: "x",
      RUNNER_TEMP: "/tmp",
      DATABASE_URL: "postgres://u:p@h/d",
      NODE_OPTIONS: "--require /evil.js",
    });
    assert.deepEqual(env, {
      PATH: "/usr/bin",
      HOME: "/root",
      LC_ALL: "C",
      PGHOST: "db",
      PGSSLMODE: "require",
    });
  });
});
