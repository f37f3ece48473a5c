export const id = 591;
export const ids = [591];
export const modules = {

/***/ 6591:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  globToRegex: () => (/* reexport */ globToRegex),
  sqlLiteral: () => (/* reexport */ sqlLiteral),
  sqlScript: () => (/* reexport */ sqlScript)
});

// EXTERNAL MODULE: ./node_modules/minimatch/dist/esm/index.js + 8 modules
var esm = __webpack_require__(1138);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
;// CONCATENATED MODULE: ./src/sql-script/glob.ts
// The --exclude glob of `seq-guard sql`, translated into a regular expression that PostgreSQL (ARE) and
// JavaScript read the same way, so that the script excludes exactly what the engine's filter (minimatch) excludes.


const REGEX_SPECIAL = new Set([..."\\^$.|+(){}[]*?/"]);
function escapeRegexChar(ch) {
    return REGEX_SPECIAL.has(ch) ? `\\${ch}` : ch;
}
/**
 * Translate one --exclude glob into a regular expression that means the same in PostgreSQL (ARE) and in
 * JavaScript, anchored at both ends; null when the glob can match nothing. The glob syntax is minimatch's, as the
 * engine's filter uses it: `*` and `?` (never across `/`), `[...]` and `[!...]` classes (a reversed range such as
 * `[z-a]` matches nothing), `{a,b}` and `{1..3}` braces, `\` escapes. Extended globs (`+(a|b)`, `!(a)`, ...)
 * have no faithful translation here and are refused.
 */
function globToRegex(pattern) {
    if (/[?*+@!]\(/.test(pattern)) {
        throw new errors/* UsageError */.eb(`--exclude "${pattern}": extended glob patterns such as +(a|b) or !(a) are not supported by seq-guard sql; use *, ?, [...] and {a,b}, or several --exclude options`);
    }
    const alternatives = esm.minimatch
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
        .filter((a) => a !== null);
    return alternatives.length > 0 ? `^(?:${alternatives.join("|")})$` : null;
}
/**
 * Where the `[` at `start` is closed, as minimatch finds it (its classEnd): after an optional `!` or `^`, the first
 * `]` that is not the class's first character, skipping escaped characters; -1 when it is not closed.
 */
function classEnd(glob, start) {
    let i = start + 1;
    if (glob[i] === "!" || glob[i] === "^")
        i++;
    let sawStart = false;
    for (; i < glob.length; i++) {
        if (glob[i] === "]" && sawStart)
            return i;
        sawStart = true;
        if (glob[i] === "\\")
            i++;
    }
    return -1;
}
/**
 * The string a segment matches when minimatch reads it as a literal (its literal(), which it tries before
 * compiling a matcher): no `*` or `?`, and every class of one character (`[*]`, `[\b]`, `[\^]`) not negated.
 * Undefined when the segment is a pattern. It matters for `[\^]`, a literal caret here but, inside a pattern,
 * a class that minimatch negates (see bracket()).
 */
function literalOf(glob) {
    let text = "";
    for (let i = 0; i < glob.length; i++) {
        const ch = glob[i];
        if (ch === "\\") {
            // A trailing backslash stands for itself.
            i++;
            text += glob[i] ?? ch;
        }
        else if (ch === "*" || ch === "?") {
            return undefined;
        }
        else if (ch === "[") {
            const close = classEnd(glob, i);
            if (close === -1) {
                text += ch;
                continue;
            }
            let body = glob.slice(i + 1, close);
            if (body.startsWith("\\"))
                body = body.slice(1);
            if ([...body].length !== 1 || "!^".includes(glob[i + 1]))
                return undefined;
            text += body;
            i = close;
        }
        else {
            text += ch;
        }
    }
    return text;
}
/** One path segment of a glob; null when it can match nothing. */
function segment(glob) {
    let out = "";
    let i = 0;
    while (i < glob.length) {
        const ch = glob[i];
        if (ch === "\\") {
            // A trailing backslash stands for itself.
            out += escapeRegexChar(glob[i + 1] ?? "\\");
            i += 2;
            continue;
        }
        if (ch === "*") {
            while (glob[i] === "*")
                i++;
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
                if (cls.regex === null)
                    return null;
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
function escapeClassChar(ch) {
    return ch === "\\" || ch === "]" || ch === "[" || ch === "^" || ch === "-" ? `\\${ch}` : ch;
}
/**
 * A `[...]` class starting at `start`: its regex (null when it matches nothing) and where it ends; or null when it
 * does not close, and the `[` stands for itself.
 */
function bracket(glob, start) {
    let i = start + 1;
    let negate = false;
    if (glob[i] === "!" || glob[i] === "^") {
        negate = true;
        i++;
    }
    // Atoms: a character (escaped or not) or a POSIX class; `a-b` between two characters is a range.
    const atoms = [];
    let closed = false;
    while (i < glob.length) {
        const ch = glob[i];
        if (ch === "]" && atoms.length > 0) {
            closed = true;
            i++;
            break;
        }
        if (ch === "\\" && i + 1 < glob.length) {
            const c = glob[i + 1];
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
    if (!closed)
        return null;
    // Each item: its regex text, and the character it starts with (null for a POSIX class); a range's text after
    // its first character.
    const items = [];
    for (let k = 0; k < atoms.length; k++) {
        const a = atoms[k];
        const dash = atoms[k + 1];
        const b = atoms[k + 2];
        if (dash && b && dash.char === "-" && !dash.escaped && a.char !== null && b.char !== null) {
            // minimatch drops a reversed range (it matches nothing) and writes a-a as a.
            const from = a.char.codePointAt(0);
            const to = b.char.codePointAt(0);
            if (from === to)
                items.push({ text: a.text, first: a.char, afterFirst: "" });
            else if (from < to)
                items.push({ text: `${a.text}-${b.text}`, first: a.char, afterFirst: `\\-${b.text}` });
            k += 2;
            continue;
        }
        items.push({ text: a.text, first: a.char, afterFirst: "" });
    }
    // A class left with nothing to match makes minimatch's whole pattern match nothing, negated or not.
    if (items.length === 0)
        return { regex: null, end: i };
    // minimatch writes a class's members into a JavaScript class without escaping a caret, so a class whose first
    // member (after the reversed ranges it dropped) starts with one, escaped or not, reads as negated there:
    // [\^a] is [^a], [\^-a] is [^-a], [\^] is [^], any character. The engine's filter is minimatch: follow it, so
    // that the script excludes what the engine excludes.
    const head = items[0];
    if (!negate && head.first === "^") {
        negate = true;
        items[0] = { ...head, text: head.afterFirst };
    }
    // A class never matches the path separator, negated or not.
    const body = items.map((item) => item.text).join("");
    if (body === "")
        return { regex: negate ? "[^/]" : null, end: i };
    return { regex: negate ? `[^/${body}]` : `(?:(?!/)[${body}])`, end: i };
}

// EXTERNAL MODULE: ./src/db/catalog-sql.ts
var catalog_sql = __webpack_require__(6904);
;// CONCATENATED MODULE: ./src/sql-script/batches.ts
// The batch loop of the `seq-guard sql` script: the one query whose rows psql's \gexec runs, cell by cell, left to
// right. It finds every sequence's links once (mirroring src/db/discovery.ts), cuts the sequences into batches
// (mirroring src/db/batches.ts's planning), and emits per batch the statements that check (and, with --fix, fix)
// it. Printed once, at the end of the script.

/** Schemas never looked at, as src/db/discovery.ts skips them. */
const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'`;
/**
 * Indent a query pasted inside another, for the reader. Left as it is when a line break may fall inside a string
 * literal (a line with an odd number of quotes), where indenting would change the literal.
 */
function indented(sql, spaces) {
    const lines = sql.split("\n");
    if (lines.some((line) => (line.match(/'/g)?.length ?? 0) % 2 === 1))
        return sql;
    return lines.map((line) => " ".repeat(spaces) + line).join("\n");
}
/**
 * The batch loop. Per batch (at most 250 sequences and about 1000 locked relations: tables, their indexes,
 * partitions and children, so that no transaction overflows the server's lock table), in this order:
 * SET seq_guard.batch_sequences and seq_guard.batch_links (the batch), [with --fix, the fixing step,] BEGIN READ
 * ONLY, the reading step, EXECUTE seq_guard_verdicts (the batch's rows of the report), COMMIT.
 */
function batchLoop(fix) {
    return `WITH RECURSIVE
-- Every sequence outside the system schemas.
sequences AS (
  SELECT c.oid AS sequence_oid, n.nspname AS schema_name, c.relname AS relation_name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S' AND ${SYSTEM_SCHEMAS}
),
-- Every column a sequence feeds, and how:
--   identity                an identity column (pg_depend, deptype 'i');
--   owned_by                OWNED BY (deptype 'a');
--   default                 a DEFAULT that is nextval() itself, through type coercions only;
--   computing_default       a DEFAULT that computes with nextval() (nextval() * 1024 + 7: its column holds other
--                           values than the sequence's, so it is never judged);
--   text_default            DEFAULT nextval('name'::text), which records no dependency: found from the default's
--                           expression and the name resolved as src/db/discovery.ts resolves it;
--   computing_text_default  the same, computing with it.
-- Links made by BEFORE INSERT triggers are not read here (see the unlinked reason and docs/sequences.md).
found_links AS (
  SELECT d.objid AS sequence_oid, d.refobjid AS table_oid, d.refobjsubid AS column_number,
         CASE d.deptype WHEN 'i' THEN 'identity' ELSE 'owned_by' END AS how
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 AND d.objid IN (SELECT sequences.sequence_oid FROM sequences)
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum,
         CASE WHEN ${(0,catalog_sql/* plainNextvalSql */.x1)("ad.adbin::text")}
              THEN 'default' ELSE 'computing_default' END
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype = 'n' AND d.refobjid IN (SELECT sequences.sequence_oid FROM sequences)
    AND ad.adbin::text LIKE '%:funcid 1574 %'
  UNION ALL
  SELECT text_links.seq, text_links.tbl, text_links.attnum,
         CASE text_links.kind WHEN 4 THEN 'text_default' ELSE 'computing_text_default' END
  -- The defaults that call nextval('name'::text) (kind 4 the call itself, 6 computing with it), each name resolved
  -- to the sequence nextval() would draw from: the same SQL as seq-guard check's (src/db/catalog-sql.ts).
  FROM (
${indented((0,catalog_sql/* resolveLinksSql */.MB)(catalog_sql/* TEXT_DEFAULTS_SQL */.ml), 4)}
  ) AS text_links
  WHERE text_links.seq IN (SELECT sequences.sequence_oid FROM sequences)
),
-- Each linked table and, recursively, its partitions and inheritance children: a read locks them all.
table_trees (root_oid, table_oid) AS (
  SELECT DISTINCT found_links.table_oid, found_links.table_oid FROM found_links
  UNION
  SELECT table_trees.root_oid, i.inhrelid
  FROM table_trees JOIN pg_catalog.pg_inherits i ON i.inhparent = table_trees.table_oid
),
index_counts AS (
  SELECT x.indrelid AS table_oid, pg_catalog.count(*) AS index_count FROM pg_catalog.pg_index x GROUP BY x.indrelid
),
-- The relations a read of each linked table locks: the tables of its tree and their indexes.
table_costs AS (
  SELECT table_trees.root_oid, pg_catalog.sum(1 + COALESCE(index_counts.index_count, 0)) AS relations
  FROM table_trees LEFT JOIN index_counts ON index_counts.table_oid = table_trees.table_oid
  GROUP BY table_trees.root_oid
),
-- The relations a read of each sequence locks: itself and every table it feeds (with theirs).
sequence_costs AS (
  SELECT sequences.sequence_oid, sequences.schema_name, sequences.relation_name,
         1 + COALESCE(pg_catalog.sum(table_costs.relations), 0) AS relations
  FROM sequences
  LEFT JOIN (SELECT DISTINCT found_links.sequence_oid, found_links.table_oid FROM found_links) AS fed
         ON fed.sequence_oid = sequences.sequence_oid
  LEFT JOIN table_costs ON table_costs.root_oid = fed.table_oid
  GROUP BY sequences.sequence_oid, sequences.schema_name, sequences.relation_name
),
-- Each sequence weighs the larger of its share of 250 sequences and its share of 1000 relations, in units of
-- 1/250000; a running total in name order cut every 250000 puts at most 250 sequences and about 1000 relations
-- in one batch.
placed AS (
  SELECT sequence_costs.sequence_oid, pg_catalog.row_number() OVER by_name AS name_order,
         pg_catalog.div(pg_catalog.sum(GREATEST(sequence_costs.relations * 250, 1000)) OVER by_name
                        - GREATEST(sequence_costs.relations * 250, 1000), 250000) AS batch
  FROM sequence_costs
  WINDOW by_name AS (ORDER BY sequence_costs.schema_name, sequence_costs.relation_name, sequence_costs.sequence_oid)
),
batches AS (
  SELECT placed.batch, pg_catalog.min(placed.name_order) AS first_in_order,
         pg_catalog.array_agg(placed.sequence_oid ORDER BY placed.name_order) AS sequence_oids
  FROM placed GROUP BY placed.batch
  UNION ALL
  -- No sequence at all: one empty batch, so that the report still prints its header.
  SELECT -1, -1, '{}'::pg_catalog.oid[] WHERE NOT EXISTS (SELECT FROM placed)
),
-- Each batch's links, as a JSON array of found_links rows, for seq_guard_sequences.
batch_links AS (
  SELECT placed.batch, pg_catalog.jsonb_agg(pg_catalog.to_jsonb(found_links)) AS links
  FROM placed JOIN found_links ON found_links.sequence_oid = placed.sequence_oid GROUP BY placed.batch
)
SELECT pg_catalog.format('SET seq_guard.batch_sequences = %L', batches.sequence_oids) AS set_batch_sequences,
       pg_catalog.format('SET seq_guard.batch_links = %L', COALESCE(batch_links.links, '[]')) AS set_batch_links,${fix ? "\n       pg_catalog.current_setting('seq_guard.fix_step') AS fix_step," : ""}
       'BEGIN READ ONLY' AS begin_read_only,
       pg_catalog.current_setting('seq_guard.read_step') AS read_step,
       'EXECUTE seq_guard_verdicts' AS report,
       'COMMIT' AS commit_
FROM batches LEFT JOIN batch_links ON batch_links.batch = batches.batch
ORDER BY batches.first_in_order`;
}

;// CONCATENATED MODULE: ./src/sql-script/sequences.ts
// seq_guard_sequences, the first prepared statement of the `seq-guard sql` script: one batch's sequences with
// what src/db/discovery.ts knows of each (its definition, the columns it feeds, whether it is skipped or cannot be
// read for want of a privilege, the bound of its range) and the one statement that reads it (src/db/sql.ts's),
// built on the server with format('%I') from catalog names. Printed once; its text is the same whatever options
// the script was generated with, which it reads from the settings section (seq_guard.schemas,
// seq_guard.exclude_pattern).
//
// Input: settings seq_guard.batch_sequences (the batch's OIDs) and seq_guard.batch_links (their links), set by the
// batch loop. Output: one row per sequence, run by the reading step, which keeps each row (less read_statement)
// with what its read returned in seq_guard.readings for seq_guard_verdicts.
const SEQUENCES_QUERY = `WITH RECURSIVE
-- What the settings section chose: --schema (none: every schema) and --exclude (as one regular expression; none:
-- exclude nothing).
chosen AS (
  SELECT pg_catalog.current_setting('seq_guard.schemas')::text[] AS schemas,
         NULLIF(pg_catalog.current_setting('seq_guard.exclude_pattern'), '') AS exclude_pattern
),
-- The batch's sequences and their definitions, in numeric (which holds every int8 and every int8 + increment).
sequences AS (
  SELECT c.oid AS sequence_oid, n.nspname AS schema_name, c.relname AS relation_name,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS sequence_name,
         pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
         s.seqstart::numeric AS start_value, s.seqincrement::numeric AS increment,
         s.seqmin::numeric AS min_value, s.seqmax::numeric AS max_value, s.seqcache AS cache_size,
         s.seqcycle AS cycles,
         pg_catalog.has_sequence_privilege(c.oid, 'SELECT') AS can_read,
         pg_catalog.has_sequence_privilege(c.oid, 'UPDATE') AS can_update,
         pg_catalog.quote_ident(n.nspname) AS quoted_schema,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         -- Left out by --schema or --exclude: reported, never read.
         (pg_catalog.cardinality(chosen.schemas) > 0 AND NOT (n.nspname = ANY (chosen.schemas)))
           OR COALESCE((n.nspname || '.' || c.relname) ~ chosen.exclude_pattern, false) AS excluded
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
  CROSS JOIN chosen
  WHERE c.relkind = 'S'
    AND c.oid = ANY (pg_catalog.current_setting('seq_guard.batch_sequences')::pg_catalog.oid[])
),
-- Their links, as the batch loop found them (how: identity, owned_by, default, computing_default, text_default,
-- computing_text_default; see the batch loop).
found_links AS (
  SELECT link.sequence_oid, link.table_oid, link.column_number, link.how
  FROM pg_catalog.jsonb_to_recordset(pg_catalog.current_setting('seq_guard.batch_links')::pg_catalog.jsonb)
       AS link (sequence_oid pg_catalog.oid, table_oid pg_catalog.oid, column_number int, how text)
  WHERE link.sequence_oid IN (SELECT sequences.sequence_oid FROM sequences)
),
-- One row per (sequence, column): judged when identity, a plain default, or OWNED BY with no computing default.
column_links AS (
  SELECT found_links.sequence_oid, found_links.table_oid, found_links.column_number,
         pg_catalog.bool_or(found_links.how IN ('identity', 'default', 'text_default'))
           OR (pg_catalog.bool_or(found_links.how = 'owned_by')
               AND NOT pg_catalog.bool_or(found_links.how IN ('computing_default', 'computing_text_default')))
           AS judged
  FROM found_links GROUP BY found_links.sequence_oid, found_links.table_oid, found_links.column_number
),
-- Whether this role bypasses row-level security.
this_role AS (
  SELECT r.rolsuper OR r.rolbypassrls AS bypasses_rls FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER
),
-- Each linked column: its table, type (a domain's base type too) and what this role may read of it.
linked_columns AS (
  SELECT column_links.sequence_oid, column_links.table_oid, a.attnum AS column_number, column_links.judged,
         n.nspname AS table_schema, c.relname AS table_relation,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS table_name,
         pg_catalog.quote_ident(a.attname) AS quoted_column, a.attname::text AS column_name,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS column_type,
         pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN (
           WITH RECURSIVE domain_chain (oid, base, typtype) AS (
             SELECT t.oid, t.typbasetype, t.typtype
             UNION ALL
             SELECT bt.oid, bt.typbasetype, bt.typtype
             FROM domain_chain JOIN pg_catalog.pg_type bt ON bt.oid = domain_chain.base
             WHERE domain_chain.typtype = 'd')
           SELECT domain_chain.oid FROM domain_chain WHERE domain_chain.typtype <> 'd' LIMIT 1)
           ELSE a.atttypid END, NULL) AS base_type,
         pg_catalog.has_column_privilege(column_links.table_oid, a.attnum, 'SELECT') AS can_read,
         pg_catalog.quote_ident(n.nspname) AS quoted_table_schema,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         -- Row-level security that would hide rows: 'policies' apply to this role, or 'forced' on the owner too.
         CASE WHEN COALESCE((SELECT this_role.bypasses_rls FROM this_role), false) OR NOT c.relrowsecurity THEN NULL
              WHEN c.relforcerowsecurity THEN 'forced'
              WHEN pg_catalog.pg_has_role(c.relowner, 'USAGE') THEN NULL ELSE 'policies' END AS rows_hidden_by
  FROM column_links
  JOIN pg_catalog.pg_class s ON s.oid = column_links.sequence_oid AND s.relkind = 'S'
  -- Another session's temporary table: its rows live in that session's buffers, out of reach.
  JOIN pg_catalog.pg_class c
    ON c.oid = column_links.table_oid AND c.relkind IN ('r', 'p', 'f', 'm') AND c.relpersistence <> 't'
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a
    ON a.attrelid = column_links.table_oid AND a.attnum = column_links.column_number AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
),
-- Ancestors of every linked table (inheritance and partitioning): a child whose ancestor is linked to the same
-- sequence through a column of the same name is already covered by max() over the ancestor.
ancestors (table_oid, ancestor_oid) AS (
  SELECT i.inhrelid, i.inhparent FROM pg_catalog.pg_inherits i
  WHERE i.inhrelid IN (SELECT linked_columns.table_oid FROM linked_columns)
  UNION
  SELECT ancestors.table_oid, i.inhparent FROM ancestors JOIN pg_catalog.pg_inherits i ON i.inhrelid = ancestors.ancestor_oid
),
covered AS (
  SELECT DISTINCT ancestors.table_oid, parent.sequence_oid, parent.column_name
  FROM ancestors JOIN linked_columns parent ON parent.table_oid = ancestors.ancestor_oid
),
-- The columns each sequence feeds, less the covered children, numbered in (schema, table, column) order.
fed_columns AS (
  SELECT linked_columns.*,
         pg_catalog.row_number() OVER (PARTITION BY linked_columns.sequence_oid
                                       ORDER BY linked_columns.table_schema, linked_columns.table_relation,
                                                linked_columns.column_number) AS link_order
  FROM linked_columns
  LEFT JOIN covered
    ON covered.table_oid = linked_columns.table_oid AND covered.sequence_oid = linked_columns.sequence_oid
   AND covered.column_name = linked_columns.column_name
  WHERE covered.table_oid IS NULL
),
-- The judged integer columns, with the range of values that can collide (collision_low to collision_high): the
-- sequence's range cut to the column type's.
integer_columns AS (
  SELECT fed_columns.*, integer_types.type_min, integer_types.type_max, integer_types.type_name,
         GREATEST(sequences.min_value, integer_types.type_min) AS collision_low,
         LEAST(sequences.max_value, integer_types.type_max) AS collision_high,
         sequences.increment > 0 AS ascending,
         CASE WHEN sequences.increment > 0 THEN integer_types.type_max < sequences.max_value
              ELSE integer_types.type_min > sequences.min_value END AS narrower_than_sequence
  FROM fed_columns
  JOIN sequences ON sequences.sequence_oid = fed_columns.sequence_oid AND fed_columns.judged
  JOIN (VALUES ('smallint', -32768::numeric, 32767::numeric, 'int2'),
               ('integer', -2147483648::numeric, 2147483647::numeric, 'int4'),
               ('bigint', -9223372036854775808::numeric, 9223372036854775807::numeric, 'int8'))
       AS integer_types (base_type, type_min, type_max, type_name) ON integer_types.base_type = fed_columns.base_type
),
-- Per sequence: the columns it feeds, as the report names them.
column_lists AS (
  SELECT fed_columns.sequence_oid, pg_catalog.count(*) AS link_count,
    pg_catalog.count(*) FILTER (WHERE fed_columns.base_type IN ('smallint', 'integer', 'bigint')) AS integer_count,
    pg_catalog.string_agg(fed_columns.table_name || '.' || fed_columns.quoted_column, ', '
                          ORDER BY fed_columns.link_order) FILTER (WHERE NOT fed_columns.judged) AS computed_columns,
    -- Quoted as the CLI's table quotes them: public."Weird ""Tbl"."Id", not public."Weird ""Tbl".Id.
    pg_catalog.string_agg(fed_columns.table_name || '.' || fed_columns.quoted_column, ', '
                          ORDER BY fed_columns.link_order) AS columns,
    pg_catalog.string_agg(fed_columns.table_name || '.' || fed_columns.quoted_column || ' is ' || fed_columns.column_type,
                          ', ' ORDER BY fed_columns.link_order) AS column_types
  FROM fed_columns GROUP BY fed_columns.sequence_oid
),
-- Per sequence: its integer columns' tables to lock, the first privilege missing to read them, the narrowest
-- column type, and the pieces of the reading statement.
integer_lists AS (
  SELECT integer_columns.sequence_oid, pg_catalog.count(*) AS judged_integer_count,
    pg_catalog.array_agg(DISTINCT integer_columns.table_name) AS tables_to_lock,
    (pg_catalog.array_agg(CASE WHEN NOT integer_columns.can_use_schema THEN pg_catalog.format(
       'permission denied: the role cannot use schema %s, which holds table %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
       integer_columns.quoted_table_schema, integer_columns.table_name, integer_columns.quoted_table_schema,
       pg_catalog.quote_ident(CURRENT_USER))
       WHEN NOT integer_columns.can_read THEN pg_catalog.format(
       'permission denied: the role cannot read column %s of table %s; grant it SELECT (GRANT SELECT ON %s TO %s)',
       integer_columns.quoted_column, integer_columns.table_name, integer_columns.table_name,
       pg_catalog.quote_ident(CURRENT_USER))
       WHEN integer_columns.rows_hidden_by = 'forced' THEN pg_catalog.format(
       'row-level security hides rows of table %s from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: run seq-guard as a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       integer_columns.table_name, pg_catalog.quote_ident(CURRENT_USER))
       ELSE pg_catalog.format(
       'row-level security hides rows of table %s from this role, so its largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       integer_columns.table_name, pg_catalog.quote_ident(CURRENT_USER)) END ORDER BY integer_columns.link_order)
       FILTER (WHERE NOT integer_columns.can_read OR NOT integer_columns.can_use_schema
                     OR integer_columns.rows_hidden_by IS NOT NULL))[1] AS column_unreadable_reason,
    -- The narrowest integer column whose type ends the range before the sequence's own limit does (first in link
    -- order among equals).
    (pg_catalog.array_agg(CASE WHEN integer_columns.ascending THEN integer_columns.type_max ELSE integer_columns.type_min END
       ORDER BY CASE WHEN integer_columns.ascending THEN integer_columns.type_max ELSE -integer_columns.type_min END,
                integer_columns.link_order)
       FILTER (WHERE integer_columns.narrower_than_sequence))[1] AS column_bound,
    (pg_catalog.array_agg(integer_columns.column_type || ' column ' || integer_columns.table_name || '.'
                          || integer_columns.quoted_column
       ORDER BY CASE WHEN integer_columns.ascending THEN integer_columns.type_max ELSE -integer_columns.type_min END,
                integer_columns.link_order)
       FILTER (WHERE integer_columns.narrower_than_sequence))[1] AS column_bound_by,
    -- One statement reads the position and the colliding extreme (max ascending, min descending) of every
    -- integer column inside its collision range: with an index, one index probe per column. Column N is read by
    -- the subquery column_N; these are its select list and its FROM items.
    pg_catalog.string_agg(pg_catalog.format('column_%s.extreme::pg_catalog.int8', integer_columns.link_order), ', '
                          ORDER BY integer_columns.link_order)
      FILTER (WHERE integer_columns.collision_low <= integer_columns.collision_high) AS column_extremes,
    pg_catalog.string_agg(pg_catalog.format(
        ', (SELECT pg_catalog.%1$s(%2$s) AS extreme FROM %3$s WHERE %2$s BETWEEN %4$L::pg_catalog.%5$s AND %6$L::pg_catalog.%5$s) AS column_%7$s',
        CASE WHEN integer_columns.ascending THEN 'max' ELSE 'min' END, integer_columns.quoted_column,
        integer_columns.table_name, integer_columns.collision_low, integer_columns.type_name,
        integer_columns.collision_high, integer_columns.link_order),
      '' ORDER BY integer_columns.link_order)
      FILTER (WHERE integer_columns.collision_low <= integer_columns.collision_high) AS column_subqueries
  FROM integer_columns GROUP BY integer_columns.sequence_oid
),
-- Everything known of each sequence before reading it.
facts AS MATERIALIZED (
  SELECT sequences.*,
    COALESCE(column_lists.link_count, 0) AS link_count, COALESCE(column_lists.integer_count, 0) AS integer_count,
    COALESCE(integer_lists.judged_integer_count, 0) AS judged_integer_count,
    column_lists.columns, column_lists.column_types, column_lists.computed_columns,
    integer_lists.column_unreadable_reason, integer_lists.tables_to_lock, integer_lists.column_bound,
    integer_lists.column_bound_by, integer_lists.column_extremes, integer_lists.column_subqueries
  FROM sequences
  LEFT JOIN column_lists ON column_lists.sequence_oid = sequences.sequence_oid
  LEFT JOIN integer_lists ON integer_lists.sequence_oid = sequences.sequence_oid
),
-- Why a sequence is not judged (skip_reason), or cannot be read (unreadable_reason); the bound of its range and
-- what sets it.
plans AS (
  SELECT facts.*,
    CASE WHEN facts.excluded THEN 'excluded'
         WHEN facts.link_count = 0 THEN 'unlinked'
         WHEN facts.integer_count = 0 THEN 'non_integer_column'
         WHEN facts.judged_integer_count = 0 THEN 'expression_default'
         WHEN facts.cycles THEN 'cycle' END AS skip_reason,
    CASE WHEN NOT facts.can_use_schema THEN pg_catalog.format(
           'permission denied: the role cannot use schema %s, which holds sequence %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
           facts.quoted_schema, facts.sequence_name, facts.quoted_schema, pg_catalog.quote_ident(CURRENT_USER))
         WHEN NOT facts.can_read THEN pg_catalog.format(
           'permission denied: the role cannot read the position of sequence %s; grant it SELECT (GRANT SELECT ON SEQUENCE %s TO %s)',
           facts.sequence_name, facts.sequence_name, pg_catalog.quote_ident(CURRENT_USER))
         ELSE facts.column_unreadable_reason END AS unreadable_reason,
    CASE WHEN facts.column_bound IS NOT NULL THEN facts.column_bound
         WHEN facts.increment > 0 THEN facts.max_value ELSE facts.min_value END AS range_bound,
    COALESCE(facts.column_bound_by,
             CASE WHEN facts.increment > 0 THEN 'MAXVALUE of ' ELSE 'MINVALUE of ' END || facts.sequence_name)
      AS range_bound_by
  FROM facts
)
SELECT plans.sequence_oid, plans.sequence_name, plans.data_type, plans.start_value, plans.increment,
  plans.cache_size, plans.can_update, plans.columns, plans.column_types, plans.computed_columns,
  plans.tables_to_lock, plans.skip_reason, plans.unreadable_reason, plans.range_bound, plans.range_bound_by,
  plans.column_bound_by,
  -- This script does not read trigger bodies (seq-guard check does): say so where one may draw from an unlinked
  -- sequence.
  CASE WHEN plans.skip_reason = 'unlinked' THEN (
    SELECT '. This script does not read trigger bodies, and BEFORE INSERT trigger function '
           || pg_catalog.string_agg(DISTINCT pg_catalog.format('%I.%I()', pn.nspname, p.proname), ', ')
           || ' names it: run seq-guard check to judge it'
    FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
    JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
    JOIN pg_catalog.pg_language lg ON lg.oid = p.prolang AND lg.lanname = 'plpgsql'
    WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype::int & 7) = 7
      AND pg_catalog.strpos(pg_catalog.lower(p.prosrc), pg_catalog.lower(plans.relation_name)) > 0
      AND p.prosrc ILIKE '%nextval%') END AS trigger_note,
  -- The one statement that reads the sequence: last_value, is_called, and the colliding extreme of its columns.
  CASE WHEN plans.skip_reason IS NULL AND plans.unreadable_reason IS NULL THEN
    'SELECT s.last_value, s.is_called, '
      || COALESCE(CASE WHEN plans.increment > 0 THEN 'GREATEST(' ELSE 'LEAST(' END || plans.column_extremes || ')',
                  'NULL::pg_catalog.int8')
      || ' AS extreme FROM ' || plans.sequence_name || ' AS s' || COALESCE(plans.column_subqueries, '')
  END AS read_statement
FROM plans`;

;// CONCATENATED MODULE: ./src/sql-script/steps.ts
// The two PL/pgSQL steps of the `seq-guard sql` script: DO blocks (plpgsql is in every database; a DO block creates
// nothing), because only PL/pgSQL can catch one sequence's error and go on with the next. Each is printed once, as
// the value of a session setting (seq_guard.read_step, seq_guard.fix_step) that the batch loop runs for every
// batch; the fixing step runs the reading step too. They take their input from, and leave their output in,
// settings:
//
//   seq_guard.batch_sequences, seq_guard.batch_links  the batch (set by the batch loop)   read by seq_guard_sequences
//   seq_guard.readings     what the reading step read (this transaction only)           read by seq_guard_verdicts
//   seq_guard.fix_log      what the fixing step did to the batch                        read by seq_guard_verdicts
//
// The only dynamic SQL in them: EXECUTE of the two prepared statements (a FOR loop over a prepared statement's
// rows needs it), of the reading step, of each sequence's reading statement (built by seq_guard_sequences with
// format('%I')), and LOCK TABLE of the tables seq_guard_sequences named the same way.
/**
 * The reading step: each sequence of the batch (seq_guard_sequences) read by its one statement, each in a block
 * of its own, so that a sequence that cannot be read (a lock held past lock_timeout, a timeout, a table gone) is
 * that sequence's error, as in the engine (src/db/pool.ts, src/db/explain.ts), and the rest of the batch is still read. A DO block
 * writes nothing, so this runs in a READ ONLY transaction (and on a standby).
 */
const READ_STEP = `DO $$
DECLARE
  target record;
  last_value numeric;
  is_called boolean;
  extreme numeric;
  read_error text;
  readings jsonb[] := '{}';
BEGIN
  FOR target IN EXECUTE 'EXECUTE seq_guard_sequences' LOOP
    last_value := NULL;
    is_called := NULL;
    extreme := NULL;
    read_error := NULL;
    IF target.read_statement IS NOT NULL THEN
      BEGIN
        EXECUTE target.read_statement INTO last_value, is_called, extreme;
      EXCEPTION WHEN OTHERS THEN
        read_error := CASE
          WHEN SQLSTATE = '55P03' THEN pg_catalog.format('could not read %s: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise --lock-timeout', pg_catalog.array_to_string(target.tables_to_lock, ', '))
          WHEN SQLSTATE = '57014' THEN pg_catalog.format('timed out reading %s: a column without an index makes max() scan the whole table; add an index on it or raise statement_timeout', pg_catalog.array_to_string(target.tables_to_lock, ', '))
          WHEN SQLSTATE = '42501' AND SQLERRM LIKE '%row-level security%' THEN pg_catalog.format('row-level security hides rows from this role (%s), so the largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS', SQLERRM)
          WHEN SQLSTATE = '42501' THEN 'permission denied: ' || SQLERRM
          ELSE pg_catalog.format('could not read %s: %s (SQLSTATE %s)', target.sequence_name, SQLERRM, SQLSTATE) END;
        RAISE WARNING 'seq-guard: %', read_error;
      END;
    END IF;
    readings := readings || ((pg_catalog.to_jsonb(target) - 'read_statement')
                             || pg_catalog.jsonb_build_object('last_value', last_value, 'is_called', is_called,
                                                              'extreme', extreme, 'read_error', read_error));
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.readings', pg_catalog.to_jsonb(readings)::text, true);
END
$$`;
/**
 * The fixing step, for one batch: find what is behind, then lock, re-read and advance it, in short transactions
 * (src/db/fixing.ts). It commits as it goes, so it runs outside the report's READ ONLY transaction.
 */
const FIX_STEP = `DO $$
DECLARE
  verdict record;
  reading jsonb;
  extreme numeric;
  behind jsonb[] := '{}';
  attempted jsonb[];
  attempt int := 0;
  tables text;
  lock_ms text := (SELECT s.setting FROM pg_catalog.pg_settings s WHERE s.name = 'lock_timeout');
  fix_log jsonb[] := '{}';
  advanced jsonb[];
  did_set boolean;
  err text;
  errstate text;
BEGIN
  PERFORM pg_catalog.set_config('seq_guard.fix_log', '[]', false);

  -- 1. Read and judge the batch without locking anything but for reading. Note each behind sequence: the role
  -- may advance it (UPDATE on it), or it is an error.
  EXECUTE pg_catalog.current_setting('seq_guard.read_step');
  FOR verdict IN EXECUTE 'EXECUTE seq_guard_verdicts' LOOP
    CONTINUE WHEN verdict.status <> 'behind';
    SELECT e.e INTO reading
    FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS e (e)
    WHERE e.e ->> 'sequence_name' = verdict.sequence;
    IF (reading ->> 'can_update')::boolean THEN
      behind := behind || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid',
                            'sequence_name', verdict.sequence, 'increment', reading -> 'increment',
                            'next_value', verdict.next_value, 'tables_to_lock', reading -> 'tables_to_lock',
                            'fix_sql', verdict.fix_sql);
    ELSE
      fix_log := fix_log || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid', 'outcome', 'error',
        'reason', pg_catalog.format('permission denied: fixing needs UPDATE on sequence %s (GRANT UPDATE ON SEQUENCE %s TO %s)',
                                    verdict.sequence, verdict.sequence, pg_catalog.quote_ident(CURRENT_USER)));
      RAISE WARNING 'seq-guard: % is behind but the role may not advance it (it needs UPDATE on the sequence)', verdict.sequence;
    END IF;
  END LOOP;
  COMMIT;

  -- 2. Lock the tables of what is behind against writes (an INSERT takes ROW EXCLUSIVE before it calls nextval(),
  -- so inserts wait; the session's lock_timeout bounds the wait), read again under the lock, advance only what is
  -- still behind and only forward, commit. All of the batch's behind sequences at once (attempt 0); when that
  -- fails, one transaction each (attempt n: the n-th alone), to find the one at fault.
  WHILE pg_catalog.cardinality(behind) > 0 LOOP
    attempted := CASE WHEN attempt = 0 THEN behind ELSE ARRAY[behind[attempt]] END;
    SELECT pg_catalog.string_agg(DISTINCT t.t, ', ') INTO tables
    FROM pg_catalog.unnest(attempted) AS e (e)
    CROSS JOIN LATERAL pg_catalog.jsonb_array_elements_text(e.e -> 'tables_to_lock') AS t (t);
    advanced := '{}';
    err := NULL;
    BEGIN
      EXECUTE 'LOCK TABLE ' || tables || ' IN SHARE ROW EXCLUSIVE MODE';
      PERFORM pg_catalog.set_config('seq_guard.batch_sequences',
        (SELECT pg_catalog.array_agg((e.e ->> 'sequence_oid')::pg_catalog.oid) FROM pg_catalog.unnest(attempted) AS e (e))::text,
        true);
      EXECUTE pg_catalog.current_setting('seq_guard.read_step');
      FOR verdict IN EXECUTE 'EXECUTE seq_guard_verdicts' LOOP
        SELECT e.e INTO reading FROM pg_catalog.unnest(attempted) AS e (e) WHERE e.e ->> 'sequence_name' = verdict.sequence;
        IF verdict.status = 'error' THEN
          advanced := advanced || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid',
                                    'outcome', 'error', 'reason', verdict.reason);
        END IF;
        CONTINUE WHEN verdict.status <> 'behind';
        -- The colliding value as read under the lock (the report's "max / min" cell is text: "min -50").
        SELECT (e.e ->> 'extreme')::numeric INTO extreme
        FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS e (e)
        WHERE e.e ->> 'sequence_name' = verdict.sequence;
        CONTINUE WHEN extreme IS NULL;
        IF ((reading ->> 'increment')::numeric > 0 AND extreme < verdict.next_value)
           OR ((reading ->> 'increment')::numeric < 0 AND extreme > verdict.next_value) THEN
          RAISE EXCEPTION 'refusing to move % backwards', verdict.sequence;
        END IF;
        -- setval() only while it still moves the sequence forward, read in the same statement: a nextval() by
        -- another session since the read (one that does not insert through the locked tables) is never undone.
        SELECT CASE WHEN p.last_value IS NULL
                         OR ((reading ->> 'increment')::numeric > 0 AND p.last_value <= extreme)
                         OR ((reading ->> 'increment')::numeric < 0 AND p.last_value >= extreme)
                    THEN pg_catalog.setval((reading ->> 'sequence_oid')::pg_catalog.oid, extreme::pg_catalog.int8, true)
               END IS NOT NULL
        INTO did_set
        FROM pg_catalog.pg_sequence_last_value((reading ->> 'sequence_oid')::pg_catalog.oid) AS p (last_value);
        IF did_set THEN
          advanced := advanced || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid',
            'outcome', 'done', 'next_value_before', reading ->> 'next_value', 'fix_sql', reading ->> 'fix_sql',
            'note', pg_catalog.format('seq-guard: advanced %s: next value %s -> %s', verdict.sequence,
                                      verdict.next_value, extreme + (reading ->> 'increment')::numeric));
        END IF;
      END LOOP;
    EXCEPTION WHEN OTHERS THEN
      err := SQLERRM;
      errstate := SQLSTATE;
    END;
    COMMIT;
    IF err IS NULL THEN
      fix_log := fix_log || advanced;
      FOR i IN 1 .. COALESCE(pg_catalog.cardinality(advanced), 0) LOOP
        CONTINUE WHEN advanced[i] ->> 'note' IS NULL;
        RAISE NOTICE '%', advanced[i] ->> 'note';
      END LOOP;
      EXIT WHEN attempt = 0;
    ELSIF attempt > 0 OR pg_catalog.cardinality(behind) = 1 THEN
      fix_log := fix_log || pg_catalog.jsonb_build_object('sequence_oid', attempted[1] -> 'sequence_oid',
        'outcome', 'error', 'reason',
        CASE errstate
          WHEN '55P03' THEN pg_catalog.format('could not lock %s within %s ms: the table is busy; run fix again when it is quieter or raise --lock-timeout', tables, lock_ms)
          WHEN '42501' THEN pg_catalog.format('permission denied: fixing locks %s against writes, which needs UPDATE, DELETE or TRUNCATE on them (%s)', tables, err)
          ELSE pg_catalog.format('could not fix %s: %s (SQLSTATE %s)', attempted[1] ->> 'sequence_name', err, errstate) END);
      RAISE WARNING 'seq-guard: could not fix %: % (SQLSTATE %)', attempted[1] ->> 'sequence_name', err, errstate;
    END IF;
    EXIT WHEN attempt >= pg_catalog.cardinality(behind) OR (attempt = 0 AND pg_catalog.cardinality(behind) = 1);
    attempt := attempt + 1;
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.fix_log', pg_catalog.to_jsonb(fix_log)::text, false);
END
$$`;

;// CONCATENATED MODULE: ./src/sql-script/verdicts.ts
// seq_guard_verdicts, the second prepared statement of the `seq-guard sql` script: the report, one row per
// sequence of the batch, with src/core/verdict.ts's arithmetic done in numeric (exact at the int8 bounds). Printed
// once; its text is the same whatever options the script was generated with, which it reads from the settings
// section (seq_guard.headroom_threshold).
//
// Input: setting seq_guard.readings (each sequence's row of seq_guard_sequences and what its read returned), left
// by the reading step in the same transaction; with --fix, setting seq_guard.fix_log (what the fixing step did to
// the batch). Output: the report's rows, which psql prints, and which the fixing step reads to find what is behind.
const VERDICTS_QUERY = `WITH
-- What the reading step read: last_value and is_called of the sequence, the colliding extreme of its columns
-- (NULL when they hold nothing in range), read_error when the read failed.
readings AS (
  SELECT reading.*, reading.increment > 0 AS ascending
  FROM pg_catalog.jsonb_to_recordset(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS reading (
    sequence_oid pg_catalog.oid, sequence_name text, data_type text, start_value numeric, increment numeric,
    cache_size numeric, columns text, column_types text, computed_columns text, skip_reason text,
    trigger_note text, unreadable_reason text, range_bound numeric, range_bound_by text, column_bound_by text,
    last_value numeric, is_called boolean, extreme numeric, read_error text)
),
-- The value nextval() hands out next.
next_values AS (
  SELECT readings.*,
    CASE WHEN readings.is_called THEN readings.last_value + readings.increment ELSE readings.last_value END AS next_value
  FROM readings
),
-- The colliding value: a column value at or past the next value, in the sequence's direction.
collisions AS (
  SELECT next_values.*,
    CASE WHEN next_values.ascending AND next_values.extreme >= next_values.next_value THEN next_values.extreme
         WHEN NOT next_values.ascending AND next_values.extreme <= next_values.next_value THEN next_values.extreme
    END AS collision
  FROM next_values
),
-- The next value once fixed (the next value itself when nothing collides), and whether the next value or the fix
-- lies beyond the bound of the range.
reach AS (
  SELECT collisions.*,
    COALESCE(collisions.collision + collisions.increment, collisions.next_value) AS next_value_once_fixed,
    CASE WHEN collisions.ascending
         THEN collisions.next_value > collisions.range_bound
              OR collisions.collision + collisions.increment > collisions.range_bound
         ELSE collisions.next_value < collisions.range_bound
              OR collisions.collision + collisions.increment < collisions.range_bound END AS beyond_bound
  FROM collisions
),
-- The range from START to the bound: its size, the part used, what is left.
ranges AS (
  SELECT reach.*,
    CASE WHEN reach.ascending THEN reach.range_bound - reach.start_value + 1
         ELSE reach.start_value - reach.range_bound + 1 END AS range_size,
    GREATEST(0, CASE WHEN reach.ascending THEN reach.next_value_once_fixed - reach.start_value
                     ELSE reach.start_value - reach.next_value_once_fixed END) AS range_used,
    CASE WHEN reach.ascending THEN reach.range_bound - reach.next_value_once_fixed
         ELSE reach.next_value_once_fixed - reach.range_bound END AS range_left
  FROM reach
),
-- Headroom: the share used, in tenths of a percent (rounded down), and the values nextval() can still hand out.
headroom AS (
  SELECT ranges.*,
    CASE WHEN ranges.range_size <= 0 THEN 1000
         ELSE LEAST(pg_catalog.div(ranges.range_used * 1000, ranges.range_size), 1000) END AS used_permille,
    CASE WHEN ranges.range_left < 0 THEN 0
         ELSE pg_catalog.div(ranges.range_left, pg_catalog.abs(ranges.increment)) + 1 END AS values_remaining
  FROM ranges
),
verdicts AS (
  SELECT headroom.*,
    CASE WHEN headroom.skip_reason IS NOT NULL THEN 'skipped'
         WHEN headroom.unreadable_reason IS NOT NULL OR headroom.read_error IS NOT NULL THEN 'error'
         WHEN headroom.beyond_bound THEN 'exhausted'
         WHEN headroom.collision IS NOT NULL THEN 'behind'
         ELSE 'ok' END AS status,
    pg_catalog.div(headroom.used_permille, 10)::text
      || CASE WHEN pg_catalog.mod(headroom.used_permille, 10) <> 0
              THEN '.' || pg_catalog.mod(headroom.used_permille, 10)::text ELSE '' END AS used_percent
  FROM headroom
),
-- The words of the report: the reason of every verdict but ok, the headroom warning, the setval() that fixes.
explained AS (
  SELECT verdicts.*,
    CASE verdicts.status
      WHEN 'skipped' THEN CASE verdicts.skip_reason
        WHEN 'excluded' THEN 'excluded by the schema or exclude filters'
        WHEN 'unlinked' THEN 'feeds no column: no OWNED BY or identity column, no DEFAULT calling nextval() of it (by regclass, or by a text name resolved on the database''s search_path) and no BEFORE INSERT trigger assigning nextval() of it to a column links it to one (a sequence drawn only by application code is not inspected)' || COALESCE(verdicts.trigger_note, '')
        WHEN 'non_integer_column' THEN 'feeds only columns that are not integers (' || verdicts.column_types || ')'
        WHEN 'expression_default' THEN 'feeds its columns only through a DEFAULT that computes with nextval() (such as nextval(...) * 1024 + 7), so their values are not the sequence''s and cannot be compared with it (' || verdicts.computed_columns || ')'
        ELSE 'CYCLE sequence: it may legitimately sit below old data, so it is never judged or fixed' END
      WHEN 'error' THEN COALESCE(verdicts.unreadable_reason, verdicts.read_error)
      WHEN 'exhausted' THEN 'exhausted: '
        || CASE WHEN verdicts.collision IS NULL
             THEN pg_catalog.format('its next value %s lies beyond %s, the bound set by the %s',
                    verdicts.next_value, verdicts.range_bound, verdicts.range_bound_by)
             ELSE pg_catalog.format('it is behind (a linked column holds %s) and %s %s %s = %s lies beyond %s, the bound set by the %s',
                    verdicts.collision, verdicts.collision, CASE WHEN verdicts.ascending THEN '+' ELSE '-' END,
                    pg_catalog.abs(verdicts.increment), verdicts.next_value_once_fixed, verdicts.range_bound,
                    verdicts.range_bound_by) END
        || '. setval() cannot help: '
        || CASE WHEN verdicts.column_bound_by IS NOT NULL
             THEN 'widen the ' || verdicts.range_bound_by || ' (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)'
             WHEN verdicts.data_type = 'bigint'
             THEN pg_catalog.format('raise the sequence''s %1$s (ALTER SEQUENCE %2$s %1$s ...)',
                    CASE WHEN verdicts.ascending THEN 'MAXVALUE' ELSE 'MINVALUE' END, verdicts.sequence_name)
             ELSE pg_catalog.format('widen it (ALTER SEQUENCE %s AS bigint) and its columns', verdicts.sequence_name) END
      WHEN 'behind' THEN pg_catalog.format('next value %s %s %s, a value already in a linked column: the next insert collides',
        verdicts.next_value, CASE WHEN verdicts.ascending THEN '<=' ELSE '>=' END, verdicts.collision)
    END AS reason,
    CASE WHEN verdicts.status IN ('ok', 'behind')
              AND verdicts.used_permille >= pg_catalog.current_setting('seq_guard.headroom_threshold')::numeric * 10
         THEN pg_catalog.format('near_exhaustion: %s%% of the range up to %s (the %s) is used; %s values remain',
                verdicts.used_percent, verdicts.range_bound, verdicts.range_bound_by, verdicts.values_remaining) END
      AS warning,
    CASE WHEN verdicts.status = 'behind'
         THEN 'SELECT setval(''' || pg_catalog.replace(verdicts.sequence_name, '''', '''''') || ''', '
              || verdicts.collision || ', true);' END AS fix_sql
  FROM verdicts
),
-- What the fixing step did to this batch (--fix only; none in the checking script): the sequences it advanced,
-- with their next value before, and those it could not fix, with why.
fix_log AS (
  SELECT fixed.sequence_oid, fixed.outcome, fixed.next_value_before, fixed.reason, fixed.fix_sql
  FROM pg_catalog.jsonb_to_recordset(
         COALESCE(NULLIF(pg_catalog.current_setting('seq_guard.fix_log', true), ''), '[]')::pg_catalog.jsonb)
       AS fixed (sequence_oid pg_catalog.oid, outcome text, next_value_before text, reason text, fix_sql text)
),
-- The verdict, or what the fix made of it: fixed (with the statement that fixed it and the next value now), or
-- the error that stopped it.
report AS (
  SELECT explained.sequence_name, explained.columns, explained.ascending,
    CASE WHEN fix_log.outcome = 'error' THEN NULL
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'ok' THEN fix_log.fix_sql
         ELSE explained.fix_sql END AS fix_sql,
    CASE WHEN fix_log.outcome = 'error' THEN 'error'
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'ok' THEN 'fixed'
         ELSE explained.status END AS status,
    CASE WHEN fix_log.outcome = 'error' THEN fix_log.reason
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'ok'
         THEN pg_catalog.format('advanced from %s to %s', fix_log.next_value_before, explained.next_value)
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'behind'
         THEN 'the fix did not hold: ' || explained.reason
         ELSE explained.reason END AS reason,
    CASE WHEN fix_log.outcome = 'error' THEN NULL ELSE explained.next_value END AS next_value,
    CASE WHEN fix_log.outcome = 'error' THEN NULL ELSE explained.extreme END AS extreme,
    CASE WHEN fix_log.sequence_oid IS NOT NULL AND fix_log.outcome <> 'error' AND explained.status = 'ok'
              AND explained.cache_size > 1
         THEN pg_catalog.concat_ws(' | ', explained.warning, pg_catalog.format(
                'cached_sessions: CACHE %s: sessions connected before the fix may still hand out up to %s cached values each; reconnect them',
                explained.cache_size, explained.cache_size))
         WHEN fix_log.outcome = 'error' THEN NULL
         ELSE explained.warning END AS warning
  FROM explained LEFT JOIN fix_log ON fix_log.sequence_oid = explained.sequence_oid
)
-- What needs attention first. The colliding extreme is a max for an ascending sequence and a min for a
-- descending one, as in seq-guard check's table: under the header "max / min", a descending row's value reads
-- "min -50".
SELECT report.status, report.sequence_name AS sequence, report.columns,
       CASE WHEN report.ascending THEN report.extreme::text ELSE 'min ' || report.extreme END AS "max / min",
       report.next_value, report.fix_sql, report.reason, report.warning
FROM report
ORDER BY CASE report.status WHEN 'error' THEN 0 WHEN 'exhausted' THEN 1 WHEN 'behind' THEN 2 WHEN 'fixed' THEN 3
                            WHEN 'ok' THEN 4 ELSE 5 END,
         report.warning IS NULL, report.sequence_name COLLATE "C"`;

;// CONCATENATED MODULE: ./src/sql-script/script.ts
// `seq-guard sql`: the text of a standalone script that does what `check` (or, with --fix, `fix`) does, for people
// who have psql but no Node. Pure: options in, text out; nothing here talks to a database.
//
// The script is generated, not hand-written, so that the rules live in one place per language: its queries
// (./batches.ts, ./sequences.ts, ./verdicts.ts) mirror src/db/catalog-sql.ts, src/db/sql.ts and
// src/core/verdict.ts, and its PL/pgSQL steps (./steps.ts) src/db/explain.ts's error
// handling; the tests run it and the engine against the same databases. This file only puts them in order, once
// each, behind the settings section: what the user passes (--schema, --exclude, --headroom-threshold) goes in
// there as SET literals, which the queries read with current_setting() and compare with catalog text, never
// execute.





/**
 * Quote text as a literal that means the same whatever standard_conforming_strings says: '' when it holds no
 * backslash (the common case, easier to read), else E'' with the backslashes doubled.
 */
function sqlLiteral(text) {
    const quotes = text.replaceAll("'", "''");
    return text.includes("\\") ? `E'${quotes.replaceAll("\\", "\\\\")}'` : `'${quotes}'`;
}
/** Wrap a step in dollar quotes whose tag it does not contain (it is our own text: checked, not assumed). */
function quoted(text, tag) {
    if (text.includes(`$${tag}$`))
        throw new Error(`the ${tag} text contains its own quote`);
    return `$${tag}$\n${text}\n$${tag}$`;
}
/** A PostgreSQL array literal of text elements ('{"a","b"}'), each element double-quoted and escaped. */
function textArray(items) {
    return `{${items.map((item) => `"${item.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}
const CHECK_HEADER = `-- What it does: one row per sequence with the verdict of \`seq-guard check\`: status (ok, behind, exhausted,
-- skipped, error), the sequence, the columns it feeds, the largest value in them (max / min: the smallest, as
-- "min -50", when descending), the value nextval() hands out next, and for a behind sequence the setval()
-- statement that fixes it.
-- It writes nothing: every batch is read in a READ ONLY transaction.`;
const FIX_HEADER = `-- What it does: what \`seq-guard fix\` does. It reads every sequence; for each one that is behind its data, it locks
-- the tables the sequence feeds IN SHARE ROW EXCLUSIVE MODE (inserts wait; reads go on) for at most lock_timeout,
-- reads again under the lock, and calls setval(seq, largest value, true) only if the sequence is still behind and
-- only forward; then commits. CYCLE, exhausted, skipped and ok sequences are never touched. NOTICE lines name each
-- sequence advanced; the table of each batch is the verdict afterwards (status fixed for what was advanced).
-- A sequence with CACHE > 1: sessions connected before the fix may still hand out cached values; reconnect them.`;
/** How the script works, for the person who reviews it. */
function how(fix) {
    return `-- How, in the order of this file, with nothing created (no table, no function; prepared statements and
-- settings live in this session only). Each statement that runs is printed once, and its text is the same
-- whatever options the script was generated with: what you chose is in the settings of part 1.
--   1. settings: the server's, and yours (seq_guard.schemas, seq_guard.exclude_pattern,
--      seq_guard.headroom_threshold), which the queries read with current_setting();
--   2. two prepared statements: seq_guard_sequences (one batch's sequences, the columns they feed, the statement
--      that reads each) and seq_guard_verdicts (the verdict of each from what was read);
--   3. the reading step${fix ? " and the fixing step" : ""}: PL/pgSQL DO blocks, kept as the values of session settings (hence
--      the second level of dollar quotes around them) because psql's only loop, \\gexec, runs text that a query
--      returns; PL/pgSQL, because only it can catch one sequence's error (a lock held past lock_timeout) and go
--      on with the next;
--   4. the batch loop: one catalog query cuts the sequences into batches (at most 250 sequences and about 1000
--      locked relations each, so no transaction overflows the lock table on a large database) and psql's \\gexec
--      runs, for each batch: SET seq_guard.batch_sequences and seq_guard.batch_links (the batch),${fix
        ? "\n--      the fixing step (it commits as it goes: after reading the batch, after each group it fixes),"
        : ""}
--      BEGIN READ ONLY, the reading step, EXECUTE seq_guard_verdicts (the batch's rows of the report), COMMIT.
-- State goes from one statement to the next in session settings (seq_guard.*), written by SET and set_config():
-- the batch; seq_guard.readings, what the reading step read, for seq_guard_verdicts${fix ? ";\n-- seq_guard.fix_log, what the fixing step did, for seq_guard_verdicts" : ""}.
-- Nothing is pasted into query text at run time: dynamic SQL (EXECUTE in the steps) runs only the prepared
-- statements, the reading step, and statements whose names are built on the server with format('%I') from the
-- catalog (each sequence's reading statement${fix ? ", LOCK TABLE" : ""}).
-- Alternatives weighed: CREATE FUNCTION or a temporary table, even in pg_temp, writes the catalog and is refused
-- in a READ ONLY transaction or on a standby; one statement over every table would hold all their locks at once.
-- The arithmetic is done in numeric, so last_value + increment near the int8 bounds is exact.`;
}
/** The whole script, ready for psql -f. */
function sqlScript(opts) {
    const lockTimeoutMs = Math.max(0, Math.trunc(opts.lockTimeoutMs));
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
    // Globs that can match nothing (a reversed range such as [z-a]) drop out, as they exclude nothing. Each regular
    // expression is anchored (^(?:...)$), so joined with | they match what any one of them matches.
    const excludePatterns = opts.exclude.map(globToRegex).filter((r) => r !== null);
    const lines = [
        `-- seq-guard${opts.version ? ` ${opts.version}` : ""}: ${opts.fix ? "fix" : "check"} every PostgreSQL sequence against the data it feeds.`,
        `-- Generated by \`seq-guard sql${opts.fix ? " --fix" : ""}\`. Settings: ${settings}.`,
        "--",
        opts.fix ? FIX_HEADER : CHECK_HEADER,
        "--",
        "-- Run it with psql (PostgreSQL 12 or newer server; no extension needed):",
        "--   psql -X -v ON_ERROR_STOP=1 -d DATABASE -f THIS_FILE",
        ...(opts.fix ? ["-- It commits as it goes: do not run it with psql -1 / --single-transaction."] : []),
        "-- The role needs SELECT on the sequences and on the tables they feed" +
            (opts.fix
                ? ", UPDATE on the sequences to advance, and UPDATE, DELETE or TRUNCATE on the tables to lock them."
                : "."),
        "-- Wide output reads better with psql's \\x (expanded) or as CSV: psql --csv ...",
        "--",
        how(opts.fix),
        "",
        "\\set QUIET on",
        "",
        "-- 1. Settings.",
        "-- A table whose row-level security would hide rows from this role makes its read fail, never read part of it.",
        "SET row_security = off;",
        "-- A table another session keeps locked is reported as busy after this long, not waited on.",
        `SET lock_timeout = ${lockTimeoutMs};`,
        "-- --schema: only sequences of these schemas ('{}': of every schema).",
        `SET seq_guard.schemas = ${sqlLiteral(textArray(opts.schemas))};`,
        "-- --exclude: skip sequences whose unquoted schema.name matches this regular expression, the globs translated",
        "-- ('': skip none).",
        `SET seq_guard.exclude_pattern = ${sqlLiteral(excludePatterns.join("|"))};`,
        "-- --headroom-threshold: warn (near_exhaustion) when this share of a sequence's range, in percent, is used.",
        `SET seq_guard.headroom_threshold = ${sqlLiteral(String(opts.headroomThreshold))};`,
        "",
        "-- 2a. seq_guard_sequences: the sequences of the batch in seq_guard.batch_sequences, the columns they feed (from",
        "-- the links in seq_guard.batch_links), whether each is skipped or lacks a privilege, the bound of its range, and",
        "-- the one statement that reads it (built here with format('%I') from catalog names).",
        "PREPARE seq_guard_sequences AS",
        `${SEQUENCES_QUERY};`,
        "",
        "-- 2b. seq_guard_verdicts: the report's rows for the batch, from what the reading step left in",
        `-- seq_guard.readings${opts.fix ? " (and what the fixing step left in seq_guard.fix_log)" : ""}.`,
        "PREPARE seq_guard_verdicts AS",
        `${VERDICTS_QUERY};`,
        "",
        "-- 3. The reading step: runs seq_guard_sequences, then each sequence's reading statement in a block of its own",
        "-- (a sequence that cannot be read is that sequence's error row, and a WARNING), and leaves what it read in",
        "-- seq_guard.readings for seq_guard_verdicts. It writes nothing.",
        `SET seq_guard.read_step = ${quoted(READ_STEP, "read_step")};`,
        "",
        ...(opts.fix
            ? [
                "-- 3b. The fixing step, per batch: run the reading step and seq_guard_verdicts; lock the tables of what is",
                "-- behind, read again under the lock, setval() what is still behind, forward only; commit. What it did goes",
                "-- to seq_guard.fix_log for the batch's report.",
                `SET seq_guard.fix_step = ${quoted(FIX_STEP, "fix_step")};`,
                "",
            ]
            : []),
        "-- 4. The batch loop: \\gexec runs each cell of each row below as a statement, left to right.",
        batchLoop(opts.fix),
        "\\gexec",
        "",
        "\\set QUIET off",
        "",
    ];
    const text = lines.join("\n");
    // Catalog text in UTF-8 filters: make the server read this file as UTF-8.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting non-ASCII text
    if (/[^\x00-\x7f]/.test(text))
        return text.replace("\\set QUIET on", "\\set QUIET on\n\\encoding UTF8");
    return text;
}

;// CONCATENATED MODULE: ./src/sql-script/index.ts
// `seq-guard sql`: the standalone SQL script for servers with psql but no Node. script.ts assembles the script in
// its order: the settings, the prepared statements seq_guard_sequences (sequences.ts) and seq_guard_verdicts
// (verdicts.ts), the PL/pgSQL reading and fixing steps (steps.ts), and the batch loop psql's \gexec drives
// (batches.ts); glob.ts translates the --exclude globs.




/***/ })

};
