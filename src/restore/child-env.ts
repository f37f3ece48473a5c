// The environment a child process (pg_restore, docker) gets: what it needs to run and to reach the server, and
// nothing else. In an Action step the environment holds the GitHub token, the Action's inputs (INPUT_*, the
// database URL among them) and the runner's own credentials (ACTIONS_RUNTIME_TOKEN ...); a child that a dump can
// influence must see none of them. Passwords reach the tools through a passfile (mode 600), never the
// environment or the command line, where every local user could read them (/proc/PID/environ, cmdline).

/** Variables passed on as they are: the system's, the locale's, and docker's own. */
const PASSED = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
  "TEMP",
  "TMP",
  "SYSTEMROOT",
  "COMSPEC",
  "PATHEXT",
  "WINDIR",
  "DOCKER_HOST",
  "DOCKER_CONFIG",
  "DOCKER_CONTEXT",
  "DOCKER_TLS_VERIFY",
  "DOCKER_CERT_PATH",
]);

/** libpq's variables, but for the password (which goes into a passfile instead). */
const LIBPQ = /^PG[A-Z_]+$/;
const SECRET = new Set(["PGPASSWORD"]);

/** The environment for a child process: only what it needs (see above). */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (PASSED.has(k) || k.startsWith("LC_") || (LIBPQ.test(k) && !SECRET.has(k))) out[k] = v;
  }
  return out;
}

/** A libpq passfile line's field: backslash and colon escaped. */
export const passfileField = (s: string): string => s.replace(/[\\:]/g, (c) => `\\${c}`);
