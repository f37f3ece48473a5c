// sandboxes.ts: what a failure the sandbox caused tells the user to do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sandboxRemedy } from "../src/restore/sandboxes.ts";
import { cli } from "./restore-helpers.ts";

test("an extension the role may not create: name it, or trust the dump; in the CLI's words", () => {
  const text = cli(sandboxRemedy('ERROR: permission denied to create extension "postgis_sfcgal"', true));
  assert.match(text, /name it: --extension postgis_sfcgal; or, for a dump you trust .*: --trust-fixture\.$/);
  assert.doesNotMatch(text, /in the Action/);
});

test("a right the role lacks: trust the dump; nothing to say outside the sandbox or for other failures", () => {
  assert.match(cli(sandboxRemedy("ERROR: must be superuser to alter", true)), /rights: --trust-fixture\.$/);
  assert.equal(sandboxRemedy("ERROR: must be superuser", false), "");
  assert.equal(sandboxRemedy('ERROR: relation "x" does not exist', true), "");
});
