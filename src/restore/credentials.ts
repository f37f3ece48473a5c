// Files that carry a secret to a client tool: a libpq passfile (a role's password) and a connection service file
// (the client key's passphrase, which libpq reads from no variable). Each is mode 600 in a folder of its own
// (mode 700), never the tool's environment or command line, where every local user could read it
// (/proc/PID/environ, cmdline). Removed by whoever made it, and on Ctrl-C.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onCleanup } from "../process/cleanup.ts";
import { passfileField } from "./child-env.ts";

/** A file of mode 600 holding `content`, alone in a new folder (mode 700) named from `prefix`. */
export function privateFile(prefix: string, name: string, content: string): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, name);
  try {
    writeFileSync(file, content, { mode: 0o600, flag: "wx" });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { file, dir };
}

/** A passfile's line: this password for any server and database, for `user` (any user when null). */
export const passfileLine = (user: string | null, password: string): string =>
  `*:*:*:${user === null ? "*" : passfileField(user)}:${passfileField(password)}\n`;

/** A private file that is removed on Ctrl-C too (named as left behind until then); remove() takes it away. */
function registered(
  what: string,
  prefix: string,
  name: string,
  content: string,
): { file: string; remove: () => void } {
  const made = privateFile(prefix, name, content);
  const remove = () => rmSync(made.dir, { recursive: true, force: true });
  const undo = onCleanup(what, remove, () => `the folder ${made.dir} (rm -rf it)`);
  return {
    file: made.file,
    remove: () => {
      remove();
      undo();
    },
  };
}

/**
 * The secrets the tools get when they restore as the connecting role (trust-fixture, or no sandbox), each made
 * once a run and removed by close() or on Ctrl-C: a passfile with its password, and a service file with the
 * client key's passphrase (sslpassword).
 */
export class ToolSecrets {
  private passfile: { file: string; remove: () => void } | null = null;
  private service: { file: string; name: string; remove: () => void } | null = null;

  /** The passfile that holds the connecting role's password. */
  passfileFor(password: string): string {
    this.passfile ??= registered(
      "remove the passfile",
      `seq-guard-pass-${process.pid}-`,
      "pgpass",
      passfileLine(null, password),
    );
    return this.passfile.file;
  }

  /**
   * The connection service file that holds the sslpassword (null: none, the service is empty), and the service's
   * name in it.
   */
  serviceFor(sslpassword: string | null): { file: string; name: string } {
    if (!this.service) {
      const name = `seq-guard-${randomBytes(6).toString("hex")}`;
      const made = registered(
        "remove the connection service file",
        `seq-guard-svc-${process.pid}-`,
        "pg_service.conf",
        `[${name}]\n${sslpassword === null ? "" : `sslpassword=${sslpassword}\n`}`,
      );
      this.service = { ...made, name };
    }
    return { file: this.service.file, name: this.service.name };
  }

  close(): void {
    this.service?.remove();
    this.service = null;
    this.passfile?.remove();
    this.passfile = null;
  }
}
