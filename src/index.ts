// Worker entry: composes only. See app.ts for the middleware and routes.
import { lte, sql } from "drizzle-orm";
import { createApp } from "./app";
import { getDb } from "./db/client";
import { idempotencyKeys } from "./db/schema";
import type { Bindings } from "./env";
import { deleteExpiredEvents } from "./events/queries";

export type { AppType } from "./app";

const app = createApp();

export default {
  fetch: app.fetch,
  // The hourly cron trigger of wrangler.toml: Idempotency-Key records expire
  // after 24 hours, change events after their retention (events/queries.ts).
  async scheduled(_controller: ScheduledController, env: Bindings) {
    const db = getDb(env.DATABASE_URL);
    await db.batch([
      db.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, sql`now()`)),
      deleteExpiredEvents(db),
    ]);
  },
} satisfies ExportedHandler<Bindings>;
