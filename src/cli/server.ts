// Where the CLI connects, decided once: the server that --database-url, DATABASE_URL or the PG* variables name
// (libpq's settings read, secrets known), or, for dumps with no server named anywhere, a throwaway PostgreSQL of
// seq-guard's own, started here and removed at the end.

import { loadPart, UsageError } from "../core/errors.ts";
import { type ConnectionTarget, parseDatabaseUrl, resolveConnection, serverNamed } from "../db/connection.ts";
// The embedded server (and its package) is loaded only when it is started.
import type { EmbeddedServer } from "../process/embedded.ts";
import type { CliSettings } from "./args.ts";

/** The server of a run: one that is named, or a throwaway one still to start. */
export type Server = { kind: "named"; connection: ConnectionTarget } | { kind: "throwaway" };

/**
 * The server the settings and the environment name, resolved (a malformed URL is a usage error here); a
 * throwaway one when there are dumps and none is named. Without dumps the libpq defaults apply (localhost).
 */
export function serverOf(settings: CliSettings, env: NodeJS.ProcessEnv): Server {
  if (settings.dumps.length > 0 && !serverNamed(settings.databaseUrl, env)) {
    // The throwaway server and everything in it is removed at the end: there is nothing --keep could keep.
    if (settings.restore.keep) {
      throw new UsageError(
        "--keep keeps the restored databases on a server of your own, but none is named, and the throwaway PostgreSQL seq-guard would start is removed at the end: name one with --database-url (or DATABASE_URL, PGHOST...)",
      );
    }
    return { kind: "throwaway" };
  }
  return { kind: "named", connection: resolveConnection(settings.databaseUrl, env) };
}

/**
 * Start the throwaway server, showing how long it takes. It registers its own cleanup (stop, remove its folder)
 * as soon as it starts anything, so an interrupt removes it too.
 */
export async function startThrowaway(
  progress: (text: string | null) => void,
): Promise<{ server: EmbeddedServer; connection: ConnectionTarget }> {
  const since = Date.now();
  const tick = setInterval(
    () => progress(`starting the embedded PostgreSQL ${Math.round((Date.now() - since) / 1000)}s`),
    1000,
  );
  try {
    const { startEmbedded } = await loadPart(
      () => import(/* webpackMode: "lazy" */ "../process/embedded.ts"),
    );
    const server = await startEmbedded();
    return { server, connection: parseDatabaseUrl(server.url, "--database-url") };
  } finally {
    clearInterval(tick);
    progress(null);
  }
}
