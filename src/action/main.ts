// Entry point of the bundled Action (dist/index.js), run by the runner as `node dist/index.js`.
// Start fast: mask the passwords and say hello before the bulk of the bundle (octokit, pg, the engine) is even
// evaluated; then load it.

import { VERSION } from "../core/version.ts";
import { secretsOf } from "../db/connection.ts";
import { oneLineDriverWarnings } from "../process/warnings.ts";

oneLineDriverWarnings((line) => process.stdout.write(line));

// The runner's add-mask command, escaped as @actions/core escapes command data.
const escapeData = (s: string) => s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
const masked = secretsOf(process.env["INPUT_DATABASE-URL"]?.trim() ?? "", process.env);
for (const s of masked) {
  process.stdout.write(`::add-mask::${escapeData(s)}\n`);
}
process.stdout.write(`seq-guard ${VERSION} starting\n`);

const { runAction } = await import(/* webpackMode: "eager" */ "./run.ts");
process.exitCode = await runAction(process.env, masked);
