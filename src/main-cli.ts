#!/usr/bin/env node
// Entry point of the bundled CLI (dist/cli.js).
import { run } from "./cli.ts";

process.exitCode = await run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY && process.stdout.isTTY),
  env: process.env,
});
