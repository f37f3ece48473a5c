// `seq-guard sql`: the standalone SQL script for servers with psql but no Node. The code is in ./sql-script/:
// script.ts assembles the script, queries.ts holds its queries, steps.ts its PL/pgSQL steps, glob.ts the --exclude
// glob translator.
export { globToRegex } from "./glob.ts";
export { type SqlScriptOptions, sqlLiteral, sqlScript } from "./script.ts";
