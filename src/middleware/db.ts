import { createMiddleware } from "hono/factory";
import { defaultDbTimeoutMs, getDb } from "../db/client";
import type { AppEnv } from "../env";

/** Hands the isolate's database client to the request (built on the isolate's first request). */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  c.set("db", getDb(c.env.DATABASE_URL, Number(c.env.DB_TIMEOUT_MS) || defaultDbTimeoutMs));
  await next();
});
