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
      // Path segments first, as minimatch splits them: a class never spans a `/`. A segment minimatch reads as a
      // literal string is matched as one.
      const parts = alt.split("/").map((part) => {
        const text = literalOf(part);
        return text === undefined ? segment(part) : [...text].map(escapeRegexChar).join("");
      });
      return parts.includes(null) ? null : parts.join("/");
    })
    .filter((a): a is string => a !== null);
  return alternatives.length > 0 ? `^(?:${alternatives.join("|")})$` : null;
}

/**
 * Where the `[` at `start` is closed, as minimatch finds it (its classEnd): after an optional `!` or `^`, the first
 * `]` that is not the class's first character, skipping escaped characters; -1 when it is not closed.
 */
function classEnd(glob: string, start: number): number {
  let i = start + 1;
  if (glob[i] === "!" || glob[i] === "^") i++;
  let sawStart = false;
  for (; i < glob.length; i++) {
    if (glob[i] === "]" && sawStart) return i;
    sawStart = true;
    if (glob[i] === "\\") i++;
  }
  return -1;
}

/**
 * The string a segment matches when minimatch reads it as a literal (its literal(), which it tries before
 * compiling a matcher): no `*` or `?`, and every class of one character (`[*]`, `[\b]`, `[\^]`) not negated.
 * Undefined when the segment is a pattern. It matters for `[\^]`, a literal caret here but, inside a pattern,
 * a class that minimatch negates (see bracket()).
 */
function literalOf(glob: string): string | undefined {
  let text = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === "\\") {
      // A trailing backslash stands for itself.
      i++;
      text += glob[i] ?? ch;
    } else if (ch === "*" || ch === "?") {
      return undefined;
    } else if (ch === "[") {
      const close = classEnd(glob, i);
      if (close === -1) {
        text += ch;
        continue;
      }
      let body = glob.slice(i + 1, close);
      if (body.startsWith("\\")) body = body.slice(1);
      if ([...body].length !== 1 || "!^".includes(glob[i + 1] as string)) return undefined;
      text += body;
      i = close;
    } else {
      text += ch;
    }
  }
  return text;
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
  // Each item: its regex text, and the character it starts with (null for a POSIX class); a range's text after
  // its first character.
  const items: { text: string; first: string | null; afterFirst: string }[] = [];
  for (let k = 0; k < atoms.length; k++) {
    const a = atoms[k] as (typeof atoms)[number];
    const dash = atoms[k + 1];
    const b = atoms[k + 2];
    if (dash && b && dash.char === "-" && !dash.escaped && a.char !== null && b.char !== null) {
      // minimatch drops a reversed range (it matches nothing) and writes a-a as a.
      const from = a.char.codePointAt(0) as number;
      const to = b.char.codePointAt(0) as number;
      if (from === to) items.push({ text: a.text, first: a.char, afterFirst: "" });
      else if (from < to)
        items.push({ text: `${a.text}-${b.text}`, first: a.char, afterFirst: `\\-${b.text}` });
      k += 2;
      continue;
    }
    items.push({ text: a.text, first: a.char, afterFirst: "" });
  }
  // A class left with nothing to match makes minimatch's whole pattern match nothing, negated or not.
  if (items.length === 0) return { regex: null, end: i };
  // minimatch writes a class's members into a JavaScript class without escaping a caret, so a class whose first
  // member (after the reversed ranges it dropped) starts with one, escaped or not, reads as negated there:
  // [\^a] is [^a], [\^-a] is [^-a], [\^] is [^], any character. The engine's filter is minimatch: follow it, so
  // that the script excludes what the engine excludes.
  const head = items[0] as (typeof items)[number];
  if (!negate && head.first === "^") {
    negate = true;
    items[0] = { ...head, text: head.afterFirst };
  }
  // A class never matches the path separator, negated or not.
  const body = items.map((item) => item.text).join("");
  if (body === "") return { regex: negate ? "[^/]" : null, end: i };
  return { regex: negate ? `[^/${body}]` : `(?:(?!/)[${body}])`, end: i };
}
