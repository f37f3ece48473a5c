// Test helpers: scratch databases on the run's embedded server, and the built CLI in a child process.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import type { RestoreOptions } from "../src/restore/options.ts";

export const root = join(import.meta.dirname, "..");

export function adminUrl(): string {
  const url = process.env.SEQ_GUARD_TEST_URL;
  if (!url)
    throw new Error("SEQ_GUARD_TEST_URL is not set: run the tests with `npm test`, which starts PostgreSQL.");
  return url;
}

export function urlFor(database: string, base = adminUrl()): string {
  const u = new URL(base);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface ScratchDb {
  name: string;
  url: string;
  query: <R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ) => Promise<R[]>;
  drop: () => Promise<void>;
}

/** A fresh database, optionally loaded with SQL. Drop it when done. */
export async function scratchDb(sql?: string): Promise<ScratchDb> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  await withClient(adminUrl(), (c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
  const url = urlFor(name);
  const db: ScratchDb = {
    name,
    url,
    query: async (q, params) => withClient(url, async (c) => (await c.query(q, params)).rows),
    drop: async () => {
      await withClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
  if (sql) await withClient(url, (c) => c.query(sql));
  return db;
}

const SEQ_STATES_SQL = `
SELECT format('%I.%I', n.nspname, c.relname) AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' ORDER BY 1`;

/** Every sequence's last_value/is_called, read straight from each sequence relation (as the superuser). */
export async function sequenceStates(db: ScratchDb): Promise<Map<string, string>> {
  const names = await db.query<{ name: string }>(SEQ_STATES_SQL);
  const out = new Map<string, string>();
  for (const { name } of names) {
    const [row] = await db.query<{ lv: string; ic: boolean }>(
      `SELECT last_value::text AS lv, is_called AS ic FROM ${name}`,
    );
    out.set(name, `${row?.lv}/${row?.ic}`);
  }
  return out;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (dist/cli.js) the way a user does. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  opts: { cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "dist", "cli.js"), ...args], {
      cwd: opts.cwd ?? root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
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
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Restore options as the CLI's defaults give them (one job, dropped afterwards), with `over` on top. */
export function restoreOptions(over: Partial<RestoreOptions> = {}): RestoreOptions {
  return {
    database: undefined,
    clean: false,
    keep: false,
    extraArgs: [],
    jobs: 1,
    onError: "stop",
    viaContainer: undefined,
    trustFixture: false,
    extensions: [],
    ...over,
  };
}
