// The PL/pgSQL body scanner that finds trigger assignments of nextval() (src/db/plpgsql-scan.ts): pure, no server.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findTriggerFeeds, foldIdent, tokenize } from "../src/db/plpgsql-scan.ts";

const feeds = (src: string) => findTriggerFeeds(src).map((f) => `${f.column} <- ${f.sequence}`);

describe("findTriggerFeeds", () => {
  test("both assignment forms, := and =, any case", () => {
    assert.deepEqual(feeds("BEGIN NEW.id := nextval('s'); RETURN NEW; END"), ["id <- s"]);
    assert.deepEqual(feeds("begin new.ID = NEXTVAL('s'); return new; end"), ["id <- s"]);
    assert.deepEqual(feeds("BEGIN SELECT nextval('orders_seq') INTO NEW.id; RETURN NEW; END"), [
      "id <- orders_seq",
    ]);
    assert.deepEqual(feeds("BEGIN SELECT nextval('s') INTO STRICT NEW.id; RETURN NEW; END"), ["id <- s"]);
  });

  test("quoted columns and sequence names, casts, schema-qualified names, pg_catalog.nextval", () => {
    assert.deepEqual(feeds(`BEGIN NEW."Col" := nextval('"My Seq"'::regclass); END`), ['Col <- "My Seq"']);
    assert.deepEqual(feeds(`BEGIN new."a""b" := nextval('s'::text)::integer; END`), ['a"b <- s']);
    assert.deepEqual(feeds("BEGIN NEW.id := pg_catalog.nextval('app.s'); END"), ["id <- app.s"]);
    assert.deepEqual(feeds(`BEGIN NEW.id := nextval('app."It''s"'); END`), [`id <- app."It's"`]);
    assert.deepEqual(feeds("BEGIN NEW.id := nextval(E'a\\'b'); END"), ["id <- a'b"]);
  });

  test("inside IF ... THEN and ELSE, several in one body", () => {
    const src = `DECLARE x int;
BEGIN
  IF NEW.id IS NULL THEN NEW.id := nextval('a'); ELSE NEW.other := nextval('b'); END IF;
  <<lbl>> LOOP SELECT nextval('c') INTO NEW.third; EXIT; END LOOP;
  RETURN NEW;
END`;
    assert.deepEqual(feeds(src), ["id <- a", "other <- b", "third <- c"]);
  });

  test("comments, strings, dollar quotes and quoted identifiers hide what they hold", () => {
    const src = `BEGIN
  -- NEW.a := nextval('no1');
  /* NEW.b := nextval('no2'); /* nested */ NEW.c := nextval('no3'); */
  EXECUTE 'SELECT 1; NEW.d := nextval(''no4'')';
  EXECUTE $q$ NEW.e := nextval('no5'); $q$;
  PERFORM $$;$$; NEW.f := nextval('yes');
  RETURN NEW;
END`;
    assert.deepEqual(feeds(src), ["f <- yes"]);
  });

  test("a statement that is not exactly the assignment does not count", () => {
    for (const body of [
      "BEGIN NEW.id := nextval('s') + 1; END",
      "BEGIN NEW.id := nextval('s') * 1024 + 7; END",
      "BEGIN NEW.id := COALESCE(NEW.id, nextval('s')); END",
      "BEGIN x := NEW.id = nextval('s'); END",
      "BEGIN NEW.id := nextval(v_name); END",
      "BEGIN OLD.id := nextval('s'); END",
      "BEGIN NEW.code := 'X' || nextval('s'); END",
      "BEGIN SELECT nextval('s') INTO v_id; NEW.id := v_id; END",
      "BEGIN SELECT nextval('s') + 1 INTO NEW.id; END",
      "BEGIN PERFORM nextval('s'); END",
    ]) {
      assert.deepEqual(feeds(body), [], body);
    }
  });

  test("unterminated constructs end the body without throwing", () => {
    assert.deepEqual(feeds("BEGIN NEW.id := nextval('s"), []);
    assert.deepEqual(feeds("BEGIN /* NEW.id := nextval('s');"), []);
    assert.deepEqual(feeds("BEGIN $x$ NEW.id := nextval('s');"), []);
    assert.deepEqual(feeds(`BEGIN NEW."id := nextval('s');`), []);
  });

  test("a $n parameter is not a dollar quote", () => {
    assert.deepEqual(feeds("BEGIN x := $1; NEW.id := nextval('s'); END"), ["id <- s"]);
  });
});

describe("tokenize and foldIdent", () => {
  test("folds only ASCII letters, as PostgreSQL does in a UTF8 database", () => {
    assert.equal(foldIdent("ÄbC"), "Äbc");
  });

  test("cuts := and :: as one token each", () => {
    assert.deepEqual(
      tokenize("a:=b::int").map((t) => t.v),
      ["a", ":=", "b", "::", "int"],
    );
  });
});
