// A statement of a plain SQL script as the reader follows it (its first and last tokens, what it has seen), and
// what it is, from its first words: one that runs, or one left out (ownership, privileges, database-level,
// cluster-level, or a client_encoding switch, which the reader takes itself). Pure.

import type { Line } from "./lines.ts";
import { showTokens, type Token, word } from "./tokens.ts";

export type Verdict = "pass" | "owner" | "privileges" | "database" | "cluster" | "encoding";
/** What classify says of an ALTER whose verdict only its end tells. */
export const AT_END = "at-end";

export interface Stmt {
  line: Line | null;
  pos: number;
  lineNo: number;
  head: Token[];
  tail: Token[];
  count: number;
  verdict: Verdict | null;
  blank: boolean;
  rename: boolean;
  fromStdin: boolean;
  restartIdentity: boolean;
  /** A setval or RESTART inside a string or function body was seen (counted once). */
  opaque: boolean;
  /**
   * Its verdict is known and nothing else of it is needed but its end, setval calls and what its quoted bodies
   * hide: words and punctuation are no longer made into tokens (pg_dump writes millions of statements).
   */
  skim: boolean;
  /** An INSERT: its strings are data, not looked into. */
  data: boolean;
  /** An ALTER whose verdict only its end tells (OWNER TO): not classified again until then. */
  waitEnd: boolean;
  /** Its entry in facts.cluster, described again at its end (when its name has been read). */
  clusterAt: number | null;
  /** Inside a setval( ... ) call: its tokens and paren depth. */
  sv: { depth: number; toks: Token[] } | null;
  /** Parentheses open, and BEGIN / CASE open in a routine's body (BEGIN ATOMIC): a ; there ends nothing. */
  paren: number;
  begin: number;
}

/** A statement that starts at `pos` of `line` (line number `lineNo`), nothing of it read yet. */
export function newStatement(line: Line | null, pos: number, lineNo: number): Stmt {
  return {
    line,
    pos,
    lineNo,
    head: [],
    tail: [],
    count: 0,
    verdict: null,
    blank: false,
    rename: false,
    fromStdin: false,
    restartIdentity: false,
    opaque: false,
    skim: false,
    data: false,
    waitEnd: false,
    clusterAt: null,
    sv: null,
    paren: 0,
    begin: 0,
  };
}

/** What a statement is, from its first tokens; null while they do not tell yet (and `final` is false). */
export function classify(s: Stmt, final: boolean): Verdict | typeof AT_END | null {
  const h = s.head;
  // The verdict once word i is known; while it is not, none (or "pass" at the statement's end).
  type V = Verdict | typeof AT_END | null;
  const need = (v: string | undefined, then: (x: string) => V): V =>
    v === undefined ? (final ? "pass" : null) : then(v);
  return need(word(h, 0), (a) => {
    switch (a) {
      case "CREATE":
      case "DROP":
      case "ALTER":
        return need(word(h, 1), (b) => {
          if (b === "DATABASE") return "database";
          if (b === "ROLE" || b === "GROUP" || b === "TABLESPACE") return "cluster";
          if (b === "USER") return need(word(h, 2), (c) => (c === "MAPPING" ? "pass" : "cluster"));
          if (a !== "ALTER") return "pass";
          if (b === "SYSTEM") return "cluster";
          if (b === "DEFAULT") return need(word(h, 2), (c) => (c === "PRIVILEGES" ? "privileges" : "pass"));
          // ALTER <object> <name> OWNER TO <role>: only its end tells.
          if (!final) return AT_END;
          return ownerTo(s) ? "owner" : "pass";
        });
      case "COMMENT":
      case "SECURITY": {
        const on = h.findIndex((t) => t.k === "w" && t.v === "ON");
        if (on < 0) return h.length >= 6 || final ? "pass" : null;
        return need(word(h, on + 1), (o) =>
          o === "DATABASE" ? "database" : o === "ROLE" || o === "TABLESPACE" ? "cluster" : "pass",
        );
      }
      case "GRANT":
      case "REVOKE":
        return "privileges";
      case "SET":
      case "RESET":
        return need(word(h, 1), (b) => {
          if (b === "CLIENT_ENCODING" || (b === "NAMES" && a === "SET")) return "encoding";
          if (b !== "SESSION" && b !== "LOCAL") return "pass";
          return need(word(h, 2), (c) =>
            c === "AUTHORIZATION" && b === "SESSION"
              ? "owner"
              : c === "CLIENT_ENCODING"
                ? "encoding"
                : "pass",
          );
        });
      default:
        return "pass";
    }
  });
}

/** CREATE [OR REPLACE] FUNCTION / PROCEDURE, whose SQL-standard body (BEGIN ATOMIC ... END) holds semicolons. */
export function isRoutine(h: Token[]): boolean {
  if (word(h, 0) !== "CREATE") return false;
  const k = word(h, 1) === "OR" && word(h, 2) === "REPLACE" ? word(h, 3) : word(h, 1);
  return k === "FUNCTION" || k === "PROCEDURE";
}

/** ALTER ... OWNER TO role, and not a RENAME of something called owner. */
function ownerTo(s: Stmt): boolean {
  if (s.rename) return false;
  const t = s.tail;
  const n = t.length;
  if (n < 3) return false;
  const role = t[n - 1] as Token;
  return (
    (role.k === "w" || role.k === "i") &&
    t[n - 2]?.k === "w" &&
    t[n - 2]?.v === "TO" &&
    t[n - 3]?.k === "w" &&
    t[n - 3]?.v === "OWNER"
  );
}

/** A statement's head for a message, up to the name it acts on: "CREATE USER pgexercises", "DROP ROLE IF EXISTS app". */
export function describe(s: Stmt): string {
  const h = s.head;
  let words = 3;
  if (word(h, 2) === "IF") words += word(h, 3) === "NOT" ? 3 : 2;
  if (word(h, 0) === "COMMENT" || word(h, 0) === "SECURITY" || word(h, 1) === "SYSTEM") words++;
  const toks: Token[] = [];
  let seen = 0;
  for (const t of h) {
    if (t.k === "p" && t.v === ".") {
      toks.push(t);
      continue;
    }
    if ((t.k !== "w" && t.k !== "i") || seen >= words) break;
    toks.push(t);
    seen++;
  }
  const text = showTokens(toks);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
