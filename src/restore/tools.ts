// pg_restore as the restore runs it: on this machine, or inside the server's container (restore-via, with docker
// exec), logged in as the sandbox's role of the database it restores into (sandbox.ts) or as the connecting role.
// Credentials reach it through a passfile and a service file (credentials.ts) or docker's own environment,
// never its command line; its environment holds nothing else of ours (child-env.ts). Files it must read inside
// the container are copied in first, and removed again.

import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { RestoreError } from "../core/errors.ts";
import type { ConnectionTarget } from "../db/connection.ts";
import { onCleanup } from "../process/cleanup.ts";
import { childEnv } from "./child-env.ts";
import { ToolSecrets } from "./credentials.ts";
import { containerCredentials, dbnameOnly, libpqTarget } from "./libpq-target.ts";
import { runTool, type ToolOptions, type ToolRun } from "./run-tool.ts";
import type { RestoreRole } from "./sandbox.ts";

/** One run of pg_restore: its arguments, the database it restores into (none: it only reads), the files last. */
interface ToolCall {
  args: string[];
  database: string | null;
  opts: ToolOptions;
  positional: string[];
}

/** Undo steps of one restore, run in reverse order when it ends. */
export type Cleanups = (() => Promise<void>)[];

/** Where pg_restore reads an archive: the path on this machine, its copy in the container, or stdin. */
export interface ArchiveSource {
  /** The dump as given. */
  path: string;
  /** The pg_restore chosen on this machine ("pg_restore" in a container). */
  toolPath: string;
  /** Where the archive was copied inside the container; null when it is read from this machine or stdin. */
  containerCopy: string | null;
}

export class RestoreTools {
  private readonly secrets = new ToolSecrets();

  constructor(
    private readonly connection: ConnectionTarget,
    private readonly env: NodeJS.ProcessEnv,
    /** The container the tools run in (restore-via docker:ID); undefined: on this machine. */
    readonly via: string | undefined,
    /** The sandbox's role of a database being restored, if it has one. */
    private readonly roleOf: (database: string) => RestoreRole | undefined,
  ) {}

  /** Remove the passfile and service file made for the tools. */
  close(): void {
    this.secrets.close();
  }

  /** pg_restore on an archive: the file path locally, the copy in the container, or the file on stdin. */
  pgRestore(
    p: ArchiveSource,
    args: string[],
    database: string | null,
    opts: { captureStdout?: boolean },
  ): Promise<ToolRun> {
    if (!this.via) return this.local(p.toolPath, { args, database, opts, positional: [resolve(p.path)] });
    if (p.containerCopy)
      return this.inContainer(this.via, { args, database, opts, positional: [p.containerCopy] });
    const input = [createReadStream(p.path)];
    return this.inContainer(this.via, { args, database, opts: { ...opts, input }, positional: [] });
  }

  /** pg_restore on this machine: the server in --dbname, the credentials in files. */
  private local(toolPath: string, { args, database, opts, positional }: ToolCall): Promise<ToolRun> {
    const env: NodeJS.ProcessEnv = { ...childEnv(this.env), PGAPPNAME: this.env.PGAPPNAME ?? "seq-guard" };
    const dbname: string[] = [];
    if (database !== null) {
      const role = this.roleOf(database);
      const target = libpqTarget(this.connection, database, {
        as: role?.name,
        service: (sslpassword) => this.secrets.serviceFor(sslpassword),
      });
      if (target.env.PGSERVICEFILE !== undefined) env.PGSERVICEFILE = target.env.PGSERVICEFILE;
      if (role) {
        // The sandbox's role (see sandbox.ts): its name in place of the connecting role's, its passfile.
        env.PGUSER = role.name;
        env.PGPASSFILE = role.passfile;
      } else {
        const password = target.env.PGPASSWORD ?? this.env.PGPASSWORD;
        if (password !== undefined) env.PGPASSFILE = this.secrets.passfileFor(password);
      }
      dbname.push(`--dbname=${target.dbname}`);
    }
    return runTool(toolPath, [...args, ...dbname, ...positional], env, opts);
  }

  /** pg_restore inside the container, with docker exec. */
  private inContainer(via: string, { args, database, opts, positional }: ToolCall): Promise<ToolRun> {
    const role = database ? this.roleOf(database) : undefined;
    // docker exec -e NAME hands the value from docker's own environment into the container's tool. (The sandbox
    // role's password lives only as long as the restore and opens nothing but its scratch database.)
    const creds = role
      ? { PGUSER: role.name, PGPASSWORD: role.password }
      : containerCredentials(this.connection, this.env);
    const env = { ...childEnv(this.env), ...creds, PGAPPNAME: "seq-guard" };
    const dockerArgs = ["exec"];
    if (opts.input) dockerArgs.push("-i");
    for (const k of Object.keys(creds)) dockerArgs.push("-e", k);
    dockerArgs.push("-e", "PGAPPNAME", via, "pg_restore", ...args);
    if (database) dockerArgs.push(`--dbname=${dbnameOnly(database)}`);
    dockerArgs.push(...positional);
    return runTool("docker", dockerArgs, env, opts);
  }

  /**
   * A file or folder for pg_restore: as it is on this machine, or copied into the container's /tmp (the copy is
   * removed again by `cleanups`, or on Ctrl-C) and named by its copy.
   */
  async reachable(path: string, cleanups: Cleanups): Promise<string> {
    return this.via ? await this.copyIn(this.via, path, cleanups) : path;
  }

  /** Copy a file or folder into the container's /tmp; the copy is removed again (cleanups, or on Ctrl-C). */
  async copyIn(via: string, path: string, cleanups: Cleanups): Promise<string> {
    const dest = `/tmp/seq-guard-${randomBytes(6).toString("hex")}`;
    const remove = () =>
      runTool("docker", ["exec", via, "rm", "-rf", dest], childEnv(this.env)).then(
        () => undefined,
        () => undefined,
      );
    const undo = onCleanup(
      `remove the copy ${dest} in container ${via}`,
      remove,
      () => `the copy ${dest} in container ${via} (docker exec ${via} rm -rf ${dest})`,
    );
    cleanups.push(async () => {
      await remove();
      undo();
    });
    const cp = await runTool("docker", ["cp", path, `${via}:${dest}`], childEnv(this.env));
    if (cp.code !== 0) {
      throw new RestoreError(
        `could not copy ${JSON.stringify(path)} into container ${via}: ${cp.stderr.trim() || `docker cp exited with ${cp.code}`}`,
      );
    }
    return dest;
  }
}
