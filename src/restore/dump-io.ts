// Reading a dump's bytes from disk without reading more than is needed: its first bytes, a whole small file (a
// table of contents), a window for walking a tar file header to header; and how a name from the dump is quoted
// in a message (one printable line).

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { printable } from "../core/printable.ts";

/** A name from the dump (its path, a tar member's name) in quotes, as one printable line of a message. */
export const quoted = (name: string): string => printable(JSON.stringify(name));

/** Reads `length` bytes at `position` of a file (fewer at its end). */
export type ReadAt = (position: number, length: number) => Uint8Array;

/** Read into `buf` from `position` of an open file until `buf` is full or the file ends; the bytes read. */
function readInto(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const r = readSync(fd, buf, got, buf.length - got, position + got);
    if (r === 0) break;
    got += r;
  }
  return got;
}

/** The first bytes of a dump read to tell its format. */
export const HEAD_BYTES = 64 * 1024;

/** The first `n` bytes of a file (fewer when it is shorter). */
export function readHead(path: string, n = HEAD_BYTES): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readInto(fd, buf, 0));
  } finally {
    closeSync(fd);
  }
}

/** A whole file, when it is no larger than `max` bytes (read from one open file: its size and bytes agree). */
export function readSmallFile(
  path: string,
  max: number,
): { ok: true; bytes: Buffer } | { ok: false; size: number } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > max) return { ok: false, size };
    const buf = Buffer.alloc(size);
    return { ok: true, bytes: buf.subarray(0, readInto(fd, buf, 0)) };
  } finally {
    closeSync(fd);
  }
}

/** A ReadAt over an open file, reading 64 KB at a time so that headers of small members come from one read. */
export function fileReader(fd: number): ReadAt {
  // The bytes returned are valid until the next call.
  const window = Buffer.alloc(64 * 1024);
  let got = 0;
  let start = -1;
  return (position, length) => {
    if (length > window.length) throw new RangeError("read too long");
    if (start < 0 || position < start || position + length > start + got) {
      start = position;
      got = readInto(fd, window, position);
    }
    const from = position - start;
    return window.subarray(from, Math.min(from + length, got));
  };
}
