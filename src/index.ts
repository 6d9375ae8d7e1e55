// Worker entry: composes only. See app.ts for the middleware and routes.
import { lte, sql } from "drizzle-orm";
import { createApp } from "./app";
import { getDb } from "./db/client";
import { idempotencyKeys } from "./db/schema";
import type { Bindings } from "./env";
import { deleteExpiredEvents } from "./events/queries";
import { consume } from "./webhooks/deliver";
import type { WebhookMessage } from "./webhooks/message";
import { pruneDeliveries, sweep } from "./webhooks/sweep";

export type { AppType } from "./app";

const app = createApp();

/** wrangler.toml's every-minute cron: the webhook sweep of the last 10 minutes (webhooks/sweep.ts). */
const everyMinute = "* * * * *";

export default {
  fetch: app.fetch,
  // The crons of wrangler.toml. Every minute: the webhook sweep of the last 10
  // minutes. Hourly: Idempotency-Key records expire after 24 hours, change events
  // after their retention (events/queries.ts), webhook delivery records after 30
  // days; and the webhook sweep looks 3 days back.
  async scheduled(controller: ScheduledController, env: Bindings) {
    const db = getDb(env.DATABASE_URL);
    if (controller.cron === everyMinute) return sweep(db, env, "10 minutes");
    await db.batch([
      db.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, sql`now()`)),
      deleteExpiredEvents(db),
    ]);
    await pruneDeliveries(db);
    await sweep(db, env, "3 days");
  },
  // Webhook deliveries (webhooks/deliver.ts).
  queue: (batch: MessageBatch<WebhookMessage>, env: Bindings) => consume(batch, env),
} satisfies ExportedHandler<Bindings, WebhookMessage>;
