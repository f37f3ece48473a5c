// Whether a path lies inside a folder, once both are real paths (symbolic links resolved by the caller): the one
// rule behind every confinement of the restore (a dump inside the workspace, a directory archive's files inside
// its folder, a file a plain script includes inside the dump's folder), and how such a file is named. Pure.

import { isAbsolute, relative, sep } from "node:path";

/** Is `path` the folder `root` or inside it? A name that merely starts with ".." (..x) is inside. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || !(rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/** A file's path from the folder `dir`, for messages; absolute when it lies outside. */
export function displayPath(dir: string, full: string): string {
  const rel = relative(dir, full);
  return rel === "" || !isInside(dir, full) ? full : rel;
}
