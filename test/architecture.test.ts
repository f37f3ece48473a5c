// The shape of the house (docs/architecture.md): layers as folders, every import pointing down, no cycles, no
// source file a newcomer cannot read in one sitting. Reads src/ as text; no server.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { root } from "./helpers.ts";

const src = join(root, "src");

/** Each folder's layer: a file may import its own folder or a lower layer, never a sibling layer or a higher one. */
const LAYER: Record<string, number> = {
  core: 0,
  render: 1,
  db: 1,
  process: 1,
  restore: 2,
  run: 3,
  "sql-script": 3,
  cli: 4,
  action: 4,
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function folderOf(file: string): string {
  return relative(src, file).split("/")[0] as string;
}

/** Relative imports of a file, static and dynamic (the CLI loads some layers lazily), as absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*(?:\/\*[^*]*\*\/\s*)?"(\.{1,2}\/[^"]+)"/g)];
  return specs.map((m) => resolve(dirname(file), m[1] as string));
}

const files = sources(src);

test("every source file lives in a layer folder", () => {
  const loose = files.filter((f) => !(folderOf(f) in LAYER)).map((f) => relative(root, f));
  assert.deepEqual(
    loose,
    [],
    "files outside the layer folders (add the folder to LAYER and to docs/architecture.md)",
  );
});

test("every import points down: its own folder or a lower layer", () => {
  const wrong: string[] = [];
  for (const f of files) {
    const from = folderOf(f);
    for (const target of importsOf(f)) {
      const to = folderOf(target);
      if (to === from) continue;
      if ((LAYER[to] ?? 99) >= (LAYER[from] ?? -1))
        wrong.push(`${relative(root, f)} imports ${relative(root, target)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("no import cycles between files", () => {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => files.includes(t))]));
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === "done") return;
    if (state.get(f) === "open") {
      cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(src, p)).join(" → "));
      return;
    }
    state.set(f, "open");
    for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, "done");
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(cycles, []);
});

test("no source file is longer than 600 lines", () => {
  const long = files
    .map((f) => ({ file: relative(root, f), lines: readFileSync(f, "utf8").split("\n").length - 1 }))
    .filter((x) => x.lines > 600);
  assert.deepEqual(long, []);
});
