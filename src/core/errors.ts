// Failures a user can act on. Each carries its documented exit code; the front ends print the message alone
// (no stack trace unless --debug).

export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  connection: 3,
  restore: 4,
  internal: 70,
  interrupted: 130,
} as const;

export class SeqGuardError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "SeqGuardError";
  }
}

/** A bad command line: unknown command or flag, bad value, missing file. Exit 2. */
export class UsageError extends SeqGuardError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "UsageError";
  }
}

/** The server could not be reached, refused us, or the database is missing. Exit 3. */
export class ConnectionError extends SeqGuardError {
  constructor(message: string) {
    super(message, EXIT.connection);
    this.name = "ConnectionError";
  }
}

/** A dump could not be restored. Exit 4. */
export class RestoreError extends SeqGuardError {
  constructor(message: string) {
    super(message, EXIT.restore);
    this.name = "RestoreError";
  }
}

/**
 * Load a part of seq-guard that the bundle reads on first use (a file beside dist/cli.js or dist/index.js): a file
 * missing there is an incomplete installation, said as such, not an unexpected error to report.
 */
export async function loadPart<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code !== "ERR_MODULE_NOT_FOUND") throw err;
    throw new SeqGuardError(
      `the installation is incomplete: ${(err as Error).message}. The bundle reads the files beside it (dist/*.js) when it needs them: reinstall seq-guard, or copy all of dist/`,
      EXIT.internal,
    );
  }
}
