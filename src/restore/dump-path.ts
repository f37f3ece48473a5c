// A dump path checked before anything is started (exit 2 for what fails): it exists and can be read; in the
// Action, its real path lies inside the workspace; a directory archive holds no symbolic link leading out of its
// folder, and its table of contents (toc.dat, toc.ts) and large-object lists name no file outside it. A link or
// a name that leads out is the same attack on the runner: pg_restore would read a file of the machine as table
// data, and the server's error would quote it back into the log, the summary and the pull request comment.

import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { UsageError } from "../core/errors.ts";
import { quoted, readHead, readSmallFile } from "./dump-io.ts";
import { isInside } from "./paths.ts";
import {
  checkDataFileName,
  checkLoToc,
  loTocNames,
  MAX_TOC_BYTES,
  parseToc,
  showName,
  type TocResult,
} from "./toc.ts";

function explainAccess(path: string, err: NodeJS.ErrnoException): UsageError {
  const shown = quoted(path);
  switch (err.code) {
    case "ENOENT":
    case "ENOTDIR":
      return new UsageError(
        `dump ${shown} does not exist. Check the path (relative paths start from the current folder).`,
      );
    case "EACCES":
    case "EPERM":
      return new UsageError(
        `dump ${shown} cannot be read: permission denied. Make it readable by this user (chmod a+r), or run as a user who may read it.`,
      );
    default:
      return new UsageError(`dump ${shown} cannot be read: ${err.message}`);
  }
}

/**
 * A dump must lie inside `within` once every symbolic link on its path is resolved: a link committed among the
 * fixtures of a pull request would otherwise have the runner's own files read as a dump (and quoted back in the
 * error, the summary and the pull request comment).
 */
function checkWithin(path: string, within: string): void {
  const root = realpathSync(within);
  if (isInside(root, realpathSync(path))) return;
  throw new UsageError(
    `dump ${quoted(path)} leads outside the workspace (${quoted(root)}): it is a symbolic link, or lies in a linked folder, that points elsewhere, so it is not read. Commit the dump itself rather than a link to it, or copy it into the workspace in an earlier step.`,
  );
}

/**
 * A directory archive is read by pg_restore file by file, and pg_dump -Fd writes no symbolic links: one whose
 * real path leaves the archive's folder would have pg_restore read a file of the machine as table data. Each
 * entry is checked with lstat, the folders in it too (a link to a folder leads out as well).
 */
function checkArchiveLinks(path: string): void {
  const root = realpathSync(path);
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const entry = join(dir, name);
      const st = lstatSync(entry);
      if (st.isSymbolicLink()) {
        let real: string | null = null;
        try {
          real = realpathSync(entry);
        } catch {
          // a dangling link (or a loop) leads nowhere pg_restore should go
        }
        if (real === null || !isInside(root, real)) {
          throw new UsageError(
            `dump ${quoted(path)} is a directory archive holding a symbolic link, ${quoted(relative(path, entry))}, that leads ${real === null ? "nowhere (it dangles)" : "out of its folder"}: pg_restore would read the file it points to as table data. pg_dump -Fd writes no links: replace the link with the file itself, or give the dump as a custom archive (pg_dump -Fc).`,
          );
        }
      } else if (st.isDirectory()) {
        walk(entry); // a real folder (links are not followed), so the walk ends
      }
    }
  };
  walk(path);
}

/** A directory archive's toc.dat, read whole and parsed as pg_restore reads it (see toc.ts). */
export function readArchiveToc(path: string): TocResult {
  const file = readSmallFile(join(path, "toc.dat"), MAX_TOC_BYTES);
  if (!file.ok) {
    return {
      ok: false,
      problem: `it is ${file.size} bytes long, more than the ${MAX_TOC_BYTES / 1024 / 1024} MiB a table of contents is read up to`,
    };
  }
  const r = parseToc(file.bytes, "directory");
  if (r.ok && r.toc.end !== file.bytes.length) {
    return {
      ok: false,
      problem: `it is corrupt: ${file.bytes.length - r.toc.end} bytes follow its last entry (pg_dump writes nothing after it)`,
    };
  }
  return r;
}

/**
 * pg_restore opens each data file a directory archive's toc.dat names as `<folder>/<name>`, and each file a
 * large-object list (blobs.toc, blobs_NNN.toc) names the same way: a name like "../../.git/config" has it read
 * a file of this machine as table data, sent to the server, and quoted back by the COPY error into the log, the
 * summary and the pull request comment. Each name must be a plain file name in the folder (pg_dump writes
 * NNNN.dat, blobs.toc, blobs_NNN.toc, blob_NNN.dat). Refused as a UsageError (exit 2), as a symbolic link out of
 * the folder is: both are the same attack on the runner, told apart from a dump that merely fails to restore,
 * and both are checked before anything is started. A toc.dat that cannot be parsed to its end is left to
 * inspectDump, which refuses it as a dump that cannot be restored (exit 4), as it does a truncated tar archive.
 *
 * Custom archives (pg_dump -Fc) carry their data inline: their TOC holds a data offset per entry, no file name
 * (pg_backup_custom.c's ReadExtraToc reads an offset), and pg_restore reads data and large objects from the
 * archive itself. Tar archives (-Ft) name their members in the TOC, but pg_restore looks those names up among
 * the tar file's own members (pg_backup_tar.c, tarOpen for reading scans the archive), never on disk. Neither
 * needs this check.
 */
function checkArchiveFileNames(path: string): void {
  const parsed = readArchiveToc(path);
  if (!parsed.ok) return; // inspectDump refuses it (exit 4)
  const refuse = (what: string): never => {
    throw new UsageError(
      `dump ${quoted(path)} is a directory archive whose ${what}: pg_restore would read a file outside the archive's folder as table data. pg_dump -Fd names only files in the folder: make the dump again with pg_dump -Fd, or give it as a custom archive (pg_dump -Fc).`,
    );
  };
  for (const e of parsed.toc.entries) {
    if (e.fileName === null) continue;
    const bad = checkDataFileName(e.fileName);
    if (bad) {
      refuse(
        `table of contents (toc.dat) names the data file ${quoted(showName(e.fileName))} for entry ${e.dumpId} (${quoted(e.desc ?? "")} ${quoted((e.tag ?? "").slice(0, 100))}), which ${bad}`,
      );
    }
  }
  for (const name of loTocNames(parsed.toc)) {
    const shown = quoted(showName(name));
    const list = join(path, Buffer.from(name).toString("utf8"));
    let st: ReturnType<typeof statSync> | null = null;
    try {
      st = statSync(list);
    } catch {
      st = null;
    }
    // pg_restore opens the name as it is when it exists, else the name with .gz, .lz4 or .zst: pg_dump never
    // compresses the list, and a compressed one is not looked into here, so it is refused.
    const compressed = [".gz", ".lz4", ".zst"].find(
      (sfx) => list.endsWith(sfx) || (st === null && statOrNull(list + sfx) !== null),
    );
    if (compressed) {
      refuse(
        `large-object list ${shown} is compressed (${compressed}), which pg_dump never does, so the files it names cannot be checked; decompress it`,
      );
    }
    if (!st?.isFile()) continue; // none: pg_restore fails to open it, and reads nothing
    const file = readSmallFile(list, MAX_TOC_BYTES);
    const bad = file.ok
      ? checkLoToc(file.bytes)
      : `it is ${file.size} bytes long, more than the ${MAX_TOC_BYTES / 1024 / 1024} MiB it is read up to`;
    if (bad) refuse(`large-object list ${shown} cannot be vouched for: ${bad}`);
  }
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Check that a dump path exists and can be read, before anything is started; with `within` (the Action's
 * workspace), that its real path lies inside it. A directory archive must hold no symbolic link leading out of
 * it, and its table of contents must name no file outside it. Throws a UsageError (exit 2).
 */
export function checkDumpPath(path: string, within?: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    throw explainAccess(path, err as NodeJS.ErrnoException);
  }
  try {
    if (within !== undefined) checkWithin(path, within);
    if (st.isDirectory()) {
      let toc: ReturnType<typeof statSync> | null = null;
      try {
        toc = statSync(join(path, "toc.dat"));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EACCES" || code === "EPERM") {
          throw new UsageError(
            `dump ${quoted(path)} cannot be read: permission denied (the folder cannot be entered, so its toc.dat cannot be read). Make the folder and its files readable by this user (chmod -R a+rX on the folder), or run as a user who may read them.`,
          );
        }
        if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
        toc = null;
      }
      if (!toc?.isFile()) {
        throw new UsageError(
          `dump ${quoted(path)} is a folder without a toc.dat, so not a pg_dump directory archive. Give the folder pg_dump -Fd wrote, or a dump file.`,
        );
      }
      readHead(join(path, "toc.dat"), 1);
      checkArchiveLinks(path);
      checkArchiveFileNames(path);
    } else if (st.isFile()) {
      readHead(path, 1);
    } else {
      throw new UsageError(
        `dump ${quoted(path)} is not a regular file or folder. Give a file or the folder of a directory archive.`,
      );
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw explainAccess(path, err as NodeJS.ErrnoException);
  }
}
