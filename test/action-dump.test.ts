// The built Action with the `dump` input: restore fixtures into scratch databases on the embedded server, verify
// them, fail or fix, keep them for later steps. Run the way the runner runs it, from a workspace folder.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CORPUS_SQL, EXPECTED } from "./corpus.ts";
import { FakeGitHub, runAction } from "./fake-github.ts";
import { fakeDocker } from "./fixtures/restore/util.ts";
import { adminUrl, type ScratchDb, scratchDb, urlFor, withClient } from "./helpers.ts";

const count = (status: string) => Object.values(EXPECTED).filter((e) => e.status === status).length;

// Line numbers matter: annotations point at the line where each table's data begins.
const BROKEN_SQL = [
  "CREATE TABLE users (id serial PRIMARY KEY, name text);", // 1
  "CREATE TABLE orders (id bigserial PRIMARY KEY, user_id integer);", // 2
  "CREATE TABLE tags (id serial PRIMARY KEY, name text);", // 3
  "-- data, with explicit ids and no setval()", // 4
  "INSERT INTO users (id, name) VALUES (1, 'ada'), (2, 'bob'), (3, 'cy');", // 5
  "COPY public.orders (id, user_id) FROM stdin;", // 6
  "10\t1", // 7
  "11\t2", // 8
  "\\.", // 9
  "INSERT INTO tags (name) VALUES ('new');", // 10
  "",
].join("\n");

async function databaseExists(name: string): Promise<boolean> {
  return withClient(adminUrl(), async (c) => {
    const r = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return r.rowCount === 1;
  });
}

async function dropDatabase(name: string): Promise<void> {
  await withClient(adminUrl(), (c) =>
    c.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`),
  );
}

function password(): string {
  return decodeURIComponent(new URL(adminUrl()).password);
}

describe("the Action restoring dumps", () => {
  let ws: string;
  let api: FakeGitHub;
  let corpus: ScratchDb;
  const created = new Set<string>();
  before(async () => {
    ws = mkdtempSync(join(tmpdir(), "seq-guard-ws-"));
    mkdirSync(join(ws, "fixtures"));
    writeFileSync(join(ws, "fixtures", "broken.sql"), BROKEN_SQL);
    writeFileSync(join(ws, "fixtures", "also-broken.sql"), BROKEN_SQL);
    api = await FakeGitHub.start();
    corpus = await scratchDb(CORPUS_SQL);
    // A custom-format archive, as pg_dump makes it.
    const u = new URL(corpus.url);
    execFileSync(
      "pg_dump",
      [
        "-Fc",
        "-f",
        join(ws, "fixtures", "corpus.dump"),
        "-h",
        u.hostname,
        "-p",
        u.port,
        "-U",
        decodeURIComponent(u.username),
        "-d",
        corpus.name,
      ],
      { env: { ...process.env, PGPASSWORD: password() }, stdio: ["ignore", "pipe", "pipe"] },
    );
    writeFileSync(
      join(ws, "fixtures", "garbage.dump"),
      Buffer.from("PGDMP\u0001\u0010\u0000 this is not an archive"),
    );
  });
  after(async () => {
    for (const d of created) await dropDatabase(d);
    await corpus.drop();
    await api.close();
    rmSync(ws, { recursive: true, force: true });
  });

  const run = async (
    inputs: Record<string, string>,
    extra: { event?: "pull_request" | "push"; env?: NodeJS.ProcessEnv } = {},
  ) => {
    const r = await runAction({ api, cwd: ws, inputs: { "database-url": adminUrl(), ...inputs }, ...extra });
    for (const d of (r.outputs.database ?? "").split("\n").filter(Boolean)) created.add(d);
    if (inputs["restore-database"]) created.add(inputs["restore-database"]);
    return r;
  };

  test("check a plain SQL fixture: fails, annotations on the lines where the data begins, database kept", async () => {
    const r = await run({ dump: "fixtures/broken.sql", "restore-database": "fx_check" });
    assert.equal(r.code, 1, r.visible);
    assert.deepEqual(r.outputs, {
      status: "violations",
      violations: "2",
      fixed: "0",
      checked: "3",
      database: "fx_check",
      "report-json": "",
    });
    const errors = r.annotations.filter((a) => a.command === "error" && a.props.file);
    const byTitle = new Map(errors.map((a) => [a.props.title, a.props]));
    assert.deepEqual(byTitle.get("seq-guard: public.users_id_seq is behind"), {
      title: "seq-guard: public.users_id_seq is behind",
      file: "fixtures/broken.sql",
      line: "5",
    });
    assert.equal(byTitle.get("seq-guard: public.orders_id_seq is behind")?.line, "6");
    assert.match(r.summary, /### `fixtures\/broken.sql` \(plain SQL\), restored into `fx_check` in \d/);
    assert.ok(await databaseExists("fx_check"), "keep-database defaults to true");
    assert.ok(!r.visible.includes(password()) && !r.summary.includes(password()));
  });

  test("fix a fixture and keep it: the next insert works in the kept database", async () => {
    const r = await run({ dump: "fixtures/broken.sql", "restore-database": "fx_fixed", mode: "fix" });
    assert.equal(r.code, 0, r.visible);
    assert.equal(r.outputs.status, "fixed");
    assert.equal(r.outputs.fixed, "2");
    assert.equal(r.outputs.database, "fx_fixed");
    const rows = await withClient(urlFor("fx_fixed"), async (c) => {
      const a = await c.query<{ id: number }>("INSERT INTO users (name) VALUES ('dee') RETURNING id");
      const b = await c.query<{ id: string }>("INSERT INTO orders (user_id) VALUES (4) RETURNING id");
      return [a.rows[0]?.id, b.rows[0]?.id];
    });
    assert.deepEqual(rows, [4, "12"]);
  });

  test("a glob restores each match into its own database; keep-database false drops them", async () => {
    const r = await run({ dump: "fixtures/*broken.sql", "keep-database": "false", comment: "never" });
    assert.equal(r.code, 1, r.visible);
    // The databases were dropped: the output names none for later steps; the summary names both.
    assert.equal(r.outputs.database, "");
    const dbs = [...r.summary.matchAll(/restored into `([^`]+)`/g)].map((m) => m[1] as string);
    assert.equal(dbs.length, 2, `two databases: ${dbs.join(", ")}`);
    assert.equal(r.outputs.violations, "4");
    assert.match(r.summary, /### `fixtures\/also-broken.sql`/);
    assert.match(r.summary, /### `fixtures\/broken.sql`/);
    for (const d of dbs) assert.equal(await databaseExists(d), false, `${d} was dropped`);
  });

  test("a custom archive: the corpus verdicts, annotations on the archive file", async () => {
    const r = await run({ dump: "fixtures/corpus.dump", "restore-database": "fx_corpus", comment: "never" });
    assert.equal(r.code, 1, r.visible);
    assert.equal(r.outputs.violations, String(count("behind") + count("exhausted")));
    assert.match(r.summary, /\(custom archive\), restored into `fx_corpus`/);
    const annotated = r.annotations.filter((a) => a.command === "error" && a.props.title?.includes(" is "));
    assert.ok(annotated.length > 0);
    for (const a of annotated) {
      assert.equal(a.props.file, "fixtures/corpus.dump");
      assert.equal(a.props.line, undefined, "no line in a binary archive");
    }
  });

  test("container: pg_restore runs inside the service container (docker exec), plain SQL over the Action's own connection, no password in argv", async () => {
    const log = join(ws, "docker.log");
    const u = new URL(adminUrl());
    const r = await run(
      { dump: "fixtures/broken.sql\nfixtures/corpus.dump", container: "pg-service", comment: "never" },
      {
        env: fakeDocker({
          FAKE_DOCKER_LOG: log,
          FAKE_DOCKER_CONTAINER: "pg-service",
          FAKE_DOCKER_PGHOST: u.hostname,
          FAKE_DOCKER_PGPORT: u.port,
        }),
      },
    );
    assert.equal(r.code, 1, r.visible);
    assert.equal(r.outputs.violations, String(2 + count("behind") + count("exhausted")));
    const calls = readFileSync(log, "utf8");
    assert.doesNotMatch(calls, /psql|broken\.sql/, "the plain fixture never went to the container");
    // With jobs > 1 the archive is copied in (pg_restore --jobs cannot read stdin), else streamed.
    assert.match(
      calls,
      /^exec (?:-i )?-e .*pg-service pg_restore --no-owner/m,
      "the archive went to pg_restore in the container",
    );
    assert.ok(!calls.includes(password()), "no password in docker's argv");
    const missing = await run(
      { dump: "fixtures/corpus.dump", container: "nope", comment: "never" },
      {
        env: fakeDocker({ FAKE_DOCKER_CONTAINER: "pg-service" }),
      },
    );
    assert.equal(missing.code, 4, missing.visible);
    assert.match(missing.visible, /No such container: nope/);
    // A plain fixture needs no container: it restores (and fails the check on its findings) all the same.
    const plain = await run(
      { dump: "fixtures/broken.sql", container: "nope", comment: "never" },
      { env: fakeDocker({ FAKE_DOCKER_CONTAINER: "pg-service" }) },
    );
    assert.equal(plain.code, 1, plain.visible);
    assert.equal(plain.outputs.violations, "2");
  });

  test("a restore failure fails the job in every mode, with a clear message and no stack trace", async () => {
    for (const mode of ["check", "fix", "report"]) {
      const r = await run({ dump: "fixtures/garbage.dump", mode });
      assert.equal(r.code, 4, `${mode}: ${r.visible}`);
      assert.equal(r.outputs.status, "error");
      const err = r.commands.filter((c) => c.command === "error").at(-1);
      assert.match(err?.message ?? "", /garbage\.dump/);
      assert.doesNotMatch(r.visible, /^\s+at .+:\d+:\d+\)?$/m);
      assert.match(r.summary, /⚠️ seq-guard/);
      assert.ok(!r.visible.includes(password()));
      // Not restored: no "restored into", and no database handed to later steps (it does not exist).
      assert.match(r.summary, /### `fixtures\/garbage.dump` \(dump\) could not be restored/);
      assert.doesNotMatch(r.summary, /restored into/);
      assert.equal(r.outputs.database, "");
    }
  });

  test("restore-database that exists and is not empty: the message names the input and what to do", async () => {
    await run({ dump: "fixtures/broken.sql", "restore-database": "fx_full", comment: "never" });
    const r = await run({ dump: "fixtures/broken.sql", "restore-database": "fx_full", comment: "never" });
    assert.equal(r.code, 2, r.visible);
    const err = r.commands.filter((c) => c.command === "error").at(-1)?.message ?? "";
    assert.match(err, /the restore-database input "fx_full" already exists and is not empty/);
    assert.match(err, /Give clean: true to drop it first, or name another database\./);
    assert.doesNotMatch(r.visible, /--clean|--restore-database/);
  });

  test("one of several dump globs matching nothing is a warning; the others' dumps are checked", async () => {
    const r = await run({
      dump: "fixtures/*.backup\nfixtures/broken.sql",
      comment: "never",
      "keep-database": "false",
    });
    assert.equal(r.code, 1, r.visible);
    assert.equal(r.outputs.violations, "2");
    const w = r.annotations.find((a) => a.command === "warning" && /fixtures\/\*\.backup/.test(a.message));
    assert.ok(w, r.visible);
    assert.match(w.message, /matches no file/);
  });

  test("a missing dump file: a usage error naming it", async () => {
    const r = await run({ dump: "fixtures/nope.sql" });
    assert.notEqual(r.code, 0);
    assert.equal(r.outputs.status, "error");
    assert.match(r.commands.find((c) => c.command === "error")?.message ?? "", /fixtures\/nope\.sql/);
  });
});
