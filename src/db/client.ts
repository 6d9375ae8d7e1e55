// The database client: Drizzle over Neon's SQL-over-HTTP driver. Built once per
// isolate (per connection string) and shared by its requests: it holds no
// request state, only configuration.
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";

export type Db = NeonHttpDatabase;

const localHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
const isLocalHost = (host: string) => localHosts.has(host) || host.endsWith(".localhost");

/** Upper bound on one database round trip: a hung connection must not hold a request forever. */
export const defaultDbTimeoutMs = 10_000;
let dbTimeoutMs = defaultDbTimeoutMs;

// The driver reads these globals on every query. The timeout needs a fresh
// AbortSignal per round trip, so it lives in the fetch function.
neonConfig.fetchFunction = (url: string, init: RequestInit) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(dbTimeoutMs) });

let cached: { url: string; db: Db } | undefined;

export function getDb(databaseUrl: string, timeoutMs = defaultDbTimeoutMs): Db {
  dbTimeoutMs = timeoutMs;
  if (cached?.url === databaseUrl) return cached.db;
  if (isLocalHost(new URL(databaseUrl).hostname)) {
    // Local development and tests: the SQL-over-HTTP server listens on the host
    // and port of the connection string (scripts/local-db). Neon's own endpoint
    // (https://api.<region>.aws.neon.tech/sql) is kept for every other host.
    neonConfig.fetchEndpoint = (host, port) =>
      isLocalHost(host) ? `http://${host}:${port || 4444}/sql` : `https://${host.replace(/^[^.]+\./, "api.")}/sql`;
  }
  const db = drizzle(neon(databaseUrl));
  cached = { url: databaseUrl, db };
  return db;
}
