// The psql meta-commands in a plain SQL script, now that seq-guard runs the script itself (psql is not
// involved): which are honoured, which ignored, which refused and why, and \copy read as psql reads it. Pure.

/**
 * The psql meta-commands seq-guard honours, now that it runs a script itself (psql is not involved): what pg_dump
 * writes (\connect and \c, ignored: the script stays in the scratch database; \restrict and \unrestrict, ignored;
 * COPY's \., read with the data), files of the fixture's folder (\i, \ir, \copy ... FROM a file, see
 * run-plain.ts), and a few that only set or print psql's own state, common in hand-written fixtures. Those are
 * ignored, which is safe: seq-guard keeps no psql state and never puts a variable's value into the script (:name
 * reaches the server as written, where it is a syntax error), so skipping them cannot change what the server runs.
 */
export const IGNORED_META = new Set([
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
export const REFUSED_META: Record<string, string> = {
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
export const WHOLE_LINE = new Set(["!", "copy", "ef", "ev", "sf", "sv", "h", "help"]);

/** How a refused meta-command is told: what it is, and what seq-guard runs instead. */
export function refusal(name: string, what: string): string {
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
export function firstArg(args: string): string {
  const s = args.trimStart();
  const q = s[0];
  if (q === "'" || q === '"') {
    const end = s.indexOf(q, 1);
    return end > 0 ? s.slice(1, end) : s.slice(1);
  }
  return /^\S*/.exec(s)?.[0] ?? "";
}
