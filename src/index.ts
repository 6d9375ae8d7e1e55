// Worker entry: composes only. See app.ts for the middleware and routes.
import { lte, sql } from "drizzle-orm";
import { createApp } from "./app";
import { getDb } from "./db/client";
import { idempotencyKeys } from "./db/schema";
import type { Bindings } from "./env";

export type { AppType } from "./app";

const app = createApp();

export default {
  fetch: app.fetch,
  // The cron trigger of wrangler.toml: Idempotency-Key records expire after 24 hours.
  async scheduled(_controller: ScheduledController, env: Bindings) {
    await getDb(env.DATABASE_URL).delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, sql`now()`));
  },
} satisfies ExportedHandler<Bindings>;
