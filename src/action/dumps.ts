// The dump input's lines, expanded: a path as written, a glob matched from the workspace with @actions/glob.

import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import * as glob from "@actions/glob";
import { Minimatch } from "minimatch";
import { UsageError } from "../core/errors.ts";

/**
 * Dump lines: a path is taken as written (checked later: a missing one is an error); a glob is expanded from the
 * workspace (directories only if dumps). A glob that matches nothing is returned in `unmatched`, for a warning:
 * the job fails only when nothing at all is left to restore (db/fixtures/*.dump and *.sql, with only .sql files).
 */
export async function expandDumps(
  patterns: string[],
  cwd: string,
): Promise<{ dumps: string[]; unmatched: string[] }> {
  const out: string[] = [];
  const unmatched: string[] = [];
  for (const p of patterns) {
    if (!new Minimatch(p).hasMagic()) {
      out.push(p);
      continue;
    }
    const globber = await glob.create(isAbsolute(p) ? p : join(cwd, p), {
      implicitDescendants: false,
      matchDirectories: true,
      followSymbolicLinks: true,
    });
    const found = (await globber.glob())
      .filter((f) => !statSync(f).isDirectory() || existsSync(join(f, "toc.dat")))
      .sort();
    if (found.length === 0) unmatched.push(p);
    for (const f of found) out.push(isAbsolute(p) ? f : relative(cwd, f));
  }
  if (out.length === 0 && unmatched.length > 0) {
    const what =
      unmatched.length === 1
        ? `dump pattern "${unmatched[0]}" matches no file`
        : `no dump pattern matches a file (${unmatched.map((p) => `"${p}"`).join(", ")})`;
    throw new UsageError(
      `${what} (looked from ${cwd}). Check the path: it is relative to the repository root; check out the repository (actions/checkout) before this step.`,
    );
  }
  return { dumps: [...new Set(out)], unmatched };
}
