// The examples a user copies (README, action.yml, docs, our own workflows) give the service a password that is no
// ordinary word: the runner masks a registered password wherever it appears, so with `postgres` every "postgres"
// in the log, the summary and the comment would read ***.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { root } from "./helpers.ts";

const ORDINARY = new Set([
  "postgres",
  "postgresql",
  "password",
  "secret",
  "root",
  "admin",
  "test",
  "pass",
  "ro",
]);

function exampleFiles(): string[] {
  const docs = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"));
  const workflows = readdirSync(join(root, ".github", "workflows")).filter((f) => /\.ya?ml$/.test(f));
  return [
    "README.md",
    "action.yml",
    ...docs.map((f) => join("docs", f)),
    ...workflows.map((f) => join(".github", "workflows", f)),
  ];
}

test("every example password is no ordinary word and not the user's name", () => {
  let seen = 0;
  for (const file of exampleFiles()) {
    const text = readFileSync(join(root, file), "utf8");
    for (const m of text.matchAll(/postgres(?:ql)?:\/\/([^:@\s/]+):([^@\s/]+)@/g)) {
      const [, user, password] = m as unknown as [string, string, string];
      if (password === "PASSWORD") continue; // the placeholder of the syntax line
      seen++;
      assert.ok(
        !ORDINARY.has(password.toLowerCase()),
        `${file}: the example password "${password}" is a word`,
      );
      assert.notEqual(password, user, `${file}: the example password is the user's name`);
    }
    for (const m of text.matchAll(/\b(?:POSTGRES_PASSWORD|PGPASSWORD):\s*([^\s}]+)/g)) {
      seen++;
      const password = (m[1] as string).replace(/^["']|["']$/g, "");
      assert.ok(
        !ORDINARY.has(password.toLowerCase()),
        `${file}: the example password "${password}" is a word`,
      );
    }
  }
  assert.ok(seen >= 10, `only ${seen} example passwords found: the patterns no longer match the examples`);
});
