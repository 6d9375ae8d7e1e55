import type { Context } from "hono";
import { WorkspaceRateLimit } from "../access/rate-limit";
import type { Caller } from "../access/scoped";
import { defaultDbTimeoutMs, getDb } from "../db/client";
import type { AppEnv } from "../env";

/**
 * What the request's queries need: the isolate's database client (built on the
 * isolate's first request), the token's hash and the workspace rate limit.
 */
export function callerOf(c: Context<AppEnv>, tokenHash: string): Caller {
  const limiter = c.env.WORKSPACE_RATE_LIMIT;
  return {
    db: getDb(c.env.DATABASE_URL, Number(c.env.DB_TIMEOUT_MS) || defaultDbTimeoutMs),
    tokenHash,
    rateLimit: limiter ? new WorkspaceRateLimit(limiter) : undefined,
    dbMs: 0,
    roundTrips: 0,
  };
}
