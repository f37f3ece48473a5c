// Connection settings: where the server is, how to say so without the password, and what a failure means.
// The URL comes from --database-url, else DATABASE_URL, else the libpq variables (PGHOST, PGPORT, PGUSER,
// PGPASSWORD, PGDATABASE), which node-postgres reads itself. A connection service (service=, PGSERVICE) is read
// here (service-file.ts), since node-postgres does not: its values go into the URL, below the URL's own.

import type pg from "pg";
import { ConnectionError, UsageError } from "../core/errors.ts";
import { redact, redactUrl, urlPassword, worthMasking } from "../core/redact.ts";
import { isConnectionClass, SQLSTATE, sqlStateOf } from "../core/sqlstate.ts";
import { say } from "../core/words.ts";
import { libpqStream, type SslSettings, sslSettings } from "./libpq-socket.ts";
import { LIBPQ_KEYWORDS, lookupService, type Service } from "./service-file.ts";

export interface ConnectionTarget {
  /** What node-postgres gets. */
  config: pg.ClientConfig;
  /** host:port/database for messages, never with a password. */
  label: string;
  /** Every secret that must never be printed (the password, in every spelling we know of). */
  secrets: string[];
  /** Where the setting came from, for messages. */
  source: "--database-url" | "DATABASE_URL" | "PG* variables";
  /** The variables that named the server (PG* source: those set; DATABASE_URL: that one), for messages. */
  sourceDetail?: string;
  /** How SSL is negotiated (libpq's sslmode meanings, see libpq-socket.ts). */
  ssl?: SslSettings;
  /** The connection service (pg_service.conf) whose values the config holds, for messages. */
  service?: { name: string; file: string };
}

/** Where a setting came from, as a message names it: the flag in the front end's words, else the variable. */
export function sourceName(source: string): string {
  return source === "--database-url" ? say.option("database-url") : source;
}

const PG_VARS = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE", "PGHOSTADDR"];

/** The PG* variables that are set, by name: the ones that made seq-guard use a server. */
export function pgVarsSet(env: NodeJS.ProcessEnv): string[] {
  return PG_VARS.filter((v) => env[v]);
}

/**
 * The node-postgres config of a URL (or, without one, of the PG* variables, which node-postgres reads itself):
 * every connection seq-guard makes gets its SSL negotiated as libpq would (libpq-socket.ts). The one place a
 * connection config is built; withDatabase and withLogin keep its stream.
 */
function buildConfig(url: string | undefined, ssl: SslSettings): pg.ClientConfig {
  const stream = libpqStream(ssl) as unknown as pg.ClientConfig["stream"];
  return url ? { connectionString: url, stream } : { stream };
}

function sslOf(url: string | undefined, env: NodeJS.ProcessEnv, source: string): SslSettings {
  try {
    return sslSettings(url ? new URL(url).searchParams : null, env);
  } catch (err) {
    throw new UsageError(`${sourceName(source)}: ${(err as Error).message}`);
  }
}

/** Is any server named anywhere? When not, the CLI starts an embedded one. */
export function serverNamed(url: string | undefined, env: NodeJS.ProcessEnv): boolean {
  return Boolean(url || env.DATABASE_URL || PG_VARS.some((v) => env[v]));
}

/** Parse a postgres:// URL. A malformed one is a usage error, and the message never repeats its password. */
export function parseDatabaseUrl(
  url: string,
  source: ConnectionTarget["source"],
  env: NodeJS.ProcessEnv = process.env,
): ConnectionTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const p = urlPassword(url);
    const hint =
      p && /[#?/@%:\s]/.test(url.slice(p.start, p.end))
        ? ` A password holding "/", "?", "#", "@", ":" or "%" must be percent-encoded (encodeURIComponent).`
        : "";
    throw new UsageError(
      `${sourceName(source)} is not a valid connection URL (${redactUrl(url)}). Use postgres://USER:PASSWORD@HOST:PORT/DATABASE.${hint}`,
    );
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new UsageError(
      `${sourceName(source)} must start with postgres:// or postgresql:// (got ${u.protocol}//). Use postgres://USER:PASSWORD@HOST:PORT/DATABASE`,
    );
  }
  // The parser found no user info, but a person wrote one: the password would go out as host, port and database
  // name (postgres://u:2024/pw@host/db connects to host u, port 2024, database "pw@host/db").
  if (!u.username && !u.password && urlPassword(url) && `${u.pathname}${u.search}${u.hash}`.includes("@")) {
    throw new UsageError(
      `${sourceName(source)} does not read as intended (${redactUrl(url)}): its user info ends at the last "@", but a character before it ends the host part. Percent-encode "/", "?", "#" and "@" in the password (encodeURIComponent), and write an "@" in a database name as %40.`,
    );
  }
  const service = applyService(u, env, `service= in ${sourceName(source)}`);
  return targetOf(url, u, source, env, service);
}

/**
 * The connection a parsed URL names, the service's values in it already: its node-postgres config, its label and
 * its secrets. `written`: the URL as given, whose password is masked as a person wrote it too.
 */
function targetOf(
  written: string,
  u: URL,
  source: ConnectionTarget["source"],
  env: NodeJS.ProcessEnv,
  service: Service | null,
): ConnectionTarget {
  const q = u.searchParams;
  // Each password as written (percent-encoded or not) and decoded, as the parser read it and as a person meant
  // it (up to the last "@"): a password with an unencoded "/" parses as host and port, and its rest as the path.
  const secrets = worthMasking(
    passwordsOf(written, [u.password, q.get("password"), q.get("sslpassword")]),
    namesOf(u, env),
  );
  // What node-postgres does with what the URL leaves out: the PG* variables, then its defaults.
  const host = u.hostname || q.get("host") || env.PGHOST || "localhost";
  const port = u.port || q.get("port") || env.PGPORT || "5432";
  const user = q.get("user") || safeDecode(u.username) || env.PGUSER;
  const db = safeDecode(u.pathname.replace(/^\//, "")) || env.PGDATABASE || user || "postgres";
  const url = u.toString();
  const ssl = sslOf(url, env, source);
  return {
    config: buildConfig(url, ssl),
    ssl,
    // Built from what the parser read, so masked too: postgres://u:2024/pw@host/db reads as host u, port 2024.
    label: redact(`${host}:${port}/${db}`, secrets),
    secrets,
    source,
    ...(service ? { service: { name: service.name, file: service.file } } : {}),
  };
}

/** The names a connection uses (its user and database, in every place one is given): never masked. */
function namesOf(u: URL | null, env: NodeJS.ProcessEnv): (string | undefined)[] {
  const names = [env.PGUSER, env.PGDATABASE];
  if (u) {
    names.push(safeDecode(u.username), safeDecode(u.pathname.replace(/^\//, "")));
    for (const k of ["user", "dbname"]) names.push(u.searchParams.get(k) ?? undefined);
  }
  return names;
}

/**
 * The connection service the URL (service=) or PGSERVICE names, written into the URL as libpq applies it
 * (service-file.ts): each of its values where the URL gives none of its own, service= itself taken out (the
 * client tools then get the values, not the name). Null when no service is named.
 */
function applyService(u: URL, env: NodeJS.ProcessEnv, how: string): Service | null {
  const q = u.searchParams;
  // An empty service= names none, as in libpq (PGSERVICE then counts); it never reaches the client tools.
  const named = q.get("service") || null;
  q.delete("service");
  const name = named ?? env.PGSERVICE;
  if (!name) return null;
  const service = lookupService(name, env, named !== null ? how : "PGSERVICE");
  checkServiceServer(u, service);
  for (const [k, v] of service.values) {
    if (k === "dbname") {
      if (u.pathname.replace(/^\//, "") === "" && !q.has("dbname")) u.pathname = `/${encodeURIComponent(v)}`;
    } else if (k === "host" || k === "port" || k === "user" || k === "password") {
      const inUrl = { host: u.hostname, port: u.port, user: u.username, password: u.password }[k];
      if (!inUrl && !q.has(k)) q.set(k, v);
    } else if (!q.has(k)) {
      q.set(k, v);
    }
  }
  return service;
}

/** What a service can hold that proves who connects: its password, its client certificate and key, a passfile. */
const SERVICE_CREDENTIALS = ["password", "sslpassword", "sslcert", "sslkey", "passfile"];

/**
 * A service's credentials go only to the server the service names. libpq would send them wherever the connection
 * string points (postgres://other-host/?service=prod logs in to other-host as prod's user, with prod's password), so
 * a URL that a pull request can shape would reach the runner's stored credentials and hand them to a server of its
 * choosing. A URL that names a service holding credentials may not name another host or port than the service's.
 */
function checkServiceServer(u: URL, service: Service): void {
  const held = SERVICE_CREDENTIALS.filter((k) => service.values.has(k));
  if (held.length === 0) return;
  const q = u.searchParams;
  const given: [string, string | null][] = [
    ["host", u.hostname || q.get("host")],
    ["hostaddr", q.get("hostaddr")],
    ["port", u.port || q.get("port")],
  ];
  const other = given.filter(([k, v]) => v !== null && v !== "" && v !== (service.values.get(k) ?? null));
  if (other.length === 0) return;
  const theirs = (k: string) => service.values.get(k) ?? "none";
  throw new UsageError(
    `the connection names service "${service.name}" (in ${service.file}), which holds credentials (${held.join(", ")}), and also ${other.map(([k, v]) => `${k} ${v}`).join(", ")}, where the service says ${other.map(([k]) => `${k} ${theirs(k)}`).join(", ")}: a service's credentials go only to the server it names. Leave host and port out of the URL, or give the credentials in the URL instead of the service.`,
  );
}

/** A percent-encoded part of a URL, decoded; as written when it does not decode. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Every password a URL may hold, each as written and decoded: the user info's as written up to the last "@"
 * (urlPassword), those `parsed` by a URL parser, and password= and sslpassword= parameters (sslpassword unlocks a
 * client key).
 */
function passwordsOf(url: string, parsed: (string | null)[]): string[] {
  const p = urlPassword(url);
  const found = [
    p ? url.slice(p.start, p.end) : "",
    ...parsed,
    ...[...url.matchAll(/[?&](?:ssl)?password=([^&#\s]*)/gi)].map((m) => m[1] ?? ""),
  ];
  const out = new Set<string>();
  for (const pw of found) {
    if (!pw) continue;
    out.add(pw);
    out.add(safeDecode(pw));
  }
  return [...out];
}

/** Resolve where to connect from the flag, DATABASE_URL, or the PG* variables (and PGSERVICE's service). */
export function resolveConnection(url: string | undefined, env: NodeJS.ProcessEnv): ConnectionTarget {
  if (url) return parseDatabaseUrl(url, "--database-url", env);
  if (env.DATABASE_URL) return parseDatabaseUrl(env.DATABASE_URL, "DATABASE_URL", env);
  const set = pgVarsSet(env);
  const sourceDetail = set.length > 0 ? `the PG* variables set (${set.join(", ")})` : undefined;
  if (env.PGSERVICE) {
    // The service's values in a URL of their own, over the PG* variables that node-postgres reads itself.
    const u = new URL("postgres://");
    const service = applyService(u, env, "PGSERVICE");
    return { ...targetOf("", u, "PG* variables", env, service), sourceDetail };
  }
  const host = env.PGHOST || "localhost";
  const port = env.PGPORT || "5432";
  const db = env.PGDATABASE || env.PGUSER || "postgres";
  const ssl = sslOf(undefined, env, "PGSSLMODE");
  return {
    config: buildConfig(undefined, ssl),
    ssl,
    label: `${host}:${port}/${db}`,
    secrets: worthMasking([env.PGPASSWORD], namesOf(null, env)),
    source: "PG* variables",
    sourceDetail,
  };
}

/** The same server, another database (for restoring into a scratch database). */
export function withDatabase(target: ConnectionTarget, database: string): ConnectionTarget {
  const label = target.label.replace(/\/[^/]*$/, `/${database}`);
  if (target.config.connectionString) {
    const u = new URL(target.config.connectionString);
    u.pathname = `/${encodeURIComponent(database)}`;
    return { ...target, config: { ...target.config, connectionString: u.toString() }, label };
  }
  return { ...target, config: { ...target.config, database }, label };
}

/** The same server and database, logged in as another role (the restore's sandbox role). */
export function withLogin(target: ConnectionTarget, user: string, password: string): ConnectionTarget {
  if (target.config.connectionString) {
    const u = new URL(target.config.connectionString);
    // node-postgres lets the URL win over separate fields: the role goes into the URL itself.
    u.username = encodeURIComponent(user);
    u.password = encodeURIComponent(password);
    for (const k of ["user", "password", "passfile"]) u.searchParams.delete(k);
    return {
      ...target,
      config: { ...target.config, connectionString: u.toString() },
      secrets: worthMasking([...target.secrets, password], [user]),
    };
  }
  const secrets = worthMasking([...target.secrets, password], [user]);
  return { ...target, config: { ...target.config, user, password }, secrets };
}

/** The server alone, host:port, for messages about it as a whole (a role or a database left on it). */
export function serverLabel(target: ConnectionTarget): string {
  return target.label.replace(/\/[^/]*$/, "");
}

/** The parameters libpq knows in a connection URL (and node-postgres's ssl=); anything else is left out for its tools. */
const LIBPQ_PARAMS = new Set([...LIBPQ_KEYWORDS, "ssl"]);

/**
 * The connection as libpq's client tools (pg_restore) are to be given it, read from the URL once: the URL with no
 * secret in it, for their command line, and the secrets apart (a passfile or a service file carries them). Each
 * value as libpq reads it: a parameter (user=, password=) wins over the user info.
 */
export interface LibpqConnection {
  /**
   * The URL without its password, password= and sslpassword=, holding only libpq's parameters (node-postgres's
   * sslmode=no-verify as require) and no database (dbname= gone; the caller names one); null when the PG*
   * variables name the server (the tools read them themselves).
   */
  url: URL | null;
  /** The role the URL names; null when it names none. */
  user: string | null;
  /** The URL's password; null when it holds none. */
  password: string | null;
  /** The passphrase of the client key (sslpassword=): libpq has no variable for it. */
  sslpassword: string | null;
  /** The connection service the URL names (service=); null when none. */
  service: string | null;
}

export function libpqConnection(target: ConnectionTarget): LibpqConnection {
  const cs = target.config.connectionString;
  if (!cs) return { url: null, user: null, password: null, sslpassword: null, service: null };
  const u = new URL(cs);
  const q = u.searchParams;
  const user = q.get("user") || (u.username ? safeDecode(u.username) : null);
  const password = q.get("password") ?? (u.password ? safeDecode(u.password) : null);
  const sslpassword = q.get("sslpassword");
  const service = q.get("service");
  u.password = "";
  for (const k of ["password", "sslpassword", "dbname"]) q.delete(k);
  for (const k of [...q.keys()]) if (!LIBPQ_PARAMS.has(k)) q.delete(k);
  if (q.get("sslmode") === "no-verify") q.set("sslmode", "require");
  u.pathname = "/";
  return { url: u, user, password, sslpassword, service };
}

/** Turn a connection failure into a message that names host, port and database and says what to do. */
export function explainConnectionError(err: unknown, target: ConnectionTarget): ConnectionError {
  const e = err as { code?: string; message?: string };
  const service = target.service ? `service ${target.service.name} in ${target.service.file}` : undefined;
  const source = `${sourceName(target.source)}${service ? ` or ${service}` : ""}`;
  // A server named by the environment (a stray PGHOST, an exported DATABASE_URL) is said to be, by name: it
  // is why seq-guard used it instead of a throwaway server of its own. So is a connection service's file.
  const named = [
    target.source === "PG* variables"
      ? target.sourceDetail
      : target.source === "DATABASE_URL"
        ? "DATABASE_URL in the environment"
        : undefined,
    service,
  ].filter((n) => n !== undefined);
  const where = named.length > 0 ? `${target.label} (named by ${named.join(" and ")})` : target.label;
  const msg = e.message ?? String(err);
  let text: string;
  switch (e.code) {
    case "ECONNREFUSED":
      text = `could not connect to ${where}: connection refused. Is PostgreSQL running and listening there? In a GitHub job, add a health check to the postgres service so the job waits for it.`;
      break;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      text = `could not connect to ${where}: the host name does not resolve. Check the host in ${source}.`;
      break;
    case SQLSTATE.invalidPassword:
    case SQLSTATE.invalidAuthorizationSpecification:
      text = `could not connect to ${where}: authentication failed (${msg}). Check the user and password in ${source}.${encodingHint(target)}`;
      break;
    case SQLSTATE.invalidCatalogName:
      text = `could not connect to ${where}: ${msg}. Create it first, or name an existing database in ${source}.`;
      break;
    default:
      if (e.code === "ECONNRESET" || /Connection terminated unexpectedly/.test(msg)) {
        text = `could not connect to ${where}: the server closed the connection before it answered (a service container still starting, or a port proxy with no server behind it yet). Check host and port in ${source}, add a health check to the service, or raise ${say.option("connect-timeout")}.`;
      } else if (/timeout/i.test(msg)) {
        text = `could not connect to ${where}: no answer within the connect timeout. Check host and port in ${source}, or raise ${say.option("connect-timeout")}.`;
      } else {
        text = `could not connect to ${where}: ${msg}${e.code ? ` (${e.code})` : ""}`;
      }
  }
  return new ConnectionError(redact(text, target.secrets));
}

/**
 * A hint when the URL's password, as written, holds what a URL reads differently: "%" not followed by two hex
 * digits (libpq refuses it; node-postgres took it literally), an escape like %41 (read as "A"), or a character
 * that ends the user info ("#", "?", "/", "@", ":" and blanks). Empty when there is nothing to say.
 */
export function encodingHint(target: ConnectionTarget): string {
  const url = target.config.connectionString;
  if (!url) return "";
  const p = urlPassword(url);
  if (!p) return "";
  const raw = url.slice(p.start, p.end);
  if (!/%(?![0-9a-f]{2})|%[0-9a-f]{2}|[#?/@:\s[\]]/i.test(raw)) return "";
  return ` If the password holds "%", "#", "?", "/", "@" or ":", percent-encode it in the URL (encodeURIComponent: % as %25, # as %23, ? as %3F, / as %2F, @ as %40, : as %3A).`;
}

/** Errors worth retrying while a just-started service container comes up. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e.code === "ECONNREFUSED" ||
    e.code === "ECONNRESET" ||
    e.code === SQLSTATE.cannotConnectNow || // the database system is starting up
    /Connection terminated unexpectedly/.test(e.message ?? "")
  );
}

/**
 * A connection that was up and broke: the server stopped, crashed or restarted, or the session was terminated.
 * The run stops with exit 3 in every mode: what was read is incomplete, and none of it is a finding.
 */
export class ConnectionLostError extends ConnectionError {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionLostError";
  }
}

/**
 * Did this error end the session? SQLSTATE class 08 (connection exception) and 57P01-57P03 (administrator or
 * crash shutdown, cannot connect now), the socket's own errors, and node-postgres's errors for a connection that
 * is gone (they carry no code).
 */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  if (isConnectionClass(sqlStateOf(err))) return true;
  if (["ECONNRESET", "ECONNREFUSED", "EPIPE", "ENOTCONN", "ECONNABORTED"].includes(code)) return true;
  const message = typeof e?.message === "string" ? e.message : "";
  return /^Connection terminated|^Client was closed and is not queryable|^Client has encountered a connection error and is not queryable/.test(
    message,
  );
}

/**
 * Every password the connection settings hold, in every spelling, a connection service's too: masked before
 * anything is logged, so before the settings are checked (a malformed URL, a service that is not found: its
 * passwords as far as they can be read). A password that is also a name the connection uses is left out (the one
 * rule: worthMasking).
 */
export function secretsOf(url: string, env: NodeJS.ProcessEnv): string[] {
  const passwords: string[] = [];
  const names = namesOf(null, env);
  const read = (written: string, u: URL) => {
    try {
      applyService(u, env, "service=");
    } catch {
      // Not found or malformed: the run stops on it later, with the message.
    }
    const q = u.searchParams;
    passwords.push(...passwordsOf(written, [u.password, q.get("password"), q.get("sslpassword")]));
    names.push(...namesOf(u, env));
  };
  for (const written of [url, env.DATABASE_URL ?? ""]) {
    if (!written) continue;
    let parsed: URL | null = null;
    try {
      parsed = new URL(written);
    } catch {
      // A malformed URL: its password as written, wherever it is.
      passwords.push(...passwordsOf(written, []));
      continue;
    }
    read(written, parsed);
  }
  if (!url && !env.DATABASE_URL && env.PGSERVICE) read("", new URL("postgres://"));
  passwords.push(env.PGPASSWORD ?? "");
  return worthMasking(passwords, names);
}
