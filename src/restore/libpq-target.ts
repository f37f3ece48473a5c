// How a client tool (pg_restore, here or in a container) reaches a database on the server, from the connection
// as db/connection.ts read it (libpqConnection): a --dbname argument with no secret in it, the password apart
// (the caller hands it over in a passfile), the key passphrase apart (in a connection service file), and the
// role and password a tool inside the server's container logs in with. Pure.

import { type ConnectionTarget, libpqConnection, sourceName } from "../db/connection.ts";

/** A conninfo value in single quotes. */
export const conninfoQuote = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** --dbname's value for a database named alone (the server from the PG* variables): dbname='name'. */
export const dbnameOnly = (database: string) => `dbname=${conninfoQuote(database)}`;

/**
 * How a client tool reaches `database` on the server: a --dbname argument without password, and environment
 * (PGPASSWORD, for the caller to hand over in a passfile). `sslpassword` (it unlocks the client key) has no
 * environment variable: it is taken out of the argument; given `service`, which puts it in a connection service
 * file, the argument names that service and the environment the file (PGSERVICEFILE). A connection that came
 * from a service of the user's (service=, PGSERVICE) holds its values already (connection.ts): the argument then
 * names a service of ours all the same (empty but for an sslpassword), so that the tool does not read the user's
 * again from PGSERVICE, whose password would win over the passfile's. `as`: another role logs in (the sandbox's:
 * see sandbox.ts), with a password of its own, so the connecting role's is not given.
 */
export function libpqTarget(
  connection: ConnectionTarget,
  database: string,
  opts: { as?: string; service?: (sslpassword: string | null) => { file: string; name: string } } = {},
): { dbname: string; env: Record<string, string>; sslpassword: string | null } {
  const env: Record<string, string> = {};
  const c = libpqConnection(connection);
  if (!c.url) return { dbname: dbnameOnly(database), env, sslpassword: null };
  if (opts.as !== undefined) {
    c.url.username = encodeURIComponent(opts.as);
    c.url.searchParams.delete("user");
    c.url.searchParams.delete("passfile");
  } else if (c.password !== null) {
    env.PGPASSWORD = c.password;
  }
  if ((c.sslpassword !== null || connection.service !== undefined) && opts.service) {
    const service = opts.service(c.sslpassword);
    env.PGSERVICEFILE = service.file;
    c.url.searchParams.set("service", service.name);
  }
  c.url.pathname = `/${encodeURIComponent(database)}`;
  return { dbname: c.url.toString(), env, sslpassword: c.sslpassword };
}

/**
 * Why an sslpassword cannot go through a connection service file (libpq reads a value to the end of its line,
 * trailing blanks cut); null when it can. (A service of the user's no longer stands in the way: connection.ts
 * has read its values, sslpassword among them, into the connection.)
 */
export function sslpasswordProblem(connection: ConnectionTarget, _env: NodeJS.ProcessEnv): string | null {
  let c: ReturnType<typeof libpqConnection>;
  try {
    c = libpqConnection(connection);
  } catch {
    return null;
  }
  const value = c.sslpassword;
  if (value === null) return null;
  if (/[\r\n]/.test(value) || /\s$/.test(value) || Buffer.byteLength(value) > 1000) {
    return `the sslpassword= in ${sourceName(connection.source)} holds a line break, ends in a blank or is longer than 1000 bytes, so seq-guard cannot hand it to pg_restore other than in its command line (where every local user could read it). Use a key passphrase without them, or restore the dump yourself.`;
  }
  return null;
}

/**
 * The role and password the tools inside a container use (they reach the server on its own socket), as libpq
 * reads the settings: the URL's, else the PG* variables' (PGUSER, PGPASSWORD); the role postgres when none is
 * named.
 */
export function containerCredentials(
  connection: ConnectionTarget,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const c = libpqConnection(connection);
  const out: Record<string, string> = { PGUSER: c.user || env.PGUSER || "postgres" };
  const password = c.password ?? env.PGPASSWORD;
  if (password) out.PGPASSWORD = password;
  return out;
}
