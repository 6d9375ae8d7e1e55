// GET /health: is the worker up, and can it reach the database? One round trip,
// no token (monitors have none), nothing about the data.
import { sql } from "drizzle-orm";
import { defaultDbTimeoutMs, getDb } from "./db/client";
import { databaseError } from "./http/errors";
import { type Documentation, operation } from "./operation";

export const healthOperation = operation(
  {
    method: "get",
    path: "/health",
    operationId: "health",
    tag: "Health",
    success: { status: 200, kind: "object", object: "Health" },
    refusals: [500, 503],
  },
  async (c) => {
    const db = getDb(c.env.DATABASE_URL, Number(c.env.DB_TIMEOUT_MS) || defaultDbTimeoutMs);
    const started = Date.now();
    try {
      await db.execute(sql`select 1`);
    } catch (error) {
      throw databaseError(error);
    }
    c.header("Cache-Control", "no-store");
    return c.json({
      success: true as const,
      data: { status: "ok", database: "ok", database_ms: Date.now() - started },
    });
  },
);

/**
 * What the API reference says of each operation, by operationId (scripts/openapi.ts).
 * Nothing the worker runs imports it, so it stays out of the bundle.
 */
export const healthDocs: Documentation = {
  health: {
    summary: "Health check",
    description: "Whether the worker runs and reaches the database (one round trip). No token needed.",
  },
};
