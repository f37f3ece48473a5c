// Connection settings: where the server is, how to say so without the password, and what a failure means.
// The URL comes from --database-url, else DATABASE_URL, else the libpq variables (PGHOST, PGPORT, PGUSER,
// PGPASSWORD, PGDATABASE), which node-postgres reads itself.

import type pg from "pg";
import { ConnectionError, UsageError } from "../core/errors.ts";
import { redact, redactUrl, urlPassword } from "../core/redact.ts";
import { isConnectionClass, SQLSTATE, sqlStateOf } from "../core/sqlstate.ts";
import { say } from "../core/words.ts";
import { libpqStream, type SslSettings, sslSettings } from "./libpq-socket.ts";

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
  // Each password as written (percent-encoded or not) and decoded, as the parser read it and as a person meant
  // it (up to the last "@"): a password with an unencoded "/" parses as host and port, and its rest as the path.
  const secrets = passwordsOf(url, [u.password]);
  // The parser found no user info, but a person wrote one: the password would go out as host, port and database
  // name (postgres://u:2024/pw@host/db connects to host u, port 2024, database "pw@host/db").
  if (!u.username && !u.password && urlPassword(url) && `${u.pathname}${u.search}${u.hash}`.includes("@")) {
    throw new UsageError(
      `${sourceName(source)} does not read as intended (${redactUrl(url)}): its user info ends at the last "@", but a character before it ends the host part. Percent-encode "/", "?", "#" and "@" in the password (encodeURIComponent), and write an "@" in a database name as %40.`,
    );
  }
  const host = u.hostname || "localhost";
  const db = safeDecode(u.pathname.replace(/^\//, "")) || safeDecode(u.username) || "postgres";
  const ssl = sslOf(url, env, source);
  return {
    config: buildConfig(url, ssl),
    ssl,
    // Built from what the parser read, so masked too: postgres://u:2024/pw@host/db reads as host u, port 2024.
    label: redact(`${host}:${u.port || "5432"}/${db}`, secrets),
    secrets,
    source,
  };
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
 * client key). Longest first, so that masking a longer one is never undone by a shorter one inside it.
 */
function passwordsOf(url: string, parsed: string[]): string[] {
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
  return [...out].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/** Resolve where to connect from the flag, DATABASE_URL, or the PG* variables. */
export function resolveConnection(url: string | undefined, env: NodeJS.ProcessEnv): ConnectionTarget {
  if (url) return parseDatabaseUrl(url, "--database-url", env);
  if (env.DATABASE_URL) return parseDatabaseUrl(env.DATABASE_URL, "DATABASE_URL", env);
  const host = env.PGHOST || "localhost";
  const port = env.PGPORT || "5432";
  const db = env.PGDATABASE || env.PGUSER || "postgres";
  const set = pgVarsSet(env);
  const ssl = sslOf(undefined, env, "PGSSLMODE");
  return {
    config: buildConfig(undefined, ssl),
    ssl,
    label: `${host}:${port}/${db}`,
    secrets: env.PGPASSWORD ? [env.PGPASSWORD] : [],
    source: "PG* variables",
    sourceDetail: set.length > 0 ? `the PG* variables set (${set.join(", ")})` : undefined,
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
      secrets: [...target.secrets, password],
    };
  }
  return { ...target, config: { ...target.config, user, password }, secrets: [...target.secrets, password] };
}

/** The server alone, host:port, for messages about it as a whole (a role or a database left on it). */
export function serverLabel(target: ConnectionTarget): string {
  return target.label.replace(/\/[^/]*$/, "");
}

/** The parameters libpq knows in a connection URL; anything else (node-postgres only) is left out for its tools. */
const LIBPQ_PARAMS = new Set([
  "host",
  "hostaddr",
  "port",
  "dbname",
  "user",
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
  "ssl",
]);

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
  const source = sourceName(target.source);
  // A server named by the environment (a stray PGHOST, an exported DATABASE_URL) is said to be, by name: it
  // is why seq-guard used it instead of a throwaway server of its own.
  const named =
    target.source === "PG* variables"
      ? target.sourceDetail
      : target.source === "DATABASE_URL"
        ? "DATABASE_URL in the environment"
        : undefined;
  const where = named ? `${target.label} (named by ${named})` : target.label;
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
 * Every password the connection settings hold, in every spelling: masked before anything is logged. A password
 * that is also the connection's user or database name (the service container's postgres/postgres/postgres) is
 * no secret from anyone who reads that name, and masking it would garble every mention of the name, and tell the
 * reader which name the password is: it is left out.
 */
export function secretsOf(url: string, env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  const names = new Set([env.PGUSER, env.PGDATABASE]);
  for (const u of [url, env.DATABASE_URL ?? ""]) {
    if (!u) continue;
    let parsed = "";
    try {
      const p = new URL(u);
      parsed = p.password;
      names.add(safeDecode(p.username));
      names.add(safeDecode(p.pathname.replace(/^\//, "")));
      for (const k of ["user", "dbname"]) names.add(p.searchParams.get(k) ?? undefined);
    } catch {
      // A malformed URL: its password as written, wherever it is.
    }
    for (const s of passwordsOf(u, [parsed])) out.add(s);
  }
  if (env.PGPASSWORD) out.add(env.PGPASSWORD);
  return [...out].filter((s) => s.length > 0 && !names.has(s)).sort((a, b) => b.length - a.length);
}
