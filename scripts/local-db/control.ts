// The local database server's control interface (not part of Neon's protocol):
// GET /_local/stats, POST /_local/stats/reset, PUT /_local/fault, PUT /_local/delay,
// PUT /_local/record ({"on": true|false}) and GET /_local/record (the statements
// and batches run while recording, for tests and benches that EXPLAIN or time them).
// Kept free of Node imports so that tests inside workerd can share these types.

/** Faults the server can be told to inject into its next SQL requests. */
export type FaultMode =
  /** answer HTTP 500, as the proxy does when it cannot reach the compute */
  | "server-error"
  /** answer 400 with a PostgreSQL error (57P01, admin shutdown) without running anything */
  | "postgres-error"
  /** never answer (until the client gives up) */
  | "hang"
  /** run the request, then cut the connection in the middle of the response */
  | "drop"
  /** cut the connection before running anything */
  | "refuse"
  /** run a batch, then fail it with a PostgreSQL error (57P01) instead of committing: it rolls back */
  | "abort-batch"
  /** run a batch, then hold its transaction open (locks included) for `ms` before committing */
  | "hold";

export interface Fault {
  mode: FaultMode;
  /** how many SQL requests it applies to; unlimited when absent */
  count?: number;
  /** for "hold": how long, in milliseconds (default 500) */
  ms?: number;
}

export interface LocalDbStats {
  /** SQL-over-HTTP requests received: the database round trips */
  requests: number;
  /** statements run, counting each one of a batch */
  statements: number;
  /** requests that were batches (one transaction each) */
  batches: number;
}

/** GET /_local/stats */
export interface LocalDbStatus extends LocalDbStats {
  delayMs: number;
  backend: "pglite" | "postgres";
}

/** A statement the server ran, as GET /_local/record returns it. */
export interface RecordedStatement {
  query: string;
  params: unknown[];
}
