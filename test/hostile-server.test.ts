// Hostile fixtures, server side: what a dump from a fork's pull request could do to the PostgreSQL server beyond its
// scratch database (roles, other databases, the server's configuration, programs run as the server's OS user,
// files read on the server), judged by the effect on the server after the run, never by the message printed.
// Then --trust-fixture (the old trust, on request), and the regressions: real-world dumps still restore.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pgTool } from "./fixtures/restore/util.ts";
import { adminUrl, scratchDb, urlFor, withClient } from "./helpers.ts";
import {
  admin,
  adminPassword,
  assertSecretNowhere,
  type ClusterState,
  clusterState,
  connectingRole,
  databasesLike,
  describeRun,
  evilLeftovers,
  jsonReport,
  rolesLeftBehind,
  type SgRun,
  sgRun,
  tempDir,
  undoAttacks,
} from "./hostile-helpers.ts";

const PREFIX = "seq_guard_hx_s";

async function dropOurDatabases(): Promise<void> {
  for (const d of await databasesLike(PREFIX)) await admin(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
}

async function extensionAvailable(name: string): Promise<boolean> {
  const rows = await admin("SELECT 1 FROM pg_available_extensions WHERE name = $1", [name]);
  return rows.length === 1;
}

/** In a kept database: its owner, the owners of its tables and sequences, its extensions. */
async function keptDatabase(
  name: string,
): Promise<{ owner: string; objectOwners: string[]; extensions: string[] }> {
  const [db] = await admin<{ o: string }>(
    "SELECT pg_get_userbyid(datdba) AS o FROM pg_database WHERE datname = $1",
    [name],
  );
  assert.ok(db, `the database ${name} was kept`);
  return await withClient(urlFor(name), async (c) => {
    const owners = await c.query<{ o: string }>(
      `SELECT DISTINCT pg_get_userbyid(relowner) AS o FROM pg_class
       WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S', 'v', 'p') ORDER BY 1`,
    );
    const ext = await c.query<{ e: string }>("SELECT extname AS e FROM pg_extension ORDER BY 1");
    return { owner: db.o, objectOwners: owners.rows.map((x) => x.o), extensions: ext.rows.map((x) => x.e) };
  });
}

/**
 * Run an attack and check that nothing landed outside its scratch database: no evil_* role or database, the
 * server's configuration files and the connecting role as they were, no marker file, no scratch database left
 * (unless kept), no role left behind by seq-guard itself. Whatever landed is undone afterwards.
 */
async function landsNowhere(
  run: () => Promise<SgRun>,
  opts: { markers?: string[]; kept?: string[]; inspect?: (r: SgRun) => Promise<void> } = {},
): Promise<SgRun> {
  const before: ClusterState = await clusterState();
  try {
    const r = await run();
    const what = describeRun(r);
    assert.ok(
      r.code === 0 || r.code === 1 || r.code === 4,
      `a finished run, no crash or usage error\n${what}`,
    );
    assert.deepEqual(
      await evilLeftovers(),
      { roles: [], databases: [] },
      `the attack made roles or databases\n${what}`,
    );
    const now = await clusterState();
    assert.equal(now.autoConf, before.autoConf, `postgresql.auto.conf changed (ALTER SYSTEM)\n${what}`);
    assert.deepEqual(now.fileSettings, before.fileSettings, `pg_file_settings changed\n${what}`);
    assert.deepEqual(
      now.roleSettings,
      before.roleSettings,
      `the connecting role's settings changed\n${what}`,
    );
    assert.equal(
      now.connectingRole,
      before.connectingRole,
      `the connecting role's attributes changed\n${what}`,
    );
    for (const m of opts.markers ?? [])
      assert.ok(!existsSync(m), `a program ran on the server: ${m}\n${what}`);
    assert.deepEqual(await databasesLike(PREFIX), (opts.kept ?? []).sort(), `scratch databases\n${what}`);
    assert.deepEqual(await rolesLeftBehind(before.roles), [], `roles left behind\n${what}`);
    await opts.inspect?.(r);
    return r;
  } finally {
    await undoAttacks(before);
    for (const d of opts.kept ?? []) await admin(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
  }
}

describe("hostile fixtures: nothing lands outside the scratch database", () => {
  let dir: string;
  before(() => {
    // World-writable: COPY ... TO PROGRAM runs as the server's OS user, which would create the markers here.
    dir = tempDir("sg-hostile-server-", true);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropOurDatabases();
  });

  function fixture(name: string, sql: string): string {
    const p = join(dir, `hx_s_${name}.sql`);
    // The attack comes first: nothing before it may fail and end the restore early.
    writeFileSync(p, `${sql}\nCREATE TABLE t (id serial PRIMARY KEY);\n`);
    return p;
  }

  const check =
    (...dumps: string[]) =>
    () =>
      sgRun(["check", "--json", "--database-url", adminUrl(), ...dumps], { reportJson: true });

  test("DO ... EXECUTE 'CREATE ROLE evil_x SUPERUSER LOGIN' (and without SUPERUSER, and a grant of server-file roles): no role", async () => {
    const granted = join(dir, "program-after-grant");
    await landsNowhere(
      check(
        fixture("do_role", "DO $$BEGIN EXECUTE 'CREATE ROLE evil_x SUPERUSER LOGIN'; END$$;"),
        fixture("do_role_plain", "DO $$BEGIN EXECUTE 'CREATE ROLE evil_x2 LOGIN'; END$$;"),
        fixture(
          "do_grant",
          `DO $$BEGIN EXECUTE 'GRANT pg_execute_server_program TO CURRENT_USER'; END$$;\nCOPY (SELECT 1) TO PROGRAM 'touch ${granted}';`,
        ),
      ),
      { markers: [granted] },
    );
  });

  test("COPY ... TO PROGRAM, plain and inside DO: no program runs on the server", async () => {
    const m1 = join(dir, "program-plain");
    const m2 = join(dir, "program-do");
    await landsNowhere(
      check(
        fixture("program", `COPY (SELECT 1) TO PROGRAM 'touch ${m1}';`),
        fixture("program_do", `DO $$BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch ${m2}'''; END$$;`),
      ),
      { markers: [m1, m2] },
    );
  });

  test("CREATE EXTENSION dblink + dblink_exec: no database, no ALTER SYSTEM, no role elsewhere (kept: no dblink)", async () => {
    const available = await extensionAvailable("dblink");
    const { hostname, port } = new URL(adminUrl());
    // The attacker knows the CI service's password (it is in the workflow file).
    const conn = `host=${hostname} port=${port} dbname=postgres user=${connectingRole()} password=${adminPassword()}`;
    const name = `${PREFIX}_dblink`;
    const dump = fixture(
      "dblink",
      [
        "CREATE EXTENSION dblink;",
        `SELECT dblink_exec('${conn}', 'CREATE DATABASE evil_db');`,
        `SELECT dblink_exec('${conn}', 'ALTER SYSTEM SET work_mem = ''77MB''');`,
        `SELECT dblink_exec('${conn}', 'CREATE ROLE evil_dblink SUPERUSER LOGIN');`,
      ].join("\n"),
    );
    await landsNowhere(
      () =>
        sgRun([
          "check",
          "--json",
          "--database-url",
          adminUrl(),
          "--keep",
          "--on-restore-error",
          "continue",
          "--restore-database",
          name,
          dump,
        ]),
      {
        kept: [name],
        inspect: async () => {
          const kept = await keptDatabase(name);
          assert.ok(
            !kept.extensions.includes("dblink"),
            `dblink (${available ? "available on this server" : "not even available here"}) was created in the scratch database`,
          );
          assert.equal(kept.owner, connectingRole(), "the kept database belongs to the connecting role");
          assert.deepEqual(kept.objectOwners, [connectingRole()], "and so do its tables and sequences");
        },
      },
    );
  });

  test("ALTER SYSTEM: postgresql.auto.conf and pg_file_settings unchanged", async () => {
    await landsNowhere(
      check(
        fixture("alter_system", "ALTER SYSTEM SET work_mem = '77MB';"),
        fixture("alter_system_comment", "/* tuning */ ALTER\n  SYSTEM SET work_mem = '77MB';"),
      ),
    );
  });

  test("ALTER ROLE of the connecting role, plain and inside DO: its settings and attributes unchanged", async () => {
    const me = connectingRole();
    await landsNowhere(
      check(
        fixture("alter_role", `ALTER ROLE ${me} SET hostile.pwned = 'yes';`),
        fixture("alter_role_do", `DO $$BEGIN EXECUTE 'ALTER ROLE ${me} SET hostile.pwned = ''yes'''; END$$;`),
        fixture("alter_role_all", "DO $$BEGIN EXECUTE 'ALTER ROLE ALL SET hostile.pwned = ''yes'''; END$$;"),
      ),
    );
  });

  test("CREATE DATABASE, plain and inside DO: no database", async () => {
    await landsNowhere(
      check(
        fixture("create_db", "CREATE DATABASE evil_created;"),
        fixture("create_db_do", "DO $$BEGIN EXECUTE 'CREATE DATABASE evil_created_do'; END$$;"),
      ),
    );
  });

  test("COPY FROM and pg_read_file() of a server file: the content shows in no output", async () => {
    const secret = `hxsrv${randomBytes(10).toString("hex")}`;
    const file = join(dir, "server-secret");
    writeFileSync(file, `${secret}\n`);
    chmodSync(file, 0o644);
    const loot = "coalesce((SELECT string_agg(line, '') FROM loot), 'nothing')";
    const byError = `DO $$DECLARE s text := ${loot}; BEGIN RAISE EXCEPTION 'loot: % %', s, reverse(s); END$$;`;
    const byNames = `DO $$DECLARE s text := ${loot};
BEGIN
  EXECUTE format('CREATE TABLE %I (id serial PRIMARY KEY)', 'a_' || s);
  EXECUTE format('INSERT INTO %I VALUES (7)', 'a_' || s);
  EXECUTE format('CREATE TABLE %I (id serial PRIMARY KEY)', 'b_' || reverse(s));
  EXECUTE format('INSERT INTO %I VALUES (7)', 'b_' || reverse(s));
  RAISE WARNING 'loot: % %', s, reverse(s);
END$$;`;
    const copy = `CREATE TEMP TABLE loot (line text);\nCOPY loot FROM '${file}';`;
    const read = `CREATE TEMP TABLE loot AS SELECT trim(pg_read_file('${file}'), E'\\n') AS line;`;
    const r = await landsNowhere(
      check(
        fixture("server_copy_error", `${copy}\n${byError}`),
        fixture("server_copy_names", `${copy}\n${byNames}`),
        fixture("server_read_error", `${read}\n${byError}`),
        fixture("server_read_names", `${read}\n${byNames}`),
      ),
    );
    assertSecretNowhere(secret, { stdout: r.stdout, stderr: r.stderr, "--report-json file": r.reportJson });
  });

  test("a custom archive whose CHECK constraint calls a function that makes a superuser while rows are restored", async () => {
    const db = await scratchDb(`
      CREATE FUNCTION public.evil_check(v integer) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RETURN true; END$$;
      CREATE TABLE public.t (id serial PRIMARY KEY, v integer CHECK (public.evil_check(v)));
      INSERT INTO public.t (v) VALUES (1), (2);
      CREATE OR REPLACE FUNCTION public.evil_check(v integer) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'evil_y') THEN
          EXECUTE 'CREATE ROLE evil_y SUPERUSER';
        END IF;
        RETURN true;
      END$$;`);
    const archive = join(dir, "hx_s_check.dump");
    try {
      await pgTool("pg_dump", ["-Fc", "-f", archive], db.url);
    } finally {
      await db.drop();
    }
    await landsNowhere(check(archive));
  });

  test("--keep: the kept database and its tables belong to the connecting role, the restore's role is gone", async () => {
    const name = `${PREFIX}_keep`;
    const dump = join(dir, "hx_s_keep.sql");
    writeFileSync(
      dump,
      "CREATE TABLE t (id serial PRIMARY KEY);\nINSERT INTO t (id) VALUES (3);\nCREATE VIEW v AS SELECT id FROM t;\n",
    );
    await landsNowhere(
      () =>
        sgRun(["check", "--json", "--database-url", adminUrl(), "--keep", "--restore-database", name, dump]),
      {
        kept: [name],
        inspect: async (r) => {
          assert.equal(r.code, 1, `t_id_seq is behind\n${describeRun(r)}`);
          const kept = await keptDatabase(name);
          assert.equal(kept.owner, connectingRole(), "the kept database belongs to the connecting role");
          assert.deepEqual(
            kept.objectOwners,
            [connectingRole()],
            "and so do its tables, sequences and views",
          );
        },
      },
    );
  });
});

describe("--trust-fixture: the old trust, on request", () => {
  let dir: string;
  before(() => {
    dir = tempDir("sg-hostile-trust-");
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropOurDatabases();
  });

  test("restores as the connecting role (a superuser check passes there), and without it does not", async () => {
    const dump = join(dir, "hx_s_trust.sql");
    writeFileSync(
      dump,
      [
        "DO $$BEGIN",
        "  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN",
        "    RAISE EXCEPTION 'not restored as a superuser but as %', current_user;",
        "  END IF;",
        "END$$;",
        "CREATE TABLE who (id serial PRIMARY KEY, name text NOT NULL DEFAULT current_user);",
        "INSERT INTO who DEFAULT VALUES;",
        "",
      ].join("\n"),
    );
    const name = `${PREFIX}_trust`;
    const trusted = await sgRun([
      "check",
      "--json",
      "--database-url",
      adminUrl(),
      "--trust-fixture",
      "--keep",
      "--restore-database",
      name,
      dump,
    ]);
    assert.equal(trusted.code, 0, describeRun(trusted));
    const rows = await withClient(urlFor(name), (c) => c.query<{ name: string }>("SELECT name FROM who"));
    assert.deepEqual(
      rows.rows.map((x) => x.name),
      [connectingRole()],
      "the fixture ran as the connecting role",
    );
    await admin(`DROP DATABASE ${name} WITH (FORCE)`);

    const sandboxed = await sgRun(["check", "--json", "--database-url", adminUrl(), dump]);
    assert.equal(
      sandboxed.code,
      4,
      `without --trust-fixture the fixture is not a superuser\n${describeRun(sandboxed)}`,
    );
    assert.match(jsonReport(sandboxed).targets[0]?.error ?? "", /not restored as a superuser/);
  });
});

// ---- Regressions: what restores today still does ----------------------------------------------------------------

/**
 * pg_dump 17.6+/18 (and 13.22+, 14.19+, 15.14+, 16.10+) wrap a plain dump in \\restrict KEY ... \\unrestrict KEY:
 * after the header, and after the closing comment. The client tools here may be older: then it is added as they
 * would write it.
 */
function withRestrict(text: string, key: string): string {
  if (/^\\restrict \S+$/m.test(text)) {
    assert.match(text, /^\\unrestrict \S+\n\n$/m, "pg_dump closes what it restricts");
    return text;
  }
  const header = "--\n-- PostgreSQL database dump\n--\n\n";
  assert.ok(text.startsWith(header), "a pg_dump plain script");
  const complete = "--\n-- PostgreSQL database dump complete\n--\n\n";
  assert.ok(text.endsWith(complete), "a complete pg_dump plain script");
  return `${header}\\restrict ${key}\n\n${text.slice(header.length)}\\unrestrict ${key}\n\n`;
}

function statuses(r: SgRun): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of jsonReport(r).targets) {
    assert.equal(t.error, null, `${t.dump}: ${t.error}`);
    for (const s of t.sequences) out[s.sequence] = s.status;
  }
  return out;
}

describe("regressions: real-world dumps still restore, with the right verdicts", () => {
  let dir: string;
  let source: string;
  let behindCreate: string;
  let fineCreate: string;
  let fine: string;
  before(async () => {
    dir = tempDir("sg-hostile-regress-");
    // A small pagila: serial ids, a view, a plpgsql function, film ids given explicitly (behind).
    const db = await scratchDb(`
      CREATE TABLE actor (actor_id serial PRIMARY KEY, first_name text NOT NULL, last_update timestamptz NOT NULL DEFAULT now());
      INSERT INTO actor (first_name) VALUES ('PENELOPE'), ('NICK'), ('ED');
      CREATE TABLE film (film_id serial PRIMARY KEY, title text NOT NULL);
      INSERT INTO film (film_id, title) VALUES (1, 'ACADEMY DINOSAUR'), (2, 'ACE GOLDFINGER'), (133, 'CHAMBER ITALIAN');
      CREATE VIEW actor_info AS SELECT actor_id, upper(first_name) AS name FROM actor;
      CREATE FUNCTION last_day(timestamptz) RETURNS date LANGUAGE plpgsql IMMUTABLE AS
        $$BEGIN RETURN (date_trunc('month', $1) + interval '1 month - 1 day')::date; END$$;`);
    source = db.name;
    try {
      behindCreate = join(dir, "hx_s_pagila_behind.sql");
      await pgTool("pg_dump", ["--create", "-f", behindCreate], db.url);
      await db.query("SELECT setval('film_film_id_seq', 133)");
      fineCreate = join(dir, "hx_s_pagila_fine.sql");
      await pgTool("pg_dump", ["--create", "-f", fineCreate], db.url);
      fine = await pgTool("pg_dump", [], db.url);
    } finally {
      await db.drop();
    }
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropOurDatabases();
  });

  test("pg_dump --create (CREATE DATABASE and \\connect at the top): behind is exit 1, fine is exit 0", async () => {
    assert.match(readFileSync(behindCreate, "utf8"), /^CREATE DATABASE .*\n[\s\S]*^\\connect /m);
    const behind = await sgRun(["check", "--json", "--database-url", adminUrl(), behindCreate]);
    assert.equal(behind.code, 1, describeRun(behind));
    assert.deepEqual(statuses(behind), {
      "public.actor_actor_id_seq": "ok",
      "public.film_film_id_seq": "behind",
    });
    const ok = await sgRun(["check", "--json", "--database-url", adminUrl(), fineCreate]);
    assert.equal(ok.code, 0, describeRun(ok));
    assert.deepEqual(statuses(ok), { "public.actor_actor_id_seq": "ok", "public.film_film_id_seq": "ok" });
    assert.deepEqual(
      await admin("SELECT 1 FROM pg_database WHERE datname = $1", [source]),
      [],
      "no CREATE DATABASE ran",
    );
    assert.deepEqual(await databasesLike(`${PREFIX}_pagila`), []);
  });

  test("a plain script between \\restrict KEY and \\unrestrict KEY (pg_dump 17.6+, 18, 15.14+): exit 0", async () => {
    const file = join(dir, "hx_s_restrict.sql");
    writeFileSync(file, withRestrict(fine, randomBytes(32).toString("hex")));
    const r = await sgRun(["check", "--json", "--database-url", adminUrl(), file]);
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(statuses(r), { "public.actor_actor_id_seq": "ok", "public.film_film_id_seq": "ok" });
  });

  test("OWNER TO, GRANT, CREATE EXTENSION IF NOT EXISTS pg_trgm and COMMENT ON EXTENSION: restored, exit 1 for the behind one", async () => {
    const available = await extensionAvailable("pg_trgm");
    const file = join(dir, "hx_s_owners.sql");
    writeFileSync(
      file,
      [
        "--",
        "-- PostgreSQL database dump",
        "--",
        "",
        "SET statement_timeout = 0;",
        "SET client_encoding = 'UTF8';",
        "SET standard_conforming_strings = on;",
        "SELECT pg_catalog.set_config('search_path', '', false);",
        "SET check_function_bodies = false;",
        "SET client_min_messages = warning;",
        "",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;",
        "COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';",
        "",
        "CREATE TABLE public.words (id integer NOT NULL, w text NOT NULL);",
        "ALTER TABLE public.words OWNER TO app_owner;",
        "CREATE SEQUENCE public.words_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;",
        "ALTER TABLE public.words_id_seq OWNER TO app_owner;",
        "ALTER SEQUENCE public.words_id_seq OWNED BY public.words.id;",
        "ALTER TABLE ONLY public.words ALTER COLUMN id SET DEFAULT nextval('public.words_id_seq'::regclass);",
        "CREATE TABLE public.tags (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text);",
        "ALTER TABLE public.tags OWNER TO app_owner;",
        "COPY public.words (id, w) FROM stdin;",
        "1\tkitten",
        "2\tsitting",
        "\\.",
        "COPY public.tags (id, name) FROM stdin;",
        "1\tanimals",
        "\\.",
        "SELECT pg_catalog.setval('public.tags_id_seq', 1, true);",
        "ALTER TABLE ONLY public.words ADD CONSTRAINT words_pkey PRIMARY KEY (id);",
        "CREATE INDEX words_trgm ON public.words USING gin (w public.gin_trgm_ops);",
        "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
        "GRANT ALL ON SCHEMA public TO PUBLIC;",
        "GRANT SELECT ON TABLE public.words TO app_reader;",
        "GRANT ALL ON TABLE public.tags TO app_owner;",
        "",
        "--",
        "-- PostgreSQL database dump complete",
        "--",
        "",
      ].join("\n"),
    );
    const name = `${PREFIX}_owners`;
    const r = await sgRun([
      "check",
      "--json",
      "--database-url",
      adminUrl(),
      "--keep",
      "--restore-database",
      name,
      file,
    ]);
    if (!available) {
      assert.equal(
        r.code,
        4,
        `pg_trgm is not available on this server: the restore fails on it\n${describeRun(r)}`,
      );
      assert.match(jsonReport(r).targets[0]?.error ?? "", /pg_trgm/);
      return;
    }
    assert.equal(r.code, 1, describeRun(r));
    assert.deepEqual(statuses(r), { "public.tags_id_seq": "ok", "public.words_id_seq": "behind" });
    const kept = await keptDatabase(name);
    assert.ok(kept.extensions.includes("pg_trgm"), `pg_trgm in the restored database: ${kept.extensions}`);
    assert.equal(kept.owner, connectingRole());
    await admin(`DROP DATABASE ${name} WITH (FORCE)`);
  });

  test("an old pg_dump's CREATE EXTENSION plpgsql + COMMENT ON EXTENSION plpgsql: exit 0", async () => {
    const file = join(dir, "hx_s_plpgsql.sql");
    writeFileSync(
      file,
      [
        "SET client_encoding = 'UTF8';",
        "CREATE EXTENSION IF NOT EXISTS plpgsql WITH SCHEMA pg_catalog;",
        "COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';",
        "CREATE TABLE public.t (id serial PRIMARY KEY);",
        "INSERT INTO public.t DEFAULT VALUES;",
        "",
      ].join("\n"),
    );
    const r = await sgRun(["check", "--json", "--database-url", adminUrl(), file]);
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(statuses(r), { "public.t_id_seq": "ok" });
  });
});
