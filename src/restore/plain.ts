// Plain SQL on its way to psql: a streaming filter that leaves out, statement by statement, what must not run
// in a scratch database: the database-level statements of a dump made with --create (CREATE/ALTER/DROP/COMMENT ON
// DATABASE and its \connect), which would act on the user's real database; the cluster-level ones (roles,
// tablespaces, ALTER SYSTEM), which would outlive the scratch database on the server; and, under --no-owner
// --no-privileges, what pg_restore would skip (ALTER ... OWNER TO, SET SESSION AUTHORIZATION, GRANT, REVOKE,
// ALTER DEFAULT PRIVILEGES). Exactly the statement's text is cut, wherever it lies (after a comment, next to
// another statement, over several lines), and every newline stays, so psql's line numbers are the file's. What
// cannot be cut safely (\gexec, a statement joined to another with \;, such a statement in an included file) is
// refused with PlainSqlProblem. It also notes what the script does for the root-cause hints: INSERT and COPY
// statements, and each setval / RESTART with its target and value.
//
// A small lexer follows quotes, dollar quotes, comments, psql meta-commands and COPY data across lines; COPY
// data lines are passed through without being looked at. Files included with \i or \ir are read and checked the
// same way (they reach psql unfiltered, so they may hold nothing that would have been cut above).

import { closeSync, openSync, readSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import { Transform, type TransformCallback } from "node:stream";

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

/** A script seq-guard cannot restore safely into one scratch database (a pg_dumpall file, \gexec, ...). */
export class PlainSqlProblem extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = "PlainSqlProblem";
  }
}

export interface PlainFilterOptions {
  noOwner: boolean;
  noPrivileges: boolean;
  /**
   * The folder psql runs in (the dump's folder): \i paths and the dump's own \ir paths resolve from there. Unset:
   * included files are not read (psql runs in a container, where this machine's paths mean nothing).
   */
  includeDir?: string;
  /** psql runs in a container (--restore-via), not on this machine: for messages. */
  inContainer?: boolean;
  /** Told of every statement of the script itself (not of included files): the lines it starts and ends on. */
  onStatement?: (first: number, last: number) => void;
}

type Verdict = "pass" | "owner" | "privileges" | "database" | "cluster";
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
  /** Joined to the previous statement with \; (sent as one query). */
  chained: boolean;
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
/** psql meta-commands whose argument is the rest of the line (no backslash ends it). */
const WHOLE_LINE = new Set(["!", "copy", "ef", "ev", "sf", "sv", "h", "help"]);
/** Meta-commands that send the query buffer, as ; does. */
const SENDS = new Set(["g", "gx", "gset", "gdesc", "crosstabview", "watch", "gexec"]);

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
        return need(word(h, 1), (b) =>
          b !== "SESSION" ? "pass" : need(word(h, 2), (c) => (c === "AUTHORIZATION" ? "owner" : "pass")),
        );
      default:
        return "pass";
    }
  });
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
 * psql meta-commands a dump may hold: what pg_dump writes (\connect, \restrict, \unrestrict, COPY's \.) and what
 * only sets psql's own state, prints, or reads the server. \i, \ir, \copy, \g, \gx and \o are looked at in
 * refusedMetaCommand; any other is refused.
 */
const HARMLESS_META = new Set([
  "c",
  "connect",
  "restrict",
  "unrestrict",
  ".",
  "i",
  "include",
  "ir",
  "include_relative",
  "set",
  "unset",
  "echo",
  "qecho",
  "warn",
  "pset",
  "a",
  "C",
  "f",
  "H",
  "t",
  "T",
  "x",
  "timing",
  "encoding",
  "errverbose",
  "conninfo",
  "q",
  "quit",
  "p",
  "print",
  "h",
  "help",
  "?",
  "copyright",
  "gset",
  "gdesc",
  "crosstabview",
  "z",
  "l",
  "l+",
  "list",
  "list+",
  "lo_list",
  "lo_unlink",
  "bind",
  "bind_named",
  "parse",
  "close_prepared",
  "startpipeline",
  "endpipeline",
  "syncpipeline",
  "sendpipeline",
  "flushrequest",
  "flush",
  "getresults",
]);

/** What each refused meta-command does that a dump may not. */
const REFUSED_META: Record<string, string> = {
  "!": "runs a shell command",
  o: "sends query results to a file or a program",
  out: "sends query results to a file or a program",
  w: "writes the query buffer to a file or a program",
  write: "writes the query buffer to a file or a program",
  s: "writes psql's command history to a file",
  setenv: "sets environment variables for the programs psql runs",
  getenv: "reads an environment variable of the machine it runs on (where tokens are kept)",
  cd: "changes psql's working folder, so that later paths reach other files",
  lo_import: "reads a file of the machine it runs on into the database",
  lo_export: "writes a file on the machine it runs on",
  password: "changes a role's password on the server",
  e: "runs an editor",
  edit: "runs an editor",
  ef: "runs an editor",
  ev: "runs an editor",
  prompt: "waits for input",
  watch: "repeats a query until it is interrupted (the restore would never end)",
  if: "runs parts of the script depending on values known only when psql runs, so seq-guard cannot tell which statements reach the server",
  elif: "runs parts of the script depending on values known only when psql runs, so seq-guard cannot tell which statements reach the server",
  else: "runs parts of the script depending on values known only when psql runs, so seq-guard cannot tell which statements reach the server",
  endif:
    "runs parts of the script depending on values known only when psql runs, so seq-guard cannot tell which statements reach the server",
  r: "discards the statement written so far, so seq-guard cannot tell which statements reach the server",
  reset: "discards the statement written so far, so seq-guard cannot tell which statements reach the server",
};

/** A describe command: \d, \dt+, \dfS, \dconfig ... (they read the server's catalogs). */
const DESCRIBE = /^d[A-Za-z]*[Sx+]*$/;

/** Why a meta-command may not run in a dump (what it does), or null when it may. */
export function refusedMetaCommand(name: string, args: string): string | null {
  if (!WHOLE_LINE.has(name) && hasBackquote(args)) {
    return "has an argument in backquotes, which runs a shell command";
  }
  const known = REFUSED_META[name];
  if (known !== undefined) {
    return (name === "o" || name === "out") && args.trim() === "" ? null : known;
  }
  if (name === "g" || name === "gx") {
    let rest = args.trimStart();
    if (rest.startsWith("(")) {
      const close = rest.indexOf(")");
      rest = close < 0 ? "" : rest.slice(close + 1);
    }
    return rest.trim() === "" ? null : "sends the query's result to a file or a program";
  }
  if (name === "copy") return copyProblem(args);
  if (HARMLESS_META.has(name) || DESCRIBE.test(name)) return null;
  return "is a psql meta-command that seq-guard does not run from a dump (a dump may hold \\connect, \\restrict, \\set, \\echo, \\pset, \\timing, \\encoding, \\i, \\ir, \\copy ... FROM a file and the like)";
}

/** Does `test` hold at some position of `args` outside single and double quotes? */
function someOutsideQuotes(args: string, test: (ch: string, next: string) => boolean): boolean {
  let quote: string | null = null;
  for (let j = 0; j < args.length; j++) {
    const ch = args[j] as string;
    if (quote) {
      if (quote === "'" && ch === "\\") j++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (test(ch, args[j + 1] ?? "")) return true;
  }
  return false;
}

/** A psql variable outside quotes (:name, :'name', :"name"): psql puts its value there. */
function hasVariable(args: string): boolean {
  return someOutsideQuotes(args, (ch, next) => ch === ":" && /[A-Za-z0-9_'"{]/.test(next));
}

/** Text in backquotes outside quotes: psql runs it as a shell command and puts its output there. */
function hasBackquote(args: string): boolean {
  return someOutsideQuotes(args, (ch) => ch === "`");
}

/**
 * \copy reads or writes files of the machine psql runs on: FROM a file is allowed (the data of a fixture), TO a file
 * and PROGRAM (either way) are not. Parsed as psql's parse_slash_copy reads it: a (query) or a table with its
 * (columns), FROM or TO, then PROGRAM 'command', STDIN, STDOUT, PSTDIN, PSTDOUT or a file name.
 */
function copyProblem(args: string): string | null {
  const toks: string[] = [];
  const re = /\s*('(?:[^']|'')*'?|"(?:[^"]|"")*"?|[(),]|[^\s(),'"]+)/y;
  for (let m = re.exec(args); m !== null && m[1] !== undefined; m = re.exec(args)) toks.push(m[1]);
  let i = 0;
  let depth = 0;
  let dir: string | null = null;
  for (; i < toks.length; i++) {
    const t = toks[i] as string;
    if (t === "(") depth++;
    else if (t === ")") depth--;
    else if (depth === 0 && i > 0 && /^(from|to)$/i.test(t)) {
      dir = t.toLowerCase();
      break;
    }
  }
  const target = toks[i + 1];
  if (dir === null || target === undefined) {
    return "reads or writes something seq-guard cannot make out (it runs COPY through a file or a program of the machine psql runs on)";
  }
  if (/^program$/i.test(target)) return `runs a program (\\copy ... ${dir.toUpperCase()} PROGRAM)`;
  if (/^p?std(in|out)$/i.test(target)) return null;
  return dir === "to" ? "writes a file on the machine psql runs on (\\copy ... TO a file)" : null;
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
function displayPath(dir: string, full: string): string {
  const rel = relative(dir, full);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? full : rel;
}

interface ScriptContext {
  /** The included file being read; null for the dump itself. */
  file: string | null;
  /** The same from the dump's folder (absolute when outside it), for messages and hints. */
  display: string | null;
  depth: number;
  /** Order counter shared with the including script. */
  order: { n: number };
}

/**
 * The lexer and the cuts, fed whole lines. `emit` receives the output: whole lines as they were, or lines with
 * the cut ranges left out.
 */
class SqlScript {
  readonly facts: PlainFacts = emptyFacts();
  private carry: Buffer[] = [];
  private carryLen = 0;
  private inCopy = false;
  private copyNext = false;
  private quote: Quote = null;
  private quoteText = "";
  private stmt: Stmt | null = null;
  private chainNext = false;
  private connects = 0;
  /** The line "-- PostgreSQL database dump" that pg_dump writes first, and whether its last line was seen. */
  private dumpHead = false;
  private dumpComplete = false;
  private cur: Line | null = null;
  /** Where the cut of a statement being left out starts on the current line. */
  private openCut: number | null = null;
  /** Lines not yet given to emit: the current one, and those of a statement waiting for its verdict. */
  private held: Line[] = [];
  private heldBytes = 0;
  /** A run of whole lines of one buffer, given to emit in one piece. */
  private run: { buf: Buffer; from: number; to: number } | null = null;

  constructor(
    private readonly opts: PlainFilterOptions,
    private readonly ctx: ScriptContext,
    private readonly emit: (b: Buffer | string) => void,
  ) {}

  feed(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl >= 0 && this.carryLen > 0) {
      // The line that started in an earlier chunk ends here.
      const whole = Buffer.concat([...this.carry, chunk.subarray(0, nl + 1)]);
      this.carry = [];
      this.carryLen = 0;
      this.line(whole, 0, whole.length - 1, whole.length);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl >= 0) {
      this.line(chunk, start, nl, nl + 1);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    this.flushRun();
    if (start < chunk.length) {
      this.carry.push(chunk.subarray(start));
      this.carryLen += chunk.length - start;
    }
  }

  end(): void {
    if (this.carryLen > 0) {
      const last = Buffer.concat(this.carry);
      this.carry = [];
      this.carryLen = 0;
      this.line(last, 0, last.length, last.length);
    }
    this.cur = null;
    // psql sends a statement left open at the end of the file.
    if (this.stmt) this.endStatement(0);
    this.flushHeld();
    this.flushRun();
    if (this.dumpHead && !this.dumpComplete && this.ctx.file === null) {
      throw this.problem(
        "the script starts as pg_dump writes one (-- PostgreSQL database dump) but ends without the line pg_dump writes last (-- PostgreSQL database dump complete): it was cut short, so only part of the data was restored and the verdicts would be wrong. Make the dump again, or copy it again if it was cut short on the way (compare its size with the original's).",
      );
    }
  }

  private line(buf: Buffer, start: number, nl: number, end: number): void {
    this.facts.lines++;
    let e = nl;
    if (e > start && buf[e - 1] === 13) e--;
    const rec: Line = { buf, start, len: e - start, end, cuts: null };
    this.held.push(rec);
    this.heldBytes += end - start;
    if (this.inCopy) {
      if (e - start === 2 && buf[start] === 0x5c && buf[start + 1] === 0x2e) this.inCopy = false;
    } else {
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
      if (this.copyNext) {
        this.copyNext = false;
        this.inCopy = true;
      }
      // A statement that waits too long for its verdict (only an ALTER can) is passed as it is.
      if (this.stmt && this.stmt.verdict === null && this.heldBytes > HOLD_MAX) this.stmt.verdict = "pass";
    }
    if (!(this.stmt && this.stmt.verdict === null)) this.flushHeld();
  }

  private flushHeld(): void {
    for (const l of this.held) this.out(l);
    this.held.length = 0;
    this.heldBytes = 0;
  }

  private out(l: Line): void {
    if (l.cuts === null) {
      const r = this.run;
      if (r && r.buf === l.buf && r.to === l.start) r.to = l.end;
      else {
        this.flushRun();
        this.run = { buf: l.buf, from: l.start, to: l.end };
      }
      return;
    }
    this.flushRun();
    const pieces: Buffer[] = [];
    const cuts = l.cuts;
    // Cuts are made in order, but a cut may start inside or before an earlier one: merge them.
    const pairs: [number, number][] = [];
    for (let i = 0; i < cuts.length; i += 2) pairs.push([cuts[i] as number, cuts[i + 1] as number]);
    pairs.sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [from, to] of pairs) {
      if (from > at) pieces.push(l.buf.subarray(l.start + at, l.start + from));
      at = Math.max(at, to);
    }
    if (at < l.len) pieces.push(l.buf.subarray(l.start + at, l.start + l.len));
    pieces.push(l.buf.subarray(l.start + l.len, l.end));
    this.emit(Buffer.concat(pieces));
  }

  private flushRun(): void {
    if (this.run) {
      this.emit(this.run.buf.subarray(this.run.from, this.run.to));
      this.run = null;
    }
  }

  private problem(message: string): PlainSqlProblem {
    return new PlainSqlProblem(this.facts.lines, message);
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
      chained: this.chainNext,
      rename: false,
      fromStdin: false,
      restartIdentity: false,
      opaque: false,
      skim: false,
      data: false,
      waitEnd: false,
      clusterAt: null,
      sv: null,
    };
    this.chainNext = false;
    this.stmt = s;
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
      if (t.v === "RENAME") s.rename = true;
      else if (t.v === "STDIN" && prev?.k === "w" && prev.v === "FROM") s.fromStdin = true;
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
    if (s.head[0]?.k === "p" && s.head[0].v === ":") throw this.variableProblem();
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
      (v === "cluster" && (o.noOwner || o.noPrivileges)) ||
      (v === "owner" && o.noOwner) ||
      (v === "privileges" && o.noPrivileges);
    if (!blank) return;
    const what = describe(s);
    if (this.ctx.file !== null) {
      // An included file reaches psql as it is: nothing in it can be cut.
      if (v === "database" || v === "cluster") {
        throw this.problem(
          `${what} would run on the server as it is: seq-guard leaves database-level and role-level statements out of the dump itself, but not out of files it includes (\\i, \\ir). Remove the statement from ${basename(this.ctx.file)}, or paste that file into the dump.`,
        );
      }
      return;
    }
    if (s.chained) throw this.chainProblem(what);
    s.blank = true;
    if (v === "owner") this.facts.skippedOwner++;
    else if (v === "privileges") this.facts.skippedPrivileges++;
    else if (v === "database") this.facts.skippedDatabase++;
    else {
      this.facts.skippedCluster++;
      if (this.facts.cluster.length < 20) s.clusterAt = this.facts.cluster.push(what) - 1;
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

  private variableProblem(): PlainSqlProblem {
    return this.problem(
      "a statement that starts with a psql variable (:name), or has one among the first words that tell what it does, is only known when psql runs it, so seq-guard cannot check it before it reaches the server (it may create or drop databases or roles). Write the statement out, or restore the script yourself.",
    );
  }

  private chainProblem(what: string): PlainSqlProblem {
    return this.problem(
      `${what} is joined to another statement with \\; (sent as one query), so it cannot be left out on its own: it would act on the server outside the scratch database. Put it on its own, ended by ;, or remove it.`,
    );
  }

  /** The statement ends at `end` on the current line (after its ; or its \g). */
  private endStatement(end: number, chained = false): void {
    const s = this.stmt;
    if (!s) return;
    if (s.verdict === null) this.decide(s, true);
    if (s.blank) {
      if (chained) throw this.chainProblem(describe(s));
      if (this.cur) cut(this.cur, this.openCut ?? 0, end);
      this.openCut = null;
    }
    this.stmt = null;
    this.chainNext = chained;
    if (this.ctx.file === null) this.opts.onStatement?.(s.lineNo, this.facts.lines);
    if (s.clusterAt !== null) this.facts.cluster[s.clusterAt] = describe(s);
    if (s.blank) return;
    const h = s.head;
    const first = word(h, 0);
    if (first === "INSERT") this.facts.inserts++;
    else if (first === "COPY" && s.fromStdin) {
      this.facts.copies++;
      this.copyNext = true;
    } else if (first === "ALTER") this.noteRestart(s);
    else if (first === "TRUNCATE" && s.restartIdentity) this.noteTruncate(s);
  }

  /** ALTER SEQUENCE s RESTART [WITH n]; ALTER TABLE t ALTER [COLUMN] c RESTART [WITH n] (identity). */
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
        this.openQuote({ kind: "single", escapes: false });
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
      if (
        c === 0x3a &&
        (isWordStart(next) || next === 0x27 || next === 0x22 || next === 0x7b) &&
        text.charCodeAt(i - 1) !== 0x3a
      ) {
        // psql puts a variable's value here (:name, :'name', :"name"): while the statement's first words are
        // still to tell what it is, the value could make it DROP DATABASE, unseen.
        const open = this.stmt;
        if (open && open.verdict === null && !open.waitEnd && open.count > 0) throw this.variableProblem();
      }
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
  private backslash(text: string, i: number): number {
    const next = text[i + 1];
    if (next === "\\") return i + 2; // the separator between meta-commands and SQL
    if (next === ";") {
      // A semicolon that does not send: the statements before and after go to the server as one query.
      this.endStatement(i + 2, true);
      return i + 2;
    }
    if (next === ":") {
      this.token({ k: "p", v: ":" }, i);
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
    const args = text.slice(argStart, argEnd);
    this.metaCommand(name, args, i, argEnd);
    return resume;
  }

  private metaCommand(name: string, args: string, at: number, end: number): void {
    if (name === "c" || name === "connect") {
      if (this.ctx.file !== null) {
        throw this.problem(
          `\\${name} in an included file would connect psql to another database, outside the scratch database: seq-guard cannot leave it out of a file the dump includes. Remove it from ${basename(this.ctx.file)}.`,
        );
      }
      this.connects++;
      if (this.connects > 1) {
        throw this.problem(
          "the script connects to a second database (\\connect): it holds several databases (pg_dumpall output?). seq-guard restores one database per dump: dump each database with pg_dump and give each file.",
        );
      }
      // A dump made with pg_dump --create connects to the database it just created: stay in the scratch one.
      this.facts.skippedDatabase++;
      if (!this.stmt?.blank && this.cur) cut(this.cur, at, end);
      return;
    }
    if (name === "gexec") {
      throw this.problem(
        "\\gexec runs statements that the script builds as it runs, which seq-guard cannot check before they reach the server (they may create or drop databases or roles). Write the statements out in the script, or restore it yourself.",
      );
    }
    const refused = refusedMetaCommand(name, args);
    if (refused !== null) {
      const where = this.opts.inContainer
        ? "psql would run it inside the container"
        : "psql would run it on this machine, where the job's credentials are";
      throw this.problem(
        `\\${name} ${refused}: seq-guard refuses to run it, since a dump may come from anyone (a pull request) and ${where}. pg_dump never writes it: remove it from the script, or restore the script yourself with psql if you trust it.`,
      );
    }
    if (SENDS.has(name)) {
      this.endStatement(end);
      return;
    }
    if (name === "i" || name === "include" || name === "ir" || name === "include_relative") {
      if (hasVariable(args)) {
        throw this.problem(
          `\\${name} names its file with a psql variable (:name), so seq-guard cannot read and check that file before psql runs it (it may hold what seq-guard refuses). Write the file name out.`,
        );
      }
      this.include(firstArg(args), name === "ir" || name === "include_relative");
    }
  }

  /** Read an included file the way psql will, and refuse it when it holds what the dump may not run. */
  private include(path: string, relative: boolean): void {
    const dir = this.opts.includeDir;
    if (dir === undefined || path === "" || path.startsWith(":")) return;
    const base = relative && this.ctx.file !== null ? dirname(this.ctx.file) : dir;
    const full = isAbsolute(path) ? path : resolve(base, path);
    if (this.ctx.depth >= MAX_INCLUDE_DEPTH) {
      throw this.problem(
        `the script includes files more than ${MAX_INCLUDE_DEPTH} deep (${path}): does a file include itself?`,
      );
    }
    let fd: number;
    try {
      // Not a regular file (a FIFO, /dev/stdin, /dev/zero): reading it could block or never end, here and in psql.
      if (!statSync(full).isFile()) {
        throw this.problem(
          `the script includes ${path}, which is not a regular file, so seq-guard cannot read and check it. Include a file.`,
        );
      }
      fd = openSync(full, "r");
    } catch (err) {
      if (err instanceof PlainSqlProblem) throw err;
      return; // psql says what is wrong with it
    }
    const sub = new SqlScript(
      this.opts,
      { file: full, display: displayPath(dir, full), depth: this.ctx.depth + 1, order: this.ctx.order },
      () => undefined,
    );
    try {
      const chunk = Buffer.alloc(1 << 20);
      for (;;) {
        const got = readSync(fd, chunk, 0, chunk.length, null);
        if (got <= 0) break;
        sub.feed(Buffer.from(chunk.subarray(0, got)));
      }
      sub.end();
    } catch (err) {
      if (err instanceof PlainSqlProblem) {
        throw this.problem(`${path}, included here, line ${err.line}: ${err.message}`);
      }
      return;
    } finally {
      closeSync(fd);
    }
    const f = this.facts;
    const g = sub.facts;
    f.inserts += g.inserts;
    f.copies += g.copies;
    f.setvals += g.setvals;
    f.opaqueSetvals += g.opaqueSetvals;
    for (const [k, p] of g.positions) {
      const had = f.positions.get(k);
      if (!had || had.order < p.order) f.positions.set(k, p);
    }
  }
}

export class PlainSqlFilter extends Transform {
  private readonly script: SqlScript;

  constructor(opts: PlainFilterOptions) {
    super();
    this.script = new SqlScript(opts, { file: null, display: null, depth: 0, order: { n: 0 } }, (b) => {
      this.push(b);
    });
  }

  get facts(): PlainFacts {
    return this.script.facts;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.script.feed(chunk);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.script.end();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
}

/**
 * The line the statement that ends on `line` starts on, read from the script again (psql names the line a failing
 * statement ends on). Null when no statement, or statements starting on different lines, end there, or when the
 * line lies more than `maxBytes` into the script (reading a huge dump again would hold up the failure's report).
 */
export async function statementStart(
  input: AsyncIterable<Buffer>,
  line: number,
  maxBytes = 1024 ** 3,
): Promise<number | null> {
  const starts = new Set<number>();
  const script = new SqlScript(
    {
      noOwner: true,
      noPrivileges: true,
      onStatement: (first, last) => {
        if (last === line) starts.add(first);
      },
    },
    { file: null, display: null, depth: 0, order: { n: 0 } },
    () => undefined,
  );
  try {
    let read = 0;
    for await (const chunk of input) {
      read += chunk.length;
      if (read > maxBytes) return null;
      script.feed(chunk);
      if (script.facts.lines > line) break;
    }
    if (script.facts.lines <= line) script.end();
  } catch {
    // what the restore refused or read past is no answer
  }
  return starts.size === 1 ? ([...starts][0] as number) : null;
}
