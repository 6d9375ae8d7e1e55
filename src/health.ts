// GET /health: is the worker up, and can it reach the database? One round trip,
// no token (monitors have none), nothing about the data.
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { defaultDbTimeoutMs, getDb } from "./db/client";
import type { AppEnv } from "./env";
import { databaseError } from "./http/errors";

export const healthRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const db = getDb(c.env.DATABASE_URL, Number(c.env.DB_TIMEOUT_MS) || defaultDbTimeoutMs);
  const started = Date.now();
  try {
    await db.execute(sql`select 1`);
  } catch (error) {
    throw databaseError(error);
  }
  c.header("Cache-Control", "no-store");
  return c.json({ success: true as const, data: { status: "ok", database: "ok", database_ms: Date.now() - started } });
});
