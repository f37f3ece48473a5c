// `seq-guard sql`: the standalone SQL script for servers with psql but no Node. script.ts assembles the script in
// its order: the settings, the prepared statements seq_guard_sequences (sequences.ts) and seq_guard_verdicts
// (verdicts.ts), the PL/pgSQL reading and fixing steps (steps.ts), and the batch loop psql's \gexec drives
// (batches.ts); glob.ts translates the --exclude globs.
export { globToRegex } from "./glob.ts";
export { type SqlScriptOptions, sqlLiteral, sqlScript } from "./script.ts";
