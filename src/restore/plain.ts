// Plain SQL as seq-guard runs it itself (run-plain.ts; psql is not involved): a streaming lexer that cuts the
// script into statements and leaves out, statement by statement, what must not run in a scratch database: the
// database-level statements of a dump made with --create (CREATE/ALTER/DROP/COMMENT ON DATABASE and its
// \connect), which would act on the user's real database; the cluster-level ones (roles, tablespaces, ALTER
// SYSTEM), which would outlive the scratch database on the server; and, under --no-owner --no-privileges, what
// pg_restore would skip (ALTER ... OWNER TO, SET SESSION AUTHORIZATION, GRANT, REVOKE, ALTER DEFAULT PRIVILEGES).
// Exactly the statement's text is cut, wherever it lies (after a comment, next to another statement, over several
// lines). The server is the only SQL parser that matters: where this lexer and the server would read a script
// differently, the server gets text that is at worst an SQL error. Its output is events (PlainEvent): statement
// text and ends, COPY data, \i and \copy requests. It also notes what the script does for the root-cause hints:
// INSERT and COPY statements, and each setval / RESTART with its target and value.
//
// The lexer follows quotes, dollar quotes, comments, meta-commands and COPY data across lines; COPY data is
// passed on in pieces of the chunks read, never held as whole lines, with only each line's start looked at (for
// the \. that ends it). A script in another client_encoding than UTF-8 is converted to UTF-8 as it is read.

import { isAbsolute, relative } from "node:path";

export interface QualifiedName {
  /** Null when the script did not qualify it (search_path decides). */
  schema: string | null;
  name: string;
}

/** What a setval / RESTART moves: a sequence by name, the sequence of a column, or every identity of a table. */
export type PositionTarget =
  | ({ kind: "sequence" } & QualifiedName)
  | { kind: "column"; table: QualifiedName; column: string }
  | { kind: "table"; table: QualifiedName };

/** One statement of the script that sets a sequence's position. */
export interface PositionSet {
  target: PositionTarget;
  /** The value given as a literal; null when computed (max(id)) or the sequence's start (RESTART, TRUNCATE). */
  value: string | null;
  /** setval's third argument (true when left out); false for RESTART; null when computed. */
  isCalled: boolean | null;
  /** Back to the sequence's start: RESTART without a value, or TRUNCATE ... RESTART IDENTITY. */
  reset: boolean;
  /** The call as written, shortened: setval('public.t_id_seq', 1, false). */
  text: string;
  /** The included file it is in (from the dump's folder, or absolute when outside it); null for the dump itself. */
  file: string | null;
  line: number;
  /** Order in the whole script (includes count where they are included). */
  order: number;
}

export interface PlainFacts {
  /** Lines seen. */
  lines: number;
  inserts: number;
  copies: number;
  /** setval() calls and RESTART statements. */
  setvals: number;
  /** The last position set per target (key: what it targets). */
  positions: Map<string, PositionSet>;
  /** setval or RESTART inside a function body, a string or a call seq-guard cannot read: the target is unknown. */
  opaqueSetvals: number;
  /** Statements left out: ownership, privileges, database-level, cluster-level (roles, tablespaces). */
  skippedOwner: number;
  skippedPrivileges: number;
  skippedDatabase: number;
  skippedCluster: number;
  /** The first cluster-level statements left out, for the hint: "CREATE USER pgexercises". */
  cluster: string[];
  /** The script says it was written by pg_dump (this version): its setval calls are the source's positions. */
  pgDump: string | null;
}

export function emptyFacts(): PlainFacts {
  return {
    lines: 0,
    inserts: 0,
    copies: 0,
    setvals: 0,
    positions: new Map(),
    opaqueSetvals: 0,
    skippedOwner: 0,
    skippedPrivileges: 0,
    skippedDatabase: 0,
    skippedCluster: 0,
    cluster: [],
    pgDump: null,
  };
}

/** A script seq-guard cannot run (a pg_dumpall file, a refused meta-command, ...), at FILE:LINE. */
export class PlainSqlProblem extends Error {
  constructor(
    readonly line: number,
    message: string,
    /** The included file it is in (from the dump's folder); null for the dump itself. */
    readonly file: string | null = null,
  ) {
    super(message);
    this.name = "PlainSqlProblem";
  }
}

export interface ScriptOptions {
  noOwner: boolean;
  noPrivileges: boolean;
}

type Verdict = "pass" | "owner" | "privileges" | "database" | "cluster" | "encoding";
/** What classify says of an ALTER whose verdict only its end tells. */
const AT_END = "at-end";

interface Token {
  /** w: word, n: number, s: string, i: quoted identifier, d: dollar-quoted body, p: punctuation */
  k: "w" | "n" | "s" | "i" | "d" | "p";
  /** As written (quotes removed); upper case for words. */
  v: string;
  /** Words only: as written. */
  raw?: string;
}

interface Line {
  buf: Buffer;
  start: number;
  /** Length of the text without the line end. */
  len: number;
  /** Offset of the next line in buf (after \n). */
  end: number;
  /** Ranges of the text to leave out, as flat [from, to) pairs; null when none (most lines). */
  cuts: number[] | null;
  /** Where statements start and end and commands stand on the line; null when none. */
  marks: Mark[] | null;
}

/** Leave [from, to) of a line's text out. */
function cut(l: Line, from: number, to: number): void {
  if (l.cuts === null) l.cuts = [from, to];
  else l.cuts.push(from, to);
}

interface Stmt {
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

type Quote =
  | null
  | { kind: "single"; escapes: boolean }
  | { kind: "double" }
  | { kind: "dollar"; tag: string }
  | { kind: "block"; depth: number };

const HEAD_MAX = 24;
const TAIL_MAX = 4;
/** A statement held back for its verdict (an ALTER ... OWNER TO is only known at its end) holds at most this. */
const HOLD_MAX = 8 * 1024 * 1024;
const QUOTE_KEEP = 200;
const MAX_INCLUDE_DEPTH = 16;
const OPAQUE = /setval\s*\(|alter\s+sequence|restart\s+identity/i;

const isWordStart = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
const isWordChar = (c: number) => isWordStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0c || c === 0x0d || c === 0x0b;

/** Word i of the statement: its upper-case text, "" for a token that is no word, undefined when not seen yet. */
function word(h: Token[], i: number): string | undefined {
  const t = h[i];
  if (!t) return undefined;
  return t.k === "w" ? t.v : "";
}

/** What a statement is, from its first tokens; null while they do not tell yet (and `final` is false). */
function classify(s: Stmt, final: boolean): Verdict | typeof AT_END | null {
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
function isRoutine(h: Token[]): boolean {
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

/** How a token reads in a message. */
function show(t: Token): string {
  if (t.k === "w") return t.raw ?? t.v;
  if (t.k === "s") return `'${t.v.replace(/'/g, "''")}'`;
  if (t.k === "i") return `"${t.v.replace(/"/g, '""')}"`;
  if (t.k === "d") return "$$...$$";
  return t.v;
}

function showTokens(toks: Token[]): string {
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

/** A statement's head for a message, up to the name it acts on: "CREATE USER pgexercises", "DROP ROLE IF EXISTS app". */
function describe(s: Stmt): string {
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

/** Lines are read as latin1 (one char per byte): names in a UTF-8 script are decoded again for the hints. */
function utf8(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s)) return s;
  const u = Buffer.from(s, "latin1").toString("utf8");
  return u.includes("\ufffd") ? s : u;
}

/** PostgreSQL folds unquoted names to lower case in ASCII only (multibyte letters stay as written). */
const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const asciiUpper = (s: string) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());

/** An unquoted name is folded to lower case, as PostgreSQL does. */
const fold = (t: Token) => (t.k === "w" ? asciiLower(t.raw ?? t.v) : t.v);

/** A possibly qualified name written as tokens (a.b, "A".b) starting at i; null when there is none. */
function nameAt(toks: Token[], i: number): { parts: string[]; next: number } | null {
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

const qualified = (parts: string[]): QualifiedName => ({
  schema: parts.length > 1 ? (parts[parts.length - 2] as string) : null,
  name: parts[parts.length - 1] as string,
});

/** A name written in a string, as regclass reads it: public."Mixed_id_seq", users. */
export function parseRegclassText(text: string): QualifiedName | null {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    if (s[i] === '"') {
      let j = i + 1;
      let v = "";
      for (; j < s.length; j++) {
        if (s[j] === '"') {
          if (s[j + 1] === '"') {
            v += '"';
            j++;
          } else break;
        } else v += s[j];
      }
      if (j >= s.length) return null;
      parts.push(v);
      i = j + 1;
    } else {
      const m = /^[^."\s]+/.exec(s.slice(i));
      if (!m) return null;
      parts.push(asciiLower(m[0]));
      i += m[0].length;
    }
    if (i < s.length) {
      if (s[i] !== ".") return null;
      i++;
    }
  }
  if (parts.length === 0 || parts.length > 3) return null;
  return qualified(parts);
}

/** Split setval's argument tokens at top-level commas. */
function splitArgs(toks: Token[]): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.k === "p" && t.v === "(") depth++;
    if (t.k === "p" && t.v === ")") depth--;
    if (t.k === "p" && t.v === "," && depth === 0) args.push([]);
    else (args[args.length - 1] as Token[]).push(t);
  }
  return args;
}

/** An integer literal, possibly negative. */
function literal(toks: Token[]): string | null {
  if (toks.length === 1 && toks[0]?.k === "n" && /^\d+$/.test(toks[0].v))
    return toks[0].v.replace(/^0+(?=\d)/, "");
  if (toks.length === 2 && toks[0]?.v === "-" && toks[1]?.k === "n" && /^\d+$/.test(toks[1].v)) {
    return `-${toks[1].v.replace(/^0+(?=\d)/, "")}`;
  }
  return null;
}

function booleanOf(toks: Token[] | undefined): boolean | null {
  if (toks === undefined) return true;
  if (toks.length !== 1) return null;
  const t = toks[0] as Token;
  const v = t.k === "w" ? t.v.toLowerCase() : t.k === "s" ? t.v.trim().toLowerCase() : "";
  if (["true", "t", "yes", "y", "on", "1"].includes(v)) return true;
  if (["false", "f", "no", "n", "off", "0"].includes(v)) return false;
  return null;
}

/** The target of setval's first argument: 'name', 'name'::regclass, pg_get_serial_sequence('t', 'c'). */
function setvalTarget(arg: Token[]): PositionTarget | null {
  const first = arg[0];
  if (first?.k === "s") {
    const rest = arg.slice(1);
    const castOnly =
      rest.length === 0 ||
      (rest.length === 3 && rest[0]?.v === ":" && rest[1]?.v === ":" && rest[2]?.v === "REGCLASS");
    if (!castOnly) return null;
    const n = parseRegclassText(first.v);
    return n ? { kind: "sequence", ...n } : null;
  }
  if (first?.k === "w" && (first.v === "PG_GET_SERIAL_SEQUENCE" || first.v === "PG_CATALOG")) {
    const at = first.v === "PG_CATALOG" ? 2 : 0;
    if (arg[at]?.v !== "PG_GET_SERIAL_SEQUENCE" || arg[at + 1]?.v !== "(") return null;
    const t = arg[at + 2];
    const c = arg[at + 4];
    if (t?.k !== "s" || arg[at + 3]?.v !== "," || c?.k !== "s" || arg[at + 5]?.v !== ")") return null;
    const table = parseRegclassText(t.v);
    // The column is taken as written (no case folding), as pg_get_serial_sequence does.
    return table ? { kind: "column", table, column: c.v } : null;
  }
  return null;
}

function targetKey(t: PositionTarget): string {
  if (t.kind === "sequence") return `s:${t.schema ?? ""}\0${t.name}`;
  if (t.kind === "column") return `c:${t.table.schema ?? ""}\0${t.table.name}\0${t.column}`;
  return `t:${t.table.schema ?? ""}\0${t.table.name}`;
}

/**
 * The psql meta-commands seq-guard honours, now that it runs a script itself (psql is not involved): what pg_dump
 * writes (\connect and \c, ignored: the script stays in the scratch database; \restrict and \unrestrict, ignored;
 * COPY's \., read with the data), files of the fixture's folder (\i, \ir, \copy ... FROM a file, see
 * run-plain.ts), and a few that only set or print psql's own state, common in hand-written fixtures. Those are
 * ignored, which is safe: seq-guard keeps no psql state and never puts a variable's value into the script (:name
 * reaches the server as written, where it is a syntax error), so skipping them cannot change what the server runs.
 */
const IGNORED_META = new Set([
  "restrict",
  "unrestrict",
  "set",
  "unset",
  "pset",
  "timing",
  "echo",
  "qecho",
  "warn",
]);

/** What some refused meta-commands do, for the message (any other: "is a psql meta-command"). */
const REFUSED_META: Record<string, string> = {
  "!": "runs a shell command",
  o: "sends query results to a file or a program",
  out: "sends query results to a file or a program",
  w: "writes the query buffer to a file or a program",
  write: "writes the query buffer to a file or a program",
  s: "writes psql's command history to a file",
  setenv: "sets environment variables for the programs psql runs",
  getenv: "reads an environment variable of the machine it runs on",
  cd: "changes psql's working folder",
  lo_import: "reads a file of the machine it runs on into the database",
  lo_export: "writes a file on the machine it runs on",
  password: "changes a role's password",
  e: "runs an editor",
  edit: "runs an editor",
  ef: "runs an editor",
  ev: "runs an editor",
  prompt: "waits for input",
  watch: "repeats a query until it is interrupted",
  gexec: "runs the rows of a query as statements",
  gset: "stores a query's result in psql variables",
  if: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
  elif: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
  else: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
  endif: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
  encoding: "sets the client encoding (write SET client_encoding = '...'; instead)",
  q: "quits psql",
  quit: "quits psql",
};

/** psql meta-commands whose argument is the rest of the line (no backslash ends it). */
const WHOLE_LINE = new Set(["!", "copy", "ef", "ev", "sf", "sv", "h", "help"]);

/** How a refused meta-command is told: what it is, and what seq-guard runs instead. */
function refusal(name: string, what: string): string {
  return `\\${name} ${what}: seq-guard runs plain SQL itself, without psql, and of psql's meta-commands runs only what pg_dump writes (\\connect, \\restrict, COPY data ended by \\.) and \\i, \\ir and \\copy ... FROM of files in the dump's folder (\\set, \\echo, \\pset and the like are ignored). Remove it from the script, or write what it does as SQL.`;
}

/** A \copy command (the rest of its line) read as psql's parse_slash_copy reads it. */
export type SlashCopy = { sql: string; file: string | null } | { problem: string };

/**
 * \copy as seq-guard runs it: FROM a file (read by seq-guard, confined to the dump's folder) or FROM stdin (the
 * lines that follow, up to \.), sent to the server as COPY ... FROM STDIN with the rest of the command (its
 * options) as written. TO, PROGRAM and pstdin are refused.
 */
export function slashCopy(args: string): SlashCopy {
  const toks: { t: string; at: number; end: number }[] = [];
  const re = /\s*('(?:[^']|'')*'?|"(?:[^"]|"")*"?|[(),]|[^\s(),'"]+)/y;
  for (let m = re.exec(args); m !== null && m[1] !== undefined; m = re.exec(args)) {
    toks.push({ t: m[1], at: re.lastIndex - m[1].length, end: re.lastIndex });
  }
  let i = 0;
  let depth = 0;
  let dir: string | null = null;
  for (; i < toks.length; i++) {
    const t = (toks[i] as { t: string }).t;
    if (t === "(") depth++;
    else if (t === ")") depth--;
    else if (depth === 0 && i > 0 && /^(from|to)$/i.test(t)) {
      dir = t.toLowerCase();
      break;
    }
  }
  const target = toks[i + 1];
  if (dir === null || target === undefined) {
    return { problem: "names no FROM and source that seq-guard can make out" };
  }
  if (dir === "to") return { problem: "writes data out (\\copy ... TO), which a restore has no use for" };
  if (/^program$/i.test(target.t)) return { problem: "runs a program (\\copy ... FROM PROGRAM)" };
  if (/^pstdin$/i.test(target.t))
    return { problem: "reads psql's own standard input (\\copy ... FROM pstdin)" };
  const head = args.slice(0, (toks[i] as { at: number }).at).trim();
  const sql = `COPY ${head} FROM STDIN ${args.slice(target.end).trim()}`.trim();
  if (/^stdin$/i.test(target.t)) return { sql, file: null };
  const q = target.t[0];
  const file =
    q === "'" || q === '"'
      ? target.t.slice(1, target.t.endsWith(q) && target.t.length > 1 ? -1 : undefined).replaceAll(q + q, q)
      : target.t;
  return file === "" ? { problem: "names an empty file name" } : { sql, file };
}

/** The unquoted word (or 'quoted' / "quoted" string) a meta-command argument starts with. */
function firstArg(args: string): string {
  const s = args.trimStart();
  const q = s[0];
  if (q === "'" || q === '"') {
    const end = s.indexOf(q, 1);
    return end > 0 ? s.slice(1, end) : s.slice(1);
  }
  return /^\S*/.exec(s)?.[0] ?? "";
}

/** An included file's path from the dump's folder; absolute when it lies outside. */
export function displayPath(dir: string, full: string): string {
  const rel = relative(dir, full);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? full : rel;
}

// ---- encodings

/** The longest line outside COPY data, and the longest statement, seq-guard reads: 16 MiB. */
export const LINE_MAX = 16 * 1024 * 1024;
export const STATEMENT_MAX = LINE_MAX;

/** PostgreSQL's client encodings, by their cleaned name (upper case, letters and digits), as WHATWG labels. */
const ENCODINGS: Record<string, string> = {
  LATIN2: "iso-8859-2",
  LATIN3: "iso-8859-3",
  LATIN4: "iso-8859-4",
  LATIN6: "iso-8859-10",
  LATIN7: "iso-8859-13",
  LATIN8: "iso-8859-14",
  LATIN9: "iso-8859-15",
  LATIN10: "iso-8859-16",
  ISO88595: "iso-8859-5",
  ISO88596: "iso-8859-6",
  ISO88597: "iso-8859-7",
  ISO88598: "iso-8859-8",
  WIN866: "ibm866",
  WIN874: "windows-874",
  WIN1250: "windows-1250",
  WIN1251: "windows-1251",
  WIN1252: "windows-1252",
  WIN1253: "windows-1253",
  WIN1254: "windows-1254",
  WIN1255: "windows-1255",
  WIN1256: "windows-1256",
  WIN1257: "windows-1257",
  WIN1258: "windows-1258",
  KOI8R: "koi8-r",
  KOI8U: "koi8-u",
  EUCJP: "euc-jp",
  SJIS: "shift_jis",
  EUCKR: "euc-kr",
  UHC: "euc-kr",
  BIG5: "big5",
  GBK: "gbk",
  GB18030: "gb18030",
  EUCCN: "gbk",
};

/** PostgreSQL's other names for them (pg_wchar's alias table, the ones in use). */
const ALIASES: Record<string, string> = {
  UNICODE: "UTF8",
  ISO88591: "LATIN1",
  ISO88592: "LATIN2",
  ISO88593: "LATIN3",
  ISO88594: "LATIN4",
  ISO88599: "LATIN5",
  ISO885910: "LATIN6",
  ISO885913: "LATIN7",
  ISO885914: "LATIN8",
  ISO885915: "LATIN9",
  ISO885916: "LATIN10",
  WINDOWS1250: "WIN1250",
  WINDOWS1251: "WIN1251",
  WINDOWS1252: "WIN1252",
  WINDOWS1253: "WIN1253",
  WINDOWS1254: "WIN1254",
  WINDOWS1255: "WIN1255",
  WINDOWS1256: "WIN1256",
  WINDOWS1257: "WIN1257",
  WINDOWS1258: "WIN1258",
  WINDOWS866: "WIN866",
  WINDOWS874: "WIN874",
  ALT: "WIN866",
  KOI8: "KOI8R",
  SHIFTJIS: "SJIS",
  MSKANJI: "SJIS",
  WINDOWS932: "SJIS",
  WIN932: "SJIS",
  WINDOWS936: "GBK",
  WIN936: "GBK",
  WINDOWS949: "UHC",
  WIN949: "UHC",
  WINDOWS950: "BIG5",
  WIN950: "BIG5",
  TCVN: "WIN1258",
  TCVN5712: "WIN1258",
  VSCII: "WIN1258",
};

/** An encoding's name as PostgreSQL compares them: upper case, letters and digits only; aliases resolved. */
export function cleanEncoding(name: string): string {
  const c = name.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return ALIASES[c] ?? c;
}

/** Bytes of a script in `name` to UTF-8: null for UTF-8 itself (passed through untouched). Throws on bad bytes. */
type Transcoder = ((b: Buffer) => Buffer) | null;

function transcoder(name: string): Transcoder | undefined {
  if (name === "UTF8") return null;
  if (name === "SQLASCII") {
    // No encoding declared: accepted as long as it is UTF-8 (what the session speaks); passed through.
    const check = new TextDecoder("utf-8", { fatal: true });
    return (b) => {
      check.decode(b, { stream: true });
      return b;
    };
  }
  // Node's latin1 is ISO-8859-1 exactly (WHATWG's label would give windows-1252).
  if (name === "LATIN1") return (b) => Buffer.from(b.toString("latin1"), "utf8");
  if (name === "LATIN5") {
    // ISO-8859-9: windows-1254 above 0x9F, the C1 controls below (WHATWG's label would give windows-1254 there).
    const high = new TextDecoder("windows-1254").decode(Uint8Array.from({ length: 96 }, (_, i) => 0xa0 + i));
    return (b) => {
      let s = "";
      for (const c of b) s += c < 0xa0 ? String.fromCharCode(c) : high[c - 0xa0];
      return Buffer.from(s, "utf8");
    };
  }
  const label = ENCODINGS[name];
  if (label === undefined) return undefined;
  const d = new TextDecoder(label, { fatal: true });
  return (b) => Buffer.from(d.decode(b, { stream: true }), "utf8");
}

/** What converts bytes in `encoding` (as SqlScript.encoding names it) to UTF-8: null for UTF-8 itself. */
export function encodingTranscoder(encoding: string): ((b: Buffer) => Buffer) | null {
  return transcoder(cleanEncoding(encoding)) ?? null;
}

/** A statement's or line's bytes as UTF-8 text, or null when they are not UTF-8. */
const utf8Strict = new TextDecoder("utf-8", { fatal: true });
export function decodeUtf8(b: Buffer): string | null {
  try {
    return utf8Strict.decode(b);
  } catch {
    return null;
  }
}

// ---- the script

/** What a script asks for, in order: run by run-plain.ts. */
export type PlainEvent =
  /** Text of the statement under way (its cuts left out; between statements nothing is given). */
  | { k: "sql"; buf: Buffer }
  /** The statement ends (lines first..last). Blank: left out, its text is to be dropped. Copy: COPY FROM STDIN. */
  | { k: "end"; first: number; last: number; blank: boolean; copy: boolean }
  /** COPY data as it is read (not cut into lines), up to the \. line. */
  | { k: "data"; buf: Buffer }
  /** The \. line (or the end of the file) ended COPY data. */
  | { k: "copyEnd"; line: number }
  /** \i / \ir FILE: the line was read; the script waits (paused) until the runner has run the file. */
  | { k: "include"; path: string; relative: boolean; line: number; command: string }
  /** \copy ... FROM FILE (file) or FROM stdin (null: data events follow): sql is COPY ... FROM STDIN. */
  | { k: "copy"; sql: Buffer; file: string | null; line: number };

export interface ScriptContext {
  /** The included file being read (its real path); null for the dump itself. */
  file: string | null;
  /** The same from the dump's folder, for messages and hints; null for the dump itself. */
  display: string | null;
  depth: number;
  /** Order counter shared with the including script. */
  order: { n: number };
  /** The client encoding the script starts in (an included file: the including script's). */
  encoding?: string;
}

/** Add what an included file did to the facts of the script that includes it. */
export function mergeIncluded(f: PlainFacts, g: PlainFacts): void {
  f.inserts += g.inserts;
  f.copies += g.copies;
  f.setvals += g.setvals;
  f.opaqueSetvals += g.opaqueSetvals;
  for (const [k, p] of g.positions) {
    const had = f.positions.get(k);
    if (!had || had.order < p.order) f.positions.set(k, p);
  }
}

interface Mark {
  pos: number;
  /** null: a statement starts here. */
  ev: PlainEvent | null;
}

/**
 * The lexer and the cuts, fed chunks (feed, then end). Synchronous: what it reads becomes events, taken with
 * take() after each feed. After an \i it pauses at the end of that line (paused), so that the included file runs
 * (and notes its setvals) before the lines after it are read: resume() reads on.
 */
export class SqlScript {
  readonly facts: PlainFacts = emptyFacts();
  private events: PlainEvent[] = [];
  private queue: Buffer = Buffer.alloc(0);
  private qpos = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  private inCopy = false;
  private copyNext = false;
  private copyAtLineStart = false;
  /** The start of a COPY data line at a chunk's end that may be \. : joined to the next chunk. */
  private copyHold: Buffer | null = null;
  private quote: Quote = null;
  private quoteText = "";
  private stmt: Stmt | null = null;
  /** Statement text is being given (between a statement's start and its end). */
  private inStmt = false;
  private pendingEnd: PlainEvent | null = null;
  private connects = 0;
  /** standard_conforming_strings: off makes backslashes in '...' escapes, as the server will read them. */
  private stdStrings = true;
  private encodingName = "UTF8";
  private decoder: Transcoder = null;
  private switched = false;
  private pauseAfterLine = false;
  paused = false;
  /** The line "-- PostgreSQL database dump" that pg_dump writes first, and whether its last line was seen. */
  private dumpHead = false;
  private dumpComplete = false;
  private cur: Line | null = null;
  /** Where the cut of a statement being left out starts on the current line. */
  private openCut: number | null = null;
  /** Lines not yet given out: the current one, and those of a statement waiting for its verdict. */
  private held: Line[] = [];
  private heldBytes = 0;
  /** A run of whole lines of one buffer, given in one piece. */
  private run: { buf: Buffer; from: number; to: number } | null = null;

  constructor(
    private readonly opts: ScriptOptions,
    readonly ctx: ScriptContext,
  ) {
    if (ctx.encoding !== undefined) this.setEncoding(ctx.encoding);
    this.switched = false;
  }

  /** The client encoding the script is read in now (PostgreSQL's name, cleaned: UTF8, LATIN1, EUCJP...). */
  get encoding(): string {
    return this.encodingName;
  }

  /** The line a statement under way started on, or null. */
  get statementLine(): number | null {
    return this.stmt?.lineNo ?? null;
  }

  /** The events of what was read since the last take. */
  take(): PlainEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  feed(chunk: Buffer): void {
    if (this.paused) throw new Error("SqlScript.feed while paused");
    let b = this.decoder ? this.transcode(chunk) : chunk;
    if (this.copyHold) {
      b = Buffer.concat([this.copyHold, b]);
      this.copyHold = null;
    }
    this.queue = b;
    this.qpos = 0;
    this.pump();
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  end(): void {
    if (this.paused) throw new Error("SqlScript.end while paused");
    if (this.inCopy) {
      const h = this.copyHold;
      this.copyHold = null;
      if (h && !/^\\\.\r?$/.test(h.toString("latin1"))) this.events.push({ k: "data", buf: h });
      if (h) this.facts.lines++;
      this.inCopy = false;
      this.events.push({ k: "copyEnd", line: this.facts.lines });
    } else if (this.carryLen > 0) {
      const last = Buffer.concat(this.carry);
      this.carry = [];
      this.carryLen = 0;
      this.line(last, 0, last.length, last.length);
      if (this.copyNext) {
        this.copyNext = false;
        this.events.push({ k: "copyEnd", line: this.facts.lines });
      }
    }
    this.cur = null;
    // A statement left open at the end of the file is run, as psql does.
    if (this.stmt) this.endStatement(0);
    this.flushHeld();
    this.flushRun();
    if (this.pendingEnd) {
      this.events.push(this.pendingEnd);
      this.pendingEnd = null;
      this.inStmt = false;
    }
    if (this.dumpHead && !this.dumpComplete && this.ctx.file === null) {
      throw this.problem(
        "the script starts as pg_dump writes one (-- PostgreSQL database dump) but ends without the line pg_dump writes last (-- PostgreSQL database dump complete): it was cut short, so only part of the data was restored and the verdicts would be wrong. Make the dump again, or copy it again if it was cut short on the way (compare its size with the original's).",
      );
    }
  }

  private transcode(b: Buffer): Buffer {
    const t = this.decoder as (b: Buffer) => Buffer;
    try {
      return t(b);
    } catch {
      // Find the line: decode line by line (no encoding seq-guard reads has a newline byte inside a character).
      let at = 0;
      let line = this.facts.lines + 1;
      const check = transcoder(this.encodingName) as (b: Buffer) => Buffer;
      for (;;) {
        const nl = b.indexOf(10, at);
        const end = nl < 0 ? b.length : nl + 1;
        try {
          check(b.subarray(at, end));
        } catch {
          break;
        }
        if (nl < 0) break;
        at = nl + 1;
        line++;
      }
      const name = this.encodingName === "SQLASCII" ? "SQL_ASCII" : this.encodingName;
      throw new PlainSqlProblem(
        line,
        name === "SQL_ASCII"
          ? "this line holds bytes that are not UTF-8, in a script that declares no encoding (client_encoding SQL_ASCII): seq-guard sends the script as UTF-8. Convert the file to UTF-8 (iconv -f ENCODING -t UTF-8) and set client_encoding = 'UTF8' in it, or set the client_encoding it is written in."
          : `this line holds bytes that are not valid ${name}, the client_encoding the script sets. Fix the encoding of the file (iconv), or the SET client_encoding in it.`,
        this.ctx.display,
      );
    }
  }

  private pump(): void {
    while (this.qpos < this.queue.length && !this.paused) {
      if (this.inCopy) {
        this.copyScan();
        continue;
      }
      const buf = this.queue;
      const nl = buf.indexOf(10, this.qpos);
      if (nl < 0) {
        this.carry.push(buf.subarray(this.qpos));
        this.carryLen += buf.length - this.qpos;
        this.qpos = buf.length;
        if (this.carryLen > LINE_MAX) throw this.tooLong(this.facts.lines + 1);
        break;
      }
      if (this.carryLen > 0) {
        // The line that started in an earlier chunk ends here.
        if (this.carryLen + nl - this.qpos > LINE_MAX) throw this.tooLong(this.facts.lines + 1);
        const whole = Buffer.concat([...this.carry, buf.subarray(this.qpos, nl + 1)]);
        this.carry = [];
        this.carryLen = 0;
        this.line(whole, 0, whole.length - 1, whole.length);
      } else {
        if (nl - this.qpos > LINE_MAX) throw this.tooLong(this.facts.lines + 1);
        this.line(buf, this.qpos, nl, nl + 1);
      }
      this.qpos = nl + 1;
      if (this.switched) {
        // SET client_encoding: what follows is read in the new encoding.
        this.switched = false;
        this.flushRun();
        if (this.decoder) {
          this.queue = this.transcode(buf.subarray(this.qpos));
          this.qpos = 0;
        }
      }
    }
    this.flushRun();
  }

  private tooLong(line: number): PlainSqlProblem {
    return new PlainSqlProblem(
      line,
      `this line is longer than ${LINE_MAX / 1024 / 1024} MiB outside COPY data, the most seq-guard reads in one line or one statement (COPY data lines have no such limit). Split the statement, or load such values with COPY.`,
      this.ctx.display,
    );
  }

  /** COPY data: given out as read, in pieces of the chunk; only the start of each line is looked at, for \. */
  private copyScan(): void {
    this.flushRun();
    const buf = this.queue;
    const n = buf.length;
    let pos = this.qpos;
    const from = pos;
    while (pos < n) {
      if (this.copyAtLineStart) {
        if (buf[pos] === 0x5c) {
          const avail = n - pos;
          if (avail < 2 || (buf[pos + 1] === 0x2e && (avail < 3 || (buf[pos + 2] === 0x0d && avail < 4)))) {
            // Too few bytes left to tell whether this is the \. line: kept for the next chunk.
            if (pos > from) this.events.push({ k: "data", buf: buf.subarray(from, pos) });
            this.copyHold = Buffer.from(buf.subarray(pos));
            this.qpos = n;
            return;
          }
          if (buf[pos + 1] === 0x2e) {
            let e = pos + 2;
            if (buf[e] === 0x0d) e++;
            if (buf[e] === 0x0a) {
              if (pos > from) this.events.push({ k: "data", buf: buf.subarray(from, pos) });
              this.facts.lines++;
              this.inCopy = false;
              this.events.push({ k: "copyEnd", line: this.facts.lines });
              this.qpos = e + 1;
              return;
            }
          }
        }
        this.copyAtLineStart = false;
      }
      const nl = buf.indexOf(10, pos);
      if (nl < 0) {
        pos = n;
        break;
      }
      this.facts.lines++;
      pos = nl + 1;
      this.copyAtLineStart = true;
    }
    if (pos > from) this.events.push({ k: "data", buf: buf.subarray(from, pos) });
    this.qpos = n;
  }

  private line(buf: Buffer, start: number, nl: number, end: number): void {
    this.facts.lines++;
    let e = nl;
    if (e > start && buf[e - 1] === 13) e--;
    const rec: Line = { buf, start, len: e - start, end, cuts: null, marks: null };
    this.held.push(rec);
    this.heldBytes += end - start;
    this.cur = rec;
    if (this.stmt?.blank) this.openCut = 0;
    const text = buf.toString("latin1", start, e);
    if (this.facts.lines <= 50 && this.facts.pgDump === null) {
      this.facts.pgDump = /^-- Dumped by pg_dump version (\S+)/.exec(text)?.[1] ?? null;
    }
    if (text.length >= 26 && text.charCodeAt(0) === 0x2d) {
      if (text === "-- PostgreSQL database dump complete") this.dumpComplete = true;
      else if (this.facts.lines <= 5 && text === "-- PostgreSQL database dump") this.dumpHead = true;
    }
    this.lex(text);
    if (this.openCut !== null) {
      cut(rec, this.openCut, rec.len);
      this.openCut = null;
    }
    // A statement that waits too long for its verdict (only an ALTER can) is passed as it is.
    if (this.stmt && this.stmt.verdict === null && this.heldBytes > HOLD_MAX) this.stmt.verdict = "pass";
    if (this.copyNext) {
      if (this.stmt) {
        throw this.problem(
          "a statement starts after COPY ... FROM stdin on the line where the COPY data is to begin. Put it after the \\. line that ends the data.",
        );
      }
      this.copyNext = false;
      this.inCopy = true;
      this.copyAtLineStart = true;
    }
    if (!(this.stmt && this.stmt.verdict === null)) this.flushHeld();
    if (this.pauseAfterLine) {
      this.pauseAfterLine = false;
      this.paused = true;
    }
  }

  private flushHeld(): void {
    for (const l of this.held) this.out(l);
    this.held.length = 0;
    this.heldBytes = 0;
  }

  /** Give a line out: the text of statements (cuts left out) and, where marked, the statements' ends and commands. */
  private out(l: Line): void {
    if (l.cuts === null && l.marks === null) {
      if (!this.inStmt) return;
      const r = this.run;
      if (r && r.buf === l.buf && r.to === l.start) r.to = l.end;
      else {
        this.flushRun();
        this.run = { buf: l.buf, from: l.start, to: l.end };
      }
      return;
    }
    this.flushRun();
    const pairs: [number, number][] = [];
    const cuts = l.cuts ?? [];
    for (let i = 0; i < cuts.length; i += 2) pairs.push([cuts[i] as number, cuts[i + 1] as number]);
    pairs.sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const m of (l.marks ?? []).sort((a, b) => a.pos - b.pos)) {
      this.text(l, at, m.pos, pairs);
      at = m.pos;
      if (m.ev === null) this.inStmt = true;
      else {
        if (m.ev.k === "end") this.inStmt = false;
        this.events.push(m.ev);
      }
    }
    this.text(l, at, l.len, pairs);
    if (this.inStmt && l.end > l.start + l.len) {
      this.events.push({ k: "sql", buf: l.buf.subarray(l.start + l.len, l.end) });
    }
  }

  /** [from, to) of a line's text, less its cuts, when a statement is under way. */
  private text(l: Line, from: number, to: number, cuts: [number, number][]): void {
    if (!this.inStmt || to <= from) return;
    let at = from;
    for (const [a, b] of cuts) {
      if (b <= at) continue;
      if (a >= to) break;
      if (a > at) this.events.push({ k: "sql", buf: l.buf.subarray(l.start + at, l.start + a) });
      at = Math.max(at, b);
    }
    if (at < to) this.events.push({ k: "sql", buf: l.buf.subarray(l.start + at, l.start + to) });
  }

  private flushRun(): void {
    if (this.run) {
      this.events.push({ k: "sql", buf: this.run.buf.subarray(this.run.from, this.run.to) });
      this.run = null;
    }
  }

  private problem(message: string): PlainSqlProblem {
    return new PlainSqlProblem(this.facts.lines, message, this.ctx.display);
  }

  private mark(pos: number, ev: PlainEvent | null): void {
    const l = this.cur as Line;
    if (l.marks === null) l.marks = [{ pos, ev }];
    else l.marks.push({ pos, ev });
  }

  /** SET client_encoding / SET NAMES / RESET client_encoding: read the rest of the script in that encoding. */
  private setEncoding(value: string): void {
    const name = cleanEncoding(value);
    if (name === this.encodingName) return;
    const t = transcoder(name);
    if (t === undefined) {
      throw this.problem(
        `the script sets client_encoding to ${value}, which seq-guard cannot convert to UTF-8 (the encoding its session speaks). Convert the file to UTF-8 (iconv -f ${value} -t UTF-8) and set client_encoding = 'UTF8' in it.`,
      );
    }
    if (this.decoder !== null) {
      throw this.problem(
        `the script sets client_encoding a second time (${value}, after ${this.encodingName}): seq-guard reads a script in one encoding besides UTF-8. Convert the file to one encoding (iconv) and set it once, at the top.`,
      );
    }
    this.encodingName = name;
    this.decoder = t;
    this.switched = true;
  }

  // ---- statements

  private startStatement(pos: number): Stmt {
    const s: Stmt = {
      line: this.cur,
      pos,
      lineNo: this.facts.lines,
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
    this.stmt = s;
    this.mark(pos, null);
    return s;
  }

  private token(t: Token, pos: number): void {
    const s = this.stmt ?? this.startStatement(pos);
    if (s.skim) return;
    const prev = s.tail[s.tail.length - 1];
    s.count++;
    if (s.head.length < HEAD_MAX) s.head.push(t);
    s.tail.push(t);
    if (s.tail.length > TAIL_MAX) s.tail.shift();
    if (t.k === "w") {
      // As psql counts them: BEGIN and CASE open a block in CREATE [OR REPLACE] FUNCTION / PROCEDURE, END closes.
      if ((t.v === "BEGIN" || t.v === "CASE") && isRoutine(s.head)) s.begin++;
      else if (t.v === "END" && s.begin > 0) s.begin--;
      if (t.v === "RENAME") s.rename = true;
      else if (t.v === "STDIN" && prev?.k === "w" && prev.v === "FROM" && s.paren <= 0) s.fromStdin = true;
      else if (t.v === "IDENTITY" && prev?.k === "w" && prev.v === "RESTART") s.restartIdentity = true;
    }
    this.setvalToken(s, t, prev);
    if (s.verdict === null && !s.waitEnd) this.decide(s, false);
    if (s.verdict === "pass" && s.sv === null && s.count === 1) {
      const first = s.head[0]?.v;
      s.data = first === "INSERT";
      // ALTER (RESTART), TRUNCATE (RESTART IDENTITY) and COPY (FROM STDIN) are read to their end.
      s.skim = first !== "ALTER" && first !== "TRUNCATE" && first !== "COPY";
    }
  }

  /** Follow setval( ... ) calls at the top level of a statement, and note each one. */
  private setvalToken(s: Stmt, t: Token, prev: Token | undefined): void {
    if (s.sv) {
      if (t.k === "p" && t.v === "(") s.sv.depth++;
      if (t.k === "p" && t.v === ")") s.sv.depth--;
      if (s.sv.depth === 0) {
        this.noteSetval(s.sv.toks);
        s.sv = null;
      } else if (s.sv.toks.length < 64) s.sv.toks.push(t);
      return;
    }
    if (t.k === "p" && t.v === "(" && prev?.k === "w" && prev.v === "SETVAL") s.sv = { depth: 1, toks: [] };
  }

  private noteSetval(toks: Token[]): void {
    this.facts.setvals++;
    const args = splitArgs(toks);
    const target = args.length >= 2 && args.length <= 3 ? setvalTarget(args[0] as Token[]) : null;
    if (!target) {
      this.facts.opaqueSetvals++;
      return;
    }
    const value = literal(args[1] as Token[]);
    this.notePosition({
      target,
      value,
      isCalled: value === null ? null : booleanOf(args[2]),
      reset: false,
      text: `setval(${args.map(showTokens).join(", ")})`,
    });
  }

  private notePosition(p: Omit<PositionSet, "file" | "line" | "order">): void {
    const set = p as PositionSet;
    set.file = this.ctx.display;
    set.line = this.facts.lines;
    set.order = this.ctx.order.n++;
    this.facts.positions.set(targetKey(p.target), set);
  }

  private decide(s: Stmt, final: boolean): void {
    const v = classify(s, final);
    if (v === null) return;
    if (v === AT_END) {
      s.waitEnd = true;
      return;
    }
    s.verdict = v;
    const o = this.opts;
    const blank =
      v === "database" ||
      v === "encoding" ||
      (v === "cluster" && (o.noOwner || o.noPrivileges)) ||
      (v === "owner" && o.noOwner) ||
      (v === "privileges" && o.noPrivileges);
    if (!blank) return;
    s.blank = true;
    if (v === "owner") this.facts.skippedOwner++;
    else if (v === "privileges") this.facts.skippedPrivileges++;
    else if (v === "database") this.facts.skippedDatabase++;
    else if (v === "cluster") {
      this.facts.skippedCluster++;
      if (this.facts.cluster.length < 20) s.clusterAt = this.facts.cluster.push(describe(s)) - 1;
    }
    // Cut from the statement's first token on: whole lines up to the current one, the current one from there on.
    let started = false;
    for (const l of this.held) {
      if (l === s.line) started = true;
      if (!started) continue;
      const from = l === s.line ? s.pos : 0;
      if (l === this.cur) this.openCut = from;
      else cut(l, from, l.len);
    }
  }

  /** The statement ends at `end` on the current line (after its ;). */
  private endStatement(end: number): void {
    const s = this.stmt;
    if (!s) return;
    if (s.verdict === null) this.decide(s, true);
    if (s.blank) {
      if (this.cur) cut(this.cur, this.openCut ?? 0, end);
      this.openCut = null;
    }
    this.stmt = null;
    const h = s.head;
    const first = word(h, 0);
    const copy = !s.blank && first === "COPY" && s.fromStdin;
    const ev: PlainEvent = { k: "end", first: s.lineNo, last: this.facts.lines, blank: s.blank, copy };
    if (this.cur) this.mark(end, ev);
    else this.pendingEnd = ev;
    if (s.clusterAt !== null) this.facts.cluster[s.clusterAt] = describe(s);
    if (s.verdict === "encoding") {
      // SET client_encoding = 'X' (TO X, DEFAULT), SET NAMES 'X', RESET client_encoding: never sent (the session
      // stays UTF8); the rest of the script is read in X and converted.
      const at = h.findIndex(
        (t, i) => i > 0 && ((t.k === "p" && t.v === "=") || (t.k === "w" && t.v === "TO")),
      );
      const value = word(h, 1) === "NAMES" ? h[2] : h[at + 1];
      const text =
        first === "RESET" || !value || (value.k === "w" && value.v === "DEFAULT") ? "UTF8" : value.v;
      this.setEncoding(text);
      return;
    }
    if (first === "SET" && word(h, 1) === "STANDARD_CONFORMING_STRINGS") {
      const v = h[h.length - 1];
      const off = v && (v.k === "w" || v.k === "s") ? /^(off|false|no|0)$/i.test(v.v) : false;
      this.stdStrings = !off;
    }
    if (s.blank) return;
    if (first === "INSERT") this.facts.inserts++;
    else if (copy) {
      this.facts.copies++;
      this.copyNext = true;
    } else if (first === "ALTER") this.noteRestart(s);
    else if (first === "TRUNCATE" && s.restartIdentity) this.noteTruncate(s);
  }

  private noteRestart(s: Stmt): void {
    const h = s.head;
    const restart = h.findIndex((t) => t.k === "w" && t.v === "RESTART");
    if (restart < 0) return;
    this.facts.setvals++;
    let i = 2;
    const kind = word(h, 1);
    if (kind === "TABLE" && word(h, i) === "ONLY") i++;
    if (word(h, i) === "IF" && word(h, i + 1) === "EXISTS") i += 2;
    const name = nameAt(h, i);
    let target: PositionTarget | null = null;
    if (name && kind === "SEQUENCE") target = { kind: "sequence", ...qualified(name.parts) };
    else if (name && kind === "TABLE" && word(h, name.next) === "ALTER") {
      const c = nameAt(h, word(h, name.next + 1) === "COLUMN" ? name.next + 2 : name.next + 1);
      if (c && c.parts.length === 1) {
        target = { kind: "column", table: qualified(name.parts), column: c.parts[0] as string };
      }
    }
    if (!target) {
      this.facts.opaqueSetvals++;
      return;
    }
    const after = h.slice(restart + 1 + (word(h, restart + 1) === "WITH" ? 1 : 0));
    const end = after.findIndex((t) => !(t.k === "n" || (t.k === "p" && t.v === "-")));
    const value = literal(end < 0 ? after : after.slice(0, end));
    this.notePosition({
      target,
      value,
      isCalled: false,
      reset: value === null,
      text: `${showTokens(h.slice(0, restart + 1))}${value !== null ? ` WITH ${value}` : ""}`,
    });
  }

  /** TRUNCATE [TABLE] [ONLY] t [, ...] RESTART IDENTITY: every identity and owned sequence of the tables. */
  private noteTruncate(s: Stmt): void {
    const h = s.head;
    this.facts.setvals++;
    let i = 1;
    if (word(h, i) === "TABLE") i++;
    for (;;) {
      if (word(h, i) === "ONLY") i++;
      const name = nameAt(h, i);
      if (!name) break;
      this.notePosition({
        target: { kind: "table", table: qualified(name.parts) },
        value: null,
        isCalled: false,
        reset: true,
        text: `TRUNCATE ${showTokens(h.slice(i, name.next))} ... RESTART IDENTITY`,
      });
      i = name.next;
      if (h[i]?.v === "*") i++;
      if (h[i]?.v !== ",") break;
      i++;
    }
  }

  // ---- the lexer

  private lex(text: string): void {
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
      this.facts.opaqueSetvals++;
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

  /** A backslash outside quotes: \; and \: belong to the SQL; anything else is a psql meta-command. */

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

  private metaCommand(name: string, args: string, at: number): void {
    if (name === "c" || name === "connect") {
      this.connects++;
      if (this.connects > 1) {
        throw this.problem(
          "the script connects to a second database (\\connect): it holds several databases (pg_dumpall output?). seq-guard restores one database per dump: dump each database with pg_dump and give each file.",
        );
      }
      // A dump made with pg_dump --create connects to the database it just created: stay in the scratch one.
      this.facts.skippedDatabase++;
      return;
    }
    if (IGNORED_META.has(name)) return;
    if ((name === "g" || name === "gx") && args.trim() === "") {
      // Sends the statement, as ; does.
      this.endStatement(at);
      return;
    }
    const include = name === "i" || name === "include" || name === "ir" || name === "include_relative";
    if ((include || name === "copy") && this.stmt) {
      throw this.problem(
        `\\${name} stands inside a statement (after its first words, before the ; that ends it). Put it on a line of its own, between statements.`,
      );
    }
    if (include) {
      const path = firstArg(args);
      if (path === "") throw this.problem(`\\${name} names no file. Name the file to include.`);
      if (this.ctx.depth >= MAX_INCLUDE_DEPTH) {
        throw this.problem(
          `the script includes files more than ${MAX_INCLUDE_DEPTH} deep (${path}): does a file include itself?`,
        );
      }
      const relative = name === "ir" || name === "include_relative";
      this.mark(at, { k: "include", path, relative, line: this.facts.lines, command: name });
      this.pauseAfterLine = true;
      return;
    }
    if (name === "copy") {
      const c = slashCopy(args);
      if ("problem" in c) throw this.problem(refusal(name, c.problem));
      this.mark(at, { k: "copy", sql: Buffer.from(c.sql, "latin1"), file: c.file, line: this.facts.lines });
      this.facts.copies++;
      if (c.file === null) this.copyNext = true;
      return;
    }
    throw this.problem(refusal(name, REFUSED_META[name] ?? "is a psql meta-command"));
  }
}
