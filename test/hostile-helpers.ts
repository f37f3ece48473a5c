// Helpers of the hostile-fixture tests (test/hostile-*.test.ts): the built CLI in a child process (optionally with
// the RSS preload), what the server looks like from the outside (roles, databases, postgresql.auto.conf, role
// settings), and the checks that a secret read from outside the fixture folder shows nowhere.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminUrl, root, runCli, withClient } from "./helpers.ts";

export const RSS_PRELOAD = join(root, "test", "rss-preload.mjs");

export interface SgRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak RSS of the CLI process in KiB, when run with `rss: true` and it exited normally. */
  maxRssKiB: number | null;
  /** The content of --report-json, when the run was given `reportJson` and wrote it. */
  reportJson: string;
}

/**
 * Run the built CLI (dist/cli.js) with a clean environment, like helpers.ts's runCli, plus: a timeout (the child
 * is killed, the test then fails on a null code), `--report-json` into a file read back, and the RSS preload.
 */
export async function sgRun(
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    rss?: boolean;
    reportJson?: boolean;
    timeoutMs?: number;
  } = {},
): Promise<SgRun> {
  const work = mkdtempSync(join(tmpdir(), "sg-hostile-run-"));
  const rssFile = join(work, "rss");
  const jsonFile = join(work, "report.json");
  const pre = opts.rss ? ["--import", RSS_PRELOAD] : [];
  const extra = opts.reportJson ? ["--report-json", jsonFile] : [];
  // Bounded capture: a run that echoes a 1 GB line must not take the test runner down with it.
  const r = await runCli(
    [...args, ...extra],
    opts.rss ? { SEQ_GUARD_RSS_FILE: rssFile, ...opts.env } : opts.env,
    {
      node: pre,
      cwd: opts.cwd,
      maxChars: 8 * 1024 * 1024,
      timeoutMs: opts.timeoutMs ?? 180_000,
    },
  );
  const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) : null;
  const reportJson = existsSync(jsonFile) ? readFileSync(jsonFile, "utf8") : "";
  rmSync(work, { recursive: true, force: true });
  return { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, maxRssKiB: rss, reportJson };
}

export interface TargetLike {
  database: string;
  dump: string | null;
  error: string | null;
  hints: string[];
  sequences: { sequence: string; status: string }[];
}

/** The --json report on stdout, or a failure that shows what came instead. */
export function jsonReport(r: SgRun): { ok: boolean; targets: TargetLike[] } {
  try {
    return JSON.parse(r.stdout) as { ok: boolean; targets: TargetLike[] };
  } catch {
    throw new Error(
      `not a JSON report (exit ${r.code}, signal ${r.signal}): ${r.stdout.slice(0, 400)}\n${r.stderr.slice(0, 2000)}`,
    );
  }
}

export function describeRun(r: SgRun): string {
  return `exit ${r.code} (signal ${r.signal})\nstdout: ${r.stdout.slice(0, 3000)}\nstderr: ${r.stderr.slice(0, 3000)}`;
}

export const admin = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
  withClient(adminUrl(), async (c) => (await c.query(sql, params)).rows as T[]);

export const connectingRole = (): string => decodeURIComponent(new URL(adminUrl()).username);
export const adminPassword = (): string => decodeURIComponent(new URL(adminUrl()).password);

/** A fresh temp folder; with `world`, writable by the server's OS user too (COPY ... TO PROGRAM runs as it). */
export function tempDir(prefix: string, world = false): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  if (world) chmodSync(d, 0o777);
  return d;
}

export const reverse = (s: string): string => [...s].reverse().join("");

/** The secret (and its reverse, the trick that dodges masking) appears in none of these texts. */
export function assertSecretNowhere(secret: string, places: Record<string, string>): void {
  for (const [where, text] of Object.entries(places)) {
    assert.ok(
      !text.includes(secret),
      `the secret read from outside the fixture shows in the ${where}:\n${text}`,
    );
    assert.ok(
      !text.includes(reverse(secret)),
      `the secret read from outside the fixture shows reversed in the ${where}:\n${text}`,
    );
  }
}

// ---- The server seen from outside ------------------------------------------------------------------------------

/** Roles other test files make for a while (their own names), never counted as left behind by seq-guard. */
const OTHER_TESTS_ROLES =
  /^(sg_pw_[0-9a-f]+|sg_reader|sg_sql_role|sg_rs_role_\d+|sg_t_[a-z]+_[0-9a-f]+|hostile_[a-z0-9_]+)$/;

export interface ClusterState {
  roles: string[];
  autoConf: string;
  fileSettings: string[];
  roleSettings: string[];
  connectingRole: string;
}

/** What a fixture must never change: the server's roles, its configuration files, the connecting role's settings. */
export async function clusterState(): Promise<ClusterState> {
  return await withClient(adminUrl(), async (c) => {
    const roles = (await c.query<{ r: string }>("SELECT rolname AS r FROM pg_roles ORDER BY 1")).rows.map(
      (x) => x.r,
    );
    const autoConf =
      (await c.query<{ t: string }>("SELECT pg_read_file('postgresql.auto.conf') AS t")).rows[0]?.t ?? "";
    const fileSettings = (
      await c.query<{ s: string }>(
        "SELECT concat_ws(':', sourcefile, sourceline, seqno, name, setting, applied) AS s FROM pg_file_settings ORDER BY 1",
      )
    ).rows.map((x) => x.s);
    const roleSettings = (
      await c.query<{ s: string }>(
        `SELECT concat_ws('/', coalesce(r.rolname, '(all)'), coalesce(d.datname, '(all)'), array_to_string(s.setconfig, ',')) AS s
         FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase
         WHERE s.setrole = 0 OR r.rolname = current_user ORDER BY 1`,
      )
    ).rows.map((x) => x.s);
    const me = (
      await c.query<{ s: string }>(
        `SELECT concat_ws(',', rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
                rolbypassrls, rolconnlimit, rolvaliduntil) AS s FROM pg_roles WHERE rolname = current_user`,
      )
    ).rows[0]?.s;
    return { roles, autoConf, fileSettings, roleSettings, connectingRole: me ?? "" };
  });
}

/** Roles and databases an attack names: evil_* (and anything else the test passes). */
export async function evilLeftovers(): Promise<{ roles: string[]; databases: string[] }> {
  const roles = await admin<{ r: string }>(
    "SELECT rolname AS r FROM pg_roles WHERE rolname LIKE 'evil%' ORDER BY 1",
  );
  const dbs = await admin<{ d: string }>(
    "SELECT datname AS d FROM pg_database WHERE datname LIKE 'evil%' ORDER BY 1",
  );
  return { roles: roles.map((x) => x.r), databases: dbs.map((x) => x.d) };
}

export async function databasesLike(prefix: string): Promise<string[]> {
  const rows = await admin<{ d: string }>(
    "SELECT datname AS d FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1",
    [prefix],
  );
  return rows.map((x) => x.d);
}

/**
 * The roles that exist now and did not before, minus other test files' own roles. Other files' seq-guard runs
 * may hold a temporary role of their own for a moment, so a newcomer counts only if it is still there after up to
 * `graceMs` (a role seq-guard leaves behind stays forever; no timing is asserted).
 */
export async function rolesLeftBehind(before: string[], graceMs = 60_000): Promise<string[]> {
  const known = new Set(before);
  const deadline = Date.now() + graceMs;
  for (;;) {
    const now = (await clusterState()).roles;
    const extra = now.filter((r) => !known.has(r) && !OTHER_TESTS_ROLES.test(r));
    if (extra.length === 0 || Date.now() > deadline) return extra;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Put back what an attack that landed changed, so that the other tests run on the server they expect. */
export async function undoAttacks(before: ClusterState): Promise<void> {
  const left = await evilLeftovers();
  for (const d of left.databases) await admin(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
  for (const r of left.roles) {
    await admin(`DROP OWNED BY "${r}"`).catch(() => undefined);
    await admin(`DROP ROLE IF EXISTS "${r}"`).catch(() => undefined);
  }
  const now = await clusterState();
  if (now.autoConf !== before.autoConf) {
    await admin("ALTER SYSTEM RESET work_mem");
    await admin("ALTER SYSTEM RESET hostile.pwned").catch(() => undefined);
  }
  if (now.roleSettings.join("\n") !== before.roleSettings.join("\n")) {
    await admin(`ALTER ROLE CURRENT_USER RESET "hostile.pwned"`).catch(() => undefined);
    await admin('ALTER ROLE ALL RESET "hostile.pwned"').catch(() => undefined);
  }
}
