#!/usr/bin/env node
// Entry point of the bundled CLI (dist/cli.js).
import { run } from "./cli.ts";
import { oneLineDriverWarnings } from "./warnings.ts";

oneLineDriverWarnings((line) => process.stderr.write(line));

// A reader that goes away (`seq-guard check --json | head`) is no error of ours: stop writing, keep cleaning up.
let closed = false;
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") closed = true;
  else throw err;
});

process.exitCode = await run(process.argv.slice(2), {
  stdout: (s) =>
    closed || process.stdout.write(s)
      ? undefined
      : new Promise<void>((resolve) => {
          const done = () => {
            process.stdout.off("drain", done);
            process.stdout.off("error", done);
            resolve();
          };
          process.stdout.on("drain", done);
          process.stdout.on("error", done);
        }),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
  stderrTTY: Boolean(process.stderr.isTTY),
  env: process.env,
});
