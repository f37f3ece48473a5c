// The plain SQL lexer: it follows quotes ('...', E'...', "...", dollar quotes), comments (--, nested /* */),
// parentheses and routine bodies (BEGIN ATOMIC ... END) across lines, and turns a line's text into tokens,
// statement ends and meta-commands. What those mean (statements, their verdicts, the facts, the commands run or
// refused) is the script's (script.ts), which extends this class and answers the hooks below. Pure.

import { cut, type Line } from "./lines.ts";
import { WHOLE_LINE } from "./meta.ts";
import { asciiUpper } from "./names.ts";
import type { Stmt } from "./statement.ts";
import { type Token, utf8 } from "./tokens.ts";

type Quote =
  | null
  | { kind: "single"; escapes: boolean }
  | { kind: "double" }
  | { kind: "dollar"; tag: string }
  | { kind: "block"; depth: number };

// The character classes the lexer reads by (here, next to the loop that runs for every byte of a script).
const isWordStart = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
const isWordChar = (c: number) => isWordStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0c || c === 0x0d || c === 0x0b;

/** How much of a quoted body is kept as its token (setval('...') needs the name; a function body is skipped). */
const QUOTE_KEEP = 200;
/** What, inside a string or a function body, may move a sequence where seq-guard cannot tell which. */
const OPAQUE = /setval\s*\(|alter\s+sequence|restart\s+identity/i;

export abstract class ScriptLexer {
  private quote: Quote = null;
  private quoteText = "";
  /** standard_conforming_strings: off makes backslashes in '...' escapes, as the server will read them. */
  protected stdStrings = true;
  /** The statement under way, or null between statements. */
  protected stmt: Stmt | null = null;
  /** The line being read. */
  protected cur: Line | null = null;

  /** A statement starts at `pos` of the current line: the script records it (and makes it this.stmt). */
  protected abstract startStatement(pos: number): Stmt;
  /** A token of the statement under way (one starts at `pos` when none is). */
  protected abstract token(t: Token, pos: number): void;
  /** The statement under way ends at `end` on the current line (after its ;). */
  protected abstract endStatement(end: number): void;
  /** A meta-command \name with its arguments, standing at `at` on the current line. */
  protected abstract metaCommand(name: string, args: string, at: number): void;
  /** A setval or RESTART inside a string or function body: seq-guard cannot tell what it moves. */
  protected abstract noteOpaque(): void;

  /** Read one line's text (as latin1, one char per byte): tokens, statement ends, quotes, comments, commands. */
  protected lex(text: string): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.quote !== null) {
        i = this.inQuote(text, i);
        continue;
      }
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      const next = text.charCodeAt(i + 1);
      if (c === 0x2d && next === 0x2d) break; // -- comment to the end of the line
      if (c === 0x2f && next === 0x2a) {
        this.quote = { kind: "block", depth: 1 };
        i += 2;
        continue;
      }
      if (c === 0x3b) {
        const open = this.stmt;
        if (open && (open.paren > 0 || open.begin > 0)) {
          if (!open.skim) this.token({ k: "p", v: ";" }, i);
          i++;
          continue;
        }
        i++;
        this.endStatement(i);
        continue;
      }
      if (c === 0x5c) {
        i = this.backslash(text, i);
        continue;
      }
      const st = this.stmt;
      if (isWordStart(c)) {
        let high = c >= 0x80;
        let j = i + 1;
        for (let d = text.charCodeAt(j); j < n && isWordChar(d); d = text.charCodeAt(++j)) high ||= d >= 0x80;
        if (st?.skim) {
          // Only a setval call is still of interest: read on in full from there.
          if (j - i !== 6 || text.slice(i, j).toLowerCase() !== "setval") {
            i = j;
            continue;
          }
          st.skim = false;
        }
        const raw = text.slice(i, j);
        if ((raw === "E" || raw === "e") && text.charCodeAt(j) === 0x27) {
          if (!this.stmt) this.startStatement(i);
          this.openQuote({ kind: "single", escapes: true });
          i = j + 1;
          continue;
        }
        this.token(
          high ? { k: "w", v: asciiUpper(raw), raw: utf8(raw) } : { k: "w", v: raw.toUpperCase(), raw },
          i,
        );
        i = j;
        continue;
      }
      if (isDigit(c)) {
        let j = i + 1;
        while (j < n && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 0x2e)) j++;
        if (!st?.skim) this.token({ k: "n", v: text.slice(i, j) }, i);
        i = j;
        continue;
      }
      if (!this.stmt) this.startStatement(i);
      if (c === 0x27) {
        this.openQuote({ kind: "single", escapes: !this.stdStrings });
        i++;
        continue;
      }
      if (c === 0x22) {
        this.openQuote({ kind: "double" });
        i++;
        continue;
      }
      if (c === 0x24) {
        const m = /^\$([A-Za-z_\u0080-\u00ff][A-Za-z0-9_\u0080-\u00ff]*)?\$/.exec(text.slice(i, i + 64));
        if (m) {
          this.openQuote({ kind: "dollar", tag: m[0] });
          i += m[0].length;
          continue;
        }
      }
      if (c === 0x28) (this.stmt as Stmt).paren++;
      else if (c === 0x29) (this.stmt as Stmt).paren--;
      if (!this.stmt?.skim) this.token({ k: "p", v: text[i] as string }, i);
      i++;
    }
    // A string or dollar body goes on to the next line, with its newline.
    if (this.quote !== null && this.quote.kind !== "block") this.keepQuoted("\n");
  }

  private openQuote(q: NonNullable<Quote>): void {
    this.quote = q;
    this.quoteText = "";
  }

  private keepQuoted(s: string): void {
    const st = this.stmt;
    if (!st?.skim && this.quoteText.length < QUOTE_KEEP) {
      this.quoteText += s.slice(0, QUOTE_KEEP - this.quoteText.length);
    }
    // A setval inside a function body or a string (not an INSERT's data): seq-guard cannot tell what it moves.
    if (st && !st.opaque && !st.data && OPAQUE.test(s)) {
      st.opaque = true;
      this.noteOpaque();
    }
  }

  private closeQuote(kind: Token["k"]): void {
    const v = utf8(this.quoteText);
    this.quote = null;
    this.quoteText = "";
    if (this.stmt) this.token({ k: kind, v }, 0);
  }

  private inQuote(text: string, i: number): number {
    const q = this.quote as NonNullable<Quote>;
    const n = text.length;
    if (q.kind === "block") {
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x2a && text.charCodeAt(i + 1) === 0x2f) {
          i += 2;
          if (--q.depth === 0) {
            this.quote = null;
            return i;
          }
          i--;
        } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
          q.depth++;
          i++;
        }
      }
      return n;
    }
    if (q.kind === "dollar") {
      const end = text.indexOf(q.tag, i);
      if (end < 0) {
        this.keepQuoted(text.slice(i));
        return n;
      }
      this.keepQuoted(text.slice(i, end));
      this.closeQuote("d");
      return end + q.tag.length;
    }
    const close = q.kind === "single" ? 0x27 : 0x22;
    let from = i;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (q.kind === "single" && q.escapes && c === 0x5c) {
        i++;
      } else if (c === close) {
        if (text.charCodeAt(i + 1) === close) {
          this.keepQuoted(text.slice(from, i + 1));
          i++;
          from = i + 1;
        } else {
          this.keepQuoted(text.slice(from, i));
          this.closeQuote(q.kind === "single" ? "s" : "i");
          return i + 1;
        }
      }
    }
    this.keepQuoted(text.slice(from, n));
    return n;
  }

  /**
   * A backslash outside quotes: \; ends a statement (the backslash is left out), \: is a colon, \\ separates
   * meta-commands; anything else is a meta-command, left out of the SQL and run, ignored or refused.
   */
  private backslash(text: string, i: number): number {
    const next = text[i + 1];
    const l = this.cur as Line;
    if (next === "\\") {
      cut(l, i, i + 2);
      return i + 2;
    }
    if (next === ";") {
      cut(l, i, i + 1);
      if (this.stmt) this.endStatement(i + 2);
      else cut(l, i + 1, i + 2);
      return i + 2;
    }
    if (next === ":") {
      cut(l, i, i + 1);
      this.token({ k: "p", v: ":" }, i + 1);
      return i + 2;
    }
    const name = /^[^\s\\]*/.exec(text.slice(i + 1))?.[0] ?? "";
    const argStart = i + 1 + name.length;
    // The arguments run to the end of the line, or to the next backslash outside quotes.
    let argEnd = text.length;
    let resume = text.length;
    if (!WHOLE_LINE.has(name)) {
      let quote: string | null = null;
      for (let j = argStart; j < text.length; j++) {
        const ch = text[j] as string;
        if (quote) {
          if (quote === "'" && ch === "\\") j++;
          else if (ch === quote) quote = null;
        } else if (ch === "'" || ch === '"' || ch === "`") quote = ch;
        else if (ch === "\\") {
          argEnd = j;
          resume = text[j + 1] === "\\" ? j + 2 : j;
          break;
        }
      }
    }
    cut(l, i, resume);
    this.metaCommand(name, text.slice(argStart, argEnd), i);
    return resume;
  }
}
