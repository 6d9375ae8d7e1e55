// The types that flow through every handler: the worker's bindings and the
// per-request variables set by middleware.
import type { Db } from "./db/client";

export interface Bindings {
  /** postgres://… of the Neon database (a secret in production); a local host selects the local server. */
  DATABASE_URL: string;
  /** Upper bound on one database round trip, in milliseconds (default 10000). */
  DB_TIMEOUT_MS?: string;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    db: Db;
    /** SHA-256 of the bearer token: the only form in which the token travels further. */
    tokenHash: string;
  };
}
