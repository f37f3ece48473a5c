// `seq-guard sql`: the standalone scripts, run by the real psql against the run's PostgreSQL, must give every
// sequence the engine's verdict (field by field) and the corpus's EXPECTED one, and `sql --fix` must leave every
// sequence exactly where `seq-guard fix` leaves it. The check script must change nothing and leave nothing behind.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { columnLabel, isDescending } from "../src/core/report.ts";
import type { SequenceReport } from "../src/core/types.ts";
import { CLI_WORDS, inWords } from "../src/core/words.ts";
import { DEFAULT_ENGINE, type EngineOptions, verifyDatabase } from "../src/db/engine.ts";
import { CORPUS_SQL, EXPECTED } from "./corpus.ts";
import { runCli, type ScratchDb, scratchDb, sequenceStates } from "./helpers.ts";

// ---------------------------------------------------------------------------------------------------------------
// Running psql and reading its CSV.

interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a script with the real psql, as the docs tell users to: psql -X -v ON_ERROR_STOP=1 -f. Secrets via env. */
function psql(
  url: string,
  script: string,
  extraEnv: NodeJS.ProcessEnv = {},
  format: "--csv" | "--pset=format=aligned" = "--csv",
): Promise<PsqlResult> {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PGHOST: u.hostname,
    PGPORT: u.port || "5432",
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
    ...extraEnv,
  };
  return new Promise((resolve, reject) => {
    const child = spawn("psql", ["-X", "-v", "ON_ERROR_STOP=1", format, "-f", "-"], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", (err) =>
      reject(new Error(`could not run psql (${err.message}): install the PostgreSQL client tools`)),
    );
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(script);
  });
}

/** RFC 4180 CSV, as psql --csv writes it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else if (ch !== "\r") field += ch;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const COLUMNS = [
  "status",
  "sequence",
  "columns",
  "max / min",
  "next_value",
  "fix_sql",
  "reason",
  "warning",
] as const;
type Row = Record<(typeof COLUMNS)[number], string | null>;

/** The script's rows by sequence name; every result set (one per chunk) starts with the same header. */
function parseRows(stdout: string): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const cells of parseCsv(stdout)) {
    if (cells.join(",") === COLUMNS.join(",")) continue;
    assert.equal(cells.length, COLUMNS.length, `a row of ${COLUMNS.length} fields: ${cells.join(",")}`);
    const row = Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i] === "" ? null : cells[i]])) as Row;
    assert.ok(row.sequence, "every row names its sequence");
    assert.ok(!out.has(row.sequence), `one row per sequence (${row.sequence} twice)`);
    out.set(row.sequence, row);
  }
  return out;
}

async function script(args: string[]): Promise<string> {
  const r = await runCli(["sql", ...args]);
  assert.equal(r.code, 0, `seq-guard sql ${args.join(" ")} exits 0: ${r.stderr}`);
  assert.equal(r.stderr, "");
  return r.stdout;
}

async function runScript(url: string, text: string, env: NodeJS.ProcessEnv = {}): Promise<Map<string, Row>> {
  const r = await psql(url, text, env);
  assert.equal(r.code, 0, `psql runs the script: ${r.stderr}`);
  return parseRows(r.stdout);
}

// ---------------------------------------------------------------------------------------------------------------
// What to compare.

/** Counts of catalog objects that a script must not leave behind. */
async function catalogCounts(db: ScratchDb): Promise<string> {
  const [row] = await db.query<{ c: string }>(`
    SELECT (SELECT count(*) FROM pg_class) || '/' || (SELECT count(*) FROM pg_proc) || '/' ||
           (SELECT count(*) FROM pg_type) || '/' || (SELECT count(*) FROM pg_namespace) || '/' ||
           (SELECT count(*) FROM pg_depend) AS c`);
  return row?.c ?? "";
}

function extremeOf(r: SequenceReport): string | null {
  const ascending = BigInt(r.increment) > 0n;
  let best: bigint | null = null;
  for (const c of r.columns) {
    const v = ascending ? c.max : c.min;
    if (v === null) continue;
    const b = BigInt(v);
    if (best === null || (ascending ? b > best : b < best)) best = b;
  }
  return best === null ? null : best.toString();
}

/** The script's row must say exactly what the engine's report says. */
function assertSame(row: Row | undefined, r: SequenceReport) {
  const name = r.sequence;
  assert.ok(row, `the script has a row for ${name}`);
  assert.equal(row.status, r.status, `${name}: status (script: ${row.reason}; engine: ${r.reason})`);
  assert.equal(row.reason, r.reason, `${name}: reason`);
  // A fixed row shows the value nextval() hands out now, after setval() (the engine's fixed_next_value).
  const next = r.status === "fixed" ? r.fixed_next_value : r.next_value;
  assert.equal(row.next_value, next, `${name}: next value`);
  assert.equal(row.fix_sql, r.fix_sql, `${name}: fix statement`);
  assert.equal(row.columns, r.columns.map(columnLabel).join(", ") || null, `${name}: columns`);
  const warnings = r.warnings.map((w) => `${w.code}: ${w.message}`).join(" | ");
  assert.equal(row.warning ?? "", warnings, `${name}: warnings`);
  if (r.status === "skipped" || r.status === "error") return;
  const collision = r.max ?? r.min;
  assert.equal(
    row["max / min"],
    extremeCell(r, collision ?? extremeOf(r)),
    `${name}: largest (smallest, descending) linked value`,
  );
}

/** The "max / min" cell of a sequence's row: a descending sequence's value is labelled, as in check's table. */
function extremeCell(r: Pick<SequenceReport, "increment">, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return isDescending(r as SequenceReport) ? `min ${value}` : value;
}

function assertAllSame(rows: Map<string, Row>, reports: SequenceReport[]) {
  assert.deepEqual([...rows.keys()].sort(), reports.map((r) => r.sequence).sort(), "the same sequences");
  for (const r of reports) assertSame(rows.get(r.sequence), r);
}

/** A row of the engine's report with the settings its messages name in the CLI's words, as the script words them. */
function inCliWords(r: SequenceReport): SequenceReport {
  return {
    ...r,
    reason: r.reason === null ? null : inWords(r.reason, CLI_WORDS),
    warnings: r.warnings.map((w) => ({ ...w, message: inWords(w.message, CLI_WORDS) })),
  };
}

const engine = async (url: string, opts: Partial<EngineOptions> & Pick<EngineOptions, "mode">) => {
  const res = await verifyDatabase({ connectionString: url }, { ...DEFAULT_ENGINE, ...opts });
  return { ...res, sequences: res.sequences.map(inCliWords) };
};

function withRole(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

// ---------------------------------------------------------------------------------------------------------------
// Cases beyond the corpus, where SQL arithmetic and the engine's could part ways.

const EDGES_SQL = `
CREATE SEQUENCE top_big;
SELECT setval('top_big', 9223372036854775807, true);
CREATE TABLE top_big_t (id bigint DEFAULT nextval('top_big'));

CREATE SEQUENCE bottom_down INCREMENT -1 MINVALUE -9223372036854775808 MAXVALUE -1 START -1;
SELECT setval('bottom_down', -9223372036854775808, true);
CREATE TABLE bottom_down_t (id bigint DEFAULT nextval('bottom_down'));

CREATE SEQUENCE big_step INCREMENT 4611686018427387904;
CREATE TABLE big_step_t (id bigint DEFAULT nextval('big_step'));
INSERT INTO big_step_t VALUES (4611686018427387905);

CREATE SEQUENCE collide_top;
CREATE TABLE collide_top_t (id bigint PRIMARY KEY DEFAULT nextval('collide_top'));
INSERT INTO collide_top_t VALUES (9223372036854775807);

CREATE SEQUENCE near_top CACHE 20;
CREATE TABLE near_top_t (id bigint PRIMARY KEY DEFAULT nextval('near_top'));
INSERT INTO near_top_t VALUES (9223372036854775805);

CREATE SEQUENCE down_big INCREMENT -5 MINVALUE -1000 MAXVALUE 0 START 0;
CREATE TABLE down_big_t (id int DEFAULT nextval('down_big'));
INSERT INTO down_big_t VALUES (-990), (-3), (500);

CREATE SEQUENCE down_ok INCREMENT -1 MINVALUE -100 MAXVALUE -1 START -1;
CREATE TABLE down_ok_t (id int DEFAULT nextval('down_ok'));
SELECT setval('down_ok', -50, true);
INSERT INTO down_ok_t VALUES (-20), (-49);

CREATE SEQUENCE out_of_range START 40000 MINVALUE 40000;
CREATE TABLE out_of_range_t (id smallint DEFAULT nextval('out_of_range'));

CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE SEQUENCE dom_seq;
CREATE TABLE dom_t (id posint DEFAULT nextval('dom_seq'));
INSERT INTO dom_t VALUES (12);

CREATE SEQUENCE mixed;
CREATE TABLE mixed_a (id int DEFAULT nextval('mixed'));
CREATE TABLE mixed_b (code text DEFAULT nextval('mixed')::text);
INSERT INTO mixed_a VALUES (7);

CREATE SEQUENCE two_cols;
CREATE TABLE two_a (id smallint DEFAULT nextval('two_cols'));
CREATE TABLE two_b (id bigint DEFAULT nextval('two_cols'));
INSERT INTO two_b VALUES (40000);

CREATE SEQUENCE two_ok;
CREATE TABLE two_ok_a (id smallint DEFAULT nextval('two_ok'));
CREATE TABLE two_ok_b (id bigint DEFAULT nextval('two_ok'));
INSERT INTO two_ok_a VALUES (30000);

CREATE TABLE lvl (id bigserial, k int) PARTITION BY LIST (k);
CREATE TABLE lvl_1 PARTITION OF lvl FOR VALUES IN (1, 2) PARTITION BY RANGE (id);
CREATE TABLE lvl_1a PARTITION OF lvl_1 FOR VALUES FROM (0) TO (1000000);
CREATE TABLE lvl_3 PARTITION OF lvl FOR VALUES IN (3);
INSERT INTO lvl VALUES (77, 1), (5, 3);

CREATE TABLE p_parent (id serial, v int);
CREATE TABLE p_child (own serial) INHERITS (p_parent);
INSERT INTO p_child (id, own) VALUES (9, 40);

CREATE TABLE cf (id serial);
INSERT INTO cf VALUES (4);
SELECT setval('cf_id_seq', 5, false);

CREATE SEQUENCE s2 AS smallint;
CREATE TABLE s2_t (id bigint DEFAULT nextval('s2'));
INSERT INTO s2_t VALUES (5), (100000);

CREATE TABLE pct (id serial PRIMARY KEY);
SELECT setval('pct_id_seq', 1073741823, true);

CREATE SCHEMA "x.y";
CREATE TABLE "x.y"."a,b" ("c""d" serial);
INSERT INTO "x.y"."a,b" VALUES (3);
`;

// ---------------------------------------------------------------------------------------------------------------

describe("seq-guard sql on the corpus", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb(CORPUS_SQL);
  });
  after(async () => {
    await db.drop();
  });

  test("the check script gives every sequence the engine's verdict and the expected one", async () => {
    const rows = await runScript(db.url, await script([]));
    const res = await engine(db.url, { mode: "check" });
    assertAllSame(rows, res.sequences);
    assert.deepEqual([...rows.keys()].sort(), Object.keys(EXPECTED).sort(), "exactly the corpus's sequences");
    for (const [name, exp] of Object.entries(EXPECTED)) {
      const row = rows.get(name) as Row;
      assert.equal(row.status, exp.status, `${name}: status`);
      if (exp.next) assert.equal(row.next_value, exp.next, `${name}: next value`);
      if (exp.collision) {
        const increment = res.sequences.find((r) => r.sequence === name)?.increment ?? "1";
        assert.equal(row["max / min"], extremeCell({ increment }, exp.collision), `${name}: colliding value`);
      }
      if (exp.columns) assert.deepEqual(row.columns?.split(", ").sort(), exp.columns, `${name}: columns`);
      assert.deepEqual(
        (row.warning ?? "")
          .split(" | ")
          .filter(Boolean)
          .map((w) => w.split(":")[0]),
        exp.warnings ?? [],
        `${name}: warnings`,
      );
    }
  });

  test("the check script writes nothing, leaves no object behind, and runs in a read-only session", async () => {
    const text = await script([]);
    const states = await sequenceStates(db);
    const counts = await catalogCounts(db);
    // A session where every transaction is READ ONLY, as on a standby: the script must still run.
    const rows = await runScript(db.url, text, { PGOPTIONS: "-c default_transaction_read_only=on" });
    assert.equal(rows.size, Object.keys(EXPECTED).length);
    assert.deepEqual(await sequenceStates(db), states, "no sequence moved");
    assert.equal(
      await catalogCounts(db),
      counts,
      "no relation, function, type, schema or dependency was left",
    );
    // And psql sees no error or notice.
    const r = await psql(db.url, text);
    assert.equal(r.stderr, "", "no message on stderr");
  });

  test("filters and the headroom threshold mean what they mean for the engine", async () => {
    const filters = {
      schemas: ["public", "billing"],
      exclude: ["public.user*", "public.tiny_*", "*.{cyc,by_?en}"],
    };
    const args = [
      ...filters.schemas.flatMap((s) => ["--schema", s]),
      ...filters.exclude.flatMap((e) => ["--exclude", e]),
      "--headroom-threshold",
      "93.1",
    ];
    const rows = await runScript(db.url, await script(args));
    const res = await engine(db.url, { mode: "check", ...filters, headroomThreshold: 93.1 });
    assertAllSame(rows, res.sequences);
    assert.equal(rows.get('"Weird Schema"."Mixed Case_Id_seq"')?.status, "skipped");
    assert.equal(rows.get("public.users_id_seq")?.reason, "excluded by the schema or exclude filters");
    assert.equal(rows.get("public.by_ten")?.status, "skipped");
    assert.equal(rows.get("public.down_seq")?.status, "behind");
    // public.nearly has used exactly 93.1% of its range: at the threshold it warns, just above it does not.
    assert.match(
      rows.get("public.nearly")?.warning ?? "",
      /^near_exhaustion: 93\.1% of the range up to 2147483647/,
    );
    const above = await runScript(db.url, await script(["--headroom-threshold", "93.15"]));
    assertAllSame(above, (await engine(db.url, { mode: "check", headroomThreshold: 93.15 })).sequences);
    assert.equal(above.get("public.nearly")?.warning, null);
  });
});

describe("seq-guard sql --fix on the corpus", () => {
  let viaScript: ScratchDb;
  let viaEngine: ScratchDb;
  before(async () => {
    [viaScript, viaEngine] = await Promise.all([scratchDb(CORPUS_SQL), scratchDb(CORPUS_SQL)]);
  });
  after(async () => {
    await Promise.all([viaScript.drop(), viaEngine.drop()]);
  });

  test("leaves every sequence where seq-guard fix leaves it, and reports what fix reports", async () => {
    const beforeStates = await sequenceStates(viaScript);
    const text = await script(["--fix"]);
    const r = await psql(viaScript.url, text);
    assert.equal(r.code, 0, r.stderr);
    const rows = parseRows(r.stdout);
    const res = await engine(viaEngine.url, { mode: "fix" });
    const afterScript = await sequenceStates(viaScript);
    assert.deepEqual(afterScript, await sequenceStates(viaEngine), "the same end state for every sequence");
    assertAllSame(rows, res.sequences);
    for (const [name, exp] of Object.entries(EXPECTED)) {
      if (exp.status === "behind") {
        assert.equal(rows.get(name)?.status, "fixed", `${name} fixed`);
        assert.equal(rows.get(name)?.next_value, exp.fixedNext, `${name}: the next value after the fix`);
        assert.equal(afterScript.get(name), `${exp.collision}/true`, `${name}: setval(collision, true)`);
        assert.ok(r.stderr.includes(`advanced ${name}: next value ${exp.next} -> ${exp.fixedNext}`), name);
      } else {
        assert.equal(afterScript.get(name), beforeStates.get(name), `${name} untouched`);
      }
    }
    // Run again: nothing left to do, nothing moves.
    const again = await psql(viaScript.url, text);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(
      ![...parseRows(again.stdout).values()].some((row) => row.status === "fixed" || row.status === "behind"),
    );
    assert.deepEqual(await sequenceStates(viaScript), afterScript, "a second run touches nothing");
    assert.doesNotMatch(again.stderr, /advanced/);
  });
});

describe("seq-guard sql --fix: the next value of a fixed row", () => {
  let db: ScratchDb;
  before(async () => {
    db = await scratchDb("CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t VALUES (1), (41);");
  });
  after(async () => {
    await db.drop();
  });

  test("is the value the next insert gets, after setval(), not the one before the fix", async () => {
    const r = await psql(db.url, await script(["--fix"]));
    assert.equal(r.code, 0, r.stderr);
    const row = parseRows(r.stdout).get("public.t_id_seq");
    assert.equal(row?.status, "fixed");
    assert.equal(row?.reason, "advanced from 1 to 42");
    const [inserted] = await db.query<{ id: number }>("INSERT INTO t DEFAULT VALUES RETURNING id");
    assert.equal(row?.next_value, String(inserted?.id));
  });
});

describe("seq-guard sql on edge cases", () => {
  let a: ScratchDb;
  let b: ScratchDb;
  before(async () => {
    [a, b] = await Promise.all([scratchDb(EDGES_SQL), scratchDb(EDGES_SQL)]);
  });
  after(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  test("check: int8 bounds, huge increments, domains, mixed and nested columns agree with the engine", async () => {
    const rows = await runScript(a.url, await script([]));
    const res = await engine(a.url, { mode: "check" });
    assertAllSame(rows, res.sequences);
    // Spot checks that the cases are what they claim to be.
    assert.equal(rows.get("public.top_big")?.next_value, "9223372036854775808");
    assert.equal(rows.get("public.top_big")?.status, "exhausted");
    assert.equal(rows.get("public.bottom_down")?.next_value, "-9223372036854775809");
    assert.equal(rows.get("public.big_step")?.status, "exhausted");
    assert.equal(rows.get("public.collide_top")?.status, "exhausted");
    assert.equal(rows.get("public.near_top")?.status, "behind");
    assert.equal(rows.get("public.down_big")?.["max / min"], "min -990");
    assert.equal(rows.get("public.s2")?.["max / min"], "5");
    assert.equal(rows.get("public.lvl_id_seq")?.["max / min"], "77");
    assert.equal(rows.get("public.cf_id_seq")?.status, "ok");
    assert.equal(rows.get('"x.y"."a,b_c""d_seq"')?.status, "behind");
    assert.equal(rows.get('"x.y"."a,b_c""d_seq"')?.columns, '"x.y"."a,b"."c""d"');
  });

  test("fix: the same end states as the engine's fix", async () => {
    const r = await psql(a.url, await script(["--fix"]));
    assert.equal(r.code, 0, r.stderr);
    const res = await engine(b.url, { mode: "fix" });
    assert.deepEqual(await sequenceStates(a), await sequenceStates(b));
    assertAllSame(parseRows(r.stdout), res.sequences);
    assert.match(parseRows(r.stdout).get("public.near_top")?.warning ?? "", /cached_sessions: CACHE 20/);
  });
});

describe("seq-guard sql prints columns and extremes as seq-guard check's table does", () => {
  // A mixed-case column of a table whose name holds a quote, and a descending sequence: both behind.
  const NAMES_SQL = `
    CREATE TABLE "Weird ""Tbl" ("Id" serial PRIMARY KEY);
    INSERT INTO "Weird ""Tbl" VALUES (7);
    CREATE SEQUENCE down_s INCREMENT -1 MINVALUE -100 MAXVALUE -1 START -1;
    CREATE TABLE down_t (id int DEFAULT nextval('down_s'));
    INSERT INTO down_t VALUES (-20), (-50);
  `;
  const WEIRD = 'public."Weird ""Tbl_Id_seq"';
  let a: ScratchDb;
  let b: ScratchDb;
  before(async () => {
    [a, b] = await Promise.all([scratchDb(NAMES_SQL), scratchDb(NAMES_SQL)]);
  });
  after(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  test("the column quoted with its table, a descending sequence's extreme labelled min, as in the CLI's text", async () => {
    const text = await script([]);
    // psql's own table, as `seq-guard sql | psql` shows it: the header and both rows, compared at once so that a
    // failure shows every cell that differs.
    const aligned = await psql(a.url, text, {}, "--pset=format=aligned");
    assert.equal(aligned.code, 0, aligned.stderr);
    const lines = aligned.stdout.split("\n");
    const cells = (l: string | undefined) => (l ?? "").split("|").map((c) => c.trim());
    const printed = (seq: string) => cells(lines.find((l) => cells(l)[1] === seq)).slice(0, 5);
    assert.deepEqual(
      {
        header: cells(lines.find((l) => /^\s*status\s*\|/.test(l))).slice(0, 5),
        weird: printed(WEIRD),
        down: printed("public.down_s"),
      },
      {
        header: ["status", "sequence", "columns", "max / min", "next_value"],
        weird: ["behind", WEIRD, 'public."Weird ""Tbl"."Id"', "7", "1"],
        down: ["behind", "public.down_s", "public.down_t.id", "min -50", "-1"],
      },
    );

    // The same as CSV, and every field as the engine's report says it.
    const rows = await runScript(a.url, text);
    assertAllSame(rows, (await engine(a.url, { mode: "check" })).sequences);

    // The CLI's text on the same database: the same column, the same header and label.
    const cli = await runCli(["check", "--database-url", a.url, "--no-color"]);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stdout, /^status\s+sequence\s+columns\s+max \/ min\s+next/m);
    assert.match(cli.stdout, /public\."Weird ""Tbl"\."Id"\s+7\s/);
    assert.match(cli.stdout, /public\.down_t\.id\s+min -50\s/);
  });

  test("fix advances both, and its rows keep the quoted column and the min label", async () => {
    const r = await psql(a.url, await script(["--fix"]));
    assert.equal(r.code, 0, r.stderr);
    const rows = parseRows(r.stdout);
    const res = await engine(b.url, { mode: "fix" });
    assertAllSame(rows, res.sequences);
    assert.deepEqual(await sequenceStates(a), await sequenceStates(b));
    assert.deepEqual(
      [
        rows.get(WEIRD)?.status,
        rows.get(WEIRD)?.columns,
        rows.get(WEIRD)?.["max / min"],
        rows.get(WEIRD)?.next_value,
      ],
      ["fixed", 'public."Weird ""Tbl"."Id"', "7", "8"],
    );
    const down = rows.get("public.down_s");
    assert.deepEqual([down?.status, down?.["max / min"], down?.next_value], ["fixed", "min -50", "-51"]);
    assert.match(r.stderr, /advanced public\.down_s: next value -1 -> -51/);
  });
});

describe("seq-guard sql with a role of limited rights", () => {
  let a: ScratchDb;
  let b: ScratchDb;
  const GRANTS = `
    CREATE TABLE open_t (id serial PRIMARY KEY); INSERT INTO open_t VALUES (3);
    CREATE TABLE noupd_t (id serial PRIMARY KEY); INSERT INTO noupd_t VALUES (4);
    CREATE TABLE nolock_t (id serial PRIMARY KEY); INSERT INTO nolock_t VALUES (5);
    CREATE TABLE secret_t (id serial PRIMARY KEY); INSERT INTO secret_t VALUES (6);
    CREATE TABLE hidden_t (id serial PRIMARY KEY); INSERT INTO hidden_t VALUES (7);
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sg_sql_role') THEN
        CREATE ROLE sg_sql_role LOGIN PASSWORD 'sql-role-pw';
      END IF;
    END $$;
    GRANT SELECT, UPDATE ON open_t, open_t_id_seq TO sg_sql_role;
    GRANT SELECT ON noupd_t, noupd_t_id_seq TO sg_sql_role;
    GRANT SELECT ON nolock_t TO sg_sql_role;
    GRANT SELECT, UPDATE ON nolock_t_id_seq TO sg_sql_role;
    GRANT SELECT ON secret_t_id_seq TO sg_sql_role;
    GRANT SELECT ON hidden_t TO sg_sql_role;
    CREATE SCHEMA closed;
    CREATE TABLE closed.c_t (id serial PRIMARY KEY); INSERT INTO closed.c_t VALUES (8);
    CREATE SEQUENCE public.across_seq;
    CREATE TABLE closed.x_t (id int DEFAULT nextval('public.across_seq')); INSERT INTO closed.x_t VALUES (9);
    GRANT SELECT ON closed.c_t, closed.c_t_id_seq, closed.x_t, public.across_seq TO sg_sql_role;
    CREATE TABLE rls_t (id serial PRIMARY KEY); INSERT INTO rls_t VALUES (10);
    ALTER TABLE rls_t ENABLE ROW LEVEL SECURITY;
    CREATE POLICY nobody ON rls_t USING (false);
    GRANT SELECT, UPDATE ON rls_t, rls_t_id_seq TO sg_sql_role;
  `;
  before(async () => {
    // One after the other: the role is created once, by the first.
    a = await scratchDb(GRANTS);
    b = await scratchDb(GRANTS);
  });
  after(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  test("check and fix report the missing privilege as the engine does, and fix what they may", async () => {
    const ua = withRole(a.url, "sg_sql_role", "sql-role-pw");
    const ub = withRole(b.url, "sg_sql_role", "sql-role-pw");
    assertAllSame(await runScript(ua, await script([])), (await engine(ua, { mode: "check" })).sequences);
    const r = await psql(ua, await script(["--fix"]));
    assert.equal(r.code, 0, r.stderr);
    const res = await engine(ub, { mode: "fix" });
    const rows = parseRows(r.stdout);
    assertAllSame(rows, res.sequences);
    assert.deepEqual(await sequenceStates(a), await sequenceStates(b));
    assert.equal(rows.get("public.open_t_id_seq")?.status, "fixed");
    assert.match(rows.get("public.noupd_t_id_seq")?.reason ?? "", /fixing needs UPDATE on sequence/);
    assert.match(
      rows.get("public.nolock_t_id_seq")?.reason ?? "",
      /permission denied: fixing locks public\.nolock_t/,
    );
    assert.match(
      rows.get("public.secret_t_id_seq")?.reason ?? "",
      /cannot read column id of table public\.secret_t/,
    );
    assert.match(rows.get("public.hidden_t_id_seq")?.reason ?? "", /cannot read the position of sequence/);
    // Grants on the objects do not help without USAGE on their schema; the GRANT named is the one that does.
    assert.match(
      rows.get("closed.c_t_id_seq")?.reason ?? "",
      /cannot use schema closed, which holds sequence closed\.c_t_id_seq.*GRANT USAGE ON SCHEMA closed TO sg_sql_role/,
    );
    assert.match(
      rows.get("public.across_seq")?.reason ?? "",
      /cannot use schema closed, which holds table closed\.x_t.*GRANT USAGE ON SCHEMA closed TO sg_sql_role/,
    );
    assert.match(rows.get("public.hidden_t_id_seq")?.reason ?? "", /TO sg_sql_role\)/);
    // Row-level security would show the role an empty table: an error that says so, never a false ok.
    assert.equal(rows.get("public.rls_t_id_seq")?.status, "error");
    assert.match(
      rows.get("public.rls_t_id_seq")?.reason ?? "",
      /row-level security hides rows of table public\.rls_t from this role.*ALTER ROLE sg_sql_role BYPASSRLS/,
    );
  });
});

/** Run `fn` while another session of each database holds a lock on table users in `mode`. */
async function whileUsersLocked(dbs: ScratchDb[], mode: string, fn: () => Promise<void>): Promise<void> {
  const holders = dbs.map((d) => new pg.Client({ connectionString: d.url }));
  try {
    for (const h of holders) {
      await h.connect();
      await h.query(`BEGIN; LOCK TABLE users IN ${mode} MODE`);
    }
    await fn();
  } finally {
    for (const h of holders) await h.end().catch(() => undefined);
  }
}

describe("seq-guard sql --fix against a busy table", () => {
  let a: ScratchDb;
  let b: ScratchDb;
  before(async () => {
    [a, b] = await Promise.all([scratchDb(CORPUS_SQL), scratchDb(CORPUS_SQL)]);
  });
  after(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  test("gives up on a locked table after --lock-timeout, reports it, and fixes the rest", async () => {
    await whileUsersLocked([a, b], "SHARE ROW EXCLUSIVE", async () => {
      const started = Date.now();
      const r = await psql(a.url, await script(["--fix", "--lock-timeout", "300ms"]));
      assert.equal(r.code, 0, r.stderr);
      assert.ok(Date.now() - started < 20_000, "lock_timeout bounds the wait");
      const res = await engine(b.url, { mode: "fix", lockTimeoutMs: 300 });
      const rows = parseRows(r.stdout);
      assertAllSame(rows, res.sequences);
      assert.equal(rows.get("public.users_id_seq")?.status, "error");
      assert.match(
        rows.get("public.users_id_seq")?.reason ?? "",
        /could not lock public\.users within 300 ms/,
      );
      assert.equal(rows.get("public.tiny_id_seq")?.status, "fixed");
    });
    assert.deepEqual(await sequenceStates(a), await sequenceStates(b));
  });
});

describe("seq-guard sql against a table another session keeps locked", () => {
  let a: ScratchDb;
  let b: ScratchDb;
  before(async () => {
    [a, b] = await Promise.all([scratchDb(CORPUS_SQL), scratchDb(CORPUS_SQL)]);
  });
  after(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  test("that sequence is an error row after --lock-timeout, as in the engine; every other row is still there", async () => {
    await whileUsersLocked([a, b], "ACCESS EXCLUSIVE", async () => {
      const r = await psql(a.url, await script(["--lock-timeout", "300ms"]));
      assert.equal(r.code, 0, r.stderr);
      const rows = parseRows(r.stdout);
      assertAllSame(rows, (await engine(b.url, { mode: "check", lockTimeoutMs: 300 })).sequences);
      assert.equal(rows.get("public.users_id_seq")?.status, "error");
      assert.match(
        rows.get("public.users_id_seq")?.reason ?? "",
        /could not read public\.users: another session held a lock on it longer than the lock timeout/,
      );
      assert.equal(rows.get("public.tiny_id_seq")?.status, "behind");
      assert.match(r.stderr, /WARNING: {2}seq-guard: could not read public\.users/);
    });
  });
});

describe("seq-guard sql on more sequences than one chunk holds", () => {
  // 200 tables with 4 indexes each (6 relations a sequence with its table): the planner cuts them into chunks of
  // about 1000 relations (at most 250 sequences), each read in its own transaction (one result set each) and
  // fixed in its own group.
  const MANY_SQL = `
    DO $$ BEGIN
      FOR i IN 1..200 LOOP
        EXECUTE format('CREATE TABLE m%s (id serial PRIMARY KEY, a int, b int, c int)', i);
        EXECUTE format('CREATE INDEX ON m%s (a); CREATE INDEX ON m%s (b); CREATE INDEX ON m%s (c)', i, i, i);
        IF i % 3 = 0 THEN EXECUTE format('INSERT INTO m%s (id) VALUES (%s)', i, i); END IF;
      END LOOP;
    END $$;`;
  let a: ScratchDb;
  let b: ScratchDb;
  before(async () => {
    [a, b] = await Promise.all([scratchDb(MANY_SQL), scratchDb(MANY_SQL)]);
  });
  after(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  test("every sequence gets one row, in several result sets, and fix ends where the engine's does", async () => {
    const check = await psql(a.url, await script([]));
    assert.equal(check.code, 0, check.stderr);
    const headers = check.stdout.split("\n").filter((l) => l === COLUMNS.join(",")).length;
    assert.equal(headers, 2, "the work was cut into chunks of about 1000 relations: two result sets");
    const rows = parseRows(check.stdout);
    assert.equal(rows.size, 200);
    assertAllSame(rows, (await engine(a.url, { mode: "check" })).sequences);
    assert.equal([...rows.values()].filter((r) => r.status === "behind").length, 66);

    const fix = await psql(a.url, await script(["--fix"]));
    assert.equal(fix.code, 0, fix.stderr);
    const res = await engine(b.url, { mode: "fix" });
    assertAllSame(parseRows(fix.stdout), res.sequences);
    assert.equal(res.summary.fixed, 66);
    assert.deepEqual(await sequenceStates(a), await sequenceStates(b));
  });
});

describe("seq-guard sql: usage", () => {
  test("bad input is a usage error (exit 2) with a one-paragraph message", async () => {
    for (const args of [
      ["sql", "--database-url", "postgres://u:secret@h/db"],
      ["sql", "dump.sql"],
      ["sql", "--headroom-threshold", "0"],
      ["sql", "--lock-timeout", "soon"],
      ["sql", "--exclude", "public.+(a|b)"],
      ["sql", "--json"],
      ["check", "--fix"],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: exit 2 (${r.stderr})`);
      assert.equal(r.stdout, "", `${args.join(" ")}: nothing on stdout`);
      assert.match(r.stderr, /^seq-guard: [^\n]+\n$/, `${args.join(" ")}: one line, no stack`);
      assert.doesNotMatch(r.stderr, /secret/);
    }
  });

  test("the script names what it was generated with and passes user text only as literals", async () => {
    const text = await script(["--schema", "it's\\x$sg_verdict$", "--exclude", "a'b*"]);
    assert.match(text, /^-- seq-guard /);
    // User text goes only into the settings section, as literals ('' or, with a backslash, E'').
    assert.ok(
      text.includes(`SET seq_guard.schemas = E'{"it''s\\\\\\\\x$sg_verdict$"}';`),
      "a schema name becomes an element of an E'' array literal",
    );
    assert.ok(
      text.includes("SET seq_guard.exclude_pattern = '^(?:a''b[^/]*)$';"),
      "a glob becomes an anchored regular expression literal",
    );
    // The dollar tag the user wrote ends no dollar-quoted step: psql still runs the script.
    const db = await scratchDb("CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t VALUES (2);");
    try {
      const rows = await runScript(db.url, text);
      assert.equal(rows.get("public.t_id_seq")?.reason, "excluded by the schema or exclude filters");
    } finally {
      await db.drop();
    }
  });
});
