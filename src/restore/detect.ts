// What a dump is, from its content and never from its name: a pg_dump custom archive (PGDMP header), a
// directory archive (a folder with toc.dat), a tar archive (toc.dat first in a ustar file), plain SQL, or
// gzip-compressed plain SQL. detectFormat() is pure; inspectDump() reads the few bytes it needs (dump-io.ts),
// walks a tar archive whole (tar.ts) and reads a directory archive's whole toc.dat, after checkDumpPath
// (dump-path.ts) has vouched for the path.

import { closeSync, openSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import type { DumpFormat } from "../core/types.ts";
import { type ArchiveHeader, parseArchiveHeader, startsWithMagic } from "./archive-header.ts";
import { fileReader, HEAD_BYTES, quoted, readHead } from "./dump-io.ts";
import { checkDumpPath, readArchiveToc } from "./dump-path.ts";
import { checkTarArchive, tarMember } from "./tar.ts";

// The front ends check dump paths through this module.
export { checkDumpPath } from "./dump-path.ts";

/** Does this sample look like text (SQL) rather than binary data? */
export function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  let control = 0;
  for (const c of b) {
    if (c === 0) return false;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) || c === 0x7f) {
      control++;
    }
  }
  return control <= b.length / 100;
}

/** The client_encoding a plain SQL dump sets near its top, e.g. "UTF8". */
export function plainEncoding(head: Uint8Array): string | null {
  const text = Buffer.from(head.buffer, head.byteOffset, head.length).toString("latin1");
  const m = /^\s*SET\s+client_encoding\s*=\s*'([A-Za-z0-9_-]+)'\s*;/im.exec(text);
  return m ? (m[1] as string) : null;
}

const OTHER_COMPRESSIONS: [number[], string, string][] = [
  [[0x28, 0xb5, 0x2f, 0xfd], "zstd", "zstd -d"],
  [[0x04, 0x22, 0x4d, 0x18], "lz4", "lz4 -d"],
  [[0x42, 0x5a, 0x68], "bzip2", "bunzip2"],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "xz", "unxz"],
  [[0x50, 0x4b, 0x03, 0x04], "zip", "unzip"],
];

export interface DumpSample {
  /** The path is a directory. */
  isDirectory: boolean;
  /** The first bytes of the file, or of the directory's toc.dat (null when the directory has none). */
  head: Uint8Array | null;
  /** For gzip files: the first bytes of the decompressed content. */
  gunzipped?: Uint8Array | null;
  /** Size on disk in bytes (for messages). */
  size?: number;
}

export type Detection =
  | { ok: true; format: "custom" | "directory" | "tar"; header: ArchiveHeader }
  | { ok: true; format: "plain" | "plain-gzip"; encoding: string | null }
  | { ok: false; problem: string; format?: DumpFormat };

const NOT_A_DUMP =
  "Give a dump made by pg_dump: custom (-Fc), directory (-Fd), tar (-Ft) or plain SQL (optionally gzip-compressed).";

function archiveHeaderProblem(what: string, problem: string): Detection {
  return {
    ok: false,
    problem: `${what} starts like a pg_dump archive, but its header is corrupt: ${problem}. Make the dump again with pg_dump, or copy it again if it was damaged on the way.`,
  };
}

/** Tell the format of a dump from its first bytes. Pure. */
export function detectFormat(s: DumpSample): Detection {
  if (s.isDirectory) {
    if (!s.head) {
      return {
        ok: false,
        problem: `it is a folder without a toc.dat, so not a pg_dump directory archive. ${NOT_A_DUMP}`,
      };
    }
    const h = parseArchiveHeader(s.head);
    if (!h.ok) return archiveHeaderProblem("its toc.dat", h.problem);
    return { ok: true, format: "directory", header: h.header };
  }
  const b = s.head ?? new Uint8Array();
  if (b.length === 0) return { ok: false, problem: `the file is empty. ${NOT_A_DUMP}` };
  if (startsWithMagic(b)) {
    const h = parseArchiveHeader(b);
    if (!h.ok) return archiveHeaderProblem("the file", h.problem);
    if (h.header.formatCode !== 1) {
      return {
        ok: false,
        problem:
          "it is the table of contents (toc.dat) of a directory or tar archive, not a whole dump: give the folder of a directory archive, or the .tar file",
      };
    }
    return { ok: true, format: "custom", header: h.header };
  }
  const tar = tarMember(b);
  if (tar) {
    if (tar.name === "toc.dat" && b.length > 512) {
      const h = parseArchiveHeader(b.subarray(512));
      if (!h.ok) return archiveHeaderProblem("the toc.dat in this tar file", h.problem);
      return { ok: true, format: "tar", header: h.header };
    }
    return {
      ok: false,
      problem: `it is a tar file, but not a pg_dump tar archive (its first member is ${quoted(tar.name)}, not toc.dat). If it holds a directory-format dump, extract it and give the folder.`,
    };
  }
  if (b[0] === 0x1f && b[1] === 0x8b) {
    const g = s.gunzipped ?? null;
    if (!g || g.length === 0) {
      return {
        ok: false,
        problem: "it is gzip-compressed, but its content could not be decompressed: the file is corrupt.",
      };
    }
    if (startsWithMagic(g) || tarMember(g)) {
      return {
        ok: false,
        problem:
          "it is a gzip-compressed pg_dump archive: decompress it first (gunzip) and give the archive; custom and directory archives are compressed inside already.",
      };
    }
    if (!looksLikeText(g)) {
      return {
        ok: false,
        problem: `it is gzip-compressed, but what it holds is not SQL text. ${NOT_A_DUMP}`,
      };
    }
    return { ok: true, format: "plain-gzip", encoding: plainEncoding(g) };
  }
  for (const [magic, name, command] of OTHER_COMPRESSIONS) {
    if (magic.every((m, i) => b[i] === m)) {
      return {
        ok: false,
        problem: `it is ${name}-compressed: decompress it first (${command}) and give the result. Only gzip is decompressed on the fly.`,
      };
    }
  }
  if (!looksLikeText(b)) {
    return {
      ok: false,
      problem: `it is neither a pg_dump archive nor SQL text (it holds binary data). ${NOT_A_DUMP}`,
    };
  }
  return { ok: true, format: "plain", encoding: plainEncoding(b) };
}

export interface DumpInfo {
  path: string;
  isDirectory: boolean;
  /** Bytes on disk (a directory: the sum of its files). */
  size: number;
  detection: Detection;
}

/** What a directory archive whose toc.dat cannot be read to its end is told (exit 4, like a truncated tar). */
function tocUnreadable(problem: string): string {
  return `its table of contents (toc.dat) cannot be read to its end, so the files it names cannot be checked before pg_restore opens them: ${problem}. Make the dump again with pg_dump -Fd, or copy the folder again if it was cut short or damaged on the way.`;
}

function dirSize(path: string): number {
  let total = 0;
  for (const name of readdirSync(path)) {
    try {
      const st = statSync(join(path, name));
      if (st.isFile()) total += st.size;
    } catch {
      // a file that vanished does not count
    }
  }
  return total;
}

/** Read what detectFormat needs from a dump on disk. Throws a UsageError when the path cannot be read. */
export function inspectDump(path: string): DumpInfo {
  checkDumpPath(path);
  const st = statSync(path);
  if (st.isDirectory()) {
    const head = readHead(join(path, "toc.dat"));
    let detection = detectFormat({ isDirectory: true, head });
    if (detection.ok) {
      // checkDumpPath vouched for the names only if the whole TOC could be read: otherwise it is refused here.
      const toc = readArchiveToc(path);
      if (!toc.ok) detection = { ok: false, problem: tocUnreadable(toc.problem), format: "directory" };
    }
    return { path, isDirectory: true, size: dirSize(path), detection };
  }
  const head = readHead(path);
  const detection = detectFormat({ isDirectory: false, head, gunzipped: gunzipHead(head), size: st.size });
  return {
    path,
    isDirectory: false,
    size: st.size,
    detection:
      detection.ok && detection.format === "tar" ? checkTarFile(path, st.size, detection) : detection,
  };
}

/** A tar archive that detection took for one is checked whole (header to header) before pg_restore reads it. */
function checkTarFile(path: string, size: number, detection: Detection): Detection {
  const fd = openSync(path, "r");
  try {
    const problem = checkTarArchive(fileReader(fd), size);
    return problem ? { ok: false, problem, format: "tar" } : detection;
  } finally {
    closeSync(fd);
  }
}

function gunzipHead(head: Buffer): Uint8Array | null {
  let gunzipped: Uint8Array | null = null;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    try {
      gunzipped = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, HEAD_BYTES);
    } catch {
      gunzipped = null;
    }
  }
  return gunzipped;
}
