// Discovery on its own (src/db/discovery.ts, src/db/catalog-sql.ts), against a real PostgreSQL: what each record
// says of a sequence and its links, read from the catalog's rows into named fields: names as the server quotes
// them, every kind of link, types through domains, int8 values as bigint, partitions covered by their parent and
// counted against the lock budget, and the same records however the cursor is chunked.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { jsonLiteral } from "../src/db/catalog-sql.ts";
import { type DiscoveredSequence, discover } from "../src/db/discovery.ts";
import { adminUrl, type ScratchDb, scratchDb, withClient } from "./helpers.ts";

const SCHEMA = `
CREATE SCHEMA "Odd ""Schema""";
CREATE TABLE "Odd ""Schema"""."My Table" ("Id" serial, v int);
CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY);
CREATE SEQUENCE shared_seq;
CREATE TABLE a (id int DEFAULT nextval('shared_seq'));
CREATE TABLE b (id bigint DEFAULT nextval('shared_seq') * 1024 + 7);
CREATE DOMAIN small_id AS smallint;
CREATE DOMAIN tiny_id AS small_id;
CREATE SEQUENCE dom_seq;
CREATE TABLE dom (id tiny_id DEFAULT nextval('dom_seq'));
CREATE SEQUENCE text_seq;
CREATE TABLE by_text (id int DEFAULT nextval('text_seq'::text));
CREATE TABLE parted (id serial, k int) PARTITION BY RANGE (id);
CREATE INDEX ON parted (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (1) TO (100);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (100) TO (200);
CREATE SEQUENCE lonely_seq INCREMENT BY -5 MINVALUE -9223372036854775808 MAXVALUE -1 START -1 CACHE 20;
`;

describe("discovery", () => {
  let db: ScratchDb;
  let byName: Map<string, DiscoveredSequence>;

  before(async () => {
    db = await scratchDb(SCHEMA);
    byName = new Map((await withClient(db.url, (c) => discover(c))).map((s) => [s.name, s]));
  });
  after(async () => {
    await db.drop();
  });

  const get = (name: string) => {
    const s = byName.get(name);
    assert.ok(s, `${name} discovered (found: ${[...byName.keys()].join(", ")})`);
    return s;
  };

  test("names as the server quotes them, and as the catalog stores them", () => {
    const s = get(`"Odd ""Schema"""."My Table_Id_seq"`);
    assert.equal(s.schema, 'Odd "Schema"');
    assert.equal(s.relname, "My Table_Id_seq");
    assert.equal(s.schemaIdent, `"Odd ""Schema"""`);
    const [l] = s.links;
    assert.equal(l?.table, `"Odd ""Schema"""."My Table"`);
    assert.equal(l?.columnIdent, `"Id"`);
    assert.equal(l?.column, "Id");
    assert.equal(l?.schemaIdent, `"Odd ""Schema"""`);
    assert.equal(l?.kind, "owned");
    assert.equal(l?.via, "owned");
    assert.equal(l?.type, "integer");
    assert.equal(l?.typeMax, 2147483647n);
  });

  test("identity, a plain default and a default that computes with nextval()", () => {
    const [identity] = get("public.ident_id_seq").links;
    assert.equal(identity?.kind, "identity");
    assert.equal(identity?.typeMin, -9223372036854775808n);
    const shared = get("public.shared_seq").links;
    assert.deepEqual(
      shared.map((l) => [l.table, l.kind, l.via]),
      [
        ["public.a", "default", "default"],
        ["public.b", "expression", "default"],
      ],
    );
  });

  test("a column's type through domains over domains gives its integer range", () => {
    const [l] = get("public.dom_seq").links;
    assert.equal(l?.type, "public.tiny_id", "format_type() while search_path holds pg_catalog alone");
    assert.equal(l?.typeMin, -32768n);
    assert.equal(l?.typeMax, 32767n);
  });

  test("a text default is a link of its own kind, with a note on how its unqualified name was resolved", () => {
    const [l] = get("public.text_seq").links;
    assert.equal(l?.kind, "default_text");
    assert.equal(l?.via, "default_text");
    assert.match(
      l?.note ?? "",
      /^nextval\('text_seq'::text\) names no schema: resolved on the database's search_path/,
    );
  });

  test("partitions are covered by their parent, and count against the lock budget with their indexes", () => {
    const s = get("public.parted_id_seq");
    assert.deepEqual(
      s.links.map((l) => l.table),
      ["public.parted"],
    );
    // The parent and its index, each partition and its index.
    assert.equal(s.links[0]?.lockCount, 6);
  });

  test("the definition's numbers are exact bigints; privileges as the role has them", () => {
    const s = get("public.lonely_seq");
    assert.deepEqual(
      [s.start, s.increment, s.minValue, s.maxValue, s.cache],
      [-1n, -5n, -9223372036854775808n, -1n, 20n],
    );
    assert.deepEqual(s.links, []);
    assert.equal(s.dataType, "bigint");
    assert.equal(s.readable, true);
    assert.equal(s.canUpdate, true);
    assert.equal(s.schemaUsable, true);
  });

  test("the same records whatever the cursor's chunk, handed over chunk by chunk", async () => {
    const chunks: number[] = [];
    const seen: DiscoveredSequence[] = [];
    const kept = await withClient(db.url, (c) =>
      discover(c, {
        chunk: 2,
        onChunk: (seqs) => {
          chunks.push(seqs.length);
          seen.push(...seqs);
        },
      }),
    );
    assert.deepEqual(kept, [], "with onChunk, discover() keeps nothing itself");
    assert.ok(chunks.every((n) => n <= 2));
    assert.deepEqual(
      seen.map((s) => s.name),
      [...byName.keys()],
    );
    assert.deepEqual(new Map(seen.map((s) => [s.name, s])), byName);
  });

  test("a first chunk smaller than the rest, then the same records", async () => {
    const chunks: number[] = [];
    const seen: DiscoveredSequence[] = [];
    await withClient(db.url, (c) =>
      discover(c, {
        chunk: 3,
        firstChunk: 1,
        onChunk: (seqs) => {
          chunks.push(seqs.length);
          seen.push(...seqs);
        },
      }),
    );
    assert.equal(chunks[0], 1, `chunks: ${chunks.join(", ")}`);
    assert.ok(
      chunks.slice(1).every((n) => n <= 3),
      `chunks: ${chunks.join(", ")}`,
    );
    assert.deepEqual(new Map(seen.map((s) => [s.name, s])), byName);
  });

  test("the catalog reads get the run's statement timeout, at least 30 s, and none when it is 0", async () => {
    const during = async (statementTimeoutMs?: number) => {
      let seen = "";
      await withClient(db.url, async (c) => {
        await c.query("SET statement_timeout = '7s'");
        await discover(c, {
          ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
          head: {
            sql: "SELECT current_setting('statement_timeout') AS t",
            onRows: (rows) => {
              seen = (rows[0] as { t: string }).t;
            },
          },
        });
      });
      return seen;
    };
    assert.equal(await during(1), "30s", "a 1 ms timeout is raised to 30 s for the catalog");
    assert.equal(await during(90_000), "90s");
    assert.equal(await during(0), "0", "0 is no timeout, whatever the session had");
    assert.equal(await during(), "7s", "without one, the session's stays");
  });
});

describe("a constant written into the catalog query", () => {
  test("reads back as given, quotes and backslashes too, whatever standard_conforming_strings is", async () => {
    const value = { "1": [{ note: "it's \\ a \\' test'); SELECT 1; --" }] };
    await withClient(adminUrl(), async (c) => {
      for (const scs of ["on", "off"]) {
        await c.query(`SET standard_conforming_strings = ${scs}`);
        const { rows } = await c.query<{ v: unknown }>(`SELECT ${jsonLiteral(value)}::jsonb AS v`);
        assert.deepEqual(rows[0]?.v, value, `standard_conforming_strings ${scs}`);
      }
    });
  });
});
