import { createMiddleware } from "hono/factory";
import { WorkspaceRateLimit } from "../access/rate-limit";
import { defaultDbTimeoutMs, getDb } from "../db/client";
import type { AppEnv } from "../env";

/**
 * Hands the request what its queries need: the isolate's database client (built
 * on the isolate's first request), the token's hash and the workspace rate limit.
 */
export const caller = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.WORKSPACE_RATE_LIMIT;
  c.set("caller", {
    db: getDb(c.env.DATABASE_URL, Number(c.env.DB_TIMEOUT_MS) || defaultDbTimeoutMs),
    tokenHash: c.var.tokenHash,
    rateLimit: limiter ? new WorkspaceRateLimit(limiter) : undefined,
    dbMs: 0,
    roundTrips: 0,
  });
  await next();
});
