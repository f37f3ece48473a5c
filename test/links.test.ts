// Links pg_depend does not record, against a real PostgreSQL: DEFAULT nextval('name'::text) and BEFORE INSERT
// triggers that assign NEW.id := nextval('name'). Found, judged and fixed like every other link; the report says
// how each was found (via); the SQL script finds the text defaults the same way and says it cannot read triggers.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Report, SequenceReport } from "../src/core/types.ts";
import { discover } from "../src/db/discovery.ts";
import { DEFAULT_ENGINE, verifyDatabase } from "../src/db/engine.ts";
import { sqlScript } from "../src/sql-script/index.ts";
import { runCli, type ScratchDb, scratchDb, sequenceStates, withClient } from "./helpers.ts";

const SCHEMA = `
-- Text defaults (Roundcube, databases first created before 8.1).
CREATE SEQUENCE users_seq;
CREATE TABLE users (user_id integer NOT NULL DEFAULT nextval('users_seq'::text) PRIMARY KEY, name text);
INSERT INTO users (user_id, name) SELECT g, 'u' || g FROM generate_series(1, 40) g;   -- behind: next 1
CREATE SEQUENCE ok_text_seq;
CREATE TABLE ok_text (id bigint DEFAULT nextval('ok_text_seq'::text));
INSERT INTO ok_text VALUES (1), (2), (3);
SELECT setval('ok_text_seq', 10);                                                     -- ok: next 11
CREATE SEQUENCE "Odd Seq";
CREATE TABLE odd (id integer DEFAULT nextval('"Odd Seq"'::text));
INSERT INTO odd VALUES (17);                                                          -- behind
CREATE SCHEMA app;
CREATE SEQUENCE app.items_seq;
CREATE TABLE items (id bigint DEFAULT nextval('app.items_seq'::text));
INSERT INTO items VALUES (5);                                                         -- behind, qualified
CREATE SEQUENCE shard_seq;
CREATE TABLE shard (id bigint DEFAULT nextval('shard_seq'::text) * 1024 + 7);
INSERT INTO shard VALUES (99999);                                                     -- expression: never judged

-- Triggers (ora2pg, Oracle-style schemas).
CREATE SEQUENCE ora_seq;
CREATE TABLE ora (id bigint, v text);
CREATE FUNCTION ora_bi() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- NEW.v := nextval('not_this');
  IF NEW.id IS NULL THEN
    NEW.id := nextval('ora_seq'::regclass);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ora_bi BEFORE INSERT ON ora FOR EACH ROW EXECUTE FUNCTION ora_bi();
INSERT INTO ora VALUES (30, 'explicit');                                              -- behind: next 1

CREATE SEQUENCE sel_seq;
CREATE TABLE sel ("Id" integer, v text);
CREATE FUNCTION sel_bi() RETURNS trigger LANGUAGE plpgsql SET search_path = app, public AS $$
BEGIN
  SELECT nextval('sel_seq') INTO NEW."Id";
  RETURN NEW;
END $$;
CREATE TRIGGER sel_bi BEFORE INSERT ON sel FOR EACH ROW EXECUTE FUNCTION sel_bi();
INSERT INTO sel (v) VALUES ('a'), ('b');                                              -- ok: next 3

-- One function, two tables.
CREATE SEQUENCE shared_seq;
CREATE TABLE one (id integer);
CREATE TABLE two (id integer);
CREATE FUNCTION shared_bi() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.id := nextval('shared_seq'); RETURN NEW; END $$;
CREATE TRIGGER one_bi BEFORE INSERT ON one FOR EACH ROW EXECUTE FUNCTION shared_bi();
CREATE TRIGGER two_bi BEFORE INSERT ON two FOR EACH ROW EXECUTE FUNCTION shared_bi();
ALTER TABLE one DISABLE TRIGGER one_bi; INSERT INTO one VALUES (8); ALTER TABLE one ENABLE TRIGGER one_bi;
ALTER TABLE two DISABLE TRIGGER two_bi; INSERT INTO two VALUES (12); ALTER TABLE two ENABLE TRIGGER two_bi;

-- Not linked: a disabled trigger, one that fires only for replication, an AFTER trigger.
CREATE SEQUENCE disabled_seq;
CREATE TABLE dis (id integer);
CREATE FUNCTION dis_bi() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.id := nextval('disabled_seq'); RETURN NEW; END $$;
CREATE TRIGGER dis_bi BEFORE INSERT ON dis FOR EACH ROW EXECUTE FUNCTION dis_bi();
ALTER TABLE dis DISABLE TRIGGER dis_bi;
INSERT INTO dis VALUES (50);
CREATE SEQUENCE replica_seq;
CREATE TABLE rep (id integer);
CREATE FUNCTION rep_bi() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.id := nextval('replica_seq'); RETURN NEW; END $$;
CREATE TRIGGER rep_bi BEFORE INSERT ON rep FOR EACH ROW EXECUTE FUNCTION rep_bi();
ALTER TABLE rep ENABLE REPLICA TRIGGER rep_bi;
INSERT INTO rep VALUES (70);
CREATE SEQUENCE after_seq;
CREATE TABLE aft (id integer);
CREATE FUNCTION aft_ai() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.id := nextval('after_seq'); RETURN NEW; END $$;
CREATE TRIGGER aft_ai AFTER INSERT ON aft FOR EACH ROW EXECUTE FUNCTION aft_ai();
INSERT INTO aft VALUES (60);
`;

function byName(seqs: SequenceReport[]): Map<string, SequenceReport> {
  return new Map(seqs.map((s) => [s.sequence, s]));
}

const cols = (r: SequenceReport | undefined) => r?.columns.map((c) => `${c.table}.${c.column} ${c.via}`);

describe("links no dependency records", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(SCHEMA);
  });
  after(async () => {
    await db.drop();
  });

  test("check judges text defaults and trigger assignments like any default", async () => {
    const before = await sequenceStates(db);
    const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "check" });
    const got = byName(res.sequences);
    const expect: Record<string, [string, string | null, string[]]> = {
      "public.users_seq": ["behind", "40", ["public.users.user_id default_text"]],
      "public.ok_text_seq": ["ok", null, ["public.ok_text.id default_text"]],
      'public."Odd Seq"': ["behind", "17", ["public.odd.id default_text"]],
      "app.items_seq": ["behind", "5", ["public.items.id default_text"]],
      "public.shard_seq": ["skipped", null, ["public.shard.id default_text"]],
      "public.ora_seq": ["behind", "30", ["public.ora.id trigger"]],
      "public.sel_seq": ["ok", null, ["public.sel.Id trigger"]],
      "public.shared_seq": ["behind", "12", ["public.one.id trigger", "public.two.id trigger"]],
      "public.disabled_seq": ["skipped", null, []],
      "public.replica_seq": ["skipped", null, []],
      "public.after_seq": ["skipped", null, []],
    };
    assert.deepEqual([...got.keys()].sort(), Object.keys(expect).sort());
    for (const [name, [status, collision, columns]] of Object.entries(expect)) {
      const r = got.get(name);
      assert.equal(r?.status, status, `${name}: ${r?.reason}`);
      assert.equal(r?.max ?? null, collision, `${name}: colliding value`);
      assert.deepEqual(cols(r), columns, `${name}: columns`);
    }
    assert.equal(got.get("public.shard_seq")?.skip_reason, "expression_default");
    assert.equal(got.get("public.disabled_seq")?.skip_reason, "unlinked");
    assert.equal(got.get("public.after_seq")?.skip_reason, "unlinked");
    assert.match(
      got.get("public.after_seq")?.reason ?? "",
      /feeds no column.*text name.*BEFORE INSERT trigger/,
    );
    assert.equal(got.get("public.users_seq")?.fix_sql, "SELECT setval('public.users_seq', 40, true);");
    assert.deepEqual(await sequenceStates(db), before, "check moves nothing");
  });

  test("an unqualified name says it was resolved on the database's search_path; a qualified one or a function's own path does not", async () => {
    const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "report" });
    const got = byName(res.sequences);
    assert.match(
      got.get("public.users_seq")?.columns[0]?.note ?? "",
      /nextval\('users_seq'::text\) names no schema: resolved on the database's search_path \("\$user", public\)/,
    );
    assert.match(got.get("public.ora_seq")?.columns[0]?.note ?? "", /function sets no search_path/);
    assert.equal(got.get("app.items_seq")?.columns[0]?.note, undefined);
    assert.equal(got.get("public.sel_seq")?.columns[0]?.note, undefined, "sel_bi() sets its own search_path");
  });

  test("the JSON report says via; the text table marks the new kinds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seq-guard-links-"));
    try {
      const file = join(dir, "r.json");
      const r = await runCli(["report", "--database-url", db.url, "--report-json", file, "--verbose"]);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(readFileSync(file, "utf8")) as Report;
      const seqs = byName(report.targets[0]?.sequences ?? []);
      assert.equal(seqs.get("public.users_seq")?.columns[0]?.via, "default_text");
      assert.equal(seqs.get("public.ora_seq")?.columns[0]?.via, "trigger");
      assert.equal(seqs.get("public.shard_seq")?.columns[0]?.via, "default_text");
      assert.match(r.stdout, /public\.ora\.id \(trigger\)/);
      assert.match(r.stdout, /public\.users\.user_id \(text default\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fix advances both kinds exactly, and an insert then succeeds", async () => {
    const fixDb = await scratchDb(SCHEMA);
    try {
      const res = await verifyDatabase({ connectionString: fixDb.url }, { ...DEFAULT_ENGINE, mode: "fix" });
      const got = byName(res.sequences);
      for (const [name, next] of [
        ["public.users_seq", "41"],
        ['public."Odd Seq"', "18"],
        ["app.items_seq", "6"],
        ["public.ora_seq", "31"],
        ["public.shared_seq", "13"],
      ] as const) {
        assert.equal(got.get(name)?.status, "fixed", `${name}: ${got.get(name)?.reason}`);
        assert.equal(got.get(name)?.fixed_next_value, next, name);
      }
      const states = await sequenceStates(fixDb);
      assert.equal(states.get("public.ora_seq"), "30/true");
      assert.equal(states.get("public.shard_seq"), "1/false", "an expression default is never fixed");
      assert.equal(states.get("public.disabled_seq"), "1/false");
      await fixDb.query("INSERT INTO users (name) VALUES ('new'); INSERT INTO ora (v) VALUES ('new');");
      await fixDb.query("INSERT INTO one VALUES (DEFAULT); INSERT INTO two VALUES (DEFAULT);");
      const [row] = await fixDb.query<{ m: number }>("SELECT max(id)::int AS m FROM two");
      assert.equal(row?.m, 14, "one's insert drew 13, two's 14");
    } finally {
      await fixDb.drop();
    }
  });

  test("the SQL script finds the text defaults as the engine does and says it cannot read triggers", async () => {
    const res = await verifyDatabase({ connectionString: db.url }, { ...DEFAULT_ENGINE, mode: "check" });
    const rows = await runScript(db.url);
    for (const r of res.sequences) {
      const row = rows.get(r.sequence);
      assert.ok(row, r.sequence);
      if (r.columns.some((c) => c.via === "trigger")) {
        assert.equal(row.status, "skipped", r.sequence);
        assert.match(row.reason, /does not read trigger bodies.*names it: run seq-guard check/, r.sequence);
        continue;
      }
      assert.equal(row.status, r.status, `${r.sequence}: ${row.reason}`);
      assert.equal(row.columns, r.columns.map((c) => `${c.table}.${c.column}`).join(", "), r.sequence);
      assert.equal(row.fix_sql, r.fix_sql ?? "", r.sequence);
      if (r.sequence === "public.after_seq") {
        // The trigger names it, but it is AFTER INSERT: the script's hint looks at BEFORE INSERT triggers only.
        assert.equal(row.reason, r.reason);
      }
    }
  });
});

describe("an unqualified text name resolves on the database's search_path", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(`
      CREATE SCHEMA a;
      CREATE SEQUENCE a.s;
      CREATE SEQUENCE public.s;
      CREATE TABLE a.t (id integer DEFAULT nextval('s'::text));
      INSERT INTO a.t VALUES (70);`);
  });
  after(async () => {
    await db.drop();
  });

  const linkOf = async () =>
    withClient(db.url, async (c) =>
      (await discover(c)).filter((s) => s.links.length > 0).map((s) => `${s.name} ${s.links[0]?.via}`),
    );

  test("public by default; a once ALTER DATABASE puts a first; a missing schema is skipped", async () => {
    // Whatever an insert in such a session does: with the default path public.s is drawn.
    assert.deepEqual(await linkOf(), ["public.s default_text"]);
    await db.query(`ALTER DATABASE ${db.name} SET search_path = nowhere, a, public`);
    assert.deepEqual(await linkOf(), ["a.s default_text"]);
    // The same as an insert in a fresh session of that database: a.s is drawn.
    await db.query("INSERT INTO a.t DEFAULT VALUES");
    const states = await sequenceStates(db);
    assert.equal(states.get("a.s"), "1/true");
    assert.equal(states.get("public.s"), "1/false");
    await db.query(`ALTER DATABASE ${db.name} SET search_path = pg_catalog`);
    assert.deepEqual(await linkOf(), [], "no s on the path: not linked");
  });

  test('"$user" is the connecting role\'s schema when it exists', async () => {
    await db.query(`ALTER DATABASE ${db.name} SET search_path = "$user", public`);
    const role = (await db.query<{ u: string }>("SELECT current_user AS u"))[0]?.u as string;
    assert.deepEqual(await linkOf(), ["public.s default_text"]);
    await db.query(`CREATE SCHEMA "${role}"; CREATE SEQUENCE "${role}".s`);
    const got = await linkOf();
    assert.equal(got.length, 1);
    assert.match(got[0] ?? "", /\.s default_text$/);
    assert.notEqual(got[0], "public.s default_text");
  });
});

// ---------------------------------------------------------------------------------------------------------------

interface Row {
  status: string;
  columns: string;
  fix_sql: string;
  reason: string;
}

/** Run the check script with the real psql (--csv) and key its rows by sequence. */
async function runScript(url: string): Promise<Map<string, Row>> {
  const u = new URL(url);
  const text = sqlScript({
    fix: false,
    schemas: [],
    exclude: [],
    headroomThreshold: 80,
    lockTimeoutMs: 5000,
  });
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", "-f", "-"], {
      env: {
        PATH: process.env.PATH,
        PGHOST: u.hostname,
        PGPORT: u.port,
        PGUSER: decodeURIComponent(u.username),
        PGPASSWORD: decodeURIComponent(u.password),
        PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(stderr))));
    child.stdin.end(text);
  });
  const rows = new Map<string, Row>();
  for (const rec of parseCsv(out)) {
    if (rec[0] === "status" || rec.length < 7) continue;
    const [status, sequence, columns, , , fix_sql, reason] = rec as string[];
    rows.set(sequence as string, {
      status: status as string,
      columns: columns as string,
      fix_sql: fix_sql as string,
      reason: reason as string,
    });
  }
  return rows;
}

function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      rec.push(field);
      field = "";
    } else if (ch === "\n") {
      rec.push(field);
      out.push(rec);
      rec = [];
      field = "";
    } else field += ch;
  }
  return out;
}
