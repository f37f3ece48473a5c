// What a restore may touch: only its own scratch database. Plain scripts that drop, create or connect to other
// databases, or make roles, are cut or refused; restore arguments that send the restore elsewhere are usage
// errors; --restore-database is never the connection's own database; one dump's unexpected failure does not stop
// the others; the server's notices are not errors; \ir finds files next to the dump. Plain SQL is run by seq-guard
// itself (no psql): psql's meta-commands that reach this machine are refused, its variables never substituted.
// Built CLI and real tools.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Report, TargetReport } from "../src/core/types.ts";
import { databasesLike, fakeDocker, pgTool, type Run, serverAddress, sg } from "./fixtures/restore/util.ts";
import { adminUrl, urlFor, withClient } from "./helpers.ts";

const PREFIX = "seq_guard_rs_";
const password = decodeURIComponent(new URL(adminUrl()).password);

function clean(r: Run) {
  assert.ok(!/\n\s+at .+\(.+:\d+:\d+\)/.test(r.stderr + r.stdout), `no stack trace:\n${r.stderr}`);
  if (password) assert.ok(!(r.stdout + r.stderr).includes(password), "no password");
}

function report(r: Run): Report {
  try {
    return JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`not a JSON report (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr}`);
  }
}

const admin = <T>(sql: string, params: unknown[] = []) =>
  withClient(adminUrl(), async (c) => (await c.query(sql, params)).rows as T[]);

describe("a restore touches nothing but its scratch database", () => {
  let dir: string;
  const victim = `${PREFIX}victim`;
  const role = `sg_rs_role_${process.pid}`;

  before(async () => {
    assert.deepEqual(await databasesLike(PREFIX), []);
    dir = mkdtempSync(join(tmpdir(), "sg-restore-safety-"));
    await admin(`CREATE DATABASE ${victim}`);
    await withClient(urlFor(victim), (c) =>
      c.query("CREATE TABLE precious (id int); INSERT INTO precious VALUES (1)"),
    );
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    for (const name of await databasesLike(PREFIX)) {
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
    await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  test("DROP/CREATE DATABASE and \\connect are cut however they are written: the user's database survives", async () => {
    const body = "CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY);\nINSERT INTO t (id) VALUES (1);\n";
    const files = {
      "rs-comment.sql": `DROP DATABASE IF EXISTS ${victim}; -- start afresh\n${body}`,
      "rs-block.sql": `/* reset */ DROP DATABASE IF EXISTS ${victim};\n${body}`,
      "rs-split.sql": `DROP DATABASE IF EXISTS\n  ${victim};\n${body}`,
      "rs-two.sql": `DROP DATABASE IF EXISTS ${victim}; CREATE DATABASE ${victim};\n${body}`,
      "rs-connect.sql": `SELECT 1; \\connect ${victim}\n${body}`,
    };
    const paths = Object.entries(files).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    });
    const r = await sg(["check", "--json", "--database-url", adminUrl(), ...paths]);
    clean(r);
    assert.equal(r.code, 1, r.stderr);
    const targets = report(r).targets;
    assert.equal(targets.length, paths.length);
    for (const t of targets) {
      assert.equal(t.error, null, `${t.dump}: ${t.error}`);
      assert.equal(t.sequences[0]?.status, "behind", `${t.dump}: restored into its scratch database`);
    }
    assert.deepEqual(
      await databasesLike(PREFIX),
      [victim],
      "the user's database is still there, and only it",
    );
    const rows = await withClient(urlFor(victim), (c) => c.query("SELECT count(*)::int AS n FROM precious"));
    assert.equal(rows.rows[0]?.n, 1, "and untouched");
  });

  test("roles made by a fixture never reach the server, so a second run works too; the hint says so", async () => {
    const file = join(dir, "rs-clubdata.sql");
    writeFileSync(
      file,
      `CREATE USER ${role} WITH PASSWORD '';\nALTER USER ${role} SET statement_timeout = 750;\nCREATE TABLE members (id serial PRIMARY KEY);\nINSERT INTO members VALUES (1), (2);\n`,
    );
    for (const run of [1, 2]) {
      const r = await sg(["check", "--json", "--database-url", adminUrl(), file]);
      clean(r);
      assert.equal(r.code, 1, `run ${run}: ${r.stderr}`);
      const t = report(r).targets[0] as TargetReport;
      assert.equal(t.error, null);
      assert.match(
        t.hints.join("\n"),
        new RegExp(
          `rs-clubdata\\.sql: left out 2 role or tablespace statements \\(CREATE USER ${role}, ALTER USER ${role}\\)`,
        ),
      );
      assert.deepEqual(await admin("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]), [], "no role left");
    }
  });

  test("\\gexec is refused with FILE:LINE; an included file's DROP DATABASE is cut like the dump's own", async () => {
    const gexec = join(dir, "rs-gexec.sql");
    writeFileSync(gexec, `CREATE TABLE t (id int);\nSELECT 'DROP DATABASE ${victim}' \\gexec\n`);
    const sub = join(dir, "rs-incl");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "reset.sql"), `DROP DATABASE IF EXISTS ${victim};\n`);
    const incl = join(sub, "rs-main.sql");
    writeFileSync(incl, "CREATE TABLE t (id int);\n\\ir reset.sql\n");
    const r = await sg(["check", "--json", "--database-url", adminUrl(), gexec, incl]);
    clean(r);
    assert.equal(r.code, 4, r.stderr);
    const [a, b] = report(r).targets;
    assert.match(a?.error ?? "", /rs-gexec\.sql:2: \\gexec runs the rows of a query as statements: /);
    assert.equal(b?.error, null, "the included DROP DATABASE is left out, the rest restores");
    assert.deepEqual(await databasesLike(PREFIX), [victim], "the user's database survives");
    const rows = await withClient(urlFor(victim), (c) => c.query("SELECT count(*)::int AS n FROM precious"));
    assert.equal(rows.rows[0]?.n, 1);
  });

  test("psql meta-commands that run programs or touch this machine's files are refused with FILE:LINE, wherever they stand", async () => {
    const marker = join(dir, "pwned");
    const head = "CREATE TABLE t (id serial PRIMARY KEY);\n";
    const cases: [string, string, RegExp][] = [
      ["rs-shell.sql", `\\! touch ${marker}-1\n`, /\\! runs a shell command/],
      ["rs-after.sql", `SELECT 1; \\! touch ${marker}-2\n`, /\\! runs a shell command/],
      ["rs-pipe.sql", `SELECT 1 \\g |touch ${marker}-3\n`, /\\g is a psql meta-command/],
      ["rs-gx.sql", `SELECT 1 \\gx (format=csv) ${marker}-4\n`, /\\gx is a psql meta-command/],
      ["rs-out.sql", `\\o |touch ${marker}-5\n`, /\\o sends query results to a file or a program/],
      ["rs-write.sql", `SELECT 1 \\w ${marker}-6\n`, /\\w writes the query buffer/],
      ["rs-program.sql", `\\copy t from program 'touch ${marker}-7'\n`, /\\copy runs a program/],
      ["rs-copyto.sql", `\\copy (SELECT 1 FROM t) to '${marker}-8'\n`, /\\copy writes data out/],
      ["rs-setenv.sql", `\\setenv PAGER 'touch ${marker}-10'\n`, /\\setenv sets environment variables/],
      ["rs-cd.sql", "\\cd /\n", /\\cd changes psql's working folder/],
      ["rs-loimport.sql", "\\lo_import /etc/hostname\n", /\\lo_import reads a file/],
      ["rs-loexport.sql", `\\lo_export 1 ${marker}-11\n`, /\\lo_export writes a file/],
      ["rs-password.sql", "\\password sg_no_such_role\n", /\\password changes a role's password/],
      ["rs-getenv.sql", "\\getenv home HOME\n", /\\getenv reads an environment variable/],
      ["rs-editor.sql", "\\e\n", /\\e runs an editor/],
    ];
    const paths = cases.map(([name, text]) => {
      writeFileSync(join(dir, name), head + text);
      return join(dir, name);
    });
    // An included file is read and checked the same way.
    writeFileSync(join(dir, "rs-evil-part.sql"), `SELECT 1;\n\\! touch ${marker}-12\n`);
    writeFileSync(join(dir, "rs-includes.sql"), `${head}\\ir rs-evil-part.sql\n`);
    const r = await sg([
      "check",
      "--json",
      "--database-url",
      adminUrl(),
      ...paths,
      join(dir, "rs-includes.sql"),
    ]);
    clean(r);
    assert.equal(r.code, 4, r.stderr);
    const targets = report(r).targets;
    for (const [i, [name, , re]] of cases.entries()) {
      const error = targets[i]?.error ?? "";
      assert.match(error, new RegExp(`${name.replace(".", "\\.")}:2: `), name);
      assert.match(error, re, name);
      assert.match(
        error,
        /: seq-guard runs plain SQL itself, without psql, and of psql's meta-commands runs only what pg_dump writes .* Remove it from the script, or write what it does as SQL\./,
        name,
      );
    }
    // Named by the included file and its own line.
    assert.match(targets[cases.length]?.error ?? "", /^rs-evil-part\.sql:2: \\! runs a shell command/);
    // A backquoted \set argument is never run: \set is ignored, nothing of it reaches a shell.
    const backquote = join(dir, "rs-backquote.sql");
    writeFileSync(backquote, `${head}\\set x \`touch ${marker}-9\`\n`);
    const b = await sg(["check", "--json", "--database-url", adminUrl(), backquote]);
    clean(b);
    assert.equal(report(b).targets[0]?.error, null, b.stderr);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith("pwned")),
      [],
      "no command ran, no file was written",
    );
    assert.deepEqual(await databasesLike(PREFIX), [victim]);
  });

  test("what hand-written fixtures use still runs: \\set, \\unset, \\echo, \\qecho, \\warn, \\pset, \\timing ignored, \\copy from a file", async () => {
    writeFileSync(join(dir, "rs-rows.csv"), "1\n2\n3\n");
    const file = join(dir, "rs-friendly.sql");
    writeFileSync(
      file,
      [
        "\\set ON_ERROR_STOP on",
        "\\set n 5",
        "\\unset n",
        "\\echo loading the fixture",
        "\\qecho and more",
        "\\warn careful",
        "\\pset format unaligned",
        "\\timing off",
        "CREATE TABLE f (id serial PRIMARY KEY);",
        "\\copy f (id) from 'rs-rows.csv' with (format csv)",
        "INSERT INTO f (id) VALUES (5);",
        "",
      ].join("\n"),
    );
    const r = await sg(["check", "--json", "--database-url", adminUrl(), file]);
    clean(r);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const t = report(r).targets[0] as TargetReport;
    assert.equal(t.error, null);
    assert.equal(t.sequences[0]?.max, "5");
    assert.doesNotMatch(r.stdout + r.stderr, /loading the fixture|and more|careful/, "nothing is echoed");
  });

  test("meta-commands that need psql's own state or output are refused with FILE:LINE: \\encoding, \\o, \\gset", async () => {
    const cases: [string, string, RegExp][] = [
      [
        "rs-encoding.sql",
        "\\encoding UTF8\n",
        /rs-encoding\.sql:2: \\encoding sets the client encoding \(write SET client_encoding = '\.\.\.'; instead\)/,
      ],
      ["rs-o.sql", "\\o\n", /rs-o\.sql:2: \\o sends query results to a file or a program/],
      [
        "rs-gset.sql",
        "SELECT count(*) FROM f \\gset\n",
        /rs-gset\.sql:2: \\gset stores a query's result in psql variables/,
      ],
    ];
    const paths = cases.map(([name, text]) => {
      writeFileSync(join(dir, name), `CREATE TABLE f (id serial PRIMARY KEY);\n${text}`);
      return join(dir, name);
    });
    const r = await sg(["check", "--json", "--database-url", adminUrl(), ...paths]);
    clean(r);
    assert.equal(r.code, 4, r.stderr);
    for (const [i, [name, , re]] of cases.entries())
      assert.match(report(r).targets[i]?.error ?? "", re, name);
  });

  test("a psql variable never reaches the server substituted, and \\if is refused: the user's database survives", async () => {
    const variable = join(dir, "rs-variable.sql");
    writeFileSync(variable, `CREATE TABLE t (id int);\n\\set kind DATABASE\nDROP :kind ${victim};\n`);
    const branch = join(dir, "rs-if.sql");
    // psql drops what an inactive branch added, so it would send DROP DATABASE; seq-guard does not evaluate \if.
    writeFileSync(branch, `CREATE TABLE t (id int);\nDROP \\if false\n;\n\\endif\nDATABASE ${victim};\n`);
    const r = await sg(["check", "--json", "--database-url", adminUrl(), variable, branch]);
    clean(r);
    assert.equal(r.code, 4, r.stderr);
    const [a, b] = report(r).targets;
    // :kind goes to the server as written, where it is a syntax error at that line.
    assert.match(a?.error ?? "", /rs-variable\.sql:3: ERROR: syntax error at or near ":"/);
    assert.match(
      b?.error ?? "",
      /rs-if\.sql:2: \\if is psql's conditional \(\\if \.\.\. \\endif\), which only psql evaluates/,
    );
    assert.deepEqual(await databasesLike(PREFIX), [victim], "the user's database is still there");
  });

  test("with --restore-via docker:CONTAINER plain SQL still goes over seq-guard's own connection: the same meta-commands are refused, nothing runs in the container", async () => {
    const marker = join(dir, "pwned-docker");
    const file = join(dir, "rs-docker-shell.sql");
    writeFileSync(file, `CREATE TABLE t (id int);\n\\! touch ${marker}\n`);
    const fine = join(dir, "rs-docker-fine.sql");
    writeFileSync(fine, "CREATE TABLE t (id serial PRIMARY KEY);\nINSERT INTO t VALUES (1);\n");
    const log = join(dir, "docker-plain.log");
    const { host, port } = serverAddress(adminUrl());
    const r = await sg(
      ["check", "--json", "--database-url", adminUrl(), "--restore-via", "docker:pg-service", file, fine],
      fakeDocker({
        FAKE_DOCKER_LOG: log,
        FAKE_DOCKER_CONTAINER: "pg-service",
        FAKE_DOCKER_PGHOST: host,
        FAKE_DOCKER_PGPORT: port,
      }),
    );
    clean(r);
    assert.equal(r.code, 4, r.stderr);
    const [a, b] = report(r).targets;
    assert.match(
      a?.error ?? "",
      /rs-docker-shell\.sql:2: \\! runs a shell command: seq-guard runs plain SQL itself/,
    );
    assert.equal(b?.error, null, b?.error ?? "");
    assert.equal(b?.sequences[0]?.status, "behind", "the plain dump restored all the same");
    assert.equal(existsSync(log) ? readFileSync(log, "utf8") : "", "", "docker was never run for plain SQL");
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith("pwned")),
      [],
    );
  });

  test("an sslpassword= in the URL never reaches the tools' argv: a mode-600 service file, removed afterwards", async () => {
    const secret = "Ss1KeyPassphrase-xyzzy";
    const u = new URL(adminUrl());
    u.searchParams.set("sslpassword", secret);
    // Only pg_restore runs as a child (plain SQL goes over seq-guard's own connection): an archive whose index
    // expression sleeps keeps it running long enough to read its argv and environment.
    const src = `${PREFIX}sslpw_src`;
    await admin(`CREATE DATABASE ${src}`);
    await withClient(urlFor(src), (c) =>
      c.query(`CREATE TABLE s (id serial PRIMARY KEY);
        INSERT INTO s VALUES (1);
        CREATE FUNCTION slow(i int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT i FROM pg_sleep(1.5)';
        CREATE INDEX ON s (slow(id));`),
    );
    const file = join(dir, "rs-sslpw.dump");
    await pgTool("pg_dump", ["-Fc", "-f", file], urlFor(src));
    await admin(`DROP DATABASE ${src}`);
    const seen: { cmdline: string; serviceFile: string | null; mode: number | null }[] = [];
    const r = await sg(
      ["check", "--json", "--database-url", u.toString(), file],
      {},
      {
        onStart: (child) => {
          const poll = setInterval(() => {
            for (const p of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
              try {
                const cmdline = readFileSync(`/proc/${p}/cmdline`, "utf8").replaceAll("\0", " ");
                if (!cmdline.includes("seq_guard_rs_sslpw") || !/pg_restore/.test(cmdline)) continue;
                const environ = readFileSync(`/proc/${p}/environ`, "utf8").split("\0");
                const serviceFile = environ.find((e) => e.startsWith("PGSERVICEFILE="))?.slice(14) ?? null;
                let mode: number | null = null;
                try {
                  mode = serviceFile ? statSync(serviceFile).mode & 0o777 : null;
                } catch {
                  mode = null;
                }
                if (!seen.some((x) => x.cmdline === cmdline)) seen.push({ cmdline, serviceFile, mode });
              } catch {
                // gone already
              }
            }
          }, 50);
          child.on("close", () => clearInterval(poll));
        },
      },
    );
    clean(r);
    assert.ok(!(r.stdout + r.stderr).includes(secret), "not in the output");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(seen.length > 0, "pg_restore was seen running");
    for (const s of seen) {
      assert.ok(!s.cmdline.includes(secret) && !s.cmdline.includes("sslpassword"), s.cmdline);
      assert.match(s.cmdline, /[?&]service=seq-guard-[0-9a-f]+/);
      assert.ok(s.serviceFile, "PGSERVICEFILE is set");
      assert.equal(s.mode, 0o600, "the service file is readable by its owner only");
      assert.ok(!existsSync(s.serviceFile as string), "and removed afterwards");
    }
  });

  test("\\ir and \\i find the files next to the dump, whatever the current folder", async () => {
    const sub = join(dir, "rs-parts");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "schema.sql"), "CREATE TABLE parts (id serial PRIMARY KEY);\n");
    writeFileSync(join(sub, "data.sql"), "INSERT INTO parts VALUES (1), (2), (3);\n");
    const main = join(sub, "rs-main.sql");
    writeFileSync(main, "\\ir schema.sql\n\\i data.sql\n");
    const r = await sg(["check", "--json", "--database-url", adminUrl(), main], {}, { cwd: tmpdir() });
    clean(r);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const t = report(r).targets[0] as TargetReport;
    assert.equal(t.sequences[0]?.max, "3");
    assert.match(
      t.hints.join("\n"),
      /inserts rows \(1 INSERT statement\) and never calls setval for public\.parts_id_seq/,
    );
  });

  test("the server's NOTICEs are not errors; with continue, every error is listed", async () => {
    const notice = join(dir, "rs-notice.sql");
    writeFileSync(notice, "DROP TABLE IF EXISTS nothere;\nCREATE TABLE t (id serial PRIMARY KEY);\n");
    const quiet = await sg(["check", "--json", "--database-url", adminUrl(), notice]);
    clean(quiet);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.deepEqual(report(quiet).targets[0]?.hints, [], "no error passed over, no hint");

    const errors = join(dir, "rs-errors.sql");
    writeFileSync(
      errors,
      "DROP TABLE IF EXISTS nothere;\nCREATE TABLE t (id serial PRIMARY KEY);\nSELECT * FROM nosuch;\nINSERT INTO t VALUES (1);\nSELECT 1/0;\n",
    );
    const r = await sg([
      "check",
      "--json",
      "--database-url",
      adminUrl(),
      "--on-restore-error",
      "continue",
      errors,
    ]);
    clean(r);
    const hints = report(r).targets[0]?.hints ?? [];
    assert.match(
      hints[0] ?? "",
      /^seq-guard passed over error 1 of 2 \(--on-restore-error continue\): .*rs-errors\.sql:3: ERROR: relation "nosuch" does not exist/,
    );
    assert.match(
      hints[1] ?? "",
      /^seq-guard passed over error 2 of 2 .*rs-errors\.sql:5: ERROR: division by zero/,
    );
    assert.ok(!hints.join("\n").includes("NOTICE"));
    assert.equal(hints.filter((h) => h.includes("passed over")).length, 2, hints.join("\n"));
  });
});

describe("restore arguments and databases that would take the restore elsewhere", () => {
  let dir: string;
  let dump: string;
  const own = `${PREFIX}own`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-restore-safety-args-"));
    await admin(`CREATE DATABASE ${PREFIX}ghost`);
    await withClient(urlFor(`${PREFIX}ghost`), (c) =>
      c.query("CREATE TABLE o (id serial PRIMARY KEY); INSERT INTO o (id) VALUES (1), (2)"),
    );
    dump = join(dir, "rs-ghost.dump");
    await pgTool("pg_dump", ["-Fc", "-f", dump], urlFor(`${PREFIX}ghost`));
    await admin(`DROP DATABASE ${PREFIX}ghost`);
    await admin(`CREATE DATABASE ${own}`);
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    for (const name of await databasesLike(PREFIX)) {
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });

  test("--restore-arg=--create (and -C, -d, -l; for plain SQL any argument but -1) is a usage error, and nothing is made", async () => {
    for (const [arg, message] of [
      ["--create", /restore argument --create makes pg_restore create the database named in the archive/],
      ["-C", /restore argument -C \(--create\)/],
      ["--dbname=postgres", /names the database to restore into/],
      ["-l", /print the archive's table of contents instead of restoring/],
    ] as const) {
      const r = await sg(["check", "--database-url", adminUrl(), `--restore-arg=${arg}`, dump]);
      clean(r);
      assert.equal(r.code, 2, `${arg}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, "");
    }
    const plain = join(dir, "rs-plain.sql");
    writeFileSync(plain, "CREATE TABLE t (id int);\n");
    for (const args of [["-c", "SELECT 1"], ["--file=x.sql"], ["-o", "|cat"], ["-v", "ON_ERROR_STOP=0"]]) {
      const r = await sg([
        "check",
        "--database-url",
        adminUrl(),
        ...args.map((a) => `--restore-arg=${a}`),
        plain,
      ]);
      assert.equal(r.code, 2, `${args}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /^seq-guard: restore argument \S+ does not apply: plain SQL \(.*rs-plain\.sql\) is run by seq-guard itself over its own connection, without psql, and takes only -1/,
      );
      assert.equal(r.stdout, "");
    }
    // -1 is the one it takes.
    const single = await sg(["check", "--database-url", adminUrl(), "--restore-arg=-1", plain]);
    assert.equal(single.code, 0, single.stderr);
    // A run with archives and plain SQL gives every argument to every dump: one plain SQL does not take is refused.
    const mixed = await sg([
      "check",
      "--database-url",
      adminUrl(),
      "--restore-arg=--no-comments",
      dump,
      plain,
    ]);
    assert.equal(mixed.code, 2, mixed.stderr);
    assert.match(
      mixed.stderr,
      /restore argument --no-comments does not apply to plain SQL .* and this run also restores archives with pg_restore .*Restore the archives and the plain SQL files in separate runs/,
    );
    assert.deepEqual(await databasesLike(PREFIX), [own], "no ghost database, no scratch database");
  });

  test("--restore-database equal to the connection's database is a usage error, also with --clean", async () => {
    for (const extra of [[], ["--clean"]]) {
      const r = await sg(["check", "--database-url", urlFor(own), ...extra, "--restore-database", own, dump]);
      clean(r);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`the restore database "${own}" .* is the database seq-guard connects to`),
      );
    }
    assert.deepEqual(await databasesLike(PREFIX), [own]);
  });

  test("--clean with a URL on another database drops and recreates from the maintenance database", async () => {
    const target = `${PREFIX}target`;
    await admin(`CREATE DATABASE ${target}`);
    await withClient(urlFor(target), (c) => c.query("CREATE TABLE junk (id int)"));
    const r = await sg([
      "check",
      "--database-url",
      urlFor(own),
      "--clean",
      "--keep",
      "--restore-database",
      target,
      dump,
    ]);
    clean(r);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const tables = await withClient(urlFor(target), (c) =>
      c.query("SELECT relname FROM pg_class WHERE relname IN ('junk', 'o') ORDER BY 1"),
    );
    assert.deepEqual(
      tables.rows.map((x) => x.relname),
      ["o"],
    );
    await admin(`DROP DATABASE ${target}`);
  });
});

/** The local TCP ports a process has open (Linux /proc), to find its sessions in pg_stat_activity. */
function tcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1] as string);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9] as string))
        ports.push(Number.parseInt((f[1] as string).split(":")[1] as string, 16));
    }
  }
  return ports;
}

describe("one dump's unexpected failure does not stop the others", () => {
  let dir: string;
  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const name of await databasesLike(`${PREFIX}lost`)) {
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });

  test("the maintenance session dies mid-run: the run stops as a lost connection, exit 3, nothing left", {
    skip: process.platform !== "linux" ? "needs /proc" : false,
  }, async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-restore-safety-lost-"));
    const slow = join(dir, "rs-lost-slow.sql");
    writeFileSync(slow, "CREATE TABLE a (id serial PRIMARY KEY);\nSELECT pg_sleep(4);\n");
    const next = [1, 2].map((i) => {
      const p = join(dir, `rs-lost-${i}.sql`);
      writeFileSync(p, "CREATE TABLE b (id serial PRIMARY KEY);\n");
      return p;
    });
    let killed = 0;
    const r = await sg(
      ["check", "--json", "--database-url", adminUrl(), slow, ...next],
      {},
      {
        onStart: (child) => {
          const poll = setInterval(async () => {
            if ((await databasesLike(`${PREFIX}lost_slow`).catch(() => [])).length === 0) return;
            clearInterval(poll);
            // seq-guard's own session in the maintenance database (found by its TCP port), killed.
            const ports = tcpPorts(child.pid as number);
            const rows = await admin<{ pid: number }>(
              "SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE datname = 'postgres' AND client_port = ANY($1::int[])",
              [ports],
            );
            killed += rows.length;
          }, 100);
          child.on("close", () => clearInterval(poll));
        },
      },
    );
    clean(r);
    // The admin session, and a short-lived one of the restore role's bookkeeping if it was open at that moment.
    assert.ok(killed >= 1, "the maintenance session was found and killed");
    // A connection lost mid-run leaves the results incomplete: exit 3, no report, never a restore failure (4).
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /the connection to the server was lost/);
    // The JSON report is the failure alone: no verdict of an incomplete run.
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      error: { code: string } | null;
      targets: unknown[];
    };
    assert.deepEqual([report.ok, report.error?.code, report.targets], [false, "connection", []]);
    assert.deepEqual(await databasesLike(`${PREFIX}lost`), [], "the first one dropped all the same");
  });
});
