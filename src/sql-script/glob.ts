// The --exclude glob of `seq-guard sql`, translated into a regular expression that PostgreSQL (ARE) and
// JavaScript read the same way, so that the script excludes exactly what the engine's filter (minimatch) excludes.

import { minimatch } from "minimatch";
import { UsageError } from "../core/errors.ts";

const REGEX_SPECIAL = new Set([..."\\^$.|+(){}[]*?/"]);

function escapeRegexChar(ch: string): string {
  return REGEX_SPECIAL.has(ch) ? `\\${ch}` : ch;
}

/**
 * Translate one --exclude glob into a regular expression that means the same in PostgreSQL (ARE) and in
 * JavaScript, anchored at both ends; null when the glob can match nothing. The glob syntax is minimatch's, as the
 * engine's filter uses it: `*` and `?` (never across `/`), `[...]` and `[!...]` classes (a reversed range such as
 * `[z-a]` matches nothing), `{a,b}` and `{1..3}` braces, `\` escapes. Extended globs (`+(a|b)`, `!(a)`, ...)
 * have no faithful translation here and are refused.
 */
export function globToRegex(pattern: string): string | null {
  if (/[?*+@!]\(/.test(pattern)) {
    throw new UsageError(
      `--exclude "${pattern}": extended glob patterns such as +(a|b) or !(a) are not supported by seq-guard sql; use *, ?, [...] and {a,b}, or several --exclude options`,
    );
  }
  const alternatives = minimatch
    .braceExpand(pattern, { nocomment: true, nonegate: true })
    .map((alt) => {
      // Path segments first, as minimatch splits them: a class never spans a `/`.
      const parts = alt.split("/").map(segment);
      return parts.includes(null) ? null : parts.join("/");
    })
    .filter((a): a is string => a !== null);
  return alternatives.length > 0 ? `^(?:${alternatives.join("|")})$` : null;
}

/** One path segment of a glob; null when it can match nothing. */
function segment(glob: string): string | null {
  let out = "";
  let i = 0;
  while (i < glob.length) {
    const ch = glob[i] as string;
    if (ch === "\\") {
      // A trailing backslash stands for itself.
      out += escapeRegexChar(glob[i + 1] ?? "\\");
      i += 2;
      continue;
    }
    if (ch === "*") {
      while (glob[i] === "*") i++;
      out += "[^/]*";
      continue;
    }
    if (ch === "?") {
      out += "[^/]";
      i++;
      continue;
    }
    if (ch === "[") {
      const cls = bracket(glob, i);
      if (cls) {
        if (cls.regex === null) return null;
        out += cls.regex;
        i = cls.end;
        continue;
      }
    }
    out += escapeRegexChar(ch);
    i++;
  }
  return out;
}

function escapeClassChar(ch: string): string {
  return ch === "\\" || ch === "]" || ch === "[" || ch === "^" || ch === "-" ? `\\${ch}` : ch;
}

/**
 * A `[...]` class starting at `start`: its regex (null when it matches nothing) and where it ends; or null when it
 * does not close, and the `[` stands for itself.
 */
function bracket(glob: string, start: number): { regex: string | null; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (glob[i] === "!" || glob[i] === "^") {
    negate = true;
    i++;
  }
  // Atoms: a character (escaped or not) or a POSIX class; `a-b` between two characters is a range.
  const atoms: { text: string; char: string | null; escaped: boolean }[] = [];
  let closed = false;
  while (i < glob.length) {
    const ch = glob[i] as string;
    if (ch === "]" && atoms.length > 0) {
      closed = true;
      i++;
      break;
    }
    if (ch === "\\" && i + 1 < glob.length) {
      const c = glob[i + 1] as string;
      atoms.push({ text: escapeClassChar(c), char: c, escaped: true });
      i += 2;
      continue;
    }
    if (ch === "[" && glob[i + 1] === ":") {
      const close = glob.indexOf(":]", i + 2);
      if (close > 0 && /^[a-z]+$/.test(glob.slice(i + 2, close))) {
        atoms.push({ text: glob.slice(i, close + 2), char: null, escaped: false });
        i = close + 2;
        continue;
      }
    }
    atoms.push({ text: escapeClassChar(ch), char: ch, escaped: false });
    i++;
  }
  if (!closed) return null;
  const items: string[] = [];
  for (let k = 0; k < atoms.length; k++) {
    const a = atoms[k] as (typeof atoms)[number];
    const dash = atoms[k + 1];
    const b = atoms[k + 2];
    if (dash && b && dash.char === "-" && !dash.escaped && a.char !== null && b.char !== null) {
      // minimatch drops a reversed range: it matches nothing.
      if ((a.char.codePointAt(0) as number) <= (b.char.codePointAt(0) as number))
        items.push(`${a.text}-${b.text}`);
      k += 2;
      continue;
    }
    items.push(a.text);
  }
  if (items.length === 0) return { regex: negate ? "[^/]" : null, end: i };
  // A class never matches the path separator, negated or not.
  const body = items.join("");
  return { regex: negate ? `[^/${body}]` : `(?:(?!/)[${body}])`, end: i };
}
