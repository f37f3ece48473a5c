// What pg_restore says, read and explained: the error lines of its stderr (a failing command followed past its
// LINE and caret lines), and what a failure means and what to do (a newer archive format, a corrupt or truncated
// archive, a worker or the whole tool killed, a directory archive with a file missing). Pure.

import { constants as osConstants } from "node:os";
import type { DumpFormat } from "../core/types.ts";
import { say } from "../core/words.ts";
import type { ArchiveHeader } from "./archive-header.ts";
import type { ToolExit } from "./run-tool.ts";

/** The error lines of pg_restore's stderr, shortened for a message. */
export function pgRestoreErrors(stderr: string): string[] {
  const lines = stderr.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    const m = /^pg_restore: (?:error|fatal|\[archiver[^\]]*\]): (.*)$/.exec(l);
    if (!m) continue;
    let text = (m[1] as string).trim();
    // "could not execute query: ERROR:  x" is followed by "LINE n:", a caret line and "Command was: ..." (the
    // command may run over several lines), up to the next "pg_restore:" line.
    let j = i + 1;
    while (j < lines.length && !(lines[j] as string).startsWith("pg_restore:")) {
      if ((lines[j] as string).startsWith("Command was:")) {
        let cmd = (lines[j] as string).slice("Command was:".length);
        for (let k = j + 1; k < lines.length && !(lines[k] as string).startsWith("pg_restore:"); k++) {
          cmd += ` ${lines[k]}`;
        }
        cmd = cmd.replace(/\s+/g, " ").trim();
        text += ` (while running: ${cmd.length > 160 ? `${cmd.slice(0, 160)}...` : cmd})`;
        break;
      }
      j++;
    }
    out.push(text.replace(/\s+/g, " "));
  }
  return out;
}

/** What pg_restore says when damaged bytes in an archive read as huge lengths or bad compressed data. */
const LOOKS_CORRUPT =
  /worker process died unexpectedly|out of memory|could not (uncompress|decompress)|invalid (compressed data|block type|distance|stored block|code lengths|literal)|incorrect (header|data) check|unrecognized data block type|unexpected data offset flag|invalid (OID|dumpId|negative|TOC)/i;

/** The signal a process died of: by the child's own signal, or docker exec's 128+N exit code. */
function deathSignal(exit: ToolExit | undefined, inContainer: boolean): string | null {
  if (!exit) return null;
  if (exit.signal) return exit.signal;
  if (inContainer && exit.code !== null && exit.code > 128 && exit.code < 128 + 65) {
    const n = exit.code - 128;
    const name = Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0];
    return name ?? null;
  }
  return null;
}

const AGAIN =
  "Make it again with pg_dump, or copy it again if it was damaged on the way (compare its size and checksum with the original's).";

/** Explain pg_restore's failure: what went wrong and what to do. */
export function explainArchiveFailure(
  errors: string[],
  stderr: string,
  header: ArchiveHeader,
  version: string,
  how: { exit?: ToolExit; format?: DumpFormat } = {},
): string {
  const { exit, format } = how;
  const inContainer = version === "in the container";
  const tool = inContainer ? "pg_restore (in the container)" : `pg_restore ${version}`;
  // A worker's death only echoes the error of the worker (or a crash): leave it out when there is more to say.
  const real = errors.filter((e) => !/worker process died unexpectedly/i.test(e));
  let all = (real.length > 0 ? real : errors).join(" | ");
  const v = /unsupported version \((\d+\.\d+)\) in file header/.exec(stderr);
  if (v) {
    return `pg_restore ${version} cannot read archive format ${v[1]} (written by pg_dump ${header.dumpVersion ?? "of a newer release"}). Use a pg_restore at least as new as that pg_dump: install those client tools, or run the restore in the server's container with ${say.set("restore-via", "docker:CONTAINER")}.`;
  }
  const signal = deathSignal(exit, inContainer);
  if (signal) {
    const said = all ? ` (after: ${all})` : "";
    if (signal === "SIGKILL") {
      return `${tool} was killed (SIGKILL) while reading the archive${said}, most likely by the out-of-memory killer: damaged bytes in an archive read as absurd lengths, which make pg_restore ask for all the memory there is. The archive is most likely corrupt. ${AGAIN}`;
    }
    return `${tool} crashed (${signal}) while reading the archive${said}: the archive is corrupt (damaged bytes that pg_restore does not check for). ${AGAIN}`;
  }
  if (all === "") all = stderr.trim().split("\n").slice(-3).join(" ").replace(/\s+/g, " ").trim();
  if (all === "") {
    return `${tool} stopped (exit code ${exit?.code ?? "unknown"}) without a message while reading the archive: the archive is most likely corrupt. ${AGAIN}`;
  }
  const open = /could not open input file "([^"]+)": ([^|]+)/.exec(all);
  if (open && format === "directory") {
    const reason = (open[2] as string).trim();
    const remedy = /permission denied/i.test(reason)
      ? "Make the folder's files readable by this user (chmod -R a+rX on the folder), or run as a user who may read them."
      : "Copy the whole folder again (every file pg_dump -Fd wrote into it), or make the dump again with pg_dump -Fd.";
    return `the directory archive is incomplete or unreadable: pg_restore could not open ${open[1]} (${reason}). ${remedy}`;
  }
  if (
    /end of file|unexpected end|could not read from input file|did not find magic string|corrupt/i.test(all)
  ) {
    return `${all}. The archive is truncated or corrupt: make it again with pg_dump, or copy it again if it was damaged on the way.`;
  }
  if (/lack of data offsets|non-seekable|could not find block ID/i.test(all)) {
    return `${all}. The archive was written to a pipe, so it cannot be restored in parallel: give ${say.set("jobs", "1")}.`;
  }
  if (LOOKS_CORRUPT.test(all)) {
    return `${all}. The archive may be corrupt: damaged bytes in an archive read as absurd lengths or bad compressed data, which makes pg_restore run out of memory or its parallel workers die. Check the file against its source (size, checksum), copy it again or make it again with pg_dump; ${say.set("jobs", "1")} shows pg_restore's own message where a worker's death hides it.`;
  }
  return all;
}
