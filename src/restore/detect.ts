// What a dump is, from its content and never from its name: a pg_dump custom archive (PGDMP header), a
// directory archive (a folder with toc.dat), a tar archive (toc.dat first in a ustar file), plain SQL, or
// gzip-compressed plain SQL. detectFormat() and parseArchiveHeader() are pure; inspectDump() reads the few
// bytes they need, and a directory archive's whole toc.dat, whose file names checkDumpPath checks (toc.ts).

import {
  closeSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
} from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import zlib from "node:zlib";
import { UsageError } from "../core/errors.ts";
import { printable } from "../core/printable.ts";
import type { DumpFormat } from "../core/types.ts";
import {
  checkDataFileName,
  checkLoToc,
  loTocNames,
  MAX_TOC_BYTES,
  parseToc,
  showName,
  type TocResult,
} from "./toc.ts";

/** What the header of a pg_dump archive says. Fields after the format byte are null when unreadable. */
export interface ArchiveHeader {
  /** Archive format version, e.g. [1, 14, 0]. */
  version: [number, number, number];
  /** "1.14" */
  versionText: string;
  intSize: number;
  offSize: number;
  /** The format code pg_dump wrote (1 custom, 3 tar; directory archives write their own code). */
  formatCode: number;
  /** Name of the database it was dumped from. */
  database: string | null;
  /** Version of the server it was dumped from, e.g. "15.18". */
  serverVersion: string | null;
  /** Version of the pg_dump that wrote it, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  dumpVersion: string | null;
}

export type HeaderResult = { ok: true; header: ArchiveHeader } | { ok: false; problem: string };

/** The newest archive format this code knows the header layout of (pg_dump 17 and 18 write 1.16). */
export const NEWEST_KNOWN_ARCHIVE_MINOR = 16;

/** A name from the dump (its path, a tar member's name) in quotes, as one printable line of a message. */
const quoted = (name: string): string => printable(JSON.stringify(name));

const MAGIC = [0x50, 0x47, 0x44, 0x4d, 0x50]; // "PGDMP"

export function startsWithMagic(b: Uint8Array, at = 0): boolean {
  return MAGIC.every((m, i) => b[at + i] === m);
}

/** Read a pg_dump archive header (the layout of ReadHead in pg_backup_archiver.c). */
export function parseArchiveHeader(b: Uint8Array): HeaderResult {
  if (!startsWithMagic(b)) return { ok: false, problem: "it does not start with the PGDMP magic string" };
  let pos = 5;
  const byte = (): number => {
    if (pos >= b.length) throw new RangeError("end of header");
    return b[pos++] as number;
  };
  try {
    const vmaj = byte();
    const vmin = byte();
    const vrev = vmaj > 1 || (vmaj === 1 && vmin > 0) ? byte() : 0;
    const versionText = `${vmaj}.${vmin}`;
    if (vmaj !== 1) {
      return { ok: false, problem: `its format version ${versionText}.${vrev} is not one pg_dump writes` };
    }
    // pg_dump writes K_VERS_REV, which has been 0 since format 1.7 (PostgreSQL 7.3); pg_restore accepts any
    // revision up to 255 and may then crash on the rest of the header.
    if (vmin >= 7 && vrev !== 0) {
      return {
        ok: false,
        problem: `its format revision (${versionText}.${vrev}) is not one pg_dump writes (format ${versionText} always has revision 0)`,
      };
    }
    const intSize = byte();
    if (intSize < 1 || intSize > 32)
      return { ok: false, problem: `its integer size (${intSize}) is not sane` };
    const offSize = vmin >= 7 ? byte() : 4;
    if (offSize < 1 || offSize > 16)
      return { ok: false, problem: `its offset size (${offSize}) is not sane` };
    const formatCode = byte();
    if (![1, 2, 3, 5].includes(formatCode)) {
      return { ok: false, problem: `its format code (${formatCode}) is not one pg_dump writes` };
    }
    const header: ArchiveHeader = {
      version: [vmaj, vmin, vrev],
      versionText,
      intSize,
      offSize,
      formatCode,
      database: null,
      serverVersion: null,
      dumpVersion: null,
    };
    // A layout from the future is unknown past the format byte: say no more than we know.
    if (vmin > NEWEST_KNOWN_ARCHIVE_MINOR) return { ok: true, header };
    const int = (): number => {
      const sign = byte();
      let v = 0;
      for (let i = 0; i < intSize; i++) v += byte() * 2 ** (8 * i);
      return sign ? -v : v;
    };
    const str = (): string | null => {
      const at = pos;
      const len = int();
      if (len < 0) return null;
      if (len > 4096) throw new HeaderProblem(`a length in it (${len} bytes at offset ${at}) is absurd`);
      if (pos + len > b.length) throw new RangeError("end of header");
      const s = Buffer.from(b.buffer, b.byteOffset + pos, len).toString("utf8");
      pos += len;
      return s;
    };
    if (vmin >= 15) byte();
    else if (vmin >= 4) int();
    else if (vmin >= 2) byte();
    if (vmin >= 4) {
      for (let i = 0; i < 7; i++) int();
      header.database = str();
    }
    if (vmin >= 10) {
      const server = str();
      const dumper = str();
      const isVersion = (s: string | null) => s !== null && /^\d+(\.\d+)*\S*( .*)?$/.test(s);
      header.serverVersion = isVersion(server) ? server : null;
      header.dumpVersion = isVersion(dumper) ? dumper : null;
    }
    return { ok: true, header };
  } catch (err) {
    if (err instanceof HeaderProblem) return { ok: false, problem: err.message };
    return {
      ok: false,
      problem: `the file ends inside its header (after ${b.length} bytes): it is truncated`,
    };
  }
}

/** A header field that pg_dump never writes. */
class HeaderProblem extends Error {}

/** The major version of a version string: "15.18 (Debian)" -> 15, "9.6.24" -> 9.6. */
export function majorOf(version: string | null): number | null {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version ?? "");
  if (!m) return null;
  const major = Number(m[1]);
  return major < 10 && m[2] !== undefined ? Number(`${major}.${m[2]}`) : major;
}

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

/** A tar header's member name: its first 100 bytes, up to the first NUL. */
function tarName(h: Uint8Array): string {
  const nul = h.subarray(0, 100).indexOf(0);
  return Buffer.from(h.buffer, h.byteOffset, nul < 0 ? 100 : nul).toString("utf8");
}

function tarMember(b: Uint8Array): { name: string } | null {
  if (b.length < 512) return null;
  const magic = Buffer.from(b.buffer, b.byteOffset + 257, 5).toString("latin1");
  if (magic !== "ustar") return null;
  return { name: tarName(b) };
}

/** Reads `length` bytes at `position` of a file (fewer at its end). */
export type ReadAt = (position: number, length: number) => Uint8Array;

const BLOCK = 512;

/** A tar header's numeric field: octal digits (space or NUL ended), or base-256 when its first byte has 0x80. */
function tarNumber(h: Uint8Array, at: number, len: number): number | null {
  const first = h[at] as number;
  if (first & 0x80) {
    if (first === 0xff) return null; // negative
    let v = first & 0x7f;
    for (let i = at + 1; i < at + len; i++) v = v * 256 + (h[i] as number);
    return v;
  }
  let i = at;
  const end = at + len;
  while (i < end && (h[i] === 0x20 || h[i] === 0)) i++;
  let v = 0;
  let digits = 0;
  for (; i < end && h[i] !== 0x20 && h[i] !== 0; i++) {
    const c = h[i] as number;
    if (c < 0x30 || c > 0x37) return null;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) if (h[i] !== 0x20 && h[i] !== 0) return null;
  return digits > 0 ? v : null;
}

/** The sum a ustar header must carry: every byte, with the checksum field read as spaces. */
function tarChecksumOk(h: Uint8Array): boolean {
  const stored = tarNumber(h, 148, 8);
  if (stored === null) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] as number);
  return sum === stored;
}

const isZero = (b: Uint8Array) => b.every((c) => c === 0);

/**
 * Walk a tar file header to header (each member's data is skipped, not read): every member must fit in the
 * file, and the two zero blocks that end a tar archive (pg_dump writes them) must follow the last one. pg_restore
 * 15 spins forever on a tar archive cut short, so this is checked before it runs. Returns the problem, or null.
 */
export function checkTarArchive(read: ReadAt, size: number): string | null {
  const AGAIN =
    "Make the dump again with pg_dump -Ft, or copy it again if it was cut short or damaged on the way (compare its size with the original's).";
  let pos = 0;
  let members = 0;
  let last = "";
  for (;;) {
    if (pos + BLOCK > size) {
      return pos === size
        ? `the tar archive is truncated: it ends after its member ${quoted(last)} without the two zero blocks that end a tar archive (pg_dump writes them). ${AGAIN}`
        : `the tar archive is truncated: it ends inside the tar header at offset ${pos}, after ${members} member${members === 1 ? "" : "s"} (pg_restore would hang on it). ${AGAIN}`;
    }
    const h = read(pos, BLOCK);
    if (h.length < BLOCK) return `the tar archive could not be read at offset ${pos}. ${AGAIN}`;
    if (isZero(h)) {
      if (pos + 2 * BLOCK > size) {
        return `the tar archive is truncated: it ends inside the two zero blocks that end a tar archive (at offset ${pos}). ${AGAIN}`;
      }
      if (isZero(read(pos + BLOCK, BLOCK))) return null;
      // A lone zero block: pg_restore skips it, and so does this walk.
      pos += BLOCK;
      continue;
    }
    const name = tarName(h);
    if (!tarChecksumOk(h)) {
      return `the tar archive is corrupt: the block at offset ${pos}${members > 0 ? ` (after member ${quoted(last)})` : ""} is not a valid tar header (its checksum does not match). ${AGAIN}`;
    }
    const length = tarNumber(h, 124, 12);
    if (length === null) {
      return `the tar archive is corrupt: the size of member ${quoted(name)} at offset ${pos} is unreadable. ${AGAIN}`;
    }
    const next = pos + BLOCK + Math.ceil(length / BLOCK) * BLOCK;
    if (next > size) {
      return `the tar archive is truncated: its member ${quoted(name)} (${length} bytes, at offset ${pos}) runs past the end of the file (${size} bytes): pg_restore would hang on it, or restore part of its data. ${AGAIN}`;
    }
    members++;
    last = name;
    pos = next;
  }
}

/** A ReadAt over an open file, reading 64 KB at a time so that headers of small members come from one read. */
function fileReader(fd: number): ReadAt {
  // The bytes returned are valid until the next call.
  const window = Buffer.alloc(64 * 1024);
  let got = 0;
  let start = -1;
  return (position, length) => {
    if (length > window.length) throw new RangeError("read too long");
    if (start < 0 || position < start || position + length > start + got) {
      got = 0;
      start = position;
      while (got < window.length) {
        const r = readSync(fd, window, got, window.length - got, position + got);
        if (r === 0) break;
        got += r;
      }
    }
    const from = position - start;
    return window.subarray(from, Math.min(from + length, got));
  };
}

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

const HEAD_BYTES = 64 * 1024;

function readHead(path: string, n = HEAD_BYTES): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, buf, got, n - got, got);
      if (r === 0) break;
      got += r;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export interface DumpInfo {
  path: string;
  isDirectory: boolean;
  /** Bytes on disk (a directory: the sum of its files). */
  size: number;
  detection: Detection;
}

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

/** Is `real` (a real path) `root` or inside it? */
function inside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * A dump must lie inside `within` once every symbolic link on its path is resolved: a link committed among the
 * fixtures of a pull request would otherwise have the runner's own files read as a dump (and quoted back in the
 * error, the summary and the pull request comment).
 */
function checkWithin(path: string, within: string): void {
  const root = realpathSync(within);
  if (inside(root, realpathSync(path))) return;
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
        if (real === null || !inside(root, real)) {
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

/** A whole file, when it is no larger than `max` bytes (read from one open file: its size and bytes agree). */
function readSmallFile(path: string, max: number): { ok: true; bytes: Buffer } | { ok: false; size: number } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > max) return { ok: false, size };
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const r = readSync(fd, buf, got, size - got, got);
      if (r === 0) break;
      got += r;
    }
    return { ok: true, bytes: buf.subarray(0, got) };
  } finally {
    closeSync(fd);
  }
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

/** What a directory archive whose toc.dat cannot be read to its end is told (exit 4, like a truncated tar). */
function tocUnreadable(problem: string): string {
  return `its table of contents (toc.dat) cannot be read to its end, so the files it names cannot be checked before pg_restore opens them: ${problem}. Make the dump again with pg_dump -Fd, or copy the folder again if it was cut short or damaged on the way.`;
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
