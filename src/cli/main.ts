#!/usr/bin/env node
// Entry point of the bundled CLI (dist/cli.js). run.ts loads the driver, the engine, restoring and the embedded
// server only for the commands that use them (dynamic imports, kept in this one file by ncc).

import { oneLineDriverWarnings } from "../process/warnings.ts";
import { run } from "./run.ts";

// node-postgres tells a Cloudflare Worker by `navigator.userAgent`, and where there is no `navigator` (Node 20;
// Node 21 and later have one) by constructing a `Response`, which loads Node's whole fetch implementation (undici,
// zlib): a fifth of the time the CLI takes to load. Give Node 20 the `navigator` later versions have.
if (typeof globalThis.navigator === "undefined") {
  Object.defineProperty(globalThis, "navigator", {
    value: { userAgent: `Node.js/${process.versions.node.split(".")[0]}` },
    configurable: true,
    writable: true,
  });
}

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
