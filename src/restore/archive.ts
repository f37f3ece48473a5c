// Archives (custom, directory, tar) restored with pg_restore: the pg_restore that reads the archive chosen
// (clients.ts; in a container, the container's own), the archive copied into the container when pg_restore must
// seek in it, its table of contents read (with the user's selection) for the hints and the sandbox, its encoding
// read for CREATE DATABASE; then the restore itself, with the arguments seq-guard always gives, the user's, and
// the sandbox's, and its failure explained (pg-restore-errors.ts).

import { devNull } from "node:os";
import { resolve } from "node:path";
import { RestoreError } from "../core/errors.ts";
import type { DumpFormat } from "../core/types.ts";
import type { ArchiveHeader } from "./archive-header.ts";
import { fileValues } from "./args.ts";
import { restoreClientFor } from "./clients.ts";
import type { DumpInfo } from "./detect.ts";
import { type ArchiveListStats, archiveListStats, selectionArgs } from "./hints.ts";
import { passedOver } from "./passed-over.ts";
import { explainArchiveFailure, pgRestoreErrors } from "./pg-restore-errors.ts";
import { type Sandboxes, sandboxRemedy } from "./sandboxes.ts";
import type { ArchiveSource, Cleanups, RestoreTools } from "./tools.ts";

/** An archive ready to restore: its tool chosen, its table of contents read, copied into the container if need be. */
export interface PreparedArchive extends ArchiveSource {
  info: DumpInfo;
  format: Exclude<DumpFormat, "plain" | "plain-gzip">;
  header: ArchiveHeader;
  /** The pg_restore version chosen (local tools); "" inside a container. */
  toolVersion: string;
  /** The client_encoding the archive's data is in, when it says. */
  encoding: string | null;
  stats: ArchiveListStats;
  /** The table of contents as pg_restore -l prints it (with the selection arguments). */
  toc: string;
}

/** How archives are restored: the restore settings pg_restore's part depends on. */
export interface ArchiveSettings {
  jobs: number;
  onError: "stop" | "continue";
  /** The restore arguments as the user gave them. */
  extraArgs: string[];
}

const SERVER_SIDE_ARGS = new Set(["-j", "--jobs", "-1", "--single-transaction"]);

/** jobs > 1 and no restore argument that rules parallel restore out (or sets --jobs itself). */
export function parallelAllowed(s: Pick<ArchiveSettings, "jobs" | "extraArgs">): boolean {
  return (
    s.jobs > 1 && !s.extraArgs.some((a) => SERVER_SIDE_ARGS.has(a.split("=")[0] as string) || /^-j\d/.test(a))
  );
}

/**
 * The restore arguments as pg_restore gets them. In a container, a file pg_restore names (-L LIST, --filter
 * FILE) is copied in and named by its copy.
 */
export async function pgRestoreArgs(
  tools: RestoreTools,
  args: string[],
  cleanups: Cleanups,
): Promise<string[]> {
  const out = [...args];
  const via = tools.via;
  for (const f of fileValues("pg_restore", args)) {
    if (!via) continue;
    const dest = await tools.copyIn(via, resolve(f.path), cleanups);
    out[f.index] = (out[f.index] as string).slice(0, f.at) + dest;
  }
  return out;
}

/** Choose the tool for an archive, copy it into the container if need be, read its table of contents. */
export async function prepareArchive(
  tools: RestoreTools,
  info: DumpInfo,
  s: ArchiveSettings & { pgRestoreArgs: string[]; serverMajor: number; env: NodeJS.ProcessEnv },
  notes: string[],
  cleanups: Cleanups,
): Promise<PreparedArchive> {
  const d = info.detection as Extract<DumpInfo["detection"], { ok: true; header: ArchiveHeader }>;
  const header = d.header;
  let toolPath = "pg_restore";
  let toolVersion = "";
  let containerCopy: string | null = null;
  if (!tools.via) {
    const choice = await restoreClientFor(info.path, header, s.serverMajor, s.env);
    toolPath = choice.tool.path;
    toolVersion = choice.tool.version;
    if (choice.warning) notes.push(choice.warning);
  } else if (info.isDirectory || (d.format === "custom" && parallelAllowed(s))) {
    // A directory cannot be streamed; a custom archive can, but pg_restore --jobs needs a file to seek in.
    containerCopy = await tools.copyIn(tools.via, resolve(info.path), cleanups);
  }
  const source: ArchiveSource = { path: info.path, toolPath, containerCopy };
  const list = await tools.pgRestore(source, ["-l", ...selectionArgs(s.pgRestoreArgs)], null, {
    captureStdout: true,
  });
  if (list.code !== 0) {
    const errors = pgRestoreErrors(list.stderr);
    throw new RestoreError(
      `could not read the table of contents of ${JSON.stringify(info.path)} (${d.format} archive): ${explainArchiveFailure(errors, list.stderr, header, toolVersion || "in the container", { exit: list, format: d.format })}`,
    );
  }
  const pre = await tools.pgRestore(source, ["-f", "-", "-L", tools.via ? "/dev/null" : devNull], null, {
    captureStdout: true,
  });
  return {
    ...source,
    info,
    format: d.format,
    header,
    toolVersion,
    encoding: /^SET client_encoding = '([^']+)';/m.exec(pre.stdout)?.[1] ?? null,
    stats: archiveListStats(list.stdout),
    toc: list.stdout,
  };
}

/** Restore a prepared archive into database `name`; a failure comes back as its message. */
export async function restoreArchive(
  tools: RestoreTools,
  sandboxes: Sandboxes,
  p: PreparedArchive,
  name: string,
  s: ArchiveSettings & { pgRestoreArgs: string[] },
  notes: string[],
): Promise<string | null> {
  const { info, format } = p;
  const args = ["--no-owner", "--no-privileges"];
  if (s.onError === "stop") args.push("--exit-on-error");
  const fromFile = !tools.via || p.containerCopy !== null;
  if (fromFile && (format === "custom" || format === "directory") && parallelAllowed(s)) {
    args.push(`--jobs=${s.jobs}`);
  }
  args.push(...s.pgRestoreArgs);
  const sandboxed = await sandboxes.archiveExtensions(tools, p, name, s.pgRestoreArgs);
  args.push(...sandboxed.args);
  const run = await tools.pgRestore(p, args, name, {}).finally(sandboxed.done);
  const errors = pgRestoreErrors(run.stderr);
  const ignored = /errors ignored on restore: (\d+)/.exec(run.stderr);
  if (run.code !== 0 && !(s.onError === "continue" && ignored)) {
    return `could not restore ${JSON.stringify(info.path)} (${format} archive) with pg_restore${p.toolVersion ? ` ${p.toolVersion}` : ` in container ${tools.via}`}: ${explainArchiveFailure(errors, run.stderr, p.header, p.toolVersion || "in the container", { exit: run, format })}${sandboxRemedy(run.stderr, sandboxes.roleOf(name) !== undefined)}`;
  }
  if (ignored && s.onError === "continue") {
    notes.push(...passedOver("pg_restore", errors, Number(ignored[1])));
  }
  return null;
}
