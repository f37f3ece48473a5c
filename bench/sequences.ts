// npm run bench (without --restore, see bench.ts): seq-guard check against what a careful script does (one
// `SELECT last_value, is_called` and one `SELECT max(id)` per sequence over a single psql session), on the same
// database, in the same run, alternating, several rounds, medians. Prints the ratio, absolute times and peak RSS
// per size, and beside them, timed in the same rounds, Node's own start (`node -e 0`) and `seq-guard --version`
// (start and load the CLI, do nothing): at the sizes most fixtures have, the start is most of the time.
//
//   npm run bench -- [--sizes 100,1000] [--rounds 5] [--database-url URL] [--write docs/benchmarks.md]
//
// Data: schemas of 100 tables each (schema-per-tenant), every table `id serial PRIMARY KEY` with 20 rows; half the
// tables got their rows with explicit ids (their sequence is behind), half through the default (ok).

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEmbedded } from "../src/process/embedded.ts";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "100,1000" },
    rounds: { type: "string", default: "5" },
    "database-url": { type: "string" },
    write: { type: "string" },
    concurrency: { type: "string" },
  },
});
const sizes = (values.sizes as string).split(",").map(Number);
const rounds = Number(values.rounds);

const server = values["database-url"] ? null : await startEmbedded();
const adminUrl = (values["database-url"] as string | undefined) ?? (server?.url as string);
const withDb = (db: string) => {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
};

async function query(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Build the data set: size tables in schemas of 100, one transaction per schema (bounded locks). */
async function build(db: string, size: number) {
  await query(adminUrl, `DROP DATABASE IF EXISTS ${db}`);
  await query(adminUrl, `CREATE DATABASE ${db}`);
  const c = new pg.Client({ connectionString: withDb(db) });
  await c.connect();
  const schemas = Math.ceil(size / 100);
  const t0 = Date.now();
  for (let s = 0; s < schemas; s++) {
    const n = Math.min(100, size - s * 100);
    await c.query(`
      CREATE SCHEMA tenant_${s};
      DO $$ BEGIN
        FOR i IN 0..${n - 1} LOOP
          EXECUTE format('CREATE TABLE tenant_${s}.t_%s (id serial PRIMARY KEY, v int)', i);
          IF i % 2 = 0 THEN
            EXECUTE format('INSERT INTO tenant_${s}.t_%s (id, v) SELECT g, g FROM generate_series(1, 20) g', i);
          ELSE
            EXECUTE format('INSERT INTO tenant_${s}.t_%s (v) SELECT g FROM generate_series(1, 20) g', i);
          END IF;
        END LOOP;
      END $$;`);
    if (process.stderr.isTTY) process.stderr.write(`\rbuilding ${db}: ${(s + 1) * 100}/${size} tables`);
  }
  await c.query("VACUUM ANALYZE");
  await c.end();
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  return Date.now() - t0;
}

/**
 * The per-sequence loop's script: two statements per sequence, one psql session; and the same statements cut
 * into `parts` scripts, for as many sessions side by side.
 */
function loopScripts(db: string, size: number, parts: number): { whole: string; parts: string[] } {
  const lines: string[] = [];
  for (let s = 0; s < Math.ceil(size / 100); s++) {
    for (let i = 0; i < Math.min(100, size - s * 100); i++) {
      lines.push(`SELECT last_value, is_called FROM tenant_${s}.t_${i}_id_seq;`);
      lines.push(`SELECT max(id) FROM tenant_${s}.t_${i};`);
    }
  }
  const write = (name: string, part: string[]) => {
    const file = join(tmpdir(), `seq-guard-bench-${db}-${name}.sql`);
    writeFileSync(file, `${part.join("\n")}\n`);
    return file;
  };
  const per = Math.ceil(size / parts) * 2;
  return {
    whole: write("whole", lines),
    parts: Array.from({ length: parts }, (_, k) => write(`part${k}`, lines.slice(k * per, (k + 1) * per))),
  };
}

function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port,
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1),
  };
}

/** Run a command, return wall time and peak RSS (KiB, from GNU time). */
function timed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; rssKb: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn("/usr/bin/time", ["-f", "%M", cmd, ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const rssKb = Number(err.trim().split("\n").pop());
      resolve({ ms, rssKb, code, out: out + err });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

interface Row {
  size: number;
  loopMs: number;
  splitMs: number;
  nodeMs: number;
  versionMs: number;
  checkMs: number;
  ratio: number;
  rssMb: number;
  fixMs: number;
  fixed: number;
  buildMs: number;
}

const cli = join(root, "dist", "cli.js");
if (spawnSync("psql", ["--version"]).status !== 0)
  throw new Error("psql is needed: apt-get install postgresql-client");
const extra = values.concurrency ? ["--concurrency", values.concurrency as string] : [];
// The loop cut over as many psql sessions as seq-guard uses connections: what parallelism alone buys on this
// machine, the ceiling a client-side tool reaches without doing less work per sequence than the loop.
const sessions = Number(values.concurrency ?? 2);
const rows: Row[] = [];
const loadStart = loadavg()[0] as number;
try {
  for (const size of sizes) {
    const db = `bench_${size}`;
    const buildMs = await build(db, size);
    const { whole: script, parts } = loopScripts(db, size, sessions);
    const url = withDb(db);
    const loop: number[] = [];
    const split: number[] = [];
    const check: number[] = [];
    const nodeStart: number[] = [];
    const versionStart: number[] = [];
    let rss = 0;
    const psql = (file: string) => timed("psql", ["-X", "-q", "-o", "/dev/null", "-f", file], pgEnv(url));
    const steps: (() => Promise<void>)[] = [
      async () => {
        const a = await psql(script);
        if (a.code !== 0) throw new Error(`the psql loop failed: ${a.out.slice(0, 500)}`);
        loop.push(a.ms);
      },
      async () => {
        const t0 = process.hrtime.bigint();
        const ps = await Promise.all(parts.map(psql));
        if (ps.some((p) => p.code !== 0)) throw new Error("the split psql loop failed");
        split.push(Number(process.hrtime.bigint() - t0) / 1e6);
      },
      async () => {
        const n = await timed(process.execPath, ["-e", "0"], process.env);
        if (n.code !== 0) throw new Error(`node -e 0 failed: ${n.out.slice(0, 500)}`);
        nodeStart.push(n.ms);
      },
      async () => {
        const v = await timed(process.execPath, [cli, "--version"], process.env);
        if (v.code !== 0) throw new Error(`seq-guard --version failed: ${v.out.slice(0, 500)}`);
        versionStart.push(v.ms);
      },
      async () => {
        const b = await timed(
          process.execPath,
          [cli, "check", "--database-url", url, "--quiet", ...extra],
          process.env,
        );
        if (b.code !== 1)
          throw new Error(
            `seq-guard check should exit 1 (half behind), got ${b.code}: ${b.out.slice(0, 500)}`,
          );
        check.push(b.ms);
        rss = Math.max(rss, b.rssKb);
      },
    ];
    // Alternating: every other round runs the steps in the opposite order, so a drift in the machine's load
    // does not always land on the same one.
    for (let r = 0; r < rounds; r++) {
      for (const step of r % 2 === 0 ? steps : [...steps].reverse()) await step();
    }
    // Fix once, then verify the fix took: a second check exits 0.
    const reportFile = join(tmpdir(), `seq-guard-bench-${size}.json`);
    const f = await timed(
      process.execPath,
      [cli, "fix", "--database-url", url, "--quiet", "--report-json", reportFile, ...extra],
      process.env,
    );
    if (f.code !== 0) throw new Error(`seq-guard fix failed (${f.code}): ${f.out.slice(0, 800)}`);
    const fixed = (JSON.parse(readFileSync(reportFile, "utf8")) as { summary: { fixed: number } }).summary
      .fixed;
    rss = Math.max(rss, f.rssKb);
    const again = await timed(
      process.execPath,
      [cli, "check", "--database-url", url, "--quiet", ...extra],
      process.env,
    );
    if (again.code !== 0) throw new Error(`check after fix should pass: ${again.out.slice(0, 500)}`);
    for (const f of [script, ...parts]) rmSync(f, { force: true });
    rmSync(reportFile, { force: true });
    await query(adminUrl, `DROP DATABASE ${db}`);
    const row: Row = {
      size,
      loopMs: median(loop),
      splitMs: median(split),
      nodeMs: median(nodeStart),
      versionMs: median(versionStart),
      checkMs: median(check),
      ratio: median(check) / median(loop),
      rssMb: rss / 1024,
      fixMs: f.ms,
      fixed,
      buildMs,
    };
    rows.push(row);
    console.error(
      `${size}: loop ${row.loopMs.toFixed(0)} ms, loop over ${sessions} sessions ${row.splitMs.toFixed(0)} ms, node -e 0 ${row.nodeMs.toFixed(0)} ms, --version ${row.versionMs.toFixed(0)} ms, check ${row.checkMs.toFixed(0)} ms (${(row.checkMs - row.nodeMs).toFixed(0)} ms over node -e 0), ratio ${row.ratio.toFixed(2)}, fix ${row.fixMs.toFixed(0)} ms (${fixed} fixed), peak RSS ${row.rssMb.toFixed(0)} MB`,
    );
  }
} finally {
  await server?.stop();
}

/** Time from spawning `node dist/index.js` as the runner does to its first log line, in milliseconds. */
function actionStart(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "seq-guard-bench-action-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    "INPUT_DATABASE-URL": "postgres://bench:not-a-secret@127.0.0.1:1/bench",
    GITHUB_OUTPUT: join(dir, "output"),
    GITHUB_STEP_SUMMARY: join(dir, "summary"),
    GITHUB_EVENT_NAME: "push",
    GITHUB_REPOSITORY: "org/repo",
  };
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, "dist", "index.js")], {
      env,
      stdio: ["ignore", "pipe", "ignore"],
    });
    let seen = false;
    child.stdout.on("data", (d: Buffer) => {
      if (seen || !d.toString().includes("starting")) return;
      seen = true;
      resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      child.kill();
    });
    child.on("error", reject);
    child.on("close", () => {
      rmSync(dir, { recursive: true, force: true });
      if (!seen) reject(new Error("the Action printed no first line"));
    });
  });
}
const loadEnd = loadavg()[0] as number;
const starts: number[] = [];
for (let i = 0; i < 10; i++) starts.push(await actionStart());
const startMs = median(starts);
console.error(
  `Action cold start (node dist/index.js to its first log line): median ${startMs.toFixed(0)} ms of 10`,
);

const version = spawnSync("psql", ["--version"]).stdout.toString().trim();
const table = [
  `| sequences | per-sequence psql loop | the loop over ${sessions} sessions (ratio) | \`node -e 0\` | \`seq-guard --version\` | seq-guard check | over \`node -e 0\` | ratio | seq-guard fix (half behind) | peak RSS |`,
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.size.toLocaleString("en")} | ${(r.loopMs / 1000).toFixed(2)} s | ${(r.splitMs / 1000).toFixed(2)} s (${(r.splitMs / r.loopMs).toFixed(2)}) | ${(r.nodeMs / 1000).toFixed(2)} s | ${(r.versionMs / 1000).toFixed(2)} s | ${(r.checkMs / 1000).toFixed(2)} s | ${((r.checkMs - r.nodeMs) / 1000).toFixed(2)} s | ${r.ratio.toFixed(2)} | ${(r.fixMs / 1000).toFixed(2)} s (${r.fixed.toLocaleString("en")} fixed) | ${r.rssMb.toFixed(0)} MB |`,
  ),
].join("\n");
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${version}, server: ${server ? "embedded PostgreSQL (default settings)" : "given by --database-url"}; medians of ${rounds} alternating rounds (every other round in the opposite order); whole process timed; 1-minute load average ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end`;
const startLine = `The Action's cold start (\`node dist/index.js\` to its first log line, as the runner starts it): median ${startMs.toFixed(0)} ms of 10 runs.`;
console.log(`${table}\n\n${machine}\n\n${startLine}`);
if (values.write) {
  const file = values.write as string;
  const doc = readFileSync(file, "utf8");
  const marker = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
  const block = `<!-- bench:start -->\n${table}\n\n${machine}. Measured ${new Date().toISOString().slice(0, 10)}.\n\n${startLine}\n<!-- bench:end -->`;
  writeFileSync(file, marker.test(doc) ? doc.replace(marker, block) : `${doc}\n${block}\n`);
}
