// The tokens the plain SQL lexer (lexer.ts) makes of a statement's text, and how they read back: a word of a statement, a name written as tokens, tokens shown in a message. Pure.

import { asciiLower } from "./names.ts";

export interface Token {
  /** w: word, n: number, s: string, i: quoted identifier, d: dollar-quoted body, p: punctuation */
  k: "w" | "n" | "s" | "i" | "d" | "p";
  /** As written (quotes removed); upper case for words. */
  v: string;
  /** Words only: as written. */
  raw?: string;
}

/** Word i of the statement: its upper-case text, "" for a token that is no word, undefined when not seen yet. */
export function word(h: Token[], i: number): string | undefined {
  const t = h[i];
  if (!t) return undefined;
  return t.k === "w" ? t.v : "";
}

/** How a token reads in a message. */
function show(t: Token): string {
  if (t.k === "w") return t.raw ?? t.v;
  if (t.k === "s") return `'${t.v.replace(/'/g, "''")}'`;
  if (t.k === "i") return `"${t.v.replace(/"/g, '""')}"`;
  if (t.k === "d") return "$$...$$";
  return t.v;
}

/** Tokens as a message shows them, spaced as one writes SQL, at most 120 characters. */
export function showTokens(toks: Token[]): string {
  let out = "";
  let prev: Token | null = null;
  let unary = false;
  for (const t of toks) {
    const p = t.k === "p" ? t.v : "";
    const pp = prev?.k === "p" ? prev.v : "";
    const tight =
      prev === null ||
      unary ||
      p === "," ||
      p === ")" ||
      p === "." ||
      p === ":" ||
      pp === "(" ||
      pp === "." ||
      pp === ":" ||
      (p === "(" && (prev.k === "w" || prev.k === "i"));
    out += tight ? show(t) : ` ${show(t)}`;
    // A minus after ( or , is a sign: -1, not - 1.
    unary = p === "-" && (prev === null || pp === "(" || pp === ",");
    prev = t;
  }
  return out.length > 120 ? `${out.slice(0, 117)}...` : out;
}

/** Lines are read as latin1 (one char per byte): names in a UTF-8 script are decoded again for the hints. */
export function utf8(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s)) return s;
  const u = Buffer.from(s, "latin1").toString("utf8");
  return u.includes("\ufffd") ? s : u;
}

/** An unquoted name is folded to lower case, as PostgreSQL does. */
const fold = (t: Token) => (t.k === "w" ? asciiLower(t.raw ?? t.v) : t.v);

/** A possibly qualified name written as tokens (a.b, "A".b) starting at i; null when there is none. */
export function nameAt(toks: Token[], i: number): { parts: string[]; next: number } | null {
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = toks[j];
    if (!t || (t.k !== "w" && t.k !== "i")) return null;
    parts.push(fold(t));
    j++;
    if (toks[j]?.k === "p" && toks[j]?.v === ".") j++;
    else return { parts, next: j };
  }
}
