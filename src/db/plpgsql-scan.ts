// A small scanner of PL/pgSQL function bodies (pg_proc.prosrc) that finds the statements of a BEFORE INSERT
// trigger that give a column of the new row the next value of a sequence:
//
//   NEW.id := nextval('orders_seq');            NEW."Id" = nextval('"My Seq"'::regclass)::int;
//   SELECT nextval('app.orders_seq') INTO NEW.id;
//
// These record no dependency in pg_depend, so catalog discovery reads the few trigger functions that exist. The
// body is tokenized the way PL/pgSQL's lexer (the core SQL scanner) cuts it: comments (-- and nested /* */),
// string constants ('', E'' with backslash escapes, $tag$ dollar quotes), quoted identifiers, words, and
// punctuation. So an assignment inside a comment, a string (dynamic SQL) or a dollar-quoted block is never taken
// for one, and a string that looks like a statement end cannot cut one. Only a statement that is exactly the
// assignment counts (`NEW.id := nextval('s') + 1`, `NEW.id := COALESCE(NEW.id, nextval('s'))` do not: their
// values are not, or not always, the sequence's); it may sit anywhere a statement may (inside IF ... THEN). Pure.

/** One assignment found: the column (as stored in the catalog) and the text of nextval()'s argument. */
export interface TriggerFeed {
  /** Column name: a quoted identifier unquoted, an unquoted one folded to lower case as PostgreSQL does. */
  column: string;
  /** The string constant given to nextval(), as regclass input would read it: 'app."My Seq"' gives app."My Seq". */
  sequence: string;
}

type Tok =
  | { t: "word"; v: string } // lower-cased keyword or unquoted identifier (folded)
  | { t: "ident"; v: string } // quoted identifier, unquoted
  | { t: "string"; v: string } // string constant, its value
  | { t: "punct"; v: string }; // ; . ( ) , := :: = and any other single character

/** Fold an unquoted identifier as PostgreSQL does for a multibyte database: ASCII letters only. */
export function foldIdent(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;
const SPACE = /[ \t\n\r\f\v]/;

/**
 * The text of a quoted token from `start` (just after its opening quote) to its closing `quote`: a doubled quote
 * stands for one, and with `backslash` (E'' strings) a backslash takes the next character as it is. An
 * unterminated one runs to the end of the body. `end` is where scanning goes on.
 */
function quoted(
  src: string,
  start: number,
  quote: string,
  backslash: boolean,
): { text: string; end: number } {
  let text = "";
  let i = start;
  while (i < src.length) {
    const d = src[i] as string;
    if (backslash && d === "\\" && i + 1 < src.length) {
      text += src[i + 1];
      i += 2;
    } else if (d === quote && src[i + 1] === quote) {
      text += quote;
      i += 2;
    } else if (d === quote) {
      i++;
      break;
    } else {
      text += d;
      i++;
    }
  }
  return { text, end: i };
}

/** Cut a body into tokens; comments and white space are dropped. An unterminated construct ends the body. */
export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i] as string;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    if (c === "-" && src[i + 1] === "-") {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      // Block comments nest in PostgreSQL.
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (src[i] === "/" && src[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (src[i] === "*" && src[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    if ((c === "E" || c === "e") && src[i + 1] === "'") {
      // Escape string: backslash escapes and '' both.
      const q = quoted(src, i + 2, "'", true);
      out.push({ t: "string", v: q.text });
      i = q.end;
      continue;
    }
    if (c === "'") {
      const q = quoted(src, i + 1, "'", false);
      out.push({ t: "string", v: q.text });
      i = q.end;
      continue;
    }
    if (c === "$") {
      // $tag$ ... $tag$ (the tag is an identifier without $, or empty). A $ that opens no tag is punctuation
      // ($1 parameters).
      const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(src.slice(i, i + 200));
      if (m) {
        const tag = m[0];
        const end = src.indexOf(tag, i + tag.length);
        out.push({ t: "string", v: src.slice(i + tag.length, end < 0 ? n : end) });
        i = end < 0 ? n : end + tag.length;
        continue;
      }
    }
    if (c === '"') {
      const q = quoted(src, i + 1, '"', false);
      out.push({ t: "ident", v: q.text });
      i = q.end;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_CONT.test(src[j] as string)) j++;
      out.push({ t: "word", v: foldIdent(src.slice(i, j)) });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(src[j] as string)) j++;
      out.push({ t: "punct", v: src.slice(i, j) });
      i = j;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === ":=" || two === "::") {
      out.push({ t: "punct", v: two });
      i += 2;
      continue;
    }
    out.push({ t: "punct", v: c });
    i++;
  }
  return out;
}

// Tokens after which a statement may start.
const STATEMENT_START = new Set(["begin", "then", "else", "loop"]);

/** Every `NEW.col := nextval('s')` and `SELECT nextval('s') INTO NEW.col` statement of a body. */
export function findTriggerFeeds(src: string): TriggerFeed[] {
  const toks = tokenize(src);
  const out: TriggerFeed[] = [];
  const is = (k: number, t: Tok["t"], v?: string) => {
    const x = toks[k];
    return x !== undefined && x.t === t && (v === undefined || x.v === v);
  };
  const atStart = (k: number) => {
    const p = toks[k - 1];
    return (
      p === undefined || (p.t === "punct" && p.v === ";") || (p.t === "word" && STATEMENT_START.has(p.v))
    );
  };
  // NEW . col: returns the column and the index after it.
  const newCol = (k: number): { column: string; next: number } | null => {
    if (!is(k, "word", "new") || !is(k + 1, "punct", ".")) return null;
    const c = toks[k + 2];
    if (c === undefined || (c.t !== "word" && c.t !== "ident")) return null;
    return { column: c.v, next: k + 3 };
  };
  // ::type casts, each a word or quoted name, optionally schema-qualified: skipped. (A multi-word type name,
  // double precision, leaves a word behind that no statement end follows, so the statement does not count.)
  const casts = (k: number): number => {
    while (is(k, "punct", "::")) {
      k++;
      if (!(is(k, "word") || is(k, "ident"))) return -1;
      k++;
      while (is(k, "punct", ".") && (is(k + 1, "word") || is(k + 1, "ident"))) k += 2;
    }
    return k;
  };
  // nextval ( 'text' [::type] ) [::type]: returns the sequence text and the index after it.
  const nextval = (k: number): { sequence: string; next: number } | null => {
    let j = k;
    // pg_catalog.nextval
    if (is(j, "word", "pg_catalog") && is(j + 1, "punct", ".")) j += 2;
    if (!is(j, "word", "nextval") || !is(j + 1, "punct", "(")) return null;
    const lit = toks[j + 2];
    if (lit === undefined || lit.t !== "string") return null;
    j = casts(j + 3);
    if (j < 0 || !is(j, "punct", ")")) return null;
    j = casts(j + 1);
    if (j < 0) return null;
    return { sequence: lit.v, next: j };
  };
  const ends = (k: number) => k >= toks.length || is(k, "punct", ";");

  for (let k = 0; k < toks.length; k++) {
    if (!atStart(k)) continue;
    const target = newCol(k);
    if (target && (is(target.next, "punct", ":=") || is(target.next, "punct", "="))) {
      const nv = nextval(target.next + 1);
      if (nv && ends(nv.next)) out.push({ column: target.column, sequence: nv.sequence });
      continue;
    }
    if (is(k, "word", "select")) {
      const nv = nextval(k + 1);
      if (!nv || !is(nv.next, "word", "into")) continue;
      let j = nv.next + 1;
      if (is(j, "word", "strict")) j++;
      const into = newCol(j);
      if (into && ends(into.next)) out.push({ column: into.column, sequence: nv.sequence });
    }
  }
  return out;
}
