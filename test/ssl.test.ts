// sslmode means what it means to libpq: against a server with SSL on (a self-signed certificate made here) and
// the tests' server (SSL off), every mode connects or fails as psql 15 does, for seq-guard's own connections
// (connection.ts) and for the CLI. psql runs side by side and the two must agree; the expected outcome is
// asserted too, so that both being wrong the same way fails as well.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { parseDatabaseUrl, resolveConnection } from "../src/db/connection.ts";
import { type EmbeddedServer, startEmbedded } from "../src/process/embedded.ts";
import { adminUrl, runCli, scratchDb } from "./helpers.ts";

const MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;

/** "ssl" / "plain" when connected, "fail" when not. */
type Outcome = "ssl" | "plain" | "fail";
const Q = "SELECT CASE WHEN ssl THEN 'ssl' ELSE 'plain' END FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

async function ours(url: string, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  // node-postgres reads the PG* variables from process.env itself: they are set there for the one connection.
  const saved = { ...process.env };
  if (!url) Object.assign(process.env, env);
  const t = url ? parseDatabaseUrl(url, "--database-url", env) : resolveConnection(undefined, env);
  const c = new pg.Client({ ...t.config, connectionTimeoutMillis: 20_000 });
  try {
    await c.connect();
    const r = await c.query<{ case: string }>(Q);
    return r.rows[0]?.case as Outcome;
  } catch {
    return "fail";
  } finally {
    await c.end().catch(() => undefined);
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

function psql(url: string, home: string, env: NodeJS.ProcessEnv = {}): Outcome {
  const r = spawnSync("psql", ["-X", "-At", "-d", url, "-c", Q], {
    env: { PATH: process.env.PATH, HOME: home, PGCONNECT_TIMEOUT: "20", ...env },
    encoding: "utf8",
  });
  return r.status === 0 ? (r.stdout.trim() as Outcome) : "fail";
}

const withParams = (url: string, params: Record<string, string>) => {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
};

/** A self-signed certificate for `cn` in dir: NAME.crt and NAME.key. Returns the certificate's path. */
function selfSigned(dir: string, name: string, cn: string): string {
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${cn}`]
      .concat(["-addext", `subjectAltName=DNS:${cn}`])
      .concat(["-keyout", join(dir, `${name}.key`), "-out", join(dir, `${name}.crt`)]),
    { stdio: "ignore" },
  );
  return join(dir, `${name}.crt`);
}

/** The server (run as root: as the postgres user) must read its key, and accepts it only as mode 600. */
function keyForServer(dir: string, key: string): void {
  execFileSync("chmod", ["755", dir]);
  execFileSync("chmod", ["600", key]);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    chownSync(key, uid, gid);
  }
}

/**
 * A server with SSL on, the certificate `cert` and dir/server.key, and given `hba` lines a pg_hba.conf of its own
 * in dir (readable by the server's user); `settings` more postgresql.conf settings (ssl_ca_file).
 */
function startSslServer(
  dir: string,
  cert: string,
  hba?: string,
  settings: Record<string, string> = {},
): Promise<EmbeddedServer> {
  const hbaFile = join(dir, "pg_hba.conf");
  if (hba !== undefined) {
    writeFileSync(hbaFile, hba);
    execFileSync("chmod", ["644", hbaFile]);
  }
  keyForServer(dir, join(dir, "server.key"));
  return startEmbedded({
    ssl: "on",
    ssl_cert_file: cert,
    ssl_key_file: join(dir, "server.key"),
    ...(hba !== undefined ? { hba_file: hbaFile } : {}),
    ...settings,
  });
}

describe("sslmode as libpq means it", () => {
  let dir: string;
  let cert: string;
  let otherCert: string;
  let server: EmbeddedServer;
  /** The SSL server, as 127.0.0.1 (not the certificate's name) and as localhost (its name). */
  let sslByIp: string;
  let sslByName: string;
  const plain = () => new URL(adminUrl());

  before(async () => {
    if (spawnSync("openssl", ["version"]).status !== 0) {
      throw new Error("these tests need openssl on PATH to make a certificate: apt-get install openssl");
    }
    dir = mkdtempSync(join(tmpdir(), "sg-ssl-"));
    cert = selfSigned(dir, "server", "localhost");
    otherCert = selfSigned(dir, "other", "localhost");
    server = await startSslServer(dir, cert);
    const u = new URL(server.url);
    u.searchParams.delete("sslmode");
    sslByIp = u.toString();
    u.hostname = "localhost";
    sslByName = u.toString();
    writeFileSync(join(dir, "empty"), "");
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // libpq 15: verify-ca and verify-full need a root certificate; with the server's own one both verify the chain,
  // and only verify-full checks that the name connected to (127.0.0.1) is the certificate's (localhost).
  const expectSsl: Record<(typeof MODES)[number], Outcome> = {
    disable: "plain",
    allow: "plain",
    prefer: "ssl",
    require: "ssl",
    "verify-ca": "ssl",
    "verify-full": "fail",
  };
  const expectPlain: Record<(typeof MODES)[number], Outcome> = {
    disable: "plain",
    allow: "plain",
    prefer: "plain",
    require: "fail",
    "verify-ca": "fail",
    "verify-full": "fail",
  };

  for (const mode of MODES) {
    test(`sslmode=${mode}: the SSL server and the plain server, as psql`, async () => {
      const home = dir; // no ~/.postgresql here: nothing but the URL decides
      const params = { sslmode: mode, sslrootcert: cert };
      const onSsl = withParams(sslByIp, params);
      const onPlain = withParams(plain().toString(), params);
      const got = { ssl: await ours(onSsl), plain: await ours(onPlain) };
      const libpq = { ssl: psql(onSsl, home), plain: psql(onPlain, home) };
      assert.deepEqual(got, libpq, `seq-guard and psql 15 disagree on sslmode=${mode}`);
      assert.deepEqual(got, { ssl: expectSsl[mode], plain: expectPlain[mode] });
    });
  }

  test("verify-full passes by the certificate's name, and verify-ca fails on a certificate of another authority", async () => {
    const full = withParams(sslByName, { sslmode: "verify-full", sslrootcert: cert });
    assert.equal(await ours(full), "ssl");
    assert.equal(psql(full, dir), "ssl");
    const wrongCa = withParams(sslByIp, { sslmode: "verify-ca", sslrootcert: otherCert });
    assert.equal(await ours(wrongCa), "fail");
    assert.equal(psql(wrongCa, dir), "fail");
    // require with a root certificate verifies the chain, as libpq does.
    const requireWrong = withParams(sslByIp, { sslmode: "require", sslrootcert: otherCert });
    assert.equal(await ours(requireWrong), "fail");
    assert.equal(psql(requireWrong, dir), "fail");
  });

  test("no sslmode (libpq's default prefer), and PGSSLMODE / PGSSLROOTCERT in the environment", async () => {
    assert.equal(await ours(sslByIp), "ssl");
    assert.equal(await ours(plain().toString()), "plain");
    const p = plain();
    const pgEnv = (u: URL, extra: NodeJS.ProcessEnv) => ({
      PGHOST: u.hostname,
      PGPORT: u.port,
      PGUSER: decodeURIComponent(u.username),
      PGPASSWORD: decodeURIComponent(u.password),
      PGDATABASE: "postgres",
      ...extra,
    });
    const cases: [URL, NodeJS.ProcessEnv, Outcome][] = [
      [p, { PGSSLMODE: "prefer" }, "plain"],
      [p, { PGSSLMODE: "require" }, "fail"],
      [new URL(sslByIp), { PGSSLMODE: "require" }, "ssl"],
      [new URL(sslByIp), { PGSSLMODE: "disable" }, "plain"],
      [new URL(sslByIp), { PGSSLMODE: "verify-ca", PGSSLROOTCERT: otherCert }, "fail"],
      [new URL(sslByIp), { PGSSLMODE: "verify-ca", PGSSLROOTCERT: cert }, "ssl"],
    ];
    for (const [u, extra, want] of cases) {
      const env = pgEnv(u, extra);
      const got = await ours("", env);
      assert.equal(got, psql("", dir, env), `psql disagrees: ${JSON.stringify(extra)} on ${u.host}`);
      assert.equal(got, want, `${JSON.stringify(extra)} on ${u.host}`);
    }
  });

  test("the CLI: sslmode=require on a self-signed server and sslmode=prefer on a plain one restore and verify", async () => {
    const dump = join(dir, "fixture.dump");
    writeFileSync(join(dir, "f.sql"), "CREATE TABLE t (id serial PRIMARY KEY);\nINSERT INTO t VALUES (7);\n");
    const src = withParams(sslByIp, { sslmode: "require" });
    for (const [url, label] of [
      [src, "require on SSL"],
      [withParams(plain().toString(), { sslmode: "prefer" }), "prefer on plain"],
    ] as const) {
      // A custom-format archive goes through pg_restore (libpqTarget's URL keeps sslmode), plain SQL through ours.
      const db = `sg_ssl_src_${Math.random().toString(36).slice(2, 8)}`;
      const admin = new pg.Client({ ...parseDatabaseUrl(url, "--database-url").config });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      await admin.end();
      const dbUrl = new URL(url);
      dbUrl.pathname = `/${db}`;
      execFileSync(
        "psql",
        ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbUrl.toString(), "-f", join(dir, "f.sql")],
        {
          env: { PATH: process.env.PATH, HOME: dir },
        },
      );
      execFileSync("pg_dump", ["-Fc", "-f", dump, "-d", dbUrl.toString()], {
        env: { PATH: process.env.PATH, HOME: dir },
      });
      for (const file of [dump, join(dir, "f.sql")]) {
        // Restored and verified over the connection: t's explicit ids leave its sequence behind (exit 1).
        const r = await runCli(["check", "--database-url", url, file], { HOME: dir });
        assert.equal(r.code, 1, `${label}, ${file}: ${r.stderr}${r.stdout}`);
        assert.match(r.stdout, /behind\s+public\.t_id_seq/, `${label}, ${file}`);
      }
      const r = await runCli(["check", "--database-url", dbUrl.toString()], { HOME: dir });
      assert.equal(r.code, 1, `${label}: t's sequence is behind: ${r.stderr}${r.stdout}`);
    }
    // verify-full against the wrong name: a connection error (exit 3), as psql refuses it too.
    const r = await runCli(
      ["check", "--database-url", withParams(sslByIp, { sslmode: "verify-full", sslrootcert: cert })],
      { HOME: dir },
    );
    assert.equal(r.code, 3, r.stderr);
  });
});

describe("root certificates and a server that takes SSL only", () => {
  let dir: string;
  let cert: string;
  let server: EmbeddedServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-ssl-only-"));
    cert = selfSigned(dir, "server", "localhost");
    // pg_hba.conf with hostssl lines only: a plain startup is refused (no pg_hba.conf entry ... no encryption).
    server = await startSslServer(
      dir,
      cert,
      "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n",
    );
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const urlWith = (params: Record<string, string>, host = "127.0.0.1") => {
    const u = new URL(server.url);
    u.searchParams.delete("sslmode");
    u.hostname = host;
    return withParams(u.toString(), params);
  };

  test("allow tries plain first and, refused by a hostssl-only server, connects again over SSL, as psql", async () => {
    for (const [mode, want] of [
      ["disable", "fail"],
      ["allow", "ssl"],
      ["prefer", "ssl"],
      ["require", "ssl"],
    ] as const) {
      const url = urlWith({ sslmode: mode });
      const got = await ours(url);
      assert.equal(got, psql(url, dir), `psql disagrees on sslmode=${mode}`);
      assert.equal(got, want, `sslmode=${mode}`);
    }
  });

  test("verify-full without a root certificate is refused, as libpq refuses it, with what to give", async () => {
    const url = urlWith({ sslmode: "verify-full" }, "localhost");
    assert.equal(psql(url, dir), "fail", "psql 15 refuses verify-full without root.crt");
    const r = await runCli(["check", "--database-url", url], { HOME: dir });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /no root certificate to verify it against/);
    assert.match(r.stderr, /sslrootcert=system/);
    // With the root certificate in ~/.postgresql, as libpq finds it, the same URL connects.
    execFileSync("mkdir", ["-p", join(dir, ".postgresql")]);
    execFileSync("cp", [cert, join(dir, ".postgresql", "root.crt")]);
    try {
      assert.equal(psql(url, dir), "ssl");
      const ok = await runCli(["check", "--database-url", url], { HOME: dir });
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      rmSync(join(dir, ".postgresql"), { recursive: true, force: true });
    }
  });

  test("sslrootcert=system means verify-full: a weaker mode with it is refused, and the system's authorities do not know a self-signed certificate", async () => {
    const weak = await runCli(
      ["check", "--database-url", urlWith({ sslmode: "require", sslrootcert: "system" })],
      { HOME: dir },
    );
    assert.notEqual(weak.code, 0, weak.stderr);
    assert.match(weak.stderr, /sslmode=require does not go with sslrootcert=system/);
    const system = await runCli(
      ["check", "--database-url", urlWith({ sslrootcert: "system" }, "localhost")],
      {
        HOME: dir,
      },
    );
    assert.equal(system.code, 3, system.stderr);
  });
});

/** A certificate authority in dir (ca.crt, ca.key) and a certificate it signs for `cn` (NAME.crt, NAME.key, 600). */
function signedBy(dir: string, name: string, cn: string): { crt: string; key: string } {
  if (!existsSync(join(dir, "ca.crt"))) {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=seq-guard test CA",
      ].concat(["-keyout", join(dir, "ca.key"), "-out", join(dir, "ca.crt")]),
      { stdio: "ignore" },
    );
  }
  const [crt, key, csr] = ["crt", "key", "csr"].map((e) => join(dir, `${name}.${e}`)) as [
    string,
    string,
    string,
  ];
  execFileSync(
    "openssl",
    ["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${cn}`, "-keyout", key, "-out", csr],
    {
      stdio: "ignore",
    },
  );
  execFileSync(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      join(dir, "ca.crt"),
      "-CAkey",
      join(dir, "ca.key"),
      "-CAcreateserial",
    ].concat(["-days", "2", "-out", crt]),
    { stdio: "ignore" },
  );
  execFileSync("chmod", ["600", key]);
  return { crt, key };
}

describe("client certificates: a server that authenticates by certificate (pg_hba cert)", () => {
  let dir: string;
  let server: EmbeddedServer;
  let client: { crt: string; key: string };
  let fixture: string;
  let dump: string;
  /** The server's URL as 127.0.0.1, no password, sslmode=require, with `params`. */
  const urlWith = (params: Record<string, string>) => {
    const u = new URL(server.url);
    u.searchParams.delete("sslmode");
    u.password = "";
    return withParams(u.toString(), { sslmode: "require", ...params });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-ssl-cert-"));
    const cert = selfSigned(dir, "server", "localhost");
    client = signedBy(dir, "client", "postgres");
    execFileSync("chmod", ["644", join(dir, "ca.crt")]);
    server = await startSslServer(
      dir,
      cert,
      "local all all trust\nhostssl all all 127.0.0.1/32 cert\nhostssl all all ::1/128 cert\n",
      { ssl_ca_file: join(dir, "ca.crt") },
    );
    fixture = join(dir, "f.sql");
    writeFileSync(fixture, "CREATE TABLE t (id serial PRIMARY KEY);\nINSERT INTO t VALUES (7);\n");
    // A custom-format archive of the same, made on the tests' own server: restored by pg_restore.
    const src = await scratchDb("CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t VALUES (7);");
    dump = join(dir, "f.dump");
    try {
      execFileSync("pg_dump", ["-Fc", "-f", dump, "-d", src.url], {
        env: { PATH: process.env.PATH, HOME: dir },
      });
    } finally {
      await src.drop();
    }
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("check connects with sslcert/sslkey in the URL and with PGSSLCERT/PGSSLKEY, as psql; without them it is refused", async () => {
    const withCert = urlWith({ sslcert: client.crt, sslkey: client.key });
    assert.equal(psql(withCert, dir), "ssl");
    assert.equal(await ours(withCert), "ssl");
    const r = await runCli(["check", "--database-url", withCert], { HOME: dir });
    assert.equal(r.code, 0, `${r.stderr}${r.stdout}`);
    const env = await runCli(["check", "--database-url", urlWith({})], {
      HOME: dir,
      PGSSLCERT: client.crt,
      PGSSLKEY: client.key,
    });
    assert.equal(env.code, 0, `${env.stderr}${env.stdout}`);
    const none = await runCli(["check", "--database-url", urlWith({})], { HOME: dir });
    assert.equal(none.code, 3, none.stderr);
    assert.equal(psql(urlWith({}), dir), "fail");
  });

  test("a dump restored under cert auth: the throwaway restore role has no certificate, and the hint says what to do", async () => {
    const url = urlWith({ sslcert: client.crt, sslkey: client.key });
    for (const file of [fixture, dump]) {
      const r = await runCli(["check", "--database-url", url, file], { HOME: dir });
      const out = `${r.stderr}${r.stdout}`;
      assert.equal(r.code, 4, `${file}: ${out}`);
      assert.match(out, /certificate authentication failed for user "seq_guard_restore_/, out);
      assert.match(out, /authenticates by client certificate/, out);
      assert.match(out, /seq_guard_restore_\S* roles? .*scram-sha-256/, out);
      assert.match(out, /--trust-fixture/, out);
      // The remedy for a dump one trusts: restored as the connecting role, whose certificate the server knows.
      const trusted = await runCli(["check", "--database-url", url, "--trust-fixture", file], { HOME: dir });
      assert.equal(trusted.code, 1, `${file}: ${trusted.stderr}${trusted.stdout}`);
      assert.match(trusted.stdout, /behind\s+public\.t_id_seq/);
    }
  });
});
