// Node's process warnings, as the front ends want them: node-postgres warns about how it reads sslmode in ten
// lines (with "(node:PID)" and a hint to use --trace-warnings); one line that says what it means is enough, and a
// run's stderr stays one paragraph per problem. Other warnings go on as Node prints them.

export function oneLineDriverWarnings(write: (line: string) => void): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    // Its warning that prefer, require and verify-ca mean verify-full is not true of seq-guard: every connection
    // negotiates SSL as libpq does (libpq-socket.ts), so it is not passed on.
    if (text.startsWith("SECURITY WARNING: The SSL modes")) return;
    if (text.startsWith("SECURITY WARNING:")) {
      write(`seq-guard: note: ${text.split("\n")[0]?.replace(/^SECURITY WARNING: /, "")} (node-postgres)\n`);
      return;
    }
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
