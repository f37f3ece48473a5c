// libpq's sslmode meanings for node-postgres. node-postgres (pg 8, pg-connection-string 2) reads prefer, require
// and verify-ca as verify-full, has no allow, and never falls back to a plain connection; its uselibpqcompat=true
// fixes the verification of require and verify-ca but still has no fallback for prefer or allow. So the TLS
// negotiation is done here, in a socket that node-postgres is handed as its `stream` (connection.ts puts it into
// every connection config): node-postgres speaks plain protocol to it, and it speaks to the server as libpq would.
//
//   disable      plain
//   allow        plain; when the server refuses that startup (pg_hba hostssl), again over SSL, unverified
//   prefer       SSL when the server offers it (unverified), else plain on the same connection; when the server
//                refuses the SSL startup or the handshake fails, again plain (libpq's default mode)
//   require      SSL, certificate unverified; verified like verify-ca when a root certificate is given or exists
//   verify-ca    SSL, certificate chain checked against the root certificate, the host name not
//   verify-full  SSL, chain and host name checked
//
// Root certificate: sslrootcert, else PGSSLROOTCERT, else ~/.postgresql/root.crt when it exists. verify-ca and
// verify-full without one are refused, as libpq refuses them; sslrootcert=system (libpq 16) verifies against the
// system's certificate authorities and, as in libpq, means verify-full (the default mode becomes verify-full, a
// weaker one given with it is refused). node-postgres's ssl=true is verify-full against the system's
// authorities. Client certificate: sslcert / sslkey (PGSSLCERT / PGSSLKEY, else ~/.postgresql/postgresql.crt and
// .key when they exist), sslpassword.

import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { Duplex } from "node:stream";
import tls from "node:tls";

export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface SslSettings {
  mode: SslMode;
  /** Where the mode came from, for messages: "sslmode=require", "PGSSLMODE=prefer" or "default (prefer)". */
  origin: string;
  rootcert?: string;
  cert?: string;
  key?: string;
  password?: string;
}

/** The SSL settings of a connection: URL parameters first, then the PGSSL* variables, then libpq's defaults. */
export function sslSettings(params: URLSearchParams | null, env: NodeJS.ProcessEnv): SslSettings {
  const p = (k: string) => params?.get(k) ?? undefined;
  let mode: string | undefined = p("sslmode");
  let origin = `sslmode=${mode}`;
  let systemRoots = false;
  if (mode === undefined) {
    // node-postgres's own ssl=true / ssl=1 (verify against the system's authorities) and ssl=0 / false.
    const ssl = p("ssl");
    if (ssl === "true" || ssl === "1") [mode, origin, systemRoots] = ["verify-full", `ssl=${ssl}`, true];
    else if (ssl === "false" || ssl === "0") [mode, origin] = ["disable", `ssl=${ssl}`];
  }
  if (mode === undefined && env.PGSSLMODE) [mode, origin] = [env.PGSSLMODE, `PGSSLMODE=${env.PGSSLMODE}`];
  const home = (f: string) => {
    const path = join(homedir(), ".postgresql", f);
    return existsSync(path) ? path : undefined;
  };
  const rootcert = p("sslrootcert") ?? (env.PGSSLROOTCERT || (systemRoots ? "system" : home("root.crt")));
  if (mode === undefined) {
    [mode, origin] =
      rootcert === "system"
        ? ["verify-full", "sslrootcert=system (verify-full)"]
        : ["prefer", "the default sslmode (prefer)"];
  }
  // node-postgres's no-verify is libpq's require.
  if (mode === "no-verify") mode = "require";
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new Error(`invalid ${origin}: use one of ${SSL_MODES.join(", ")}`);
  }
  if (rootcert === "system" && mode !== "verify-full") {
    throw new Error(
      `${origin} does not go with sslrootcert=system, which checks the server's certificate and name against the system's certificate authorities: use sslmode=verify-full (libpq refuses this pair too)`,
    );
  }
  return {
    mode: mode as SslMode,
    origin,
    rootcert,
    cert: p("sslcert") ?? (env.PGSSLCERT || home("postgresql.crt")),
    key: p("sslkey") ?? (env.PGSSLKEY || home("postgresql.key")),
    password: p("sslpassword"),
  };
}

/** The TLS options of a mode; a file that cannot be read is an error (libpq's too, for a named one). */
function tlsOptions(s: SslSettings, host: string | undefined): tls.ConnectionOptions {
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`could not read the ${what} ${path}: ${(err as Error).message}`);
    }
  };
  const opts: tls.ConnectionOptions = {};
  if (host && net.isIP(host) === 0) opts.servername = host;
  if (host) opts.host = host;
  if (s.cert && s.key) {
    opts.cert = read("client certificate (sslcert)", s.cert);
    opts.key = read("client key (sslkey)", s.key);
    if (s.password !== undefined) opts.passphrase = s.password;
  }
  const verify = s.mode === "verify-ca" || s.mode === "verify-full" || s.rootcert !== undefined;
  if (!verify) {
    opts.rejectUnauthorized = false;
    return opts;
  }
  if (s.rootcert === undefined) {
    throw new Error(
      `${s.origin} verifies the server's certificate, and there is no root certificate to verify it against (${join(homedir(), ".postgresql", "root.crt")} does not exist): give sslrootcert=/path/to/root.crt (or PGSSLROOTCERT), sslrootcert=system for the system's certificate authorities, or sslmode=require to encrypt without verifying`,
    );
  }
  // sslrootcert=system: Node's own store of the system's authorities (no ca option).
  if (s.rootcert !== "system") opts.ca = read("root certificate (sslrootcert)", s.rootcert);
  opts.rejectUnauthorized = true;
  // Only verify-full checks the host name; below it libpq checks the chain alone.
  if (s.mode !== "verify-full") opts.checkServerIdentity = () => undefined;
  return opts;
}

/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);

type Attempt = "ssl" | "plain";

/** A socket for node-postgres that negotiates SSL the libpq way (see above). */
export class LibpqSocket extends Duplex {
  private inner: net.Socket | tls.TLSSocket | null = null;
  private raw: net.Socket | null = null;
  private noDelay = false;
  private keepAlive: [boolean, number] | null = null;
  /** What node-postgres wrote before the server's first answer: replayed when the startup is tried again. */
  private sent: Buffer[] = [];
  private awaitingReply = true;
  private connected = false;

  constructor(private readonly settings: SslSettings) {
    super();
  }

  connect(port: number | string, host?: string): this {
    const path = typeof port === "string" && host === undefined ? port : null;
    const s = this.settings;
    // A Unix-domain socket never carries SSL (libpq's rule too).
    if (path !== null || s.mode === "disable") this.attempt("plain", null, path, Number(port), host);
    else if (s.mode === "allow") this.attempt("plain", "ssl", null, Number(port), host);
    else if (s.mode === "prefer") this.attempt("ssl", "plain", null, Number(port), host);
    else this.attempt("ssl", null, null, Number(port), host);
    return this;
  }

  setNoDelay(noDelay = true): this {
    this.noDelay = noDelay;
    this.raw?.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable = false, delay = 0): this {
    this.keepAlive = [enable, delay];
    this.raw?.setKeepAlive(enable, delay);
    return this;
  }

  ref(): this {
    this.raw?.ref();
    return this;
  }

  unref(): this {
    this.raw?.unref();
    return this;
  }

  private attempt(
    kind: Attempt,
    fallback: Attempt | null,
    path: string | null,
    port: number,
    host: string | undefined,
  ): void {
    const raw = path !== null ? net.connect(path) : net.connect({ port, host: host ?? "localhost" });
    this.raw = raw;
    raw.setNoDelay(this.noDelay);
    if (this.keepAlive) raw.setKeepAlive(...this.keepAlive);
    const fail = (err: Error) => {
      raw.destroy();
      this.destroy(err);
    };
    raw.once("error", fail);
    raw.once("connect", () => {
      if (kind === "plain") {
        raw.off("error", fail);
        this.ready(raw, fallback, port, host);
        return;
      }
      raw.write(SSL_REQUEST);
      raw.once("data", (buf: Buffer) => {
        const answer = String.fromCharCode(buf[0] ?? 0);
        if (answer === "N") {
          // No SSL on this server: prefer (and allow's second try) go on plain, on this very connection.
          if (this.settings.mode === "prefer" || this.settings.mode === "allow") {
            raw.off("error", fail);
            this.ready(raw, null, port, host);
          } else {
            fail(
              Object.assign(
                new Error(
                  `server does not support SSL, but SSL was required (${this.settings.origin}). Use sslmode=prefer or disable for a server without SSL`,
                ),
                { code: "SSL_NOT_SUPPORTED" },
              ),
            );
          }
          return;
        }
        if (answer !== "S") {
          fail(new Error("the server answered the SSL request with an error"));
          return;
        }
        let options: tls.ConnectionOptions;
        try {
          options = tlsOptions(this.settings, host);
        } catch (err) {
          fail(err as Error);
          return;
        }
        const secure = tls.connect({ ...options, socket: raw });
        raw.off("error", fail);
        const handshakeFailed = (err: Error) => {
          secure.destroy();
          raw.destroy();
          // prefer: a failed handshake is tried again without SSL, as libpq does.
          if (fallback === "plain") this.attempt("plain", null, null, port, host);
          else this.destroy(err);
        };
        secure.once("error", handshakeFailed);
        secure.once("secureConnect", () => {
          secure.off("error", handshakeFailed);
          this.ready(secure, fallback, port, host);
        });
      });
    });
  }

  /** The connection is negotiated: node-postgres may speak (again, after a retry). */
  private ready(
    inner: net.Socket | tls.TLSSocket,
    fallback: Attempt | null,
    port: number,
    host: string | undefined,
  ): void {
    this.inner = inner;
    const onData = (chunk: Buffer) => {
      if (this.awaitingReply) {
        // The server refused this startup at once (an ErrorResponse first, as pg_hba's "no encryption" /
        // "SSL off" rejections are): allow and prefer try the other way, as libpq does.
        if (fallback !== null && chunk[0] === 0x45) {
          detach();
          inner.destroy();
          this.raw?.destroy();
          this.attempt(fallback, null, null, port, host);
          return;
        }
        this.awaitingReply = false;
        this.sent = [];
      }
      if (!this.push(chunk)) inner.pause();
    };
    const onEnd = () => this.push(null);
    const onClose = () => this.destroy();
    const onError = (err: Error) => this.destroy(err);
    const detach = () => {
      inner.off("data", onData);
      inner.off("end", onEnd);
      inner.off("close", onClose);
      inner.off("error", onError);
    };
    inner.on("data", onData);
    inner.on("end", onEnd);
    inner.on("close", onClose);
    inner.on("error", onError);
    if (!this.connected) {
      this.connected = true;
      this.emit("connect");
    } else {
      for (const b of this.sent) inner.write(b);
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const inner = this.inner;
    if (!inner) {
      cb(new Error("not connected"));
      return;
    }
    if (this.awaitingReply) this.sent.push(Buffer.from(chunk));
    inner.write(chunk, (err) => cb(err ?? null));
  }

  override _read(): void {
    this.inner?.resume();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.inner) this.inner.end(cb);
    else cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.inner?.destroy();
    this.raw?.destroy();
    cb(err);
  }
}

/**
 * The `stream` option of a node-postgres config: a LibpqSocket, with node-postgres's own SSL negotiation turned
 * off. node-postgres reads `ssl` from the connection string (sslmode=... makes it an object) and would send its
 * own SSLRequest; the factory is called by its Connection's constructor (as a method: `this` is the Connection)
 * before it reads config.ssl, so that is set false there, and the Client's call of requestSsl (it keeps its own
 * copy of `ssl`) goes straight on to the startup message. test/ssl.test.ts fails if a node-postgres release
 * changes this.
 */
export function libpqStream(settings: SslSettings): (config: { ssl?: unknown }) => Duplex {
  return function (this: unknown, config: { ssl?: unknown }) {
    config.ssl = false;
    const connection = this as { requestSsl?: () => void; emit?: (event: string) => boolean } | undefined;
    if (connection && typeof connection.emit === "function") {
      const emit = connection.emit.bind(connection);
      connection.requestSsl = () => {
        emit("sslconnect");
      };
    }
    return new LibpqSocket(settings);
  };
}
