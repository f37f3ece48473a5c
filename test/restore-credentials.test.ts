// credentials.ts: the files that carry a secret to a client tool: mode 600, a folder of their own, removed.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { test } from "node:test";
import { passfileLine, privateFile, ToolSecrets } from "../src/restore/credentials.ts";

test("a private file is mode 600 in a folder of mode 700", () => {
  const { file, dir } = privateFile("seq-guard-test-", "pgpass", "secret\n");
  try {
    assert.equal(dirname(file), dir);
    assert.equal(readFileSync(file, "utf8"), "secret\n");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a passfile line escapes : and \\ in the role and the password", () => {
  assert.equal(passfileLine(null, "p:w\\d"), "*:*:*:*:p\\:w\\\\d\n");
  assert.equal(passfileLine("ro:le", "pw"), "*:*:*:ro\\:le:pw\n");
});

test("the tools' passfile and service file are made once and removed by close", () => {
  const s = new ToolSecrets();
  const pass = s.passfileFor("pw");
  assert.equal(s.passfileFor("other"), pass, "made once a run");
  assert.equal(readFileSync(pass, "utf8"), "*:*:*:*:pw\n");
  const svc = s.serviceFor("key pass");
  assert.match(readFileSync(svc.file, "utf8"), new RegExp(`^\\[${svc.name}\\]\nsslpassword=key pass\n$`));
  s.close();
  assert.ok(!existsSync(dirname(pass)) && !existsSync(dirname(svc.file)));
});

test("a service file of ours with no sslpassword is an empty section: only its name, to stand for the user's", () => {
  const s = new ToolSecrets();
  const svc = s.serviceFor(null);
  assert.equal(readFileSync(svc.file, "utf8"), `[${svc.name}]\n`);
  s.close();
  assert.ok(!existsSync(dirname(svc.file)));
});
