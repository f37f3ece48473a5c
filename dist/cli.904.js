export const id = 904;
export const ids = [904];
export const modules = {

/***/ 6904:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DK: () => (/* binding */ EXTRA_CANDIDATES_SQL),
/* harmony export */   F6: () => (/* binding */ readResolvedLink),
/* harmony export */   Fd: () => (/* binding */ sequencesSql),
/* harmony export */   Gf: () => (/* binding */ catalogCursor),
/* harmony export */   MB: () => (/* binding */ resolveLinksSql),
/* harmony export */   Mv: () => (/* binding */ readSequenceRow),
/* harmony export */   Ow: () => (/* binding */ LINK_CODES),
/* harmony export */   Wt: () => (/* binding */ CATALOG_TIMEOUT_FLOOR_MS),
/* harmony export */   XF: () => (/* binding */ readLink),
/* harmony export */   b_: () => (/* binding */ catalogBeginSql),
/* harmony export */   i4: () => (/* binding */ EXTRA_LINKS_SQL),
/* harmony export */   i7: () => (/* binding */ INHERITS_SQL),
/* harmony export */   ml: () => (/* binding */ TEXT_DEFAULTS_SQL),
/* harmony export */   vE: () => (/* binding */ readTrigger),
/* harmony export */   x1: () => (/* binding */ plainNextvalSql),
/* harmony export */   y5: () => (/* binding */ TRIGGER_LINKS_SQL),
/* harmony export */   zF: () => (/* binding */ TRIGGER_CODE)
/* harmony export */ });
/* unused harmony exports searchPathSql, DEFAULT_PATH_SQL, jsonRowSql, rowReader, jsonLiteral */
// The SQL discovery reads the catalog with (db/discovery.ts runs it and parses its rows): one pass that finds every
// sequence and the columns it feeds through the links pg_depend records, and, where an EXISTS over their candidates
// finds any, two small queries for the links it does not record (defaults naming a sequence as text, trigger
// assignments). The standalone SQL script
// (src/sql-script) reuses the pieces that tell a plain nextval() default and resolve a name as nextval() does.
//
// Rows come as JSON arrays rather than objects or columns: a sequence's row is one field for the client to parse
// instead of 16, and its links and the resolved links save the key names on every element at 100,000 sequences.
// Each such row is declared once here as a named record with the SQL of each field beside its name (RowSpec), and
// read back into that record by rowReader(): the order the query writes and the order the reader expects cannot
// drift apart.
// OID of nextval(regclass): fixed in pg_proc.dat since PostgreSQL 8.1. There is no nextval(text) any more:
// nextval('s'::text) calls it through regclass(text), OID 1079, which looks the name up at every call.
const NEXTVAL_OID = 1574;
const REGCLASS_TEXT_OID = 1079;
// Privilege functions cost a catalog lookup each; a superuser may read and update everything, so they are asked
// only for other roles (CASE evaluates its branches in order).
const SUPER = "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)";
const BYPASS = "(SELECT rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user)";
/**
 * SQL that tells whether a default's expression tree (`tree`, pg_attrdef.adbin as text) is nextval() on a
 * constant regclass wrapped in nothing but type coercions: casts (FUNCEXPR with funcformat 1 explicit or 2
 * implicit), domain coercions, relabelings, I/O coercions. Checked with string functions, not a regular
 * expression (one took 250 µs a default): when no node but those coercions and one constant is present, and
 * only one FUNCEXPR is a plain call (funcformat 0), that call being nextval() of the constant, every coercion
 * has one argument and the tree is a chain that ends in nextval(regclass constant). Each '{' in the text opens
 * a node; constants print their value as bytes, never braces.
 */
function plainNextvalSql(tree, byText = false) {
    // nextval('s'::text) is nextval(regclass) of a text-to-regclass cast (regclass(text), OID 1079, funcformat 1
    // or 2) of a text constant: the cast is one more coercion in the chain.
    const call = byText
        ? `{FUNCEXPR :funcid ${NEXTVAL_OID} %:args ({FUNCEXPR :funcid ${REGCLASS_TEXT_OID} %:args ({CONST :consttype 25 %`
        : `{FUNCEXPR :funcid ${NEXTVAL_OID} %:args ({CONST :consttype 2205 %`;
    const strip = ["{FUNCEXPR ", "{COERCETODOMAIN ", "{RELABELTYPE ", "{COERCEVIAIO ", "{CONST "].reduce((t, node) => `pg_catalog.replace(${t}, '${node}', '')`, tree);
    const once = (p) => `pg_catalog.strpos(pg_catalog.substr(${tree}, pg_catalog.strpos(${tree}, '${p}') + 1), '${p}') = 0`;
    return `(${tree} LIKE '%${call}'
    AND ${once("{CONST ")} AND ${once(":funcformat 0 ")} AND pg_catalog.strpos(${strip}, '{') = 0)`;
}
/**
 * The integer type at the bottom of a domain, through domains over domains (typbasetype names only the next one
 * down). Evaluated for domain columns only.
 */
const BASE_TYPE = `(WITH RECURSIVE b (oid, base, typtype) AS (
                   SELECT t.oid, t.typbasetype, t.typtype
                   UNION ALL
                   SELECT bt.oid, bt.typbasetype, bt.typtype FROM b JOIN pg_catalog.pg_type bt ON bt.oid = b.base
                   WHERE b.typtype = 'd')
                 SELECT b.oid FROM b WHERE b.typtype <> 'd' LIMIT 1)`;
// ---------------------------------------------------------------------------------------------------------------
// Links pg_depend does not record. Found by two small queries before the catalog pass, only where such defaults
// and triggers exist, and handed to it as a constant: the catalog pass itself is unchanged when there are none.
const UPPER = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
const LOWER = "'abcdefghijklmnopqrstuvwxyz'";
/** SQL: one name of a qualified name or of a search_path, as PostgreSQL reads it: "quoted" as is, else folded. */
function identOf(tok) {
    return `CASE WHEN ${tok} LIKE '"%' THEN pg_catalog.replace(pg_catalog.substr(${tok}, 2, pg_catalog.length(${tok}) - 2), '""', '"')
               ELSE pg_catalog.translate(${tok}, ${UPPER}, ${LOWER}) END`;
}
/** SQL: the schemas of a search_path setting (a text expression) in order, as text[]; "$user" is the current role. */
function searchPathSql(setting) {
    return `ARRAY(SELECT CASE WHEN p.e = '$user' THEN CURRENT_USER::text ELSE p.e END
       FROM (SELECT ${identOf("(x.m)[1]")} AS e, x.i
             FROM pg_catalog.regexp_matches(${setting}, '"(?:[^"]|"")*"|[^[:space:]",]+', 'g') WITH ORDINALITY AS x (m, i)) p
       ORDER BY p.i)`;
}
/**
 * SQL: the search_path an inserting session is taken to have: the database's (ALTER DATABASE ... SET search_path,
 * in pg_db_role_setting), else the one a session of the connecting role gets (the server's setting unless
 * ALTER ROLE or the connection changed it: pg_settings.reset_val, which discovery's SET LOCAL does not touch).
 */
const DEFAULT_PATH_SQL = `COALESCE(
  (SELECT pg_catalog.substr(cfg.cfg, 13) FROM pg_catalog.pg_db_role_setting rs
   CROSS JOIN LATERAL pg_catalog.unnest(rs.setconfig) AS cfg (cfg)
   WHERE rs.setrole = 0 AND cfg.cfg LIKE 'search_path=%'
     AND rs.setdatabase = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
   LIMIT 1),
  (SELECT st.reset_val FROM pg_catalog.pg_settings st WHERE st.name = 'search_path'))`;
// A name as regclass input reads it: one to three dot-separated names, each "quoted" or a run of other characters.
const QUALIFIED_NAME = `'^[[:space:]]*(?:"(?:[^"]|"")+"|[^[:space:]".]+)(?:[[:space:]]*[.][[:space:]]*(?:"(?:[^"]|"")+"|[^[:space:]".]+)){0,2}[[:space:]]*$'`;
const NAME_PART = `'"(?:[^"]|"")+"|[^[:space:]".]+'`;
/**
 * SQL: the sequence each candidate names, resolved the way nextval() resolves its text at each call (regclass
 * input): a qualified name exactly (a three-part name only in the current database); an unqualified one as the
 * first relation of that name on the search_path, pg_catalog first unless the path places it, which must be a
 * sequence. `cand` is a SELECT of candidates (tbl, attnum, name, path, kind): path is the search_path text to use (a
 * function's own SET search_path), null for the inserting session's.
 *
 * Checked on PostgreSQL 15: table a.t with DEFAULT nextval('s'::text), sequences a.s and public.s. An insert with
 * search_path public drew from public.s, with search_path a from a.s, with "a, public" from a.s, with "public, a"
 * from public.s, and with pg_catalog alone failed (relation "s" does not exist): the inserting session's
 * search_path decides, not the table's schema. No session's path can be known from the catalog, so the
 * database's default is used (DEFAULT_PATH_SQL), and such links say so in their note.
 */
function resolveLinksSql(cand) {
    // OFFSET 0 keeps the candidates a subquery of their own, read once: else the planner may join pg_attribute
    // first, or scan pg_attrdef in every parallel worker.
    return `SELECT r.seq, cand.tbl, cand.attnum, cand.kind, cand.name, cand.path, r.qualified, a.attname::text AS attname
FROM (${cand} OFFSET 0) AS cand
JOIN pg_catalog.pg_attribute a ON a.attrelid = cand.tbl AND a.attnum = cand.attnum AND NOT a.attisdropped
CROSS JOIN LATERAL (
  SELECT ARRAY(SELECT ${identOf("(x.m)[1]")}
               FROM pg_catalog.regexp_matches(cand.name, ${NAME_PART}, 'g') WITH ORDINALITY AS x (m, i)
               ORDER BY x.i) AS parts,
         ${searchPathSql(`COALESCE(cand.path, ${DEFAULT_PATH_SQL})`)} AS schemas) np
CROSS JOIN LATERAL (
  SELECT c.oid AS seq, c.relkind, true AS qualified
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE pg_catalog.cardinality(np.parts) > 1
    AND c.relname = np.parts[pg_catalog.cardinality(np.parts)] AND n.nspname = np.parts[pg_catalog.cardinality(np.parts) - 1]
    AND (pg_catalog.cardinality(np.parts) = 2 OR np.parts[1] = pg_catalog.current_database())
  UNION ALL
  (SELECT c.oid, c.relkind, false
   FROM pg_catalog.unnest(CASE WHEN 'pg_catalog' = ANY (np.schemas) THEN np.schemas ELSE ARRAY['pg_catalog'] || np.schemas END)
        WITH ORDINALITY AS p (nsp, i)
   JOIN pg_catalog.pg_namespace n ON n.nspname = p.nsp
   JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = np.parts[1]
   WHERE pg_catalog.cardinality(np.parts) = 1
   ORDER BY p.i LIMIT 1)) r
WHERE cand.name ~ ${QUALIFIED_NAME} AND r.relkind = 'S'`;
}
/**
 * SQL: the defaults that call nextval('name'::text), one row per call (one scan of pg_attrdef with one LIKE for
 * the regclass(text) call: 6-25 ms at 10,000 defaults on a busy 2-CPU machine; pg_get_expr() only on the hits), as candidates for resolveLinksSql(): kind
 * 4 when the default is that call itself (through type coercions only), 6 when it computes with it. The name is
 * read from pg_get_expr(), which prints the constant as 'name'::text with quotes doubled (a name holding a
 * backslash prints as E'...' when standard_conforming_strings is off: not matched, so not linked).
 */
const TEXT_DEFAULTS_SQL = `SELECT ad.adrelid AS tbl, ad.adnum AS attnum,
       pg_catalog.replace((m.m)[1], '''''', '''') AS name, NULL::text AS path,
       CASE WHEN ${plainNextvalSql("ad.adbin::text", true)} THEN 4 ELSE 6 END AS kind
FROM pg_catalog.pg_attrdef ad
CROSS JOIN LATERAL pg_catalog.regexp_matches(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
  'nextval[(][(]''((?:[^'']|'''')*)''::text[)]::regclass[)]', 'g') AS m (m)
WHERE ad.adbin::text LIKE '%:funcid ${REGCLASS_TEXT_OID} %'`;
/**
 * BEFORE INSERT row triggers (tgtype bits ROW 1, BEFORE 2, INSERT 4) that an ordinary insert fires (tgenabled
 * 'O', the default, or 'A' always; not 'D' disabled nor 'R', which fires only with session_replication_role =
 * replica) with a PL/pgSQL function that
 * mentions nextval, with the function's own search_path (proconfig) when it sets one. Partition clones of a
 * parent's trigger are listed too (PostgreSQL 13 on); discovery drops a child covered by its parent.
 */
const TRIGGERS_SQL = `SELECT t.tgrelid::int8 AS tbl, p.oid::int8 AS fn, p.prosrc AS src,
       (SELECT pg_catalog.substr(cfg.cfg, 13) FROM pg_catalog.unnest(p.proconfig) AS cfg (cfg)
        WHERE cfg.cfg LIKE 'search_path=%' LIMIT 1) AS path
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_language lg ON lg.oid = p.prolang
WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'A') AND (t.tgtype::int & 7) = 7 AND lg.lanname = 'plpgsql'
  AND p.prosrc ILIKE '%nextval%'`;
// The candidates of trigger assignments ($1: a JSON array of {tbl, col, name, path}), on integer columns only.
const TRIGGER_CANDIDATES_SQL = resolveLinksSql(`
  SELECT (e.e ->> 'tbl')::oid AS tbl, a.attnum, e.e ->> 'name' AS name, e.e ->> 'path' AS path, 5 AS kind
  FROM pg_catalog.jsonb_array_elements($1::jsonb) AS e (e)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = (e.e ->> 'tbl')::oid AND a.attname = (e.e ->> 'col')
       AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  WHERE CASE WHEN t.typtype = 'd' THEN ${BASE_TYPE} ELSE a.atttypid END IN (20, 21, 23)`);
/** The SQL that writes one row of `spec` as a JSON array. */
function jsonRowSql(spec) {
    return `pg_catalog.json_build_array(${Object.values(spec).join(", ")})`;
}
/** The reader of rows that jsonRowSql(spec) wrote: each array made the named record it stands for. */
function rowReader(spec) {
    const keys = Object.keys(spec);
    return (row) => {
        const record = {};
        for (let i = 0; i < keys.length; i++)
            record[keys[i]] = row[i];
        return record;
    };
}
/**
 * How a column is linked, as the queries code it (a small number keeps each link's row short), by code: pg_depend's
 * identity (0) and OWNED BY (1), a nextval(regclass) default that is the call itself (2) or computes with it (3),
 * a nextval('name'::text) default likewise (4, 6), and a BEFORE INSERT trigger's assignment (5).
 */
const LINK_CODES = [
    { kind: "identity", via: "identity" },
    { kind: "owned", via: "owned" },
    { kind: "default", via: "default" },
    { kind: "expression", via: "default" },
    { kind: "default_text", via: "default_text" },
    { kind: "trigger", via: "trigger" },
    { kind: "expression", via: "default_text" },
];
/** The code of a trigger assignment's link (LINK_CODES). */
const TRIGGER_CODE = 5;
const RESOLVED_LINK = {
    seq: "x.seq::int8",
    tbl: "x.tbl::int8",
    attnum: "x.attnum",
    code: "x.kind",
    name: "x.name",
    qualified: "x.qualified",
    column: "x.attname",
};
const readResolvedLink = rowReader(RESOLVED_LINK);
const TRIGGER = { tbl: "tr.tbl", fn: "tr.fn", source: "tr.src", path: "tr.path" };
const readTrigger = rowReader(TRIGGER);
/** The database's default search_path, the text defaults resolved, and the triggers to scan: one row. */
const EXTRA_LINKS_SQL = `SELECT ${DEFAULT_PATH_SQL} AS default_path,
  (SELECT pg_catalog.json_agg(${jsonRowSql(RESOLVED_LINK)})
   FROM (${resolveLinksSql(TEXT_DEFAULTS_SQL)}) x) AS defaults,
  (SELECT pg_catalog.json_agg(${jsonRowSql(TRIGGER)}) FROM (${TRIGGERS_SQL}) tr) AS triggers`;
/**
 * Whether EXTRA_LINKS_SQL has anything to resolve: its two candidate queries, asked only whether they find a row.
 * Both false (most databases) means no link beyond pg_depend's, and discovery skips the resolving query, whose
 * planning alone cost 13-17 ms on a fresh backend (about 30 ms of server CPU with its execution, at 100 sequences).
 */
const EXTRA_CANDIDATES_SQL = `SELECT EXISTS (${TEXT_DEFAULTS_SQL}) AS defaults, EXISTS (${TRIGGERS_SQL}) AS triggers`;
/** The trigger assignments ($1: a JSON array of {tbl, col, name, path}) resolved to sequences: a row `r` each. */
const TRIGGER_LINKS_SQL = `SELECT ${jsonRowSql(RESOLVED_LINK)} AS r FROM (${TRIGGER_CANDIDATES_SQL}) x`;
const LINK = {
    tableOid: "g.tbl::int8",
    code: "g.kind",
    table: "format('%I.%I', tn.nspname, tc.relname)",
    columnIdent: "quote_ident(a.attname)",
    column: "a.attname",
    type: `CASE WHEN a.atttypid IN (20, 21, 23) THEN format_type(a.atttypid, NULL)
                      ELSE format_type(a.atttypid, a.atttypmod) END`,
    baseType: `CASE WHEN t.typtype = 'd' THEN ${BASE_TYPE} ELSE a.atttypid END::int8`,
    readable: "CASE WHEN su.is THEN true ELSE has_column_privilege(g.tbl, g.attnum, 'SELECT') END",
    indexes: "(SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = g.tbl)",
    schemaIdent: "quote_ident(tn.nspname)",
    schemaUsable: "CASE WHEN su.is THEN true ELSE has_schema_privilege(tn.oid, 'USAGE') END",
    rowSecurity: `CASE WHEN su.is OR su.bypass OR NOT tc.relrowsecurity THEN 0
                      WHEN tc.relforcerowsecurity THEN 2
                      WHEN pg_has_role(tc.relowner, 'USAGE') THEN 0 ELSE 1 END`,
};
const readLink = rowReader(LINK);
/**
 * A value as an SQL string literal of its JSON. What discovery passes holds only numbers (oids, attnums, codes),
 * but it is quoted as any literal all the same: a quote or backslash inside can never end it (the cursor's query
 * takes no parameters when it is sent with others in one round trip).
 */
function jsonLiteral(value) {
    // E'...' reads backslashes as escapes whatever standard_conforming_strings is (a dump may turn it off for
    // its database): each is doubled, as each quote is.
    return `E'${JSON.stringify(value).replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
/** The links of the sequence `c` as one JSON array of LINK rows, with `extra` (see sequencesSql). */
function linksSql(extra) {
    return `(SELECT json_agg(${jsonRowSql(LINK)})
        FROM (SELECT l.tbl, l.attnum,
                     CASE WHEN bool_or(l.kind = 0) THEN 0
                          WHEN bool_or(l.kind IN (3, 6)) AND NOT bool_or(l.kind IN (2, 4, 5))
                            THEN max(l.kind) FILTER (WHERE l.kind IN (3, 6))
                          WHEN bool_or(l.kind = 1) THEN 1 WHEN bool_or(l.kind = 2) THEN 2
                          WHEN bool_or(l.kind = 4) THEN 4 WHEN bool_or(l.kind = 5) THEN 5 ELSE 2 END AS kind
              FROM ${extra === null
        ? "l WHERE l.seq = c.oid"
        : `(SELECT l.tbl, l.attnum, l.kind FROM l WHERE l.seq = c.oid
                      UNION ALL
                      SELECT (e.e ->> 'tbl')::oid, (e.e ->> 'attnum')::int2, (e.e ->> 'code')::int
                      FROM jsonb_array_elements(${jsonLiteral(extra)}::jsonb -> (c.oid::text)) AS e (e)) l`} GROUP BY l.tbl, l.attnum) g
        -- Temporary tables are skipped: another session's rows live in its own buffers, out of anyone else's reach.
        JOIN pg_catalog.pg_class tc ON tc.oid = g.tbl AND tc.relkind IN ('r', 'p', 'f', 'm') AND tc.relpersistence <> 't'
        JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = g.tbl AND a.attnum = g.attnum AND NOT a.attisdropped
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid)`;
}
/** A sequence row of the catalog pass, field by field; its links (linksSql) differ with the extra links given. */
function sequenceSpec(links) {
    return {
        oid: "c.oid::int8::text",
        schema: "n.nspname",
        relname: "c.relname",
        name: "format('%I.%I', n.nspname, c.relname)",
        data_type: `CASE s.seqtypid WHEN 20 THEN 'bigint' WHEN 23 THEN 'integer' WHEN 21 THEN 'smallint'
            ELSE format_type(s.seqtypid, NULL) END`,
        start: "s.seqstart::text",
        increment: "s.seqincrement::text",
        min: "s.seqmin::text",
        max: "s.seqmax::text",
        cache: "s.seqcache::text",
        cycle: "s.seqcycle",
        can_read: "CASE WHEN su.is THEN true ELSE has_sequence_privilege(c.oid, 'SELECT') END",
        can_update: "CASE WHEN su.is THEN true ELSE has_sequence_privilege(c.oid, 'UPDATE') END",
        schema_ident: "quote_ident(n.nspname)",
        schema_usage: "CASE WHEN su.is THEN true ELSE has_schema_privilege(n.oid, 'USAGE') END",
        links,
    };
}
/** Reads a row of the catalog pass (its one column, `r`) into a SequenceRow. */
const readSequenceRow = rowReader(sequenceSpec(""));
// One row per sequence (SequenceRow, written as one JSON array: the client parses one field a row instead of 16),
// in a stable order, with the columns it feeds gathered into a JSON array: one pass over the catalog that a cursor
// can hand out in chunks (so verification can start on the first chunk while the rest is read). A link is (table,
// column) with its strongest kind: a serial column is linked twice (OWNED BY and its default) and counts once, as
// owned. `extra`: the links no dependency records, by sequence OID (numbers only, written into the text as a JSON
// constant); null when there are none, and the query is then as if they did not exist.
function sequencesSql(extra) {
    return `
WITH l AS (
  SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid::int2 AS attnum,
         CASE d.deptype WHEN 'i' THEN 0 ELSE 1 END AS kind
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum, CASE WHEN ${plainNextvalSql("ad.adbin::text")} THEN 2 ELSE 3 END
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype = 'n' AND ad.adbin::text LIKE '%:funcid ${NEXTVAL_OID} %'
)
SELECT ${jsonRowSql(sequenceSpec(linksSql(extra)))} AS r
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
CROSS JOIN (SELECT coalesce(${SUPER}, false) AS is, coalesce(${BYPASS}, false) AS bypass) su
WHERE c.relkind = 'S'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
`;
}
// Parent/child pairs of inheritance and declarative partitioning, with the number of indexes of each child: a
// scan of a parent locks its children and their indexes too, so they count against the lock budget.
const INHERITS_SQL = `
SELECT i.inhrelid::int8::text AS child, i.inhparent::int8::text AS parent,
       (SELECT count(*) FROM pg_catalog.pg_index x WHERE x.indrelid = i.inhrelid)::int AS indexes
FROM pg_catalog.pg_inherits i`;
/**
 * The catalog reads wait at least this long (when a statement timeout is set at all): the statement-timeout setting
 * is the bound on reading a table's column, which a short one (50 ms, to find unindexed columns fast) must not
 * turn into a failed catalog read on a busy machine, where a fresh session's first catalog query alone took
 * 120-200 ms. Lock waits still end at the lock timeout.
 */
const CATALOG_TIMEOUT_FLOOR_MS = 30_000;
/**
 * The transaction discovery reads in: one snapshot for every query, read only; the cursor plans for the whole
 * result, not the first rows. JIT is off: the per-sequence subqueries make the planner's estimate large enough
 * (453,000 at 10,000 sequences) to compile the query, which on a server built with LLVM (Debian's, the postgres
 * Docker image) cost 130-240 ms more than it saved at 10,000 sequences. The jit setting exists from PostgreSQL 11
 * on. No parallel workers: a cursor never uses them, and for the small queries before it (the extra links) each
 * worker scanned pg_attrdef again (3 scans of it on a 2-CPU machine). With `statementTimeoutMs` (the run's, 0 for
 * none) the catalog reads get at least CATALOG_TIMEOUT_FLOOR_MS; it is written into the text rather than read back
 * from pg_settings, which cost 3-4 ms of every run on a fresh backend.
 */
function catalogBeginSql(statementTimeoutMs) {
    const t = statementTimeoutMs === undefined ? null : Math.max(0, Math.trunc(statementTimeoutMs));
    return `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL cursor_tuple_fraction = 1; SET LOCAL search_path = pg_catalog;
     SET LOCAL max_parallel_workers_per_gather = 0;
     SELECT pg_catalog.set_config('jit', 'off', true) WHERE pg_catalog.current_setting('server_version_num')::int >= 110000${t === null
        ? ""
        : `;
     SET LOCAL statement_timeout = ${t === 0 ? 0 : Math.max(t, CATALOG_TIMEOUT_FLOOR_MS)}`}`;
}
/** The cursor the catalog pass is read through, in chunks (COMMIT closes it). */
const catalogCursor = {
    declare: (query) => `DECLARE seq_guard_discovery NO SCROLL CURSOR FOR ${query}`,
    fetch: (rows) => `FETCH ${Math.trunc(rows)} FROM seq_guard_discovery`,
    close: "CLOSE seq_guard_discovery",
};


/***/ })

};
