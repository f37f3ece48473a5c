// Finding pg_restore: every copy on PATH and in the usual versioned install folders, with the version each
// reports (plain SQL needs no client tool: seq-guard runs it itself, run-plain.ts). An archive can only be read
// by a pg_restore that knows its format version, so the choice follows the archive header; the rules and
// messages are pure functions of what was found.

import { execFile } from "node:child_process";
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { RestoreError } from "../core/errors.ts";
import { say } from "../core/words.ts";
import { type ArchiveHeader, majorOf, NEWEST_KNOWN_ARCHIVE_MINOR } from "./archive-header.ts";

/** Where the tools always match the server: its own container. */
const IN_CONTAINER = () => say.set("restore-via", "docker:CONTAINER");

export type Tool = "pg_restore";

export interface ClientTool {
  path: string;
  /** As --version prints it: "15.18 (Debian 15.18-0+deb12u1)". */
  version: string;
  /** 15 for 15.18; 9.6 for 9.6.24. */
  major: number;
}

/** Folders where PostgreSQL client tools of several versions live side by side (globs end in a version). */
export function candidateDirs(env: NodeJS.ProcessEnv, platform = process.platform): string[] {
  const dirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  const globs =
    platform === "win32"
      ? ["C:\\Program Files\\PostgreSQL\\*\\bin"]
      : [
          "/usr/lib/postgresql/*/bin",
          "/usr/pgsql-*/bin",
          "/usr/local/pgsql/bin",
          "/opt/homebrew/opt/postgresql@*/bin",
          "/opt/homebrew/opt/libpq/bin",
          "/usr/local/opt/postgresql@*/bin",
          "/usr/local/opt/libpq/bin",
          "/Applications/Postgres.app/Contents/Versions/*/bin",
        ];
  for (const g of globs) dirs.push(...expandGlob(g));
  return dirs;
}

/** Expand one `*` in a path (enough for the folders above). */
function expandGlob(pattern: string): string[] {
  const star = pattern.indexOf("*");
  if (star < 0) return existsSync(pattern) ? [pattern] : [];
  const sep = pattern.includes("\\") ? "\\" : "/";
  const parentEnd = pattern.lastIndexOf(sep, star);
  const parent = pattern.slice(0, parentEnd);
  const nextSep = pattern.indexOf(sep, star);
  const segment = pattern.slice(parentEnd + 1, nextSep < 0 ? undefined : nextSep);
  const rest = nextSep < 0 ? "" : pattern.slice(nextSep);
  const [before, after] = segment.split("*") as [string, string];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(before) && n.endsWith(after) && n.length >= before.length + after.length)
    .map((n) => `${parent}${sep}${n}${rest}`)
    .filter((p) => existsSync(p));
}

/** Parse `pg_restore --version` output: "pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
export function parseToolVersion(out: string): { version: string; major: number } | null {
  const m = /\(PostgreSQL\)\s+(\S.*?)\s*$/m.exec(out);
  if (!m) return null;
  const version = m[1] as string;
  const major = majorOf(version);
  return major === null ? null : { version, major };
}

function versionOf(path: string): Promise<ClientTool | null> {
  return new Promise((resolve) => {
    execFile(path, ["--version"], { timeout: 10_000, windowsHide: true }, (err, stdout) => {
      if (err) return resolve(null);
      const v = parseToolVersion(String(stdout));
      resolve(v ? { path, ...v } : null);
    });
  });
}

const cache = new Map<string, Promise<ClientTool[]>>();

/** Every copy of a tool found, in search order (PATH first), one per real file. */
export function findClients(tool: Tool, env: NodeJS.ProcessEnv = process.env): Promise<ClientTool[]> {
  const key = `${tool}\0${env.PATH ?? ""}`;
  let found = cache.get(key);
  if (!found) {
    found = (async () => {
      const exe = process.platform === "win32" ? `${tool}.exe` : tool;
      const seen = new Set<string>();
      const paths: string[] = [];
      for (const dir of candidateDirs(env)) {
        const p = join(dir, exe);
        if (!existsSync(p)) continue;
        let real = p;
        try {
          real = realpathSync(p);
        } catch {
          continue;
        }
        // Debian's /usr/bin/pg_restore is a wrapper script shared by every tool: keep it (it picks a version),
        // but not twice.
        if (seen.has(real) && !real.endsWith("pg_wrapper")) continue;
        if (seen.has(p)) continue;
        seen.add(real);
        seen.add(p);
        paths.push(p);
      }
      const tools = await Promise.all(paths.map(versionOf));
      return tools.filter((t): t is ClientTool => t !== null);
    })();
    cache.set(key, found);
  }
  return found;
}

/** The newest archive format (minor of 1.x) a pg_restore of this major version reads. */
export function maxArchiveMinor(major: number): number {
  if (major < 12) return 13;
  if (major < 16) return 14;
  if (major < 17) return 15;
  if (major < 19) return 16;
  return Number.POSITIVE_INFINITY; // a release newer than this code: trust it
}

/** The oldest pg_restore major version that reads an archive of this format (minor of 1.x). */
export function minMajorForArchive(minor: number): number {
  if (minor <= 13) return 0;
  if (minor === 14) return 12;
  if (minor === 15) return 16;
  if (minor <= NEWEST_KNOWN_ARCHIVE_MINOR) return 17;
  return 19;
}

export interface Choice {
  tool: ClientTool;
  /** Set when the chosen pg_restore is older than the pg_dump that wrote the archive. */
  warning: string | null;
}

/**
 * Pick a pg_restore that reads the archive: one at least as new as the pg_dump that wrote it when there is one,
 * preferring the server's own major version (a newer pg_restore may send settings an older server lacks), then the
 * newest. Null when none can read the archive's format.
 */
export function chooseRestore(
  tools: ClientTool[],
  header: ArchiveHeader,
  serverMajor: number | null,
): Choice | null {
  const minor = header.version[1];
  const readable = tools.filter((t) => maxArchiveMinor(t.major) >= minor);
  if (readable.length === 0) return null;
  const dumper = majorOf(header.dumpVersion);
  const newEnough = dumper === null ? readable : readable.filter((t) => t.major >= dumper);
  const pool = newEnough.length > 0 ? newEnough : readable;
  const best =
    pool.find((t) => serverMajor !== null && t.major === serverMajor) ??
    [...pool].sort((a, b) => b.major - a.major)[0];
  if (!best) return null;
  const warning =
    newEnough.length === 0 && dumper !== null
      ? `the archive was written by pg_dump ${header.dumpVersion}, newer than any pg_restore found (using ${best.version}); if the restore fails, install the PostgreSQL ${dumper} client tools`
      : null;
  return { tool: best, warning };
}

function installHint(major: number): string {
  const v = Number.isFinite(major) && major > 0 ? String(major) : "NN";
  return `install the PostgreSQL ${v} client tools (apt-get install postgresql-client-${v} from apt.postgresql.org, or brew install postgresql@${v}) and put them first on PATH`;
}

/** The message when no pg_restore found can read the archive. Names both versions and the remedy. */
export function noReaderMessage(path: string, header: ArchiveHeader, tools: ClientTool[]): string {
  const minor = header.version[1];
  const need = minMajorForArchive(minor);
  const by = header.dumpVersion ? `written by pg_dump ${header.dumpVersion}` : "written by a pg_dump";
  const needText =
    minor > NEWEST_KNOWN_ARCHIVE_MINOR
      ? "a pg_restore newer than any PostgreSQL release seq-guard knows of"
      : `pg_restore ${need} or newer`;
  const newest = [...tools].sort((a, b) => b.major - a.major)[0];
  const found = newest
    ? `the newest pg_restore found is ${newest.version} (${newest.path}), which reads archive formats up to 1.${maxArchiveMinor(newest.major)}`
    : "no pg_restore was found on PATH or in the usual install folders";
  const dumper = majorOf(header.dumpVersion);
  const remedyMajor = Math.max(need, typeof dumper === "number" ? Math.floor(dumper) : 0);
  return `${JSON.stringify(path)} is a pg_dump archive in format ${header.versionText} (${by}), which needs ${needText}; ${found}. To restore it, ${installHint(remedyMajor)}, or run the restore inside the database server's container with ${IN_CONTAINER()} (its tools always match the server).`;
}

/** Find and pick the pg_restore for an archive, or fail with the message above (exit 4). */
export async function restoreClientFor(
  path: string,
  header: ArchiveHeader,
  serverMajor: number | null,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Choice> {
  const tools = await findClients("pg_restore", env);
  if (tools.length === 0) {
    throw new RestoreError(
      `restoring ${JSON.stringify(path)} needs pg_restore, and none was found on PATH or in the usual install folders: ${installHint(
        Math.max(minMajorForArchive(header.version[1]), Math.floor(majorOf(header.dumpVersion) ?? 0)),
      )}, or use ${IN_CONTAINER()}.`,
    );
  }
  const choice = chooseRestore(tools, header, serverMajor);
  if (!choice) throw new RestoreError(noReaderMessage(path, header, tools));
  return choice;
}
