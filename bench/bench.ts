// npm run bench: the sequence benchmark (bench/sequences.ts: seq-guard check against a per-sequence psql loop), or,
// with --restore, the plain-SQL restore benchmark (bench/restore.ts: seq-guard check --keep against createdb +
// psql -f). See docs/benchmarks.md.
//
//   npm run bench -- [--sizes 100,1000] [--rounds 5] [--database-url URL] [--write docs/benchmarks.md]
//   npm run bench -- --restore [--rounds 3] [--scale 1] [--tables 300] [--database-url URL] [--profile]
//                              [--cli path/to/cli.js] [--write docs/benchmarks.md]

if (process.argv.slice(2).includes("--restore")) await import("./restore.ts");
else await import("./sequences.ts");
