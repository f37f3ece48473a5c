// Names from a dump are hostile input: a file, table, column or sequence name holding a line break and a workflow
// command must never become a command in a GitHub log, from the CLI (a `run:` step) or from the Action. The
// runner reads `::command::` at the start of a line (after blanks) and the legacy `##[command]` anywhere in one;
// a line ends at \n, at \r, or at both.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { logText, printable } from "../src/core/printable.ts";
import { FakeGitHub, runAction } from "./fake-github.ts";
import { adminUrl, runCli, type ScratchDb, scratchDb } from "./helpers.ts";

/** Lines as the runner reads them. */
const runnerLines = (s: string) => s.split(/\r\n|\r|\n/);

/** Lines of `out` that the runner would take for a workflow command. */
function commandLines(out: string): string[] {
  return runnerLines(out).filter((l) => l.trimStart().startsWith("::") || l.includes("##["));
}

describe("printable and logText", () => {
  test("no output line of logText is a workflow command, whatever the text", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: "binary" }),
            fc.constantFrom(
              "::",
              "##[",
              "\n",
              "\r",
              "\r\n",
              "\u0085",
              "\u2028",
              " \t",
              "\u00a0",
              "warning::x",
            ),
          ),
        ),
        (parts) => {
          assert.deepEqual(commandLines(logText(parts.join(""))), []);
        },
      ),
    );
  });

  test("printable keeps a name on one line; as JSON, the escapes of logText read back as the same text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const p = printable(s);
        assert.equal(runnerLines(p).length, 1, JSON.stringify(p));
        // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may be left
        assert.ok(!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(p), JSON.stringify(p));
        assert.ok(!p.includes("##["));
        assert.equal(JSON.parse(logText(JSON.stringify({ s }))).s, s);
      }),
    );
  });

  test("text without controls or commands is left as it is", () => {
    const plain =
      "== fixtures/a.dump (custom, restored into seq_guard_a in 12 ms)\n\x1b[31mbehind\x1b[0m  x::regclass";
    assert.equal(logText(plain), plain);
    assert.equal(printable("public.orders_id_seq"), "public.orders_id_seq");
  });
});

// Names as a fork's fixture may carry them (each within PostgreSQL's 63 bytes).
const TABLE = "t\n::notice::PWNED-t";
const COLUMN = "c\u2028::stop-commands::PWNED-c";
const SEQUENCE = "s\r::add-mask::PWNED-s##[error]x";
const FILE = "x\n::notice::PWNED-file##[warning]f.dump";

const HOSTILE_SQL = `
CREATE SEQUENCE "${SEQUENCE}";
CREATE TABLE "${TABLE}" ("${COLUMN}" bigint PRIMARY KEY DEFAULT nextval('"${SEQUENCE.replaceAll("'", "''")}"'));
ALTER SEQUENCE "${SEQUENCE}" OWNED BY "${TABLE}"."${COLUMN}";
INSERT INTO "${TABLE}" VALUES (1), (2), (3);
`;

describe("hostile names in the log", () => {
  let ws: string;
  let db: ScratchDb;
  let api: FakeGitHub;
  before(async () => {
    ws = mkdtempSync(join(tmpdir(), "seq-guard-log-"));
    mkdirSync(join(ws, "fixtures"));
    db = await scratchDb(HOSTILE_SQL);
    const u = new URL(db.url);
    execFileSync(
      "pg_dump",
      [
        "-Fc",
        "-f",
        join(ws, "fixtures", FILE),
        "-h",
        u.hostname,
        "-p",
        u.port,
        "-U",
        u.username,
        "-d",
        db.name,
      ],
      {
        env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    api = await FakeGitHub.start();
  });
  after(async () => {
    await db.drop();
    await api.close();
    rmSync(ws, { recursive: true, force: true });
  });

  test("the CLI's table and errors: every name shown, none a command", async () => {
    assert.deepEqual(readdirSync(join(ws, "fixtures")), [FILE]);
    const r = await runCli(["check", "--database-url", adminUrl(), join("fixtures", FILE)], {}, { cwd: ws });
    assert.equal(r.code, 1, r.stderr);
    const out = `${r.stdout}\n${r.stderr}`;
    for (const marker of ["PWNED-file", "PWNED-s", "PWNED-t", "PWNED-c"])
      assert.ok(out.includes(marker), marker);
    assert.deepEqual(commandLines(out), []);
  });

  test("the CLI's --json: no command either, and the names read back exactly", async () => {
    const r = await runCli(
      ["report", "--json", "--database-url", adminUrl(), join("fixtures", FILE)],
      {},
      {
        cwd: ws,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(commandLines(`${r.stdout}\n${r.stderr}`), []);
    const report = JSON.parse(r.stdout);
    const seq = report.targets[0].sequences[0];
    assert.equal(report.targets[0].dump, join("fixtures", FILE));
    assert.equal(seq.sequence, `public."${SEQUENCE}"`);
    assert.deepEqual(
      seq.columns.map((c: { table: string; column: string }) => [c.table, c.column]),
      [[`public."${TABLE}"`, COLUMN]],
    );
  });

  test("the Action's log: only its own commands, masks only for the password", async () => {
    const r = await runAction({
      api,
      cwd: ws,
      inputs: { "database-url": adminUrl(), dump: "fixtures/*.dump", "keep-database": "false" },
    });
    assert.equal(r.code, 1, r.stdout);
    const password = decodeURIComponent(new URL(adminUrl()).password);
    assert.ok(r.stdout.includes("PWNED-s") && r.stdout.includes("PWNED-file"), "the names are in the log");
    for (const line of commandLines(`${r.stdout}\n${r.stderr}`)) {
      const m = /^\s*::([a-z-]+)[ :]/.exec(line);
      assert.ok(
        m && ["add-mask", "error", "warning", "debug"].includes(m[1] as string),
        JSON.stringify(line),
      );
      if (m[1] === "add-mask") assert.ok(line.endsWith(`::${password}`), JSON.stringify(line));
    }
    // The annotations show the names on one line each.
    const behind = r.annotations.find((a) => a.props.title?.includes("PWNED-s"));
    assert.ok(behind, JSON.stringify(r.annotations));
    assert.ok(!/[\r\n\u2028]/.test(`${behind.props.title}${behind.message}`), JSON.stringify(behind));
  });
});
