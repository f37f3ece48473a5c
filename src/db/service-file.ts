// libpq's connection service file (pg_service.conf), read as libpq reads it, because node-postgres does not read
// it at all: a service named by service= in the connection string, else PGSERVICE, is looked up in the user's
// file (PGSERVICEFILE, else ~/.pg_service.conf), and only when that file does not define it in the system's
// (PGSYSCONFDIR/pg_service.conf). Its values are defaults below the connection string's own and above the PG*
// variables. No npm package reads this file; this is libpq's parseServiceInfo/parseServiceFile, small.

import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../core/errors.ts";

/** The connection parameters libpq knows (a service file's keys, a URL's parameters for the client tools). */
export const LIBPQ_KEYWORDS: ReadonlySet<string> = new Set([
  "host",
  "hostaddr",
  "port",
  "dbname",
  "user",
  "password",
  "passfile",
  "channel_binding",
  "connect_timeout",
  "client_encoding",
  "options",
  "application_name",
  "fallback_application_name",
  "keepalives",
  "keepalives_idle",
  "keepalives_interval",
  "keepalives_count",
  "tcp_user_timeout",
  "gssencmode",
  "sslmode",
  "sslnegotiation",
  "sslcompression",
  "sslcert",
  "sslkey",
  "sslpassword",
  "sslcertmode",
  "sslrootcert",
  "sslcrl",
  "sslcrldir",
  "sslsni",
  "requirepeer",
  "require_auth",
  "ssl_min_protocol_version",
  "ssl_max_protocol_version",
  "krbsrvname",
  "gsslib",
  "gssdelegation",
  "service",
  "target_session_attrs",
  "load_balance_hosts",
]);

/**
 * Where the system-wide file is when PGSYSCONFDIR is not set: libpq's compiled-in folder, which differs by
 * build. Debian's and Ubuntu's libpq (GitHub's runners) use /etc/postgresql-common, PGDG's RPMs /etc/sysconfig/pgsql,
 * a source build /usr/local/pgsql/etc; the first of them that holds a pg_service.conf is read.
 */
const SYSCONF_DIRS = ["/etc/postgresql-common", "/etc/sysconfig/pgsql", "/usr/local/pgsql/etc", "/etc"];

/** A service as a file defines it: its parameters, the file it came from. */
export interface Service {
  name: string;
  file: string;
  values: Map<string, string>;
}

/** The files libpq reads for a service, in its order: the user's, then the system's (either may be absent). */
export function serviceFiles(env: NodeJS.ProcessEnv): { user: string; system: string } {
  const user = env.PGSERVICEFILE || join(env.HOME || homedir(), ".pg_service.conf");
  const system = env.PGSYSCONFDIR
    ? join(env.PGSYSCONFDIR, "pg_service.conf")
    : (SYSCONF_DIRS.map((d) => join(d, "pg_service.conf")).find((f) => existsSync(f)) ??
      join(SYSCONF_DIRS[0] as string, "pg_service.conf"));
  return { user, system };
}

/**
 * The section [name] of one file, as libpq reads it: blanks around a line and comment lines (#) ignored; the
 * first section of that name, up to the next section; in it each line key=value (the key as written, the value
 * to the end of the line), a key libpq knows, the first of a key counting. Null when the file does not define
 * the service. A malformed line of the section is an error, as in libpq.
 */
export function parseServiceFile(text: string, file: string, name: string): Map<string, string> | null {
  let values: Map<string, string> | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      if (values) break;
      if (line.startsWith(`[${name}]`)) values = new Map();
      continue;
    }
    if (!values) continue;
    const eq = line.indexOf("=");
    const key = eq < 0 ? "" : line.slice(0, eq);
    if (key === "service") {
      throw new UsageError(
        `nested service specifications are not supported in service file "${file}", line ${i + 1}: a service cannot name another service.`,
      );
    }
    if (!LIBPQ_KEYWORDS.has(key)) {
      throw new UsageError(
        `syntax error in service file "${file}", line ${i + 1}: each line of a service is keyword=value, with a connection parameter libpq knows as the keyword (${eq < 0 ? "no = on the line" : `"${key}" is none`}).`,
      );
    }
    if (!values.has(key)) values.set(key, line.slice(eq + 1));
  }
  return values;
}

/**
 * The service `name` (named by `how`, for the message) as libpq finds it: in the user's file, else the system's.
 * A service that neither defines is an error, as in libpq (definition of service "x" not found).
 */
export function lookupService(name: string, env: NodeJS.ProcessEnv, how: string): Service {
  const { user, system } = serviceFiles(env);
  for (const file of [user, system]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // libpq skips a file it cannot stat
    }
    const values = parseServiceFile(text, file, name);
    if (values) return { name, file, values };
  }
  throw new UsageError(
    `definition of service "${name}" not found (named by ${how}; looked in ${user}${env.PGSERVICEFILE ? " (PGSERVICEFILE)" : ""} and ${system}). Define [${name}] in one of them, point PGSERVICEFILE at the file that does, or name another service.`,
  );
}
