// A pg_dump tar archive (-Ft) walked header to header before pg_restore reads it: pg_restore 15 spins forever on
// one cut short, so every member must fit in the file and the two zero blocks that end a tar archive must
// follow. Also what tells a ustar file from others. Pure over a ReadAt.

import { quoted, type ReadAt } from "./dump-io.ts";

/** A tar header's member name: its first 100 bytes, up to the first NUL. */
function tarName(h: Uint8Array): string {
  const nul = h.subarray(0, 100).indexOf(0);
  return Buffer.from(h.buffer, h.byteOffset, nul < 0 ? 100 : nul).toString("utf8");
}

export function tarMember(b: Uint8Array): { name: string } | null {
  if (b.length < 512) return null;
  const magic = Buffer.from(b.buffer, b.byteOffset + 257, 5).toString("latin1");
  if (magic !== "ustar") return null;
  return { name: tarName(b) };
}

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
