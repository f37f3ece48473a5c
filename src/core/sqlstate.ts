// The SQLSTATE codes seq-guard acts on, by name (PostgreSQL's errcodes.txt, Appendix A of its manual). A code is
// compared by its constant, never as a bare string, so a reader sees which condition a branch handles.

export const SQLSTATE = {
  /** Class 08: the connection failed or was lost. Use isConnectionClass(). */
  connectionExceptionClass: "08",
  featureNotSupported: "0A000",
  invalidParameterValue: "22023",
  activeSqlTransaction: "25001",
  readOnlySqlTransaction: "25006",
  invalidAuthorizationSpecification: "28000",
  invalidPassword: "28P01",
  invalidCatalogName: "3D000",
  insufficientPrivilege: "42501",
  undefinedObject: "42704",
  duplicateObject: "42710",
  objectInUse: "55006",
  lockNotAvailable: "55P03",
  unsafeNewEnumValueUsage: "55P04",
  queryCanceled: "57014",
  adminShutdown: "57P01",
  crashShutdown: "57P02",
  cannotConnectNow: "57P03",
} as const;

export type SqlState = (typeof SQLSTATE)[keyof typeof SQLSTATE];

/** The SQLSTATE of an error from the driver, or undefined for an error that carries none. */
export function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Class 08 (connection exception) or the server shutting down or starting up: the session is gone or not yet there. */
export function isConnectionClass(code: string | undefined): boolean {
  if (code === undefined) return false;
  return (
    code.startsWith(SQLSTATE.connectionExceptionClass) ||
    code === SQLSTATE.adminShutdown ||
    code === SQLSTATE.crashShutdown ||
    code === SQLSTATE.cannotConnectNow
  );
}
