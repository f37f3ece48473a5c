// hints.ts: why sequences came out behind, from the archive's table of contents or what the plain script did.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  archiveHints,
  archiveListStats,
  plainHints,
  plainNotes,
  selectionArgs,
} from "../src/restore/hints.ts";
import { seqReport } from "./report-fixtures.ts";
import { filtered } from "./restore-helpers.ts";

describe("hints", () => {
  const list = `;\n; Archive created at 2026-01-01\n;\n3490; 0 16386 TABLE DATA public users postgres\n3491; 0 16390 TABLE DATA Weird Schema Order Items postgres\n3550; 0 0 SEQUENCE SET public users_id_seq postgres\n`;
  const users = seqReport("public.users_id_seq", "behind");
  const orders = seqReport("public.orders_id_seq", "behind", {
    columns: [{ table: "public.orders", column: "id", type: "integer", max: "200", min: null }],
  });

  test("counts TABLE DATA and SEQUENCE SET entries, and names the SEQUENCE SET ones", () => {
    assert.deepEqual(archiveListStats(list), {
      tableData: 2,
      sequenceSet: 1,
      sequenceSets: ["public users_id_seq postgres"],
    });
    assert.deepEqual(archiveListStats(list.replace(/.*SEQUENCE SET.*\n/, "")), {
      tableData: 2,
      sequenceSet: 0,
      sequenceSets: [],
    });
  });

  test("an archive with data but no SEQUENCE SET explains behind sequences", () => {
    const none = { tableData: 2, sequenceSet: 0, sequenceSets: [] };
    assert.deepEqual(archiveHints(archiveListStats(list), [users], []), []);
    assert.deepEqual(archiveHints(none, [], []), []);
    assert.match(archiveHints(none, [users], [])[0] ?? "", /no SEQUENCE SET.*--data-only -t/);
    assert.match(
      archiveHints({ ...none, tableData: 1 }, [users], ["-L", "x.list"])[0] ?? "",
      /selected part.*-L x\.list/,
    );
  });

  test("per sequence: one whose SEQUENCE SET is missing among others is named", () => {
    const stats = archiveListStats(list);
    const h = archiveHints(stats, [users, orders], []);
    assert.equal(h.length, 1);
    assert.match(
      h[0] ?? "",
      /no SEQUENCE SET entry for public\.orders_id_seq \(it has 1 SEQUENCE SET entry for other sequences\)/,
    );
    assert.doesNotMatch(h[0] ?? "", /users_id_seq/);
    assert.match(
      archiveHints(stats, [orders], ["-L", "x.list"])[0] ?? "",
      /leaves out the SEQUENCE SET entry of public\.orders_id_seq/,
    );
    // Names with spaces and quotes, as pg_restore -l writes them (unquoted).
    const weird = seqReport('"Weird Schema"."Order Items_id_seq"', "behind");
    const s2 = archiveListStats(`${list}3551; 0 0 SEQUENCE SET Weird Schema Order Items_id_seq postgres\n`);
    assert.deepEqual(archiveHints(s2, [weird], []), []);
  });

  test("selection arguments are picked out of --restore-arg values", () => {
    assert.deepEqual(
      selectionArgs(["--no-comments", "-t", "users", "--table=orders", "-titems", "-j", "4", "-a"]),
      ["-t", "users", "--table=orders", "-titems", "-a"],
    );
  });

  test("a plain script that inserts and never calls setval for a sequence", async () => {
    const { f } = await filtered("INSERT INTO users VALUES (1);\nINSERT INTO users VALUES (2);\n");
    assert.match(
      plainHints([{ path: "fixture.sql", facts: f.facts }], [users])[0] ?? "",
      /fixture\.sql inserts rows \(2 INSERT statements\) and never calls setval for public\.users_id_seq/,
    );
    assert.deepEqual(plainHints([{ path: "f.sql", facts: f.facts }], []), []);
  });

  test("per sequence: a setval for one sequence does not hide the other", async () => {
    const { f } = await filtered(
      "INSERT INTO users VALUES (1);\nINSERT INTO orders VALUES (5);\nSELECT setval('public.users_id_seq', (SELECT max(id) FROM users));\n",
    );
    const h = plainHints([{ path: "partial.sql", facts: f.facts }], [orders]);
    assert.equal(h.length, 1);
    assert.match(h[0] ?? "", /partial\.sql inserts rows .* never calls setval for public\.orders_id_seq/);
    // A computed setval for the behind one: not what the hint claims.
    assert.deepEqual(plainHints([{ path: "partial.sql", facts: f.facts }], [users]), []);
  });

  test("setval(seq, 1, false) after the rows is named as the cause", async () => {
    const { f } = await filtered(
      "-- Dumped by pg_dump version 15.2\nCOPY public.happiness (rank) FROM stdin;\n1\n2\n\\.\n\nSELECT pg_catalog.setval('public.happiness_rank_seq', 1, false);\n",
    );
    const seq = seqReport("public.happiness_rank_seq", "behind", {
      columns: [{ table: "public.happiness", column: "rank", type: "integer", max: "156", min: null }],
      max: "156",
    });
    const h = plainHints([{ path: "happiness.sql", facts: f.facts }], [seq]);
    assert.equal(h.length, 1);
    assert.match(
      h[0] ?? "",
      /^happiness\.sql:7: setval\('public\.happiness_rank_seq', 1, false\) restores public\.happiness_rank_seq where it stood in the database pg_dump dumped \(next value 1\), though public\.happiness\.rank holds values up to 156: it was already behind there, its rows loaded with explicit ids \(setval\(seq, 1, false\) is what pg_dump writes for a sequence never used\)/,
    );
    // A fixed value that is too low.
    const { f: g } = await filtered("INSERT INTO users VALUES (1);\nSELECT setval('users_id_seq', 50);\n");
    const at51 = seqReport("public.users_id_seq", "behind", { next_value: "51" });
    assert.match(
      plainHints([{ path: "g.sql", facts: g.facts }], [at51])[0] ?? "",
      /^g\.sql:2: setval\('users_id_seq', 50\) sets public\.users_id_seq to hand out 51 next, though public\.users\.id holds values up to 200/,
    );
    // The setval did not leave it where it stands (something moved it later): no claim.
    assert.deepEqual(plainHints([{ path: "g.sql", facts: g.facts }], [users]), []);
  });

  test("TRUNCATE ... RESTART IDENTITY and pg_get_serial_sequence are followed to their sequence", async () => {
    const { f } = await filtered(
      "TRUNCATE public.users RESTART IDENTITY;\nCOPY public.users (id) FROM stdin;\n7\n\\.\n",
    );
    assert.match(
      plainHints([{ path: "reload.sql", facts: f.facts }], [users])[0] ?? "",
      /^reload\.sql:1: TRUNCATE public\.users \.\.\. RESTART IDENTITY puts public\.users_id_seq back to its start/,
    );
    const { f: g } = await filtered(
      "INSERT INTO users VALUES (1);\nSELECT setval(pg_get_serial_sequence('users', 'id'), 1, false);\n",
    );
    assert.match(
      plainHints([{ path: "g.sql", facts: g.facts }], [users])[0] ?? "",
      /^g\.sql:2: setval\(pg_get_serial_sequence/,
    );
  });

  test("a setval seq-guard cannot read (in a function body) keeps it from claiming there is none", async () => {
    const { f } = await filtered(
      "INSERT INTO users VALUES (1);\nDO $$ BEGIN PERFORM setval(s, 1) FROM x; END $$;\n",
    );
    assert.equal(f.facts.opaqueSetvals, 1);
    assert.deepEqual(plainHints([{ path: "f.sql", facts: f.facts }], [users]), []);
  });

  test("a hand-written reset after the rows is named as such", async () => {
    const { f } = await filtered("INSERT INTO users VALUES (1);\nSELECT setval('users_id_seq', 1, false);\n");
    assert.match(
      plainHints([{ path: "r.sql", facts: f.facts }], [users])[0] ?? "",
      /^r\.sql:2: setval\('users_id_seq', 1, false\) puts public\.users_id_seq back to its start \(next value 1\) though public\.users\.id holds values up to 200\. Drop the call/,
    );
  });

  test("several scripts into one database: a later script's setval wins", async () => {
    const { f: schema } = await filtered("CREATE TABLE users (id serial);\n");
    const { f: data } = await filtered(
      "INSERT INTO users VALUES (1);\nSELECT setval('public.users_id_seq', 1, false);\n",
    );
    const h = plainHints(
      [
        { path: "schema.sql", facts: schema.facts },
        { path: "data.sql", facts: data.facts },
      ],
      [users],
    );
    assert.equal(h.length, 1);
    assert.match(h[0] ?? "", /^data\.sql:2: setval/);
  });

  test("role statements left out are reported", async () => {
    const { f } = await filtered(
      "CREATE USER pgexercises WITH PASSWORD '';\nALTER USER pgexercises SET statement_timeout = 750;\n",
    );
    assert.match(
      plainNotes(f.facts, "clubdata.sql")[0] ?? "",
      /^clubdata\.sql: left out 2 role or tablespace statements \(CREATE USER pgexercises, ALTER USER pgexercises\): roles and tablespaces belong to the whole server/,
    );
    assert.deepEqual(plainNotes((await filtered("SELECT 1;\n")).f.facts, "x.sql"), []);
  });
});
