// Hostile fixtures, client side: what a dump from a fork's pull request could make happen on the runner itself.
// Each attack is judged by its effect where it would land (a marker file a shell command would create, a secret
// read from outside the fixture folder showing in any output, a failed restore reported as a success, a workflow
// command injected into the log), never by the message seq-guard prints. Built CLI (and the built Action) against
// the test server, real pg_dump for the archives.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import zlib from "node:zlib";
import { type ActionRun, FakeGitHub, runAction } from "./fake-github.ts";
import { pgTool } from "./fixtures/restore/util.ts";
import { adminUrl, scratchDb, withClient } from "./helpers.ts";
import {
  admin,
  adminPassword,
  assertSecretNowhere,
  databasesLike,
  describeRun,
  jsonReport,
  type SgRun,
  sgRun,
  tempDir,
} from "./hostile-helpers.ts";

const PREFIX = "seq_guard_hx_c";

async function dropOurDatabases(): Promise<void> {
  const names = await admin<{ d: string }>(
    "SELECT datname AS d FROM pg_database WHERE starts_with(datname, $1) OR datname ~ '(pwned|add.mask)'",
    [PREFIX],
  );
  for (const { d } of names) await admin(`DROP DATABASE IF EXISTS "${d.replaceAll('"', '""')}" WITH (FORCE)`);
}

/** Every place a CLI run shows text: stdout, stderr and the --report-json file. */
const cliPlaces = (r: SgRun): Record<string, string> => ({
  stdout: r.stdout,
  stderr: r.stderr,
  "--report-json file": r.reportJson,
});

/** Every place an Action run shows text: the log, the job summary, annotations, outputs, what went to GitHub. */
const actionPlaces = (r: ActionRun, api: FakeGitHub): Record<string, string> => ({
  "log (stdout and stderr)": `${r.stdout}\n${r.stderr}`,
  "job summary": r.summary,
  annotations: JSON.stringify(r.annotations),
  outputs: JSON.stringify(r.outputs),
  "pull request comment and every request to GitHub": JSON.stringify(
    api.requests.map((q) => ({ path: q.path, query: q.query, body: q.body })),
  ),
  "comments GitHub holds": JSON.stringify(api.comments),
});

// ---- Shell commands through lexer confusion ---------------------------------------------------------------------

/**
 * Each trick hides `\! touch MARKER` where a filter that lexes differently from the server and psql would take it
 * for the inside of a string, a comment or COPY data. Where psql (today's restore) runs it, the marker appears.
 * The new restore runs no psql and refuses every backslash command it does not honour: exit 4, no marker.
 */
const TRICKS: { name: string; body: (marker: string) => Buffer }[] = [
  {
    name: "an E'' string whose \\' a filter without escape strings reads as the end",
    body: (m) => Buffer.from(`SELECT E'\\'' \\! touch ${m}\n;\n`),
  },
  {
    name: "a U&'' string, where a backslash escapes nothing",
    body: (m) => Buffer.from(`SELECT U&'\\' \\! touch ${m}\n;\n`),
  },
  {
    name: "standard_conforming_strings off: a backslash escapes the quote in '' strings",
    body: (m) => Buffer.from(`SET standard_conforming_strings = off;\nSELECT '\\'' \\! touch ${m}\n;\n`),
  },
  {
    name: "standard_conforming_strings off, yet U&'' strings stay standard",
    body: (m) => Buffer.from(`SET standard_conforming_strings = off;\nSELECT U&'\\' \\! touch ${m}\n;\n`),
  },
  {
    name: "client encoding SJIS: 0x95 0x5C is one character whose second byte is a backslash",
    body: (m) =>
      Buffer.concat([
        Buffer.from("SET client_encoding = 'SJIS';\nSELECT E'"),
        Buffer.from([0x95, 0x5c]),
        Buffer.from(`' \\! touch ${m}\n;\n`),
      ]),
  },
  {
    name: "client encoding BIG5: 0xA5 0x5C is one character whose second byte is a backslash",
    body: (m) =>
      Buffer.concat([
        Buffer.from("SET client_encoding = 'BIG5';\nSELECT E'"),
        Buffer.from([0xa5, 0x5c]),
        Buffer.from(`' \\! touch ${m}\n;\n`),
      ]),
  },
  {
    name: "a dollar quote right after a number (1$a$ starts one)",
    body: (m) => Buffer.from(`SELECT 1$a$ ' $a$ \\! touch ${m}\n;\n`),
  },
  {
    name: "a COPY block that is not one: COPY ... FROM stdin inside a nested block comment",
    body: (m) => Buffer.from(`/* outer /* inner */\nCOPY t FROM stdin;\n*/\n\\! touch ${m}\n\\.\n`),
  },
  {
    name: "a COPY block that is not one: COPY ... TO STDOUT whose line ends in FROM stdin;",
    body: (m) => Buffer.from(`COPY (SELECT 'x FROM stdin') TO STDOUT; -- FROM stdin;\n\\! touch ${m}\n\\.\n`),
  },
  {
    name: "a psql variable whose value is lexed again as a backslash command",
    body: (m) => Buffer.from(`\\set cmd '\\\\! touch ${m}'\nSELECT 1, 2, 3 :cmd\n;\n`),
  },
];

describe("hostile fixtures: shell commands on the runner", () => {
  let dir: string;
  let markers: string;
  before(() => {
    dir = tempDir("sg-hostile-shell-");
    markers = tempDir("sg-hostile-markers-");
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(markers, { recursive: true, force: true });
    await dropOurDatabases();
  });

  /** Plain .sql and .sql.gz of the same script in one run: no marker, exit 4, each target failed. */
  async function attack(label: string, body: (marker: string) => Buffer): Promise<void> {
    const plainMarker = join(markers, `${label}-plain`);
    const gzMarker = join(markers, `${label}-gz`);
    const plain = join(dir, `hx_c_${label}.sql`);
    const gz = join(dir, `hx_c_${label}_gz.sql.gz`);
    // The attack comes first: nothing before it may fail and end the restore early.
    writeFileSync(plain, body(plainMarker));
    writeFileSync(gz, zlib.gzipSync(body(gzMarker)));
    const r = await sgRun(["check", "--json", "--database-url", adminUrl(), plain, gz], { reportJson: true });
    assert.ok(
      !existsSync(plainMarker),
      `the shell command ran from the plain script (${label})\n${describeRun(r)}`,
    );
    assert.ok(
      !existsSync(gzMarker),
      `the shell command ran from the gzip script (${label})\n${describeRun(r)}`,
    );
    assert.equal(r.code, 4, `a refused statement must fail the restore (exit 4)\n${describeRun(r)}`);
    for (const t of jsonReport(r).targets) {
      assert.ok(t.error, `${t.dump}: the refused backslash command is the target's error\n${describeRun(r)}`);
    }
  }

  test("\\! in a plain script and a .sql.gz: never run", async () => {
    await attack("bang", (m) => Buffer.from(`\\! touch ${m}\n`));
  });

  TRICKS.forEach((trick, i) => {
    test(`\\! hidden by ${trick.name}: never run`, async () => {
      await attack(`trick${i}`, trick.body);
    });
  });

  test("\\set ON_ERROR_STOP off (or 0, or \\unset) does not turn a failed restore into success: exit 4", async () => {
    const files = [
      ["off", "\\set ON_ERROR_STOP off"],
      ["zero", "\\set ON_ERROR_STOP 0"],
      ["unset", "\\unset ON_ERROR_STOP"],
    ].map(([name, line]) => {
      const p = join(dir, `hx_c_stop_${name}.sql`);
      writeFileSync(p, `${line}\nSELECT 1/0;\nCREATE TEMP TABLE after_the_error (id int);\n`);
      return p;
    });
    const r = await sgRun(["check", "--json", "--database-url", adminUrl(), ...files]);
    assert.equal(r.code, 4, `the restore failed, the run must say so (exit 4)\n${describeRun(r)}`);
    const targets = jsonReport(r).targets;
    assert.equal(targets.length, 3);
    for (const t of targets) assert.ok(t.error, `${t.dump}: reported as restored\n${describeRun(r)}`);
  });
});

// ---- Reading the runner's files ---------------------------------------------------------------------------------

/**
 * What an attacker does with a file made readable: load it into a temporary table (no privilege needed on the
 * scratch database's schemas, so nothing before the read can fail), then put it where a person sees it. Two
 * routes, each its own dump in the same run: an error message (the restore fails, its error is reported in the
 * log, the summary, an annotation and the comment), and table names (their behind sequences become findings),
 * each plain and reversed, to dodge the runner's masking.
 */
const LOOT = "coalesce((SELECT string_agg(line, '') FROM loot), 'nothing')";
const BY_ERROR = `DO $$DECLARE s text := ${LOOT};
BEGIN RAISE EXCEPTION 'loot: % %', s, reverse(s); END$$;
`;
const BY_NAMES = `DO $$DECLARE s text := ${LOOT};
BEGIN
  EXECUTE format('CREATE TABLE %I (id serial PRIMARY KEY)', 'a_' || s);
  EXECUTE format('INSERT INTO %I VALUES (7)', 'a_' || s);
  EXECUTE format('CREATE TABLE %I (id serial PRIMARY KEY)', 'b_' || reverse(s));
  EXECUTE format('INSERT INTO %I VALUES (7)', 'b_' || reverse(s));
  RAISE WARNING 'loot: % %', s, reverse(s);
END$$;
`;

/** The two exfiltrating scripts around one read into the temporary table loot. */
const readInto = (read: string): [string, string] => [
  `CREATE TEMP TABLE loot (line text);\n${read}\n${BY_ERROR}`,
  `CREATE TEMP TABLE loot (line text);\n${read}\n${BY_NAMES}`,
];

/** A directory archive (pg_dump -Fd -Z0) whose table data file is replaced by a symlink to `target`. */
async function archiveWithSymlinkedData(path: string, target: string): Promise<void> {
  // leak() lets the row the archive was made with pass and raises with anything else, plain and reversed: what
  // an attacker's CHECK constraint would do with a file pg_restore was made to read.
  const db = await scratchDb(`
    CREATE TABLE t (id serial PRIMARY KEY, line text);
    INSERT INTO t (line) VALUES ('ok');
    CREATE FUNCTION leak(v text) RETURNS boolean LANGUAGE plpgsql AS
      $f$BEGIN IF v = 'ok' THEN RETURN true; END IF; RAISE EXCEPTION 'read: % %', v, reverse(v); END$f$;
    ALTER TABLE t ADD CONSTRAINT t_line CHECK (leak(line));`);
  try {
    await pgTool("pg_dump", ["-Fd", "-Z0", "-f", path], db.url);
  } finally {
    await db.drop();
  }
  const data = readdirSync(path).filter(
    (f) => /^\d+\.dat$/.test(f) && readFileSync(join(path, f), "utf8").includes("\tok\n"),
  );
  assert.equal(data.length, 1, `one data file holds the row: ${readdirSync(path).join(", ")}`);
  const file = join(path, data[0] as string);
  unlinkSync(file);
  symlinkSync(target, file);
}

describe("hostile fixtures: the runner's files stay out of every output", () => {
  let base: string;
  let fixture: string;
  let secretFile: string;
  // What a token file holds: one line, the secret alone (a syntax error quotes it when psql runs it as SQL).
  const secret = `hxs${randomBytes(10).toString("hex")}`;

  before(() => {
    base = tempDir("sg-hostile-files-");
    mkdirSync(join(base, "outside"));
    fixture = join(base, "fixture");
    mkdirSync(fixture);
    secretFile = join(base, "outside", "secret.sql");
    writeFileSync(secretFile, `${secret}\n`);
  });
  after(async () => {
    rmSync(base, { recursive: true, force: true });
    await dropOurDatabases();
  });

  async function cliAttack(name: string, sql: string | string[]): Promise<void> {
    const dumps = (typeof sql === "string" ? [sql] : sql).map((text, i) => {
      const dump = join(fixture, `hx_c_${name}_${i}.sql`);
      writeFileSync(dump, text);
      return dump;
    });
    const r = await sgRun(["check", "--json", "--database-url", adminUrl(), ...dumps], { reportJson: true });
    assertSecretNowhere(secret, cliPlaces(r));
    assert.equal(
      r.code,
      4,
      `reading a file outside the fixture folder is refused: exit 4\n${describeRun(r)}`,
    );
  }

  test("\\copy ... FROM a file outside the fixture folder", async () => {
    await cliAttack("copy_abs", readInto(`\\copy loot FROM '${secretFile}'`));
  });

  test("\\copy ... FROM a relative path that climbs out of the fixture folder", async () => {
    await cliAttack("copy_rel", readInto("\\copy loot FROM '../outside/secret.sql'"));
  });

  test("\\copy ... FROM a symlink in the fixture folder that points outside", async () => {
    symlinkSync(secretFile, join(fixture, "rows.csv"));
    await cliAttack("copy_link", readInto("\\copy loot FROM 'rows.csv'"));
  });

  test("\\i of an absolute path outside the fixture folder", async () => {
    await cliAttack("i_abs", `\\i ${secretFile}\nCREATE TABLE t (id serial PRIMARY KEY);\n`);
  });

  test("\\ir ../ out of the fixture folder", async () => {
    await cliAttack("ir_rel", "\\ir ../outside/secret.sql\nCREATE TABLE t (id serial PRIMARY KEY);\n");
  });

  test("\\i of a symlink in the fixture folder that points outside", async () => {
    symlinkSync(secretFile, join(fixture, "included.sql"));
    await cliAttack("i_link", "\\i included.sql\nCREATE TABLE t (id serial PRIMARY KEY);\n");
  });

  test("a directory archive whose data file is a symlink to a file outside it", async () => {
    const archive = join(fixture, "hx_c_archive");
    await archiveWithSymlinkedData(archive, secretFile);
    const r = await sgRun(["check", "--json", "--database-url", adminUrl(), archive], { reportJson: true });
    assertSecretNowhere(secret, cliPlaces(r));
    assert.equal(
      r.code,
      2,
      `documented as a usage error (exit 2), checked before anything is restored\n${describeRun(r)}`,
    );
  });

  describe("through the Action: log, summary, annotations, outputs, the pull request comment", () => {
    let ws: string;
    let api: FakeGitHub;
    before(async () => {
      ws = join(base, "workspace");
      mkdirSync(join(ws, "fixtures"), { recursive: true });
      api = await FakeGitHub.start();
    });
    after(async () => {
      await api.close();
    });

    async function actionAttack(dumpInput: string): Promise<ActionRun> {
      const n = api.requests.length;
      const r = await runAction({
        api,
        cwd: ws,
        inputs: { "database-url": adminUrl(), dump: dumpInput, comment: "always", "keep-database": "false" },
      });
      const seen = actionPlaces(r, api);
      seen["pull request comment and every request to GitHub"] = JSON.stringify(
        api.requests.slice(n).map((q) => ({ path: q.path, query: q.query, body: q.body })),
      );
      assertSecretNowhere(secret, seen);
      assert.notEqual(r.code, 0, `the job fails\n${r.visible}`);
      assert.equal(r.outputs.status, "error", `the dump is refused, not restored\n${r.visible}`);
      return r;
    }

    test("a committed symlink matched by the dump glob, pointing outside the workspace", async () => {
      symlinkSync(secretFile, join(ws, "fixtures", "hx_c_linked.sql"));
      await actionAttack("fixtures/hx_c_linked*.sql");
    });

    test("\\copy ... FROM a runner file, the secret exfiltrated as table names, plain and reversed", async () => {
      const [byError, byNames] = readInto(`\\copy loot FROM '${secretFile}'`);
      writeFileSync(join(ws, "fixtures", "hx_c_copy_error.sql"), byError);
      writeFileSync(join(ws, "fixtures", "hx_c_copy_names.sql"), byNames);
      await actionAttack("fixtures/hx_c_copy_*.sql");
    });

    test("a directory archive whose data file is a symlink out of the workspace", async () => {
      await archiveWithSymlinkedData(join(ws, "fixtures", "hx_c_dir"), secretFile);
      await actionAttack("fixtures/hx_c_dir");
    });
  });
});

// ---- Workflow commands through a file name ----------------------------------------------------------------------

describe("hostile fixtures: workflow commands injected through a dump's file name", () => {
  let ws: string;
  let api: FakeGitHub;
  before(async () => {
    ws = tempDir("sg-hostile-names-");
    mkdirSync(join(ws, "fixtures"));
    // One restores (with a behind sequence: findings, annotations), one fails (an error message with the name).
    writeFileSync(
      join(ws, "fixtures", "hx_c_a\n::warning::pwned\n.sql"),
      "CREATE TABLE t (id serial PRIMARY KEY);\nINSERT INTO t (id) VALUES (5);\n",
    );
    writeFileSync(
      join(ws, "fixtures", "hx_c_b\n::add-mask::x\n.sql"),
      "CREATE TABLE t (id serial PRIMARY KEY);\nSELEC 1;\n",
    );
    api = await FakeGitHub.start();
  });
  after(async () => {
    await api.close();
    rmSync(ws, { recursive: true, force: true });
    await dropOurDatabases();
  });

  test("a newline in a dump's name starts no ::warning:: or ::add-mask:: line", async () => {
    const r = await runAction({
      api,
      cwd: ws,
      inputs: {
        "database-url": adminUrl(),
        dump: "fixtures/hx_c_*.sql",
        comment: "always",
        "keep-database": "false",
      },
    });
    const pw = adminPassword();
    const allowed = new Set([pw, encodeURIComponent(pw)]);
    for (const [stream, text] of [
      ["stdout", r.stdout],
      ["stderr", r.stderr],
    ] as const) {
      for (const line of text.split(/\r?\n/)) {
        assert.ok(!line.startsWith("::warning::pwned"), `${stream}: an injected warning command: ${line}`);
        assert.ok(!line.startsWith("::add-mask::x"), `${stream}: an injected add-mask command: ${line}`);
        if (line.startsWith("::add-mask::")) {
          assert.ok(
            allowed.has(line.slice("::add-mask::".length)),
            `${stream}: only seq-guard's own mask of the password is allowed: ${line}`,
          );
        }
        if (line.startsWith("::")) {
          assert.doesNotMatch(line, /^::(warning|error|notice)::pwned/, `${stream}: ${line}`);
        }
      }
    }
    // The names were seen at all: both dumps were picked up by the glob and reported on.
    assert.match(r.visible + r.summary, /hx_c_a/, r.visible);
    assert.match(r.visible + r.summary, /hx_c_b/, r.visible);
  });
});

// ---- The password stays out of every output ---------------------------------------------------------------------

describe("hostile fixtures: a password with / and @ in it", () => {
  const role = `hostile_pw_${randomBytes(4).toString("hex")}`;
  // Not an ordinary word, with the characters that end a URL's userinfo or start its path; digits up to the first
  // slash, so that a URL parser reads "ROLE:31337" as a host and a port and the rest as the path.
  const pw = "31337/Zk9secq@Ret42mm/Tq8lv@Xq3zz";
  const pieces = ["31337/Zk9", "Zk9secq", "Ret42mm", "Tq8lv", "Xq3zz"];
  let dir: string;
  before(async () => {
    dir = tempDir("sg-hostile-pw-");
    await withClient(adminUrl(), async (c) => {
      const q = await c.query<{ l: string }>("SELECT quote_literal($1) AS l", [pw]);
      await c.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD ${q.rows[0]?.l}`);
    });
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropOurDatabases();
    await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  function assertPasswordNowhere(r: SgRun, what: string): void {
    for (const [where, text] of Object.entries(cliPlaces(r))) {
      for (const s of [pw, encodeURIComponent(pw), ...pieces]) {
        assert.ok(!text.includes(s), `${what}: "${s}" (of the password) shows in the ${where}:\n${text}`);
      }
    }
  }

  test("not percent-encoded, with an encoded URL, on a failing and a succeeding run: the password shows nowhere", async () => {
    const { hostname, port } = new URL(adminUrl());
    const good = join(dir, "hx_c_pw_good.sql");
    writeFileSync(good, "CREATE TABLE t (id serial PRIMARY KEY);\nINSERT INTO t DEFAULT VALUES;\n");
    const bad = join(dir, "hx_c_pw_bad.sql");
    writeFileSync(bad, "CREATE TABLE t (id serial PRIMARY KEY);\nSELEC 1;\n");
    const raw = `postgres://${role}:${pw}@${hostname}:${port}/postgres`;
    const encoded = `postgres://${role}:${encodeURIComponent(pw)}@${hostname}:${port}/postgres`;

    const rawRun = await sgRun(["check", "--json", "--database-url", raw, good], { reportJson: true });
    assertPasswordNowhere(rawRun, "a URL whose password is not percent-encoded");
    const rawEnv = await sgRun(["check", good], { env: { DATABASE_URL: raw }, reportJson: true });
    assertPasswordNowhere(rawEnv, "the same URL in DATABASE_URL");

    const failing = await sgRun(["check", "--json", "--database-url", encoded, bad], { reportJson: true });
    assert.equal(failing.code, 4, describeRun(failing));
    assertPasswordNowhere(failing, "a run whose restore fails");

    const wrong = await sgRun(["check", "--database-url", encoded.replace("Xq3zz", "Xq3zy"), good]);
    assert.equal(wrong.code, 3, describeRun(wrong));
    assertPasswordNowhere(wrong, "a run whose password is wrong");

    const ok = await sgRun(["check", "--json", "--database-url", encoded, good], { reportJson: true });
    assert.equal(ok.code, 0, describeRun(ok));
    assertPasswordNowhere(ok, "a run that succeeds");
    assert.deepEqual(await databasesLike(PREFIX), []);
  });
});
