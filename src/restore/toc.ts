// The table of contents of a pg_dump archive (toc.dat of a directory or tar archive, the start of a custom one),
// read the way pg_restore reads it: ReadHead and ReadToc of pg_backup_archiver.c, then each format's
// ReadExtraToc. Pure over bytes and bounded: every length is checked against the bytes left before anything is
// read, so a hostile length field costs nothing, and nothing is allocated beyond the strings kept (tag, desc,
// file name), which the file's own size bounds.
//
// Why it exists: a directory archive's toc.dat names each entry's data file, and pg_restore opens
// `<folder>/<name>` (pg_backup_directory.c, setFilePath: "%s/%s") whatever the name holds. A name such as
// "../../.git/config" has pg_restore read a file of the runner as COPY data and send it to the server, whose
// error then quotes its lines. The same goes for the large-object lists (blobs.toc, blobs_NNN.toc): each line is
// "<oid> <file name>", opened as `<folder>/<file name>`. See checkDataFileName and checkLoToc.
//
// Archive versions: the directory format exists since pg_dump 9.1, which wrote 1.12; 1.13 (pg_dump 9.3.22,
// 9.4.17, 9.5.12, 9.6.8, 10.3 and 11: search_path, no layout change), 1.14 (pg_dump 12 to 15: the table access
// method, a string in each entry), 1.15 (pg_dump 16: the compression algorithm, a byte in the header instead of
// the compression level, an int), 1.16 (pg_dump 17 and 18: relkind, an int in each entry; several BLOBS entries,
// each with its own blobs_<dumpId>.toc). Only 1.12 to 1.16 are read here: older ones pg_dump never wrote for a
// directory archive, and a newer one has a layout this code cannot know, so neither can be vouched for.

/** The oldest and newest archive format minor version this reader knows the layout of (1.12 to 1.16). */
export const OLDEST_TOC_MINOR = 12;
export const NEWEST_TOC_MINOR = 16;

/** toc.dat, and a large-object list, larger than this are not read (pg_dump's are kilobytes to a few MiB). */
export const MAX_TOC_BYTES = 64 * 1024 * 1024;

/** What follows each entry, by archive format (its ReadExtraToc): a file name, or a data offset. */
export type TocFormat = "directory" | "tar" | "custom";

/** The format code in the header: pg_dump writes 3 (tar) in a directory archive's toc.dat too. */
const FORMAT_CODE: Record<TocFormat, number> = { custom: 1, tar: 3, directory: 3 };

export interface TocEntry {
  dumpId: number;
  /** tag and desc as C reads them: up to the first NUL byte. */
  tag: string | null;
  desc: string | null;
  /**
   * The data file the entry names (directory and tar archives), the raw bytes pg_dump wrote, or null when the
   * entry has none (an empty string in the file: pg_restore then reads no file for it).
   */
  fileName: Uint8Array | null;
  /** Offset in the buffer of the file name's length field (for tests that rewrite it). */
  fileNameAt: number;
}

export interface Toc {
  version: [number, number, number];
  intSize: number;
  offSize: number;
  entries: TocEntry[];
  /** Bytes read: the whole toc.dat for a directory or tar archive; where the data starts in a custom one. */
  end: number;
}

export type TocResult = { ok: true; toc: Toc } | { ok: false; problem: string };

/** A file that ends where pg_restore still expects bytes. */
class Truncated extends Error {}
/** A value pg_dump never writes, or one pg_restore would refuse or misread. */
class Corrupt extends Error {}

class Reader {
  pos = 0;
  intSize = 4;
  constructor(private readonly b: Uint8Array) {}

  get left(): number {
    return this.b.length - this.pos;
  }

  byte(what: string): number {
    if (this.pos >= this.b.length) throw new Truncated(what);
    return this.b[this.pos++] as number;
  }

  /**
   * ReadInt: a sign byte, then intSize bytes, least significant first. pg_restore adds them up in a C int
   * (`bv << bitShift`): a value of 2^31 or more, or a nonzero byte past the fourth, overflows it (undefined, in
   * practice another number than the one written). pg_dump writes neither, so both are refused here, which keeps
   * every value read here equal to the one pg_restore reads.
   */
  int(what: string): number {
    const at = this.pos;
    const sign = this.byte(what);
    let v = 0;
    for (let i = 0; i < this.intSize; i++) {
      const c = this.byte(what);
      if (i >= 4 && c !== 0)
        throw new Corrupt(`${what}: the integer at offset ${at} does not fit in 32 bits`);
      v += c * 2 ** (8 * i);
    }
    if (v > 0x7fffffff) throw new Corrupt(`${what}: the integer at offset ${at} does not fit in 32 bits`);
    return sign !== 0 ? -v : v;
  }

  /** ReadStr: an int length (negative: NULL), then that many bytes. Returns the bytes (a view, not a copy). */
  str(what: string): Uint8Array | null {
    const at = this.pos;
    const len = this.int(what);
    if (len < 0) return null;
    if (len > this.left) {
      throw new Truncated(
        `${what}: its length (${len} bytes, at offset ${at}) runs past the end of the file (${this.left} bytes left)`,
      );
    }
    const s = this.b.subarray(this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  skip(n: number, what: string): void {
    if (n > this.left) throw new Truncated(what);
    this.pos += n;
  }
}

/** A string as C sees it (up to its first NUL), decoded as UTF-8 for messages and comparisons. */
function cString(b: Uint8Array | null): string | null {
  if (b === null) return null;
  const nul = b.indexOf(0);
  return Buffer.from(b.buffer, b.byteOffset, nul < 0 ? b.length : nul).toString("utf8");
}

/**
 * Read an archive's header and table of contents, as pg_restore does (ReadHead, ReadToc, the format's
 * ReadExtraToc). `b` is the whole toc.dat of a directory or tar archive, or the start of a custom one (at least
 * up to the end of its TOC). Pure.
 */
export function parseToc(b: Uint8Array, format: TocFormat): TocResult {
  if (b.length > MAX_TOC_BYTES) {
    return {
      ok: false,
      problem: `it is ${b.length} bytes long, more than the ${MAX_TOC_BYTES / 1024 / 1024} MiB a table of contents is read up to`,
    };
  }
  const r = new Reader(b);
  let where = "the header";
  let done = 0;
  let count = 0;
  try {
    // ReadHead
    const magic = Buffer.from(b.buffer, b.byteOffset, Math.min(5, b.length)).toString("latin1");
    if (b.length < 5) throw new Truncated(where);
    if (magic !== "PGDMP") throw new Corrupt("it does not start with the PGDMP magic string");
    r.skip(5, where);
    const vmaj = r.byte(where);
    const vmin = r.byte(where);
    const vrev = vmaj > 1 || (vmaj === 1 && vmin > 0) ? r.byte(where) : 0;
    if (vmaj !== 1 || vmin < OLDEST_TOC_MINOR || vmin > NEWEST_TOC_MINOR) {
      throw new Corrupt(
        `its archive format ${vmaj}.${vmin} is not one this reader knows the layout of (1.${OLDEST_TOC_MINOR} to 1.${NEWEST_TOC_MINOR}, written by pg_dump 9.1 to 18)`,
      );
    }
    const intSize = r.byte(where);
    // pg_restore refuses more than 32; pg_dump writes sizeof(int), 4 wherever it runs.
    if (intSize < 1 || intSize > 32) throw new Corrupt(`its integer size (${intSize}) is not sane`);
    r.intSize = intSize;
    const offSize = r.byte(where); // K_VERS_1_7 and later
    if (offSize < 1 || offSize > 16) throw new Corrupt(`its offset size (${offSize}) is not sane`);
    const code = r.byte(where);
    if (code !== FORMAT_CODE[format]) {
      throw new Corrupt(
        `its format code is ${code}, not the ${FORMAT_CODE[format]} a ${format} archive carries (pg_restore refuses it)`,
      );
    }
    if (vmin >= 15)
      r.byte(where); // compression algorithm (K_VERS_1_15)
    else r.int(where); // compression level (K_VERS_1_4 to 1_14)
    for (let i = 0; i < 7; i++) r.int(where); // creation date: sec, min, hour, mday, mon, year, isdst
    r.str(where); // database name
    r.str(where); // server version (K_VERS_1_10)
    r.str(where); // pg_dump version (K_VERS_1_10)

    // ReadToc
    where = "the entry count";
    count = r.int(where);
    if (count < 0) throw new Corrupt(`its entry count (${count}) is negative`);
    const entries: TocEntry[] = [];
    for (let i = 0; i < count; i++) {
      where = `entry ${i + 1} of ${count}`;
      const dumpId = r.int(where);
      // pg_restore: "entry ID %d out of range -- perhaps a corrupt TOC"
      if (dumpId <= 0) throw new Corrupt(`${where}: its ID (${dumpId}) is out of range`);
      r.int(where); // hadDumper
      r.str(where); // catalogId.tableoid (K_VERS_1_8)
      r.str(where); // catalogId.oid
      const tag = cString(r.str(where));
      const desc = cString(r.str(where));
      where = `entry ${i + 1} of ${count} (ID ${dumpId}, ${desc ?? "no type"})`;
      r.int(where); // section (K_VERS_1_11)
      r.str(where); // defn
      r.str(where); // dropStmt
      r.str(where); // copyStmt (K_VERS_1_3)
      r.str(where); // namespace (K_VERS_1_6)
      r.str(where); // tablespace (K_VERS_1_10)
      if (vmin >= 14) r.str(where); // tableam (K_VERS_1_14)
      if (vmin >= 16) r.int(where); // relkind (K_VERS_1_16)
      r.str(where); // owner
      r.str(where); // "false": WITH OIDS (K_VERS_1_9)
      // dependencies (K_VERS_1_5): strings up to a NULL one; each takes at least 1 + intSize bytes
      while (r.str(where) !== null) {
        // next
      }
      let fileName: Uint8Array | null = null;
      const fileNameAt = r.pos;
      if (format === "custom") {
        // ReadOffset (K_VERS_1_7): a flag byte, then offSize bytes
        r.byte(where);
        r.skip(offSize, where);
      } else {
        // _ReadExtraToc of pg_backup_directory.c and pg_backup_tar.c: the file name; pg_restore takes an empty
        // one for "no data" and crashes on a NULL one (strlen of NULL), so that is corrupt here.
        where = `${where}, its data file name`;
        const name = r.str(where);
        if (name === null) throw new Corrupt(`${where}: it is NULL (pg_dump writes an empty name)`);
        fileName = name.length > 0 ? name : null;
      }
      entries.push({ dumpId, tag, desc, fileName, fileNameAt });
      done++;
    }
    return { ok: true, toc: { version: [vmaj, vmin, vrev], intSize, offSize, entries, end: r.pos } };
  } catch (err) {
    if (err instanceof Truncated) {
      const detail = err.message === where ? "" : `: ${err.message.slice(where.length + 2)}`;
      return {
        ok: false,
        problem: `it is truncated: it ends inside ${where}${count > 0 ? ` (${done} of ${count} entries read)` : ""}, after ${b.length} bytes${detail}`,
      };
    }
    if (err instanceof Corrupt) return { ok: false, problem: `it is corrupt: ${err.message}` };
    throw err;
  }
}

/** A name shown in a message: printable, and short. */
export function showName(b: Uint8Array): string {
  const s = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 200)).toString("utf8");
  return b.length > 200 ? `${s}...` : s;
}

/**
 * Why pg_restore, given this data file name from a TOC entry or a large-object list, would open something other
 * than a file directly in the archive's folder; null when it is a plain file name. pg_restore joins
 * `<folder>/<name>` (and tries the name with .gz, .lz4, .zst after it: still in the folder).
 */
export function checkDataFileName(name: Uint8Array): string | null {
  if (name.length === 0) return "it is empty";
  if (name.includes(0x2f)) return 'it holds a "/", so it leads into another folder';
  if (name.includes(0x5c)) return 'it holds a "\\", a folder separator on Windows';
  if (name.includes(0)) return "it holds a NUL byte";
  const s = Buffer.from(name.buffer, name.byteOffset, name.length).toString("latin1");
  if (s === "." || s === "..") return `it is "${s}", a folder`;
  return null;
}

/**
 * The file name of one line of a large-object list, when the line is "<oid> <file name>" as pg_dump writes it
 * ("%u blob_%u.dat"): 1 to 10 digits, one space, then bytes that are neither controls nor spaces (what sscanf's
 * %s stops at). Null for any other line.
 */
function loLineName(line: Uint8Array): Uint8Array | null {
  let i = 0;
  while (i < line.length && (line[i] as number) >= 0x30 && (line[i] as number) <= 0x39) i++;
  if (i === 0 || i > 10 || line[i] !== 0x20 || i + 1 >= line.length) return null;
  const name = line.subarray(i + 1);
  return name.every((c) => c > 0x20 && c !== 0x7f) ? name : null;
}

/**
 * The longest line accepted in a large-object list. pg_restore reads it with fgets into a MAXPGPATH (1024) byte
 * buffer: a longer line comes in pieces, each parsed as a line of its own, so its tail could name a file. Lines
 * are kept well below that, which makes the lines here the lines pg_restore reads.
 */
const MAX_LO_LINE = 1000;

/**
 * Check a large-object list (blobs.toc, blobs_NNN.toc) the way pg_restore's _LoadLOs uses it: every line
 * "<oid> <file name>", the file opened as `<folder>/<file name>`. Only lines of the form pg_dump writes, naming
 * a plain file, pass. Returns the problem, or null. Pure.
 */
export function checkLoToc(b: Uint8Array): string | null {
  if (b.length > MAX_TOC_BYTES) {
    return `it is ${b.length} bytes long, more than the ${MAX_TOC_BYTES / 1024 / 1024} MiB it is read up to`;
  }
  let line = 0;
  let start = 0;
  while (start < b.length) {
    line++;
    let nl = b.indexOf(0x0a, start);
    if (nl < 0) nl = b.length;
    const bytes = b.subarray(start, nl);
    start = nl + 1;
    if (bytes.length > MAX_LO_LINE) {
      return `its line ${line} is ${bytes.length} bytes long (pg_dump writes "<oid> blob_<oid>.dat", and pg_restore would read a line this long in pieces)`;
    }
    const name = loLineName(bytes);
    if (!name) {
      return `its line ${line} is not "<oid> <file name>" as pg_dump writes it: ${JSON.stringify(Buffer.from(bytes).toString("utf8").slice(0, 200))}`;
    }
    const bad = checkDataFileName(name);
    if (bad) return `its line ${line} names the file ${JSON.stringify(showName(name))}, which ${bad}`;
  }
  return null;
}

/**
 * The large-object lists pg_restore may open for this TOC, by name in the folder: each BLOBS entry's file name
 * (pg_restore 17 and later, for archives 1.16 and later; 17.0 to some minor for every archive), and "blobs.toc"
 * whatever the entry says when there is a BLOBS entry in an archive before 1.16 (pg_restore 16 and older always,
 * 18 for such archives). Both are checked, since which one is read depends on the pg_restore that runs.
 */
export function loTocNames(toc: Toc): Uint8Array[] {
  const out: Uint8Array[] = [];
  let any = false;
  for (const e of toc.entries) {
    if (e.desc !== "BLOBS" || e.fileName === null) continue;
    any = true;
    out.push(e.fileName);
  }
  if (any && toc.version[1] < 16) out.push(Buffer.from("blobs.toc"));
  return out.filter((n, i) => out.findIndex((m) => Buffer.compare(m, n) === 0) === i);
}
