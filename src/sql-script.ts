// `seq-guard sql`: the SQL text of a standalone script that does what `check` (or, with --fix, `fix`) does, for
// people who have psql but no Node. Pure: options in, text out; nothing here talks to a database.
//
// The script is generated, not hand-written, so that the rules live in one place per language: the verdict query
// below mirrors src/discovery.ts, src/probe.ts and src/verdict.ts rule for rule, and the tests run both against
// the same databases. No name is pasted in by this code: every identifier in the SQL the script runs is produced on
// the server by format('%I.%I') / quote_ident() from the catalog. What the user passes (--schema, --exclude) goes
// in as E'' string literals, compared with catalog text, never executed.

import { minimatch } from "minimatch";
import { plainNextvalSql, resolveLinksSql, TEXT_DEFAULTS_SQL } from "./discovery.ts";
import { UsageError } from "./errors.ts";

export interface SqlScriptOptions {
  /** Print the fixing script instead of the checking one. */
  fix: boolean;
  /** Only these schemas (empty: all). */
  schemas: string[];
  /** Skip sequences whose unquoted schema.name matches one of these globs (the syntax of --exclude). */
  exclude: string[];
  /** Warn when this share (percent) of the effective range is used. */
  headroomThreshold: number;
  /** fix: how long to wait for a busy table's lock, in milliseconds. */
  lockTimeoutMs: number;
  /** Shown in the script's header. */
  version?: string;
}

/** Quote text as an E'' literal: the same meaning whatever standard_conforming_strings says. */
export function sqlLiteral(text: string): string {
  return `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/** Wrap text in dollar quotes whose tag does not occur in it. */
function dollarQuote(text: string, base: string): string {
  let tag = `$${base}$`;
  for (let i = 1; text.includes(tag); i++) tag = `$${base}${i}$`;
  return `${tag}${text}${tag}`;
}

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

// ---------------------------------------------------------------------------------------------------------------
// The SQL. `__SG_OIDS__` stands for the oid[] of the sequences one statement judges: a literal array in the
// check's statements, $1 inside the fixing block.

const OIDS = "__SG_OIDS__";

/** Links of DEFAULT nextval('name'::text): the same SQL as the engine's discovery runs, resolved the same way. */
const TEXT_LINKS = resolveLinksSql(TEXT_DEFAULTS_SQL);

/** Schemas never looked at, as src/discovery.ts skips them. */
const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'`;

/**
 * The chunk planner: every sequence (or those in `restrictTo`), in name order, cut into chunks of at most 250
 * sequences and about 1000 locked relations (tables, their indexes, partitions and children), as src/probe.ts
 * batches them, so that no transaction overflows the server's lock table. Returns (chunk oid[], first).
 */
function plannerSql(restrictTo: string | null): string {
  return `WITH RECURSIVE
sq AS (
  SELECT c.oid AS seq, n.nspname, c.relname
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S' AND ${SYSTEM_SCHEMAS}${restrictTo ? ` AND c.oid = ANY (${restrictTo})` : ""}
),
l AS (
  SELECT d.objid AS seq, d.refobjid AS tbl
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION
  SELECT d.refobjid, ad.adrelid
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'n'
  UNION
  SELECT tl.seq, tl.tbl FROM (${TEXT_LINKS}) AS tl
),
tree (root, rel) AS (
  SELECT DISTINCT l.tbl, l.tbl FROM l WHERE l.seq IN (SELECT sq.seq FROM sq)
  UNION
  SELECT tree.root, i.inhrelid FROM tree JOIN pg_catalog.pg_inherits i ON i.inhparent = tree.rel
),
ix AS (
  SELECT x.indrelid, pg_catalog.count(*) AS n FROM pg_catalog.pg_index x GROUP BY x.indrelid
),
tcost AS (
  SELECT tree.root, pg_catalog.sum(1 + COALESCE(ix.n, 0)) AS cost
  FROM tree LEFT JOIN ix ON ix.indrelid = tree.rel GROUP BY tree.root
),
scost AS (
  SELECT l.seq, pg_catalog.sum(tcost.cost) AS cost FROM l JOIN tcost ON tcost.root = l.tbl GROUP BY l.seq
),
cost AS (
  SELECT sq.seq, sq.nspname, sq.relname, 1 + COALESCE(scost.cost, 0) AS cost
  FROM sq LEFT JOIN scost ON scost.seq = sq.seq
),
-- Each sequence weighs the larger of its share of 250 sequences and its share of 1000 relations, in units of
-- 1/250000: a chunk of weight 250000 holds at most 250 sequences and at most about 1000 relations.
w AS (
  SELECT cost.*, GREATEST(cost.cost * 250, 1000) AS weight FROM cost
),
ord AS (
  SELECT w.seq, pg_catalog.row_number() OVER win AS rn, pg_catalog.sum(w.weight) OVER win - w.weight AS before
  FROM w WINDOW win AS (ORDER BY w.nspname, w.relname, w.seq)
)
SELECT pg_catalog.array_agg(ord.seq ORDER BY ord.rn) AS chunk, pg_catalog.min(ord.rn) AS first
FROM ord GROUP BY pg_catalog.div(ord.before, 250000)
UNION ALL
SELECT '{}'::pg_catalog.oid[], -1 WHERE NOT EXISTS (SELECT FROM ord)`;
}

interface VerdictParams {
  excluded: string;
  threshold: string;
  /** Overlay what the fixing block recorded in the session setting seq_guard.fix_log. */
  overlay: boolean;
  /**
   * Where each sequence's read comes from: "inline", query_to_xml() inside the verdict query (a failing read fails
   * the whole statement: the fixing block catches that per chunk and per sequence); or "prepass", what the
   * reading block of the same transaction left in the setting seq_guard.reads (a failing read is that sequence's
   * error, as in the engine).
   */
  reads: "inline" | "prepass";
}

/**
 * The verdict of each sequence in __SG_OIDS__, as one SELECT: discovery (src/discovery.ts), one dynamic read per
 * sequence through query_to_xml() (src/probe.ts's statement, built on the server with format()), and the verdict
 * arithmetic (src/verdict.ts) in numeric, which holds every int8 and every int8 + increment exactly.
 */
function verdictCtes(p: VerdictParams): string {
  return `WITH RECURSIVE
sq AS (
  SELECT c.oid AS seq, n.nspname AS nsp, c.relname AS rel,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS name,
         pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
         s.seqstart::numeric AS start, s.seqincrement::numeric AS inc,
         s.seqmin::numeric AS minv, s.seqmax::numeric AS maxv, s.seqcache AS cache, s.seqcycle AS cycle,
         pg_catalog.has_sequence_privilege(c.oid, 'SELECT') AS can_read,
         pg_catalog.has_sequence_privilege(c.oid, 'UPDATE') AS can_update,
         pg_catalog.quote_ident(n.nspname) AS nsp_ident,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         ${p.excluded} AS excluded
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
  WHERE c.relkind = 'S' AND c.oid = ANY (${OIDS})
),
-- The three links PostgreSQL records in pg_depend: OWNED BY ('a'), identity ('i'), a DEFAULT calling nextval() ('n'),
-- and DEFAULT nextval('name'::text), found from the default's expression as src/discovery.ts finds it. (Links made
-- by BEFORE INSERT triggers are not read here: see the unlinked reason and docs/sequences.md.)
-- kind: 0 identity, 1 OWNED BY, 2 a DEFAULT that is nextval() itself (through type coercions only), 3 a DEFAULT
-- that computes with nextval() (nextval() * 1024 + 7): its column holds other values than the sequence's.
l0 AS (
  SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid AS attnum, CASE d.deptype WHEN 'i' THEN 0 ELSE 1 END AS kind
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 AND d.objid = ANY (${OIDS})
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum, CASE WHEN ${plainNextvalSql("ad.adbin::text")} THEN 2 ELSE 3 END
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype = 'n' AND d.refobjid = ANY (${OIDS})
    AND ad.adbin::text LIKE '%:funcid 1574 %'
  UNION ALL
  -- DEFAULT nextval('name'::text), which records no dependency: 4 the call itself, 6 computing with it (as 3).
  SELECT tl.seq, tl.tbl, tl.attnum, tl.kind FROM (${TEXT_LINKS}) AS tl WHERE tl.seq = ANY (${OIDS})
),
-- One row per (sequence, column): judged when identity, a plain default, or OWNED BY with no computing default.
l AS (
  SELECT l0.seq, l0.tbl, l0.attnum,
         pg_catalog.bool_or(l0.kind IN (0, 2, 4))
           OR (pg_catalog.bool_or(l0.kind = 1) AND NOT pg_catalog.bool_or(l0.kind IN (3, 6))) AS judged
  FROM l0 GROUP BY l0.seq, l0.tbl, l0.attnum
),
me AS (
  SELECT r.rolsuper OR r.rolbypassrls AS bypass FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER
),
lk AS (
  SELECT l.seq, l.tbl, a.attnum, l.judged, n.nspname AS tnsp, c.relname AS trel,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS table_name,
         pg_catalog.quote_ident(a.attname) AS column_ident, a.attname::text AS column_name,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS col_type,
         pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN (
           WITH RECURSIVE b (oid, base, typtype) AS (
             SELECT t.oid, t.typbasetype, t.typtype
             UNION ALL
             SELECT bt.oid, bt.typbasetype, bt.typtype FROM b JOIN pg_catalog.pg_type bt ON bt.oid = b.base
             WHERE b.typtype = 'd')
           SELECT b.oid FROM b WHERE b.typtype <> 'd' LIMIT 1) ELSE a.atttypid END, NULL) AS base_type,
         pg_catalog.has_column_privilege(l.tbl, a.attnum, 'SELECT') AS can_read,
         pg_catalog.quote_ident(n.nspname) AS tnsp_ident,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         -- Row-level security that would hide rows: 1 policies apply to this role, 2 forced on the owner too.
         CASE WHEN COALESCE((SELECT me.bypass FROM me), false) OR NOT c.relrowsecurity THEN 0
              WHEN c.relforcerowsecurity THEN 2
              WHEN pg_catalog.pg_has_role(c.relowner, 'USAGE') THEN 0 ELSE 1 END AS rls
  FROM l
  JOIN pg_catalog.pg_class s ON s.oid = l.seq AND s.relkind = 'S'
  -- Another session's temporary table: its rows live in that session's buffers, out of reach.
  JOIN pg_catalog.pg_class c ON c.oid = l.tbl AND c.relkind IN ('r', 'p', 'f', 'm') AND c.relpersistence <> 't'
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = l.tbl AND a.attnum = l.attnum AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
),
-- Ancestors of every linked table (inheritance and partitioning): a child whose ancestor is linked to the same
-- sequence through a column of the same name is already covered by max() over the ancestor.
anc (tbl, parent) AS (
  SELECT i.inhrelid, i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid IN (SELECT lk.tbl FROM lk)
  UNION
  SELECT anc.tbl, i.inhparent FROM anc JOIN pg_catalog.pg_inherits i ON i.inhrelid = anc.parent
),
covered AS (
  SELECT DISTINCT anc.tbl, p.seq, p.column_name FROM anc JOIN lk p ON p.tbl = anc.parent
),
lnk AS (
  SELECT lk.*, pg_catalog.row_number() OVER (PARTITION BY lk.seq ORDER BY lk.tnsp, lk.trel, lk.attnum) AS pos
  FROM lk
  LEFT JOIN covered cv ON cv.tbl = lk.tbl AND cv.seq = lk.seq AND cv.column_name = lk.column_name
  WHERE cv.tbl IS NULL
),
-- Integer links, with the range of values that can collide: the sequence's range cut to the column type's.
il AS (
  SELECT lnk.*, r.tmin, r.tmax, r.tn,
         GREATEST(sq.minv, r.tmin) AS lo, LEAST(sq.maxv, r.tmax) AS hi, sq.inc > 0 AS ascending,
         CASE WHEN sq.inc > 0 THEN r.tmax < sq.maxv ELSE r.tmin > sq.minv END AS narrower
  FROM lnk
  JOIN sq ON sq.seq = lnk.seq AND lnk.judged
  JOIN (VALUES ('smallint', -32768::numeric, 32767::numeric, 'int2'),
               ('integer', -2147483648::numeric, 2147483647::numeric, 'int4'),
               ('bigint', -9223372036854775808::numeric, 9223372036854775807::numeric, 'int8'))
       AS r (base_type, tmin, tmax, tn) ON r.base_type = lnk.base_type
),
agg AS (
  SELECT lnk.seq, pg_catalog.count(*) AS n_links,
    pg_catalog.count(*) FILTER (WHERE lnk.base_type IN ('smallint', 'integer', 'bigint')) AS n_int_any,
    pg_catalog.string_agg(lnk.table_name || '.' || lnk.column_ident, ', ' ORDER BY lnk.pos)
      FILTER (WHERE NOT lnk.judged) AS expressions,
    pg_catalog.string_agg(lnk.table_name || '.' || lnk.column_name, ', ' ORDER BY lnk.pos) AS columns,
    pg_catalog.string_agg(lnk.table_name || '.' || lnk.column_ident || ' is ' || lnk.col_type, ', ' ORDER BY lnk.pos) AS types
  FROM lnk GROUP BY lnk.seq
),
iagg AS (
  SELECT il.seq, pg_catalog.count(*) AS n_int,
    pg_catalog.array_agg(DISTINCT il.table_name) AS lock_tables,
    (pg_catalog.array_agg(CASE WHEN NOT il.can_use_schema THEN pg_catalog.format(
       'permission denied: the role cannot use schema %s, which holds table %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
       il.tnsp_ident, il.table_name, il.tnsp_ident, pg_catalog.quote_ident(CURRENT_USER))
       WHEN NOT il.can_read THEN pg_catalog.format(
       'permission denied: the role cannot read column %s of table %s; grant it SELECT (GRANT SELECT ON %s TO %s)',
       il.column_ident, il.table_name, il.table_name, pg_catalog.quote_ident(CURRENT_USER))
       WHEN il.rls = 2 THEN pg_catalog.format(
       'row-level security hides rows of table %s from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: run seq-guard as a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       il.table_name, pg_catalog.quote_ident(CURRENT_USER))
       ELSE pg_catalog.format(
       'row-level security hides rows of table %s from this role, so its largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       il.table_name, pg_catalog.quote_ident(CURRENT_USER)) END ORDER BY il.pos)
       FILTER (WHERE NOT il.can_read OR NOT il.can_use_schema OR il.rls > 0))[1] AS col_denied,
    -- The narrowest integer column whose type ends the range before the sequence's own limit does (first in link
    -- order among equals).
    (pg_catalog.array_agg(CASE WHEN il.ascending THEN il.tmax ELSE il.tmin END
       ORDER BY CASE WHEN il.ascending THEN il.tmax ELSE -il.tmin END, il.pos) FILTER (WHERE il.narrower))[1] AS col_bound,
    (pg_catalog.array_agg(il.col_type || ' column ' || il.table_name || '.' || il.column_ident
       ORDER BY CASE WHEN il.ascending THEN il.tmax ELSE -il.tmin END, il.pos) FILTER (WHERE il.narrower))[1] AS col_by,
    -- One statement reads the position and the colliding extreme (max ascending, min descending) of every
    -- integer column inside its collision range: with an index, one index probe per column.
    pg_catalog.string_agg(pg_catalog.format('c%s.ex::pg_catalog.int8', il.pos), ', ' ORDER BY il.pos)
      FILTER (WHERE il.lo <= il.hi) AS ex_list,
    pg_catalog.string_agg(pg_catalog.format(
        ', (SELECT pg_catalog.%1$s(%2$s) AS ex FROM %3$s WHERE %2$s BETWEEN %4$L::pg_catalog.%5$s AND %6$L::pg_catalog.%5$s) AS c%7$s',
        CASE WHEN il.ascending THEN 'max' ELSE 'min' END, il.column_ident, il.table_name, il.lo, il.tn, il.hi, il.pos),
      '' ORDER BY il.pos) FILTER (WHERE il.lo <= il.hi) AS from_list
  FROM il GROUP BY il.seq
),
info AS MATERIALIZED (
  SELECT sq.*, sq.inc > 0 AS ascending,
    COALESCE(agg.n_links, 0) AS n_links, COALESCE(agg.n_int_any, 0) AS n_int_any, COALESCE(iagg.n_int, 0) AS n_int,
    agg.columns, agg.types, agg.expressions,
    iagg.col_denied, iagg.lock_tables, iagg.col_bound, iagg.col_by,
    'SELECT s.last_value AS lv, s.is_called AS ic, '
      || COALESCE(CASE WHEN sq.inc > 0 THEN 'GREATEST(' ELSE 'LEAST(' END || iagg.ex_list || ')', 'NULL::pg_catalog.int8')
      || ' AS ex FROM ' || sq.name || ' AS s' || COALESCE(iagg.from_list, '') AS probe
  FROM sq
  LEFT JOIN agg ON agg.seq = sq.seq
  LEFT JOIN iagg ON iagg.seq = sq.seq
),
skip AS (
  SELECT info.*,
    CASE WHEN info.excluded THEN 'excluded'
         WHEN info.n_links = 0 THEN 'unlinked'
         WHEN info.n_int_any = 0 THEN 'non_integer_column'
         WHEN info.n_int = 0 THEN 'expression_default'
         WHEN info.cycle THEN 'cycle' END AS skip_reason,
    CASE WHEN NOT info.can_use_schema THEN pg_catalog.format(
           'permission denied: the role cannot use schema %s, which holds sequence %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
           info.nsp_ident, info.name, info.nsp_ident, pg_catalog.quote_ident(CURRENT_USER))
         WHEN NOT info.can_read THEN pg_catalog.format(
           'permission denied: the role cannot read the position of sequence %s; grant it SELECT (GRANT SELECT ON SEQUENCE %s TO %s)',
           info.name, info.name, pg_catalog.quote_ident(CURRENT_USER))
         ELSE info.col_denied END AS denied,
    CASE WHEN info.col_bound IS NOT NULL THEN info.col_bound WHEN info.inc > 0 THEN info.maxv ELSE info.minv END AS bound,
    COALESCE(info.col_by, CASE WHEN info.inc > 0 THEN 'MAXVALUE of ' ELSE 'MINVALUE of ' END || info.name) AS bound_by
  FROM info
),
${
  p.reads === "inline"
    ? `rd AS MATERIALIZED (
  SELECT skip.*,
    CASE WHEN skip.skip_reason IS NULL AND skip.denied IS NULL
         THEN pg_catalog.query_to_xml(skip.probe, false, true, '')::text END AS x,
    NULL::text AS rerr
  FROM skip
),`
    : `rr AS MATERIALIZED (
  SELECT r.key::pg_catalog.oid AS seq, r.value ->> 'x' AS x, r.value ->> 'e' AS rerr
  FROM pg_catalog.jsonb_each(
         COALESCE(NULLIF(pg_catalog.current_setting('seq_guard.reads', true), ''), '{}')::pg_catalog.jsonb) AS r
),
rd AS MATERIALIZED (
  SELECT skip.*, rr.x, rr.rerr FROM skip LEFT JOIN rr ON rr.seq = skip.seq
),`
}
st AS MATERIALIZED (
  SELECT rd.*,
    pg_catalog.substring(rd.x, '<lv>([^<]*)</lv>')::numeric AS lv,
    pg_catalog.substring(rd.x, '<ic>([^<]*)</ic>') = 'true' AS ic,
    pg_catalog.substring(rd.x, '<ex>([^<]*)</ex>')::numeric AS ex
  FROM rd
),
nx AS (
  SELECT st.*, CASE WHEN st.ic THEN st.lv + st.inc ELSE st.lv END AS nxt FROM st
),
col AS MATERIALIZED (
  SELECT nx.*,
    CASE WHEN nx.ascending AND nx.ex >= nx.nxt THEN nx.ex
         WHEN NOT nx.ascending AND nx.ex <= nx.nxt THEN nx.ex END AS collision
  FROM nx
),
hr AS (
  SELECT col.*,
    COALESCE(col.collision + col.inc, col.nxt) AS eff_next,
    CASE WHEN col.ascending
         THEN col.nxt > col.bound OR col.collision + col.inc > col.bound
         ELSE col.nxt < col.bound OR col.collision + col.inc < col.bound END AS beyond
  FROM col
),
hr2 AS (
  SELECT hr.*,
    CASE WHEN hr.ascending THEN hr.bound - hr.start + 1 ELSE hr.start - hr.bound + 1 END AS span,
    GREATEST(0, CASE WHEN hr.ascending THEN hr.eff_next - hr.start ELSE hr.start - hr.eff_next END) AS used,
    CASE WHEN hr.ascending THEN hr.bound - hr.eff_next ELSE hr.eff_next - hr.bound END AS left_
  FROM hr
),
hr3 AS MATERIALIZED (
  SELECT hr2.*,
    CASE WHEN hr2.span <= 0 THEN 1000 ELSE LEAST(pg_catalog.div(hr2.used * 1000, hr2.span), 1000) END AS permille,
    CASE WHEN hr2.left_ < 0 THEN 0 ELSE pg_catalog.div(hr2.left_, pg_catalog.abs(hr2.inc)) + 1 END AS remaining
  FROM hr2
),
vd AS MATERIALIZED (
  SELECT hr3.*,
    CASE WHEN hr3.skip_reason IS NOT NULL THEN 'skipped'
         WHEN hr3.denied IS NOT NULL OR hr3.rerr IS NOT NULL THEN 'error'
         WHEN hr3.beyond THEN 'exhausted'
         WHEN hr3.collision IS NOT NULL THEN 'behind'
         ELSE 'ok' END AS status,
    pg_catalog.div(hr3.permille, 10)::text
      || CASE WHEN pg_catalog.mod(hr3.permille, 10) <> 0 THEN '.' || pg_catalog.mod(hr3.permille, 10)::text ELSE '' END AS used_pct
  FROM hr3
),
vr AS (
  SELECT vd.*,
    CASE vd.status
      WHEN 'skipped' THEN CASE vd.skip_reason
        WHEN 'excluded' THEN 'excluded by the schema or exclude filters'
        WHEN 'unlinked' THEN 'feeds no column: no OWNED BY or identity column, no DEFAULT calling nextval() of it (by regclass, or by a text name resolved on the database''s search_path) and no BEFORE INSERT trigger assigning nextval() of it to a column links it to one (a sequence drawn only by application code is not inspected)' || COALESCE((
          -- This script does not read trigger bodies (seq-guard check does): say so where one may draw from it.
          SELECT '. This script does not read trigger bodies, and BEFORE INSERT trigger function '
                 || pg_catalog.string_agg(DISTINCT pg_catalog.format('%I.%I()', pn.nspname, p.proname), ', ')
                 || ' names it: run seq-guard check to judge it'
          FROM pg_catalog.pg_trigger t
          JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
          JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
          JOIN pg_catalog.pg_language lg ON lg.oid = p.prolang AND lg.lanname = 'plpgsql'
          WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype::int & 7) = 7
            AND pg_catalog.strpos(pg_catalog.lower(p.prosrc), pg_catalog.lower(vd.rel)) > 0
            AND p.prosrc ILIKE '%nextval%'), '')
        WHEN 'non_integer_column' THEN 'feeds only columns that are not integers (' || vd.types || ')'
        WHEN 'expression_default' THEN 'feeds its columns only through a DEFAULT that computes with nextval() (such as nextval(...) * 1024 + 7), so their values are not the sequence''s and cannot be compared with it (' || vd.expressions || ')'
        ELSE 'CYCLE sequence: it may legitimately sit below old data, so it is never judged or fixed' END
      WHEN 'error' THEN COALESCE(vd.denied, vd.rerr)
      WHEN 'exhausted' THEN 'exhausted: '
        || CASE WHEN vd.collision IS NULL
             THEN pg_catalog.format('its next value %s lies beyond %s, the bound set by the %s', vd.nxt, vd.bound, vd.bound_by)
             ELSE pg_catalog.format('it is behind (a linked column holds %s) and %s %s %s = %s lies beyond %s, the bound set by the %s',
                    vd.collision, vd.collision, CASE WHEN vd.ascending THEN '+' ELSE '-' END, pg_catalog.abs(vd.inc),
                    vd.eff_next, vd.bound, vd.bound_by) END
        || '. setval() cannot help: '
        || CASE WHEN vd.col_by IS NOT NULL
             THEN 'widen the ' || vd.bound_by || ' (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)'
             WHEN vd.data_type = 'bigint'
             THEN pg_catalog.format('raise the sequence''s %1$s (ALTER SEQUENCE %2$s %1$s ...)',
                    CASE WHEN vd.ascending THEN 'MAXVALUE' ELSE 'MINVALUE' END, vd.name)
             ELSE pg_catalog.format('widen it (ALTER SEQUENCE %s AS bigint) and its columns', vd.name) END
      WHEN 'behind' THEN pg_catalog.format('next value %s %s %s, a value already in a linked column: the next insert collides',
        vd.nxt, CASE WHEN vd.ascending THEN '<=' ELSE '>=' END, vd.collision)
    END AS reason,
    CASE WHEN vd.status IN ('ok', 'behind') AND vd.permille >= ${p.threshold} * 10
         THEN pg_catalog.format('near_exhaustion: %s%% of the range up to %s (the %s) is used; %s values remain',
                vd.used_pct, vd.bound, vd.bound_by, vd.remaining) END AS warning,
    CASE WHEN vd.status = 'behind'
         THEN 'SELECT setval(''' || pg_catalog.replace(vd.name, '''', '''''') || ''', ' || vd.collision || ', true);' END AS fix_sql
  FROM vd
)${
    p.overlay
      ? `,
-- What the fixing block above recorded in this session: sequences it found behind (with their next value then)
-- and sequences it could not fix.
fl AS (
  SELECT (e ->> 'seq')::pg_catalog.oid AS seq, e ->> 'outcome' AS outcome, e ->> 'before' AS before, e ->> 'reason' AS reason,
         e ->> 'fix_sql' AS fix_sql
  FROM pg_catalog.jsonb_array_elements(
         COALESCE(NULLIF(pg_catalog.current_setting('seq_guard.fix_log', true), ''), '[]')::pg_catalog.jsonb) AS e
),
fx AS (
  SELECT vr.seq, vr.name, vr.columns, vr.ascending,
    CASE WHEN fl.outcome = 'error' THEN NULL
         WHEN fl.seq IS NOT NULL AND vr.status = 'ok' THEN fl.fix_sql ELSE vr.fix_sql END AS fix_sql,
    CASE WHEN fl.outcome = 'error' THEN 'error'
         WHEN fl.seq IS NOT NULL AND vr.status = 'ok' THEN 'fixed'
         ELSE vr.status END AS status,
    CASE WHEN fl.outcome = 'error' THEN fl.reason
         WHEN fl.seq IS NOT NULL AND vr.status = 'ok' THEN pg_catalog.format('advanced from %s to %s', fl.before, vr.nxt)
         WHEN fl.seq IS NOT NULL AND vr.status = 'behind' THEN 'the fix did not hold: ' || vr.reason
         ELSE vr.reason END AS reason,
    CASE WHEN fl.outcome = 'error' THEN NULL
         WHEN fl.seq IS NOT NULL THEN fl.before::numeric ELSE vr.nxt END AS nxt,
    CASE WHEN fl.outcome = 'error' THEN NULL ELSE vr.ex END AS ex,
    CASE WHEN fl.seq IS NOT NULL AND fl.outcome <> 'error' AND vr.status = 'ok' AND vr.cache > 1
         THEN pg_catalog.concat_ws(' | ', vr.warning, pg_catalog.format(
                'cached_sessions: CACHE %s: sessions connected before the fix may still hand out up to %s cached values each; reconnect them',
                vr.cache, vr.cache))
         WHEN fl.outcome = 'error' THEN NULL
         ELSE vr.warning END AS warning
  FROM vr LEFT JOIN fl ON fl.seq = vr.seq
)`
      : `,
fx AS (SELECT vr.seq, vr.name, vr.columns, vr.ascending, vr.fix_sql, vr.status, vr.reason, vr.nxt, vr.ex, vr.warning FROM vr)`
  }`;
}

/** The rows a person reads: one per sequence, what needs attention first. */
function reportSelect(p: VerdictParams): string {
  return `${verdictCtes(p)}
SELECT fx.status, fx.name AS sequence, fx.columns, fx.ex AS max, fx.nxt AS next_value, fx.fix_sql, fx.reason, fx.warning
FROM fx
ORDER BY CASE fx.status WHEN 'error' THEN 0 WHEN 'exhausted' THEN 1 WHEN 'behind' THEN 2 WHEN 'fixed' THEN 3
                        WHEN 'ok' THEN 4 ELSE 5 END,
         fx.warning IS NULL, fx.name COLLATE "C"`;
}

/** What the fixing block needs to know of each sequence. */
function fixSelect(p: VerdictParams): string {
  return `${verdictCtes(p)}
SELECT vr.seq, vr.name, vr.status, vr.nxt::text AS next_value, vr.collision AS fix_to, vr.inc, vr.can_update,
       vr.lock_tables, vr.reason, vr.fix_sql
FROM vr`;
}

function excludedExpr(opts: SqlScriptOptions): string {
  const parts: string[] = [];
  if (opts.schemas.length > 0) {
    parts.push(`NOT (n.nspname = ANY (ARRAY[${opts.schemas.map(sqlLiteral).join(", ")}]::text[]))`);
  }
  // Globs that can match nothing (a reversed range such as [z-a]) drop out, as they exclude nothing.
  const res = opts.exclude.map(globToRegex).filter((r): r is string => r !== null);
  if (res.length > 0) {
    parts.push(`(n.nspname || '.' || c.relname) ~ ANY (ARRAY[${res.map(sqlLiteral).join(", ")}]::text[])`);
  }
  return parts.length > 0 ? parts.join(" OR ") : "false";
}

/**
 * The statement that runs the report: the planner cuts the sequences into chunks, and psql's \gexec runs, for
 * each chunk, BEGIN READ ONLY, the verdict query over that chunk, COMMIT.
 */
function reportStatement(p: VerdictParams): string {
  const chunk = `'${OIDS}', pg_catalog.quote_literal(p.chunk::text) || '::pg_catalog.oid[]'`;
  const reading = dollarQuote(readingBlock({ ...p, reads: "inline" }), "sg_reading");
  const template = dollarQuote(reportSelect({ ...p, reads: "prepass" }), "sg_verdict");
  return `SELECT 'BEGIN READ ONLY' AS begin_,
       pg_catalog.replace(${reading}, ${chunk}) AS read_,
       pg_catalog.replace(${template}, ${chunk}) AS verdict,
       'COMMIT' AS commit_
FROM (
${plannerSql(null)}
) AS p
ORDER BY p.first
\\gexec`;
}

/**
 * The reading block of one chunk: each sequence's one reading statement (as the verdict query would run it
 * through query_to_xml()), each in a block of its own, so that a sequence that cannot be read (a lock held past
 * lock_timeout, a timeout, a table gone) is that sequence's error, as in the engine, and the rest of the chunk is
 * still read. What it read goes to the transaction's setting seq_guard.reads for the verdict query that follows;
 * a DO block writes nothing, so this runs in the READ ONLY transaction (and on a standby).
 */
function readingBlock(p: VerdictParams): string {
  const targets = dollarQuote(
    `${verdictCtes(p)}
SELECT skip.seq, skip.name, skip.probe, pg_catalog.array_to_string(skip.lock_tables, ', ') AS tables
FROM skip WHERE skip.skip_reason IS NULL AND skip.denied IS NULL`,
    "sg_q",
  );
  const body = `
DECLARE
  r record;
  reads jsonb := '{}';
  err text;
BEGIN
  FOR r IN EXECUTE ${targets} LOOP
    BEGIN
      reads := reads || pg_catalog.jsonb_build_object(r.seq::text, pg_catalog.jsonb_build_object('x',
        pg_catalog.query_to_xml(r.probe, false, true, '')::text));
    EXCEPTION WHEN OTHERS THEN
      err := CASE
        WHEN SQLSTATE = '55P03' THEN pg_catalog.format('could not read %s: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise --lock-timeout', r.tables)
        WHEN SQLSTATE = '57014' THEN pg_catalog.format('timed out reading %s: a column without an index makes max() scan the whole table; add an index on it or raise statement_timeout', r.tables)
        WHEN SQLSTATE = '42501' AND SQLERRM LIKE '%row-level security%' THEN pg_catalog.format('row-level security hides rows from this role (%s), so the largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS', SQLERRM)
        WHEN SQLSTATE = '42501' THEN 'permission denied: ' || SQLERRM
        ELSE pg_catalog.format('could not read %s: %s (SQLSTATE %s)', r.name, SQLERRM, SQLSTATE) END;
      reads := reads || pg_catalog.jsonb_build_object(r.seq::text, pg_catalog.jsonb_build_object('e', err));
      RAISE WARNING 'seq-guard: %', err;
    END;
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.reads', reads::text, true);
END
`;
  return `DO ${dollarQuote(body, "sg_read")}`;
}

/** The fixing block: find what is behind, then lock, re-read and advance it, one short transaction at a time. */
function fixBlock(p: VerdictParams, lockTimeoutMs: number): string {
  const verdict = dollarQuote(fixSelect(p).replaceAll(OIDS, "$1"), "sg_q");
  const planAll = dollarQuote(plannerSql(null), "sg_plan");
  const planSome = dollarQuote(plannerSql("$1"), "sg_plan");
  const body = `
DECLARE
  q_verdict CONSTANT text := ${verdict};
  q_plan_all CONSTANT text := ${planAll};
  q_plan_some CONSTANT text := ${planSome};
  lock_timeout_ms CONSTANT text := '${Math.max(0, Math.trunc(lockTimeoutMs))}';
  chunk pg_catalog.oid[];
  cur pg_catalog.oid[];
  singles pg_catalog.oid[];
  idx int;
  v record;
  behind pg_catalog.oid[] := '{}';
  found jsonb[] := '{}';
  nm text;
  log jsonb[] := '{}';
  pending jsonb[];
  tables text;
  err text;
  errstate text;
BEGIN
  PERFORM pg_catalog.set_config('seq_guard.fix_log', '[]', false);
  -- 1. Read every sequence without locking anything but for reading, chunk by chunk, one transaction each.
  FOR chunk IN EXECUTE q_plan_all LOOP
    singles := NULL;
    idx := 1;
    LOOP
      IF singles IS NULL THEN
        cur := chunk;
      ELSE
        EXIT WHEN idx > pg_catalog.cardinality(singles);
        cur := ARRAY[singles[idx]];
        idx := idx + 1;
      END IF;
      err := NULL;
      pending := '{}';
      BEGIN
        FOR v IN EXECUTE q_verdict USING cur LOOP
          IF v.status = 'behind' THEN
            pending := pending || pg_catalog.jsonb_build_object('seq', v.seq, 'name', v.name, 'next', v.next_value,
                                   'update', v.can_update, 'tables', v.lock_tables, 'fix_sql', v.fix_sql);
          END IF;
        END LOOP;
      EXCEPTION WHEN OTHERS THEN
        err := SQLERRM;
        errstate := SQLSTATE;
      END;
      COMMIT;
      IF err IS NULL THEN
        FOR i IN 1 .. COALESCE(pg_catalog.cardinality(pending), 0) LOOP
          IF (pending[i] ->> 'update')::boolean THEN
            behind := behind || (pending[i] ->> 'seq')::pg_catalog.oid;
            found := found || pending[i];
          ELSE
            log := log || pg_catalog.jsonb_build_object('seq', pending[i] -> 'seq', 'outcome', 'error', 'reason',
              pg_catalog.format('permission denied: fixing needs UPDATE on sequence %s (GRANT UPDATE ON SEQUENCE %s TO %s)',
                                pending[i] ->> 'name', pending[i] ->> 'name', pg_catalog.quote_ident(CURRENT_USER)));
            RAISE WARNING 'seq-guard: % is behind but the role may not advance it (it needs UPDATE on the sequence)', pending[i] ->> 'name';
          END IF;
        END LOOP;
      ELSIF singles IS NULL AND pg_catalog.cardinality(cur) > 1 THEN
        -- Find the sequence at fault: one transaction each.
        singles := cur;
      ELSE
        SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO nm
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = cur[1];
        log := log || pg_catalog.jsonb_build_object('seq', cur[1], 'outcome', 'error', 'reason',
          pg_catalog.format('could not read %s: %s (SQLSTATE %s)', nm, err, errstate));
        RAISE WARNING 'seq-guard: could not read %: % (SQLSTATE %)', nm, err, errstate;
      END IF;
      EXIT WHEN singles IS NULL;
    END LOOP;
  END LOOP;

  -- 2. Fix what is behind: lock its tables against writes (an INSERT takes ROW EXCLUSIVE before it calls nextval(),
  -- so inserts wait), give up after lock_timeout, read again under the lock, advance only what is still behind and
  -- only forward, commit. Groups bounded like the reads; a group that fails is retried one sequence at a time.
  IF pg_catalog.cardinality(behind) > 0 THEN
    FOR chunk IN EXECUTE q_plan_some USING behind LOOP
      CONTINUE WHEN pg_catalog.cardinality(chunk) IS NULL OR pg_catalog.cardinality(chunk) = 0;
      singles := NULL;
      idx := 1;
      LOOP
        IF singles IS NULL THEN
          cur := chunk;
        ELSE
          EXIT WHEN idx > pg_catalog.cardinality(singles);
          cur := ARRAY[singles[idx]];
          idx := idx + 1;
        END IF;
        err := NULL;
        pending := '{}';
        SELECT pg_catalog.string_agg(DISTINCT t.t, ', ') INTO tables
        FROM pg_catalog.unnest(found) AS e (e)
        JOIN pg_catalog.unnest(cur) AS c (oid) ON c.oid = (e.e ->> 'seq')::pg_catalog.oid
        CROSS JOIN LATERAL pg_catalog.jsonb_array_elements_text(e.e -> 'tables') AS t (t);
        BEGIN
          PERFORM pg_catalog.set_config('lock_timeout', lock_timeout_ms, true);
          EXECUTE 'LOCK TABLE ' || tables || ' IN SHARE ROW EXCLUSIVE MODE';
          FOR v IN EXECUTE q_verdict USING cur LOOP
            IF v.status = 'behind' AND v.fix_to IS NOT NULL THEN
              IF (v.inc > 0 AND v.fix_to < v.next_value::numeric) OR (v.inc < 0 AND v.fix_to > v.next_value::numeric) THEN
                RAISE EXCEPTION 'refusing to move % backwards', v.name;
              END IF;
              PERFORM pg_catalog.setval(v.seq, v.fix_to::pg_catalog.int8, true);
              pending := pending || pg_catalog.jsonb_build_object('seq', v.seq, 'outcome', 'advanced',
                'note', pg_catalog.format('seq-guard: advanced %s: next value %s -> %s', v.name, v.next_value, v.fix_to + v.inc));
            END IF;
          END LOOP;
        EXCEPTION WHEN OTHERS THEN
          err := SQLERRM;
          errstate := SQLSTATE;
        END;
        COMMIT;
        IF err IS NULL THEN
          log := log || ARRAY(
            SELECT pg_catalog.jsonb_build_object('seq', e.e -> 'seq', 'outcome', 'done', 'before', e.e ->> 'next',
                                                 'fix_sql', e.e ->> 'fix_sql')
            FROM pg_catalog.unnest(found) AS e (e)
            JOIN pg_catalog.unnest(cur) AS c (oid) ON c.oid = (e.e ->> 'seq')::pg_catalog.oid);
          FOR i IN 1 .. COALESCE(pg_catalog.cardinality(pending), 0) LOOP
            RAISE NOTICE '%', pending[i] ->> 'note';
          END LOOP;
        ELSIF singles IS NULL AND pg_catalog.cardinality(cur) > 1 THEN
          singles := cur;
        ELSE
          SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO nm
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = cur[1];
          log := log || pg_catalog.jsonb_build_object('seq', cur[1], 'outcome', 'error', 'reason',
            CASE errstate
              WHEN '55P03' THEN pg_catalog.format('could not lock %s within %s ms: the table is busy; run fix again when it is quieter or raise --lock-timeout', tables, lock_timeout_ms)
              WHEN '42501' THEN pg_catalog.format('permission denied: fixing locks %s against writes, which needs UPDATE, DELETE or TRUNCATE on them (%s)', tables, err)
              ELSE pg_catalog.format('could not fix %s: %s (SQLSTATE %s)', nm, err, errstate) END);
          RAISE WARNING 'seq-guard: could not fix %: % (SQLSTATE %)', nm, err, errstate;
        END IF;
        EXIT WHEN singles IS NULL;
      END LOOP;
    END LOOP;
  END IF;
  PERFORM pg_catalog.set_config('seq_guard.fix_log', pg_catalog.array_to_json(log)::text, false);
END
`;
  return `DO ${dollarQuote(body, "sg_fix")};`;
}

const CHECK_HEADER = `-- What it does: one row per sequence with the verdict of \`seq-guard check\`: status (ok, behind, exhausted,
-- skipped, error), the sequence, the columns it feeds, the largest value in them (smallest when descending), the
-- value nextval() hands out next, and for a behind sequence the setval() statement that fixes it.
-- It writes nothing: every statement runs in a READ ONLY transaction.`;

const FIX_HEADER = `-- What it does: what \`seq-guard fix\` does. It reads every sequence; for each one that is behind its data, it locks
-- the tables the sequence feeds IN SHARE ROW EXCLUSIVE MODE (inserts wait; reads go on) for at most lock_timeout,
-- reads again under the lock, and calls setval(seq, largest value, true) only if the sequence is still behind and
-- only forward; then commits. CYCLE, exhausted, skipped and ok sequences are never touched. NOTICE lines name each
-- sequence advanced; the table at the end is the verdict afterwards (status fixed for what was advanced).
-- A sequence with CACHE > 1: sessions connected before the fix may still hand out cached values; reconnect them.`;

const WHY = `-- How: plain SQL plus one psql meta-command, \\gexec, with nothing created. A catalog query cuts the sequences into
-- chunks (at most 250 sequences and about 1000 locked relations each, so no transaction overflows the lock table
-- on a large database) and \\gexec runs the verdict query once per chunk, each in its own transaction. Inside it,
-- query_to_xml() runs each sequence's one reading statement (SELECT last_value, is_called FROM the sequence and
-- max()/min() of its columns), built on the server with format('%I') from catalog names. Alternatives weighed:
-- a DO block returns no rows; CREATE FUNCTION, even in pg_temp, writes the catalog and is refused in a READ ONLY
-- transaction or on a standby; one single statement over every table would hold all their locks at once.
-- The arithmetic is done in numeric, so last_value + increment near the int8 bounds is exact.`;

const FIX_WHY = `-- The fixing part is a DO block (plpgsql, present in every database): it creates nothing, commits after each
-- chunk it reads and after each group it fixes (so locks are held briefly), and records its outcomes in the
-- session setting seq_guard.fix_log (gone when psql exits) for the report at the end. Because it commits, do not
-- run this script with psql -1 / --single-transaction.`;

/** The whole script, ready for psql -f. */
export function sqlScript(opts: SqlScriptOptions): string {
  const params: VerdictParams = {
    excluded: excludedExpr(opts),
    threshold: `'${opts.headroomThreshold}'::numeric`,
    overlay: opts.fix,
    reads: "inline",
  };
  const settings = [
    opts.schemas.length > 0 ? `--schema ${opts.schemas.join(", ")}` : null,
    opts.exclude.length > 0 ? `--exclude ${opts.exclude.join(", ")}` : null,
    `--headroom-threshold ${opts.headroomThreshold}`,
    opts.fix ? `--lock-timeout ${opts.lockTimeoutMs}ms` : null,
  ]
    .filter(Boolean)
    .join("; ")
    // Keep user text from ending the comment line.
    .replace(/[\r\n]+/g, " ");
  const lines = [
    `-- seq-guard${opts.version ? ` ${opts.version}` : ""}: ${opts.fix ? "fix" : "check"} every PostgreSQL sequence against the data it feeds.`,
    `-- Generated by \`seq-guard sql${opts.fix ? " --fix" : ""}\`. Settings: ${settings}.`,
    "--",
    opts.fix ? FIX_HEADER : CHECK_HEADER,
    "--",
    "-- Run it with psql (PostgreSQL 12 or newer server; no extension needed):",
    "--   psql -X -v ON_ERROR_STOP=1 -d DATABASE -f THIS_FILE",
    "-- The role needs SELECT on the sequences and on the tables they feed" +
      (opts.fix
        ? ", UPDATE on the sequences to advance, and UPDATE, DELETE or TRUNCATE on the tables to lock them."
        : "."),
    "-- Wide output reads better with psql's \\x (expanded) or as CSV: psql --csv ...",
    "--",
    WHY,
    ...(opts.fix ? ["--", FIX_WHY] : []),
    "",
    "\\set QUIET on",
    "-- A table whose row-level security would hide rows from this role makes its read fail, never read part of it.",
    "SET row_security = off;",
    "-- A table another session keeps locked is reported as busy after this long, not waited on.",
    `SET lock_timeout = ${Math.max(0, Math.trunc(opts.lockTimeoutMs))};`,
  ];
  // Catalog text in UTF-8 filters: make the server read this file as UTF-8.
  const body = [
    ...(opts.fix ? [fixBlock(params, opts.lockTimeoutMs), ""] : []),
    reportStatement(params),
    "",
    "\\set QUIET off",
    "",
  ];
  const text = [...lines, ...body].join("\n");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting non-ASCII text
  if (/[^\x00-\x7f]/.test(text)) return text.replace("\\set QUIET on", "\\set QUIET on\n\\encoding UTF8");
  return text;
}
