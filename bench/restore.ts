// npm run bench -- --restore: restoring a plain pg_dump script and keeping the database, the two ways a user does
// it, on the same server, in the same run, alternating, several rounds, medians:
//
//   (a) createdb NAME && psql -X -q -v ON_ERROR_STOP=1 -f dump.sql          (into a fresh database)
//   (b) node dist/cli.js check dump.sql --keep --restore-database NAME ...  (whole process: start, create, restore,
//                                                                          verify, exit)
//
//   npm run bench -- --restore [--rounds 3] [--scale 1] [--tables 300] [--database-url URL] [--profile]
//                              [--cli path/to/cli.js] [--write docs/benchmarks.md]
//
// Data (built once, dumped once with pg_dump --format=plain to a temp file, then dropped): customers (identity,
// 150,000 x scale rows), orders (bigserial, 600,000 x scale), events (identity, jsonb payload, 500,000 x scale) with
// text, numeric and timestamptz columns, primary keys, unique and secondary indexes and foreign keys; plus DDL
// volume: `--tables` small serial tables (20 rows, an index and a comment each), half as many plpgsql functions
// and a quarter as many views. Scale 1 dumps to 128 MiB.
//
// Reported: dump size, each median, b/a, seq-guard's peak RSS (its own node process, process.resourceUsage() at
// exit, through an --import preload), client CPU (GNU time) and server CPU per way (the postmaster's reaped
// children: backends and parallel index workers; embedded or local server only), and, from one extra psql run
// with \timing, where the server's time goes (COPY, indexes and keys, foreign keys, other DDL). --profile adds one
// seq-guard run under `node --cpu-prof` and prints its top self-time functions.
//
// Every database and temp file is removed at the end, on an error, and on Ctrl-C / SIGTERM.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { installSignalHandlers, interrupted, onCleanup, runCleanups } from "../src/process/cleanup.ts";
import { startEmbedded } from "../src/process/embedded.ts";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    restore: { type: "boolean" },
    rounds: { type: "string", default: "3" },
    scale: { type: "string", default: "1" },
    tables: { type: "string", default: "300" },
    "database-url": { type: "string" },
    profile: { type: "boolean" },
    write: { type: "string" },
    cli: { type: "string" },
  },
});
// The seq-guard to time: the tree's build by default; --cli names another (a build of an older commit, to compare).
const cli = resolvePath((values.cli as string | undefined) ?? join(root, "dist", "cli.js"));
const rounds = Number(values.rounds);
const scale = Number(values.scale);
const tables = Number(values.tables);
for (const [name, v, min] of [
  ["--rounds", rounds, 1],
  ["--scale", scale, 0.001],
  ["--tables", tables, 0],
] as const) {
  if (!Number.isFinite(v) || v < min) {
    console.error(`bench: ${name} must be a number of at least ${min}`);
    process.exit(2);
  }
}

// Client tools first: a clear message, not a spawn ENOENT half-way through.
const missing = ["psql", "pg_dump", "createdb"].filter((t) => spawnSync(t, ["--version"]).status !== 0);
if (missing.length > 0) {
  console.error(
    `bench: ${missing.join(", ")} not found on PATH: the restore benchmark needs the PostgreSQL client tools (apt-get install postgresql-client; pg_dump must be at least the server's major version)`,
  );
  process.exit(2);
}
if (spawnSync("/usr/bin/time", ["-f", "%M", "true"]).status !== 0) {
  console.error(
    "bench: /usr/bin/time (GNU time) is needed for the client CPU and RSS figures: apt-get install time",
  );
  process.exit(2);
}
if (spawnSync(process.execPath, [cli, "--version"]).status !== 0) {
  console.error(`bench: ${cli} does not run${values.cli ? "" : ": npm run build first"}`);
  process.exit(2);
}

installSignalHandlers({
  notify: (text) => process.stderr.write(text.replace(/^seq-guard:/, "bench:")),
  exit: (code) => process.exit(code),
});

const log = (text: string) => process.stderr.write(`${text}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  // The embedded server runs without autovacuum: an ANALYZE of the last round's tables would otherwise run during the
  // next round, on the same 2 cores, and its CPU would land in the server figures.
  const loadBefore = loadavg()[0] as number;
  const server = values["database-url"] ? null : await startEmbedded({ autovacuum: "off" });
  const adminUrl = (values["database-url"] as string | undefined) ?? (server?.url as string);
  const withDb = (db: string) => {
    const u = new URL(adminUrl);
    u.pathname = `/${db}`;
    return u.toString();
  };
  function pgEnv(url: string): NodeJS.ProcessEnv {
    const u = new URL(url);
    return {
      ...process.env,
      PGHOST: u.hostname,
      PGPORT: u.port || "5432",
      PGUSER: decodeURIComponent(u.username),
      PGPASSWORD: decodeURIComponent(u.password),
      PGDATABASE: u.pathname.slice(1),
    };
  }

  // A Ctrl-C in a terminal reaches the embedded server too (same process group), which then ends every session:
  // that comes back as the failed query, not as an 'error' event that would end the bench before its cleanup.
  const connect = async (url: string) => {
    const c = new pg.Client({ connectionString: url });
    c.on("error", () => undefined);
    await c.connect();
    return c;
  };
  const admin = await connect(adminUrl);
  onCleanup("close the bench's connection", () => admin.end());
  const serverVersion = (await admin.query("SHOW server_version")).rows[0].server_version as string;

  const work = mkdtempSync(join(tmpdir(), "seq-guard-bench-restore-"));
  onCleanup(`remove ${work}`, () => rmSync(work, { recursive: true, force: true }));
  const dumpFile = join(work, "dump.sql");

  // Databases: registered for removal before they exist, dropped (with FORCE: a killed run may still hold one).
  const tag = `${process.pid}`;
  function database(name: string): { name: string; drop: () => Promise<void> } {
    const drop = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    };
    // On the embedded server a database goes with the server's data dir (whose removal has an entry of its own).
    const undo = onCleanup(`drop database ${name}`, drop, () =>
      server ? null : `database ${name} (DROP DATABASE ${name} WITH (FORCE))`,
    );
    return {
      name,
      drop: async () => {
        await drop();
        undo();
      },
    };
  }

  // Server CPU: the postmaster's children's CPU (utime + stime of reaped children) moves by what every backend and
  // parallel worker that exited in between used. Read once no session but ours is connected, so all have been reaped.
  const ticks = Number(spawnSync("getconf", ["CLK_TCK"]).stdout.toString().trim()) || 100;
  let postmasterPid: number | null = null;
  try {
    const pid = (await admin.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    postmasterPid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    postmasterPid = null; // a remote server: no server CPU figures
  }
  async function serverCpuMs(): Promise<number | null> {
    if (postmasterPid === null) return null;
    for (let i = 0; i < 100; i++) {
      const others = (
        await admin.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type IN ('client backend', 'parallel worker')",
        )
      ).rows[0].n as number;
      if (others === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 50));
    try {
      const stat = readFileSync(`/proc/${postmasterPid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
      return ((Number(f[13]) + Number(f[14])) * 1000) / ticks;
    } catch {
      return null;
    }
  }

  interface Run {
    ms: number;
    code: number | null;
    out: string;
    rssKb: number;
    /** user + system CPU of the process and the children it waited for (GNU time). */
    cpuMs: number;
  }

  /** Run a command under GNU time; killed (and waited for) if the bench is interrupted. */
  function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, capture = false): Promise<Run> {
    return new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const timeFile = join(work, `time-${process.hrtime.bigint()}`);
      const child: ChildProcess = spawn("/usr/bin/time", ["-o", timeFile, "-f", "%M %U %S", cmd, ...args], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const closed = new Promise<void>((r) => child.on("close", () => r()));
      const undo = onCleanup(`stop ${cmd}`, async () => {
        child.kill("SIGTERM");
        await closed;
      });
      let out = "";
      const keep = (d: Buffer) => {
        if (capture || out.length < 100_000) out += d;
      };
      child.stdout?.on("data", keep);
      child.stderr?.on("data", keep);
      child.on("error", reject);
      child.on("close", (code) => {
        undo();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        let rssKb = 0;
        let cpuMs = 0;
        try {
          const [m, u, s] =
            readFileSync(timeFile, "utf8").trim().split("\n").pop()?.split(" ").map(Number) ?? [];
          rssKb = m ?? 0;
          cpuMs = ((u ?? 0) + (s ?? 0)) * 1000;
          rmSync(timeFile, { force: true });
        } catch {
          // killed before GNU time wrote it
        }
        resolve({ ms, code, out, rssKb, cpuMs });
      });
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Build the source database and dump it.

  const customers = Math.round(150_000 * scale);
  const orders = Math.round(600_000 * scale);
  const events = Math.round(500_000 * scale);
  const functions = Math.floor(tables / 2);
  const views = Math.floor(tables / 4);

  async function build(db: string): Promise<number> {
    const c = await connect(withDb(db));
    const t0 = Date.now();
    try {
      const step = async (what: string, sql: string) => {
        if (process.stderr.isTTY) process.stderr.write(`\rbuilding the source database: ${what}\x1b[K`);
        await c.query(sql).catch((err: Error) => {
          throw new Error(`building the source database (${what}): ${err.message}`);
        });
      };
      await step(
        "customers",
        `CREATE TABLE customers (
        id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL,
        country char(2) NOT NULL,
        balance numeric(12,2) NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz
      );
      INSERT INTO customers (name, email, country, balance, created_at, updated_at)
      SELECT 'Customer ' || g || ' ' || substr(md5(g::text), 1, 10),
             'customer' || g || '@' || substr(md5(g::text), 11, 8) || '.example.com',
             (ARRAY['DE','FR','US','GB','JP','BR','IN','NL'])[1 + g % 8],
             round(((g::bigint * 7919) % 1000000) / 100.0, 2),
             timestamptz '2019-01-01 00:00:00+00' + g * interval '97 seconds',
             CASE WHEN g % 3 = 0 THEN timestamptz '2024-01-01 00:00:00+00' + g * interval '13 seconds' END
      FROM generate_series(1, ${customers}) g;
      CREATE UNIQUE INDEX customers_email_key ON customers (email);
      CREATE INDEX customers_created_at_idx ON customers (created_at);
      CREATE INDEX customers_country_idx ON customers (country);`,
      );
      await step(
        "orders",
        `CREATE TABLE orders (
        id bigserial PRIMARY KEY,
        customer_id integer NOT NULL,
        status text NOT NULL,
        total numeric(12,2) NOT NULL,
        currency char(3) NOT NULL DEFAULT 'EUR',
        created_at timestamptz NOT NULL,
        shipped_at timestamptz,
        note text
      );
      INSERT INTO orders (customer_id, status, total, currency, created_at, shipped_at, note)
      SELECT 1 + (g::bigint * 7919) % ${customers},
             (ARRAY['new','paid','shipped','delivered','returned'])[1 + g % 5],
             round(((g::bigint * 104729) % 5000000) / 100.0, 2),
             (ARRAY['EUR','USD','GBP'])[1 + g % 3],
             timestamptz '2020-01-01 00:00:00+00' + g * interval '41 seconds',
             CASE WHEN g % 5 <> 0 THEN timestamptz '2020-01-03 00:00:00+00' + g * interval '41 seconds' END,
             CASE WHEN g % 4 = 0 THEN 'deliver to ' || md5(g::text) || ', floor ' || g % 12 END
      FROM generate_series(1, ${orders}) g;
      ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers;
      CREATE INDEX orders_customer_id_idx ON orders (customer_id);
      CREATE INDEX orders_created_at_idx ON orders (created_at);
      CREATE INDEX orders_status_created_at_idx ON orders (status, created_at);`,
      );
      await step(
        "events",
        `CREATE TABLE events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id bigint NOT NULL,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL
      );
      INSERT INTO events (order_id, kind, payload, occurred_at)
      SELECT 1 + (g::bigint * 15485863) % ${orders},
             (ARRAY['created','viewed','paid','shipped','mail_sent','refund'])[1 + g % 6],
             jsonb_build_object('ip', '10.' || g % 256 || '.' || (g / 256) % 256 || '.' || (g / 65536) % 256,
                                'agent', 'Mozilla/5.0 (build ' || g % 97 || ')', 'ref', substr(md5(g::text), 1, 12)),
             timestamptz '2020-01-01 00:00:00+00' + g * interval '53 seconds'
      FROM generate_series(1, ${events}) g;
      ALTER TABLE events ADD CONSTRAINT events_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders;
      CREATE INDEX events_order_id_idx ON events (order_id);
      CREATE INDEX events_occurred_at_idx ON events (occurred_at);`,
      );
      // DDL volume: many small tables, functions and views, in batches of 100 (bounded locks per transaction).
      await c.query("CREATE SCHEMA misc; CREATE SCHEMA api");
      for (let from = 0; from < tables; from += 100) {
        const to = Math.min(tables, from + 100) - 1;
        await step(
          `small tables ${to + 1}/${tables}`,
          `DO $do$ BEGIN
          FOR i IN ${from}..${to} LOOP
            EXECUTE format('CREATE TABLE misc.t_%s (id serial PRIMARY KEY, code text NOT NULL, label text,
              amount numeric(10,2), created_at timestamptz NOT NULL DEFAULT now())', i);
            EXECUTE format('CREATE INDEX ON misc.t_%s (created_at)', i);
            EXECUTE format('COMMENT ON TABLE misc.t_%s IS %L', i, 'lookup table number ' || i);
            EXECUTE format('INSERT INTO misc.t_%s (code, label, amount, created_at) SELECT %L || g, md5(g::text),
              g * 1.25, timestamptz ''2023-06-01 00:00:00+00'' + g * interval ''1 hour'' FROM generate_series(1, 20) g', i, 'C' || i || '-');
          END LOOP;
        END $do$;`,
        );
      }
      await step(
        "functions and views",
        `DO $do$ BEGIN
        FOR i IN 0..${functions - 1} LOOP
          EXECUTE format($f$CREATE FUNCTION api.order_total_%s(p_customer integer, p_since timestamptz DEFAULT '-infinity')
            RETURNS numeric LANGUAGE plpgsql STABLE AS $body$
            DECLARE v numeric;
            BEGIN
              -- variant %s: sums a customer's paid and shipped orders since a date
              SELECT coalesce(sum(total), 0) INTO v FROM public.orders
                WHERE customer_id = p_customer AND created_at >= p_since AND status IN ('paid', 'shipped');
              IF v > %s THEN RAISE NOTICE 'large total for %%: %%', p_customer, v; END IF;
              RETURN v;
            END $body$$f$, i, i, 1000 + i);
        END LOOP;
        FOR i IN 0..${views - 1} LOOP
          EXECUTE format('CREATE VIEW api.customer_orders_%s AS
            SELECT c.id, c.name, c.country, count(o.id) AS orders, sum(o.total) AS total, max(o.created_at) AS last_order
            FROM public.customers c LEFT JOIN public.orders o ON o.customer_id = c.id
            WHERE c.country = %L GROUP BY c.id, c.name, c.country', i, (ARRAY['DE','FR','US','GB'])[1 + i % 4]);
        END LOOP;
      END $do$;`,
      );
    } finally {
      if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
      await c.end();
    }
    return Date.now() - t0;
  }

  /** Row counts a restored database must show (checked outside the timed part). */
  async function counts(db: string): Promise<string> {
    const c = await connect(withDb(db));
    try {
      const r = await c.query(
        `SELECT (SELECT count(*) FROM customers) || ' ' || (SELECT count(*) FROM orders) || ' ' ||
              (SELECT count(*) FROM events) || ' ' ||
              (SELECT count(*) FROM pg_class WHERE relnamespace = 'misc'::regnamespace AND relkind = 'r') || ' ' ||
              (SELECT count(*) FROM pg_proc WHERE pronamespace = 'api'::regnamespace) AS n`,
      );
      return r.rows[0].n as string;
    } finally {
      await c.end();
    }
  }

  const source = database(`seq_guard_bench_src_${tag}`);
  await admin.query(`CREATE DATABASE ${source.name}`);
  const buildMs = await build(source.name);
  const expected = await counts(source.name);
  const pgDumpVersion = spawnSync("pg_dump", ["--version"]).stdout.toString().trim();
  {
    const t0 = Date.now();
    const d = await timed("pg_dump", ["--format=plain", "--file", dumpFile], pgEnv(withDb(source.name)));
    if (d.code !== 0) throw new Error(`pg_dump failed (${d.code}): ${d.out.slice(0, 800)}`);
    log(`built the source database in ${sec(buildMs)}, dumped it in ${sec(Date.now() - t0)}`);
  }
  await source.drop();
  const dumpBytes = statSync(dumpFile).size;
  const dumpLines = Number(spawnSync("wc", ["-l", dumpFile]).stdout.toString().trim().split(" ")[0]);
  log(
    `dump: ${(dumpBytes / 2 ** 20).toFixed(0)} MiB, ${dumpLines.toLocaleString("en")} lines (${pgDumpVersion})`,
  );
  await admin.query("CHECKPOINT");

  // ---------------------------------------------------------------------------------------------------------------
  // The rounds: (a) then (b) in even rounds, (b) then (a) in odd ones; each into a fresh database, dropped after.

  const usageFile = join(work, "usage.json");
  const reportFile = join(work, "report.json");
  const preload = join(work, "usage.mjs");
  writeFileSync(
    preload,
    `import { writeFileSync } from "node:fs";
process.on("exit", () => {
  const u = process.resourceUsage();
  writeFileSync(${JSON.stringify(usageFile)}, JSON.stringify({ maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
});
`,
  );

  interface Measure {
    ms: number;
    serverCpuMs: number | null;
    clientCpuMs: number;
    /** seq-guard only: its node process alone (peak RSS, CPU); clientCpuMs also holds its psql. */
    nodeRssKb?: number;
    nodeCpuMs?: number;
    /** seq-guard only: its restore_ms (create the database, restore, hand it over), from --report-json. */
    restoreMs?: number;
  }

  async function wayA(db: string): Promise<Measure> {
    const before = await serverCpuMs();
    const t0 = process.hrtime.bigint();
    const c = await timed("createdb", [db], pgEnv(adminUrl));
    if (c.code !== 0) throw new Error(`createdb failed (${c.code}): ${c.out.slice(0, 800)}`);
    const p = await timed("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", dumpFile], pgEnv(withDb(db)));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (p.code !== 0) throw new Error(`psql -f failed (${p.code}): ${p.out.slice(0, 800)}`);
    const after = await serverCpuMs();
    return {
      ms,
      serverCpuMs: before === null || after === null ? null : after - before,
      clientCpuMs: c.cpuMs + p.cpuMs,
    };
  }

  function seqGuardArgs(db: string): string[] {
    return [
      cli,
      "check",
      dumpFile,
      "--keep",
      "--restore-database",
      db,
      "--database-url",
      adminUrl,
      "--quiet",
      "--report-json",
      reportFile,
    ];
  }

  async function wayB(db: string): Promise<Measure> {
    rmSync(usageFile, { force: true });
    rmSync(reportFile, { force: true });
    const before = await serverCpuMs();
    const r = await timed(
      process.execPath,
      ["--import", pathToFileURL(preload).href, ...seqGuardArgs(db)],
      process.env,
    );
    if (r.code !== 0) throw new Error(`seq-guard check exited ${r.code}: ${r.out.slice(0, 800)}`);
    const after = await serverCpuMs();
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRssKb: number; cpuMs: number };
    return {
      ms: r.ms,
      serverCpuMs: before === null || after === null ? null : after - before,
      clientCpuMs: r.cpuMs,
      nodeRssKb: usage.maxRssKb,
      nodeCpuMs: usage.cpuMs,
      restoreMs: (JSON.parse(readFileSync(reportFile, "utf8")) as { targets: { restore_ms: number }[] })
        .targets[0]?.restore_ms,
    };
  }

  const a: Measure[] = [];
  const b: Measure[] = [];
  const fmt = (m: Measure) =>
    `${sec(m.ms)} (server CPU ${m.serverCpuMs === null ? "?" : sec(m.serverCpuMs)}, client CPU ${sec(m.clientCpuMs)}${m.nodeRssKb ? `, node ${sec(m.nodeCpuMs ?? 0)} CPU, peak RSS ${(m.nodeRssKb / 1024).toFixed(0)} MB, restore_ms ${sec(m.restoreMs ?? 0)}` : ""})`;
  for (let r = 0; r < rounds; r++) {
    for (const way of r % 2 === 0 ? (["a", "b"] as const) : (["b", "a"] as const)) {
      const db = database(`seq_guard_bench_${way}_${tag}_${r}`);
      const m = way === "a" ? await wayA(db.name) : await wayB(db.name);
      const got = await counts(db.name);
      if (got !== expected) throw new Error(`${way}: restored counts ${got}, the source had ${expected}`);
      await db.drop();
      await admin.query("CHECKPOINT");
      (way === "a" ? a : b).push(m);
      log(
        `round ${r + 1}/${rounds} ${way === "a" ? "createdb + psql -f" : "seq-guard check --keep"}: ${fmt(m)}`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Where the server's time goes: one extra psql run with \timing and the statements echoed (-e), results dropped.

  interface Split {
    wallMs: number;
    parts: [string, number, number][];
  }
  async function split(): Promise<Split> {
    const db = database(`seq_guard_bench_split_${tag}`);
    await admin.query(`CREATE DATABASE ${db.name}`);
    const r = await timed(
      "psql",
      ["-X", "-q", "-e", "-o", "/dev/null", "-v", "ON_ERROR_STOP=1", "-c", "\\timing on", "-f", dumpFile],
      pgEnv(withDb(db.name)),
      true,
    );
    if (r.code !== 0) throw new Error(`psql with \\timing failed (${r.code}): ${r.out.slice(-800)}`);
    await db.drop();
    await admin.query("CHECKPOINT");
    const kinds: [string, RegExp][] = [
      ["COPY (table data)", /^COPY /],
      [
        "primary keys, unique constraints, indexes",
        /^(CREATE (UNIQUE )?INDEX|ALTER TABLE .* ADD CONSTRAINT \S+ (PRIMARY KEY|UNIQUE))/s,
      ],
      ["foreign keys", /^ALTER TABLE .* ADD CONSTRAINT \S+ FOREIGN KEY/s],
      ["setval", /^SELECT pg_catalog\.setval/],
      ["other statements (CREATE TABLE/FUNCTION/VIEW, COMMENT, OWNER, SET)", /./s],
    ];
    const sums = new Map<string, [number, number]>(kinds.map(([k]) => [k, [0, 0]]));
    let chunk: string[] = [];
    for (const line of r.out.split("\n")) {
      const t = /^Time: ([\d.]+) ms/.exec(line);
      if (!t) {
        chunk.push(line);
        continue;
      }
      const text = chunk.join("\n").trim();
      chunk = [];
      const kind = kinds.find(([, re]) => re.test(text))?.[0] ?? (kinds.at(-1) as [string, RegExp])[0];
      const s = sums.get(kind) as [number, number];
      s[0] += Number(t[1]);
      s[1]++;
    }
    return { wallMs: r.ms, parts: [...sums].map(([k, [ms, n]]) => [k, ms, n]) };
  }
  log("timing the statements (one extra psql run with \\timing)...");
  const where = await split();

  // ---------------------------------------------------------------------------------------------------------------
  // Optional: one seq-guard run under --cpu-prof, top self-time functions.

  interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }
  let profileText = "";
  if (values.profile) {
    const db = database(`seq_guard_bench_prof_${tag}`);
    const dir = join(work, "prof");
    log("profiling one seq-guard run (node --cpu-prof)...");
    const r = await timed(
      process.execPath,
      ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "500", ...seqGuardArgs(db.name)],
      process.env,
    );
    if (r.code !== 0)
      throw new Error(`seq-guard check under --cpu-prof exited ${r.code}: ${r.out.slice(0, 800)}`);
    await db.drop();
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error("node --cpu-prof wrote no profile");
    const prof = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
      nodes: ProfileNode[];
      samples: number[];
      timeDeltas: number[];
      startTime: number;
      endTime: number;
    };
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, ProfileNode>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n);
    const label = (n: ProfileNode) => {
      const f = n.callFrame;
      const at = f.url ? ` ${f.url.replace(/^.*\//, "")}:${f.lineNumber + 1}` : "";
      return `${f.functionName || "(anonymous)"}${at}`;
    };
    const self = new Map<string, number>();
    let total = 0;
    prof.samples.forEach((id, i) => {
      const n = byId.get(id);
      const us = prof.timeDeltas[i + 1] ?? 0;
      total += us;
      if (!n) return;
      // An anonymous frame (a callback, V8's own) is named by the nearest named function that called it.
      let key = label(n);
      if (!n.callFrame.functionName) {
        let p = parent.get(n.id);
        while (p && (!p.callFrame.functionName || p.callFrame.functionName.startsWith("(")))
          p = parent.get(p.id);
        if (p) key += ` in ${label(p)}`;
      }
      self.set(key, (self.get(key) ?? 0) + us);
    });
    const idle = self.get("(idle)") ?? 0;
    const top = [...self]
      .filter(([k]) => k !== "(idle)")
      .sort((x, y) => y[1] - x[1])
      .slice(0, 15);
    profileText = [
      `seq-guard under \`node --cpu-prof\` (one run, ${sec(r.ms)} wall, ${sec(total / 1000)} profiled, ${sec((total - idle) / 1000)} of it on the CPU, the rest idle waiting on I/O); top self time:`,
      "",
      "| self time | share of CPU | function |",
      "|---:|---:|---|",
      ...top.map(
        ([k, us]) =>
          `| ${(us / 1000).toFixed(0)} ms | ${((100 * us) / (total - idle)).toFixed(1)}% | \`${k}\` |`,
      ),
    ].join("\n");
    log(profileText);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Report.

  const ma = median(a.map((m) => m.ms));
  const mb = median(b.map((m) => m.ms));
  const med = (xs: Measure[], f: (m: Measure) => number | null | undefined) => {
    const v = xs.map(f).filter((x): x is number => typeof x === "number");
    return v.length === xs.length ? median(v) : null;
  };
  const cpu = (ms: number | null) => (ms === null ? "n/a" : sec(ms));
  const rss = Math.max(...b.map((m) => m.nodeRssKb ?? 0)) / 1024;
  const version = spawnSync("psql", ["--version"]).stdout.toString().trim();
  const restoreMs = med(b, (m) => m.restoreMs);
  const table = [
    "| restore (plain dump, database kept) | median wall | server CPU | client CPU | peak RSS |",
    "|---|---:|---:|---:|---:|",
    `| (a) \`createdb\` + \`psql -X -q -v ON_ERROR_STOP=1 -f\` | ${sec(ma)} | ${cpu(med(a, (m) => m.serverCpuMs))} | ${cpu(med(a, (m) => m.clientCpuMs))} (psql) | |`,
    `| (b) \`seq-guard check DUMP --keep --restore-database\` | ${sec(mb)} | ${cpu(med(b, (m) => m.serverCpuMs))} | ${cpu(med(b, (m) => m.clientCpuMs))} (node ${cpu(med(b, (m) => m.nodeCpuMs))} + psql) | ${rss.toFixed(0)} MB (node) |`,
    `| of which the restore (seq-guard's \`restore_ms\`: create, restore, hand over) | ${cpu(restoreMs)} | | | |`,
    `| of which the rest (start, connect, read the dump's header, verify, exit) | ${cpu(med(b, (m) => (m.restoreMs === undefined ? null : m.ms - m.restoreMs)))} | | | |`,
    `| **b / a** | **${(mb / ma).toFixed(2)}** | | | |`,
  ].join("\n");
  const rawA = a.map((m) => (m.ms / 1000).toFixed(1)).join(", ");
  const rawB = b.map((m) => (m.ms / 1000).toFixed(1)).join(", ");
  const dumpLine = `Dump: ${(dumpBytes / 2 ** 20).toFixed(0)} MiB plain SQL (${dumpBytes.toLocaleString("en")} bytes, ${dumpLines.toLocaleString("en")} lines; scale ${scale}: ${customers.toLocaleString("en")} customers, ${orders.toLocaleString("en")} orders, ${events.toLocaleString("en")} events, ${tables} small tables, ${functions} functions, ${views} views), ${pgDumpVersion}. Rounds (s): a ${rawA}; b ${rawB}.`;
  const splitTotal = where.parts.reduce((s, [, ms]) => s + ms, 0);
  const splitText = [
    `Where the time goes (one extra \`psql -f\` run with \`\\timing\`: ${sec(where.wallMs)} wall, ${sec(splitTotal)} in statements):`,
    "",
    "| statements | count | time | share |",
    "|---|---:|---:|---:|",
    ...where.parts.map(
      ([k, ms, n]) =>
        `| ${k} | ${n.toLocaleString("en")} | ${sec(ms)} | ${((100 * ms) / splitTotal).toFixed(0)}% |`,
    ),
  ].join("\n");
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${version}, server: ${server ? `embedded PostgreSQL ${serverVersion} (default settings, fsync off, autovacuum off)` : `PostgreSQL ${serverVersion} given by --database-url`}; medians of ${rounds} alternating rounds; whole process timed; 1-minute load average ${loadBefore.toFixed(1)} at the start, ${(loadavg()[0] as number).toFixed(1)} at the end`;
  const body = [table, dumpLine, machine, splitText, ...(profileText ? [profileText] : [])].join("\n\n");
  console.log(body);
  if (values.write) {
    const file = values.write as string;
    const doc = readFileSync(file, "utf8");
    const marker = /<!-- bench-restore:start -->[\s\S]*<!-- bench-restore:end -->/;
    const block = `<!-- bench-restore:start -->\n${body.replace(machine, `${machine}. Measured ${new Date().toISOString().slice(0, 10)}.`)}\n<!-- bench-restore:end -->`;
    writeFileSync(file, marker.test(doc) ? doc.replace(marker, () => block) : `${doc}\n${block}\n`);
  }
}

try {
  await main();
} catch (err) {
  // Interrupted: the signal handler cleans up, says what it could not, and exits 130 / 143.
  if (!interrupted()) {
    process.exitCode = 1;
    console.error(`bench: ${(err as Error).message}`);
  }
} finally {
  await runCleanups();
}
