// Test helpers: scratch databases on the run's embedded server, and programs (the built CLI) in a child process.
import { type ChildProcess, spawn } from "node:child_process";
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

export interface SpawnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export interface SpawnOptions {
  cwd?: string;
  /** The whole environment of the child (nothing is inherited). */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long: the test then fails on a null code, rather than hanging. */
  timeoutMs?: number;
  /** Run as this user (needs root). */
  uid?: number;
  /** Called once the child runs: to signal it, or to close its stdout early. */
  onStart?: (child: ChildProcess) => void;
  /** Keep at most this many characters of each stream: a run that echoes a huge line cannot take the runner down. */
  maxChars?: number;
}

/** Run a program to its end and collect what it wrote: the one spawn-and-collect of the tests. */
export function spawnCollect(command: string, args: string[], opts: SpawnOptions = {}): Promise<SpawnResult> {
  const cap = opts.maxChars ?? Number.POSITIVE_INFINITY;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? root,
      env: opts.env ?? {},
      stdio: ["ignore", "pipe", "pipe"],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      if (stdout.length < cap) stdout += d;
    });
    child.stderr.on("data", (d) => {
      if (stderr.length < cap) stderr += d;
    });
    const timer =
      opts.timeoutMs !== undefined ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : null;
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1 });
    });
    opts.onStart?.(child);
  });
}

export type CliResult = SpawnResult;

/**
 * Run the built CLI (dist/cli.js) the way a user does, with a clean environment: PATH and HOME, and `env` (no
 * DATABASE_URL or PG* variables unless given). `node` are arguments for node itself (a preload).
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  opts: Omit<SpawnOptions, "env"> & { node?: string[] } = {},
): Promise<CliResult> {
  const { node = [], ...rest } = opts;
  return spawnCollect(process.execPath, [...node, join(root, "dist", "cli.js"), ...args], {
    ...rest,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
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
