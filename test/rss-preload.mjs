// Preloaded into the built CLI by the hostile tests (`node --import ./test/rss-preload.mjs dist/cli.js ...`):
// at exit, writes the process's peak resident set size (process.resourceUsage().maxRSS, in KiB) to the file
// named by SEQ_GUARD_RSS_FILE. A process killed by the kernel or aborted by V8 writes nothing.
import { writeFileSync } from "node:fs";

const out = process.env.SEQ_GUARD_RSS_FILE;
if (out) {
  process.on("exit", () => {
    try {
      writeFileSync(out, String(process.resourceUsage().maxRSS));
    } catch {
      // nothing to report to: the test says the figure is missing
    }
  });
}
