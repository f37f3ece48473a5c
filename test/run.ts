// `npm test`: build the bundles (so the CLI and Action tests run the current code), start one throwaway
// PostgreSQL for the whole run, run every test file with node's test runner, stop and remove the server.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startEmbedded } from "../src/process/embedded.ts";

const root = join(import.meta.dirname, "..");

for (const tool of ["psql", "pg_dump", "pg_restore"]) {
  if (spawnSync(tool, ["--version"]).status !== 0) {
    console.error(
      `The tests need the PostgreSQL client tools (${tool} is missing). Install them: apt-get install postgresql-client (or brew install libpq).`,
    );
    process.exit(1);
  }
}

execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { stdio: "inherit", cwd: root });

const server = await startEmbedded();
let child: ReturnType<typeof spawn> | undefined;
const stop = async (code: number) => {
  await server.stop();
  process.exit(code);
};
process.on("SIGINT", () => {
  child?.kill("SIGINT");
  void stop(130);
});

const only = process.argv.slice(2);
const files = readdirSync(join(root, "test"))
  .filter((f) => f.endsWith(".test.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join("test", f));

child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { stdio: "inherit", cwd: root, env: { ...process.env, SEQ_GUARD_TEST_URL: server.url } },
);
child.on("exit", (code, signal) => {
  void stop(code ?? (signal ? 1 : 0));
});
