// The header of a pg_dump archive (custom, or the toc.dat of a directory or tar archive), read the way ReadHead
// in pg_backup_archiver.c lays it out: format version, integer and offset sizes, format code, and the versions
// of the server and the pg_dump it came from, which choose the pg_restore (clients.ts). Pure.

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
