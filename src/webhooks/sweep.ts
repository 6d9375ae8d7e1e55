// The sweep: what the queue should have carried and did not. Events still not
// dispatched to an endpoint that should get them, a minute after they occurred
// (their enqueue was lost): every minute over the last 10 minutes, every hour
// over the last 3 days (a range of events cheap enough to check each minute,
// and the whole window once an hour); and deliveries overdue by 5 minutes (a
// retry message lost, or a consumer that died mid-way). Both go back to the
// queue: a lost message delays a delivery, never loses it. One round trip
// (webhook_sweep, drizzle/0005_webhooks.sql). The hourly cron also prunes
// delivery records older than 30 days.
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { deliveryMessages, eventMessages, sendMessages } from "./dispatch";

/** Every minute, the last 10 minutes; every hour, the last 3 days (the cron decides). */
export async function sweep(db: Db, env: Bindings, lookBack: "10 minutes" | "3 days") {
  const queue = env.WEBHOOK_QUEUE;
  if (!queue) return;
  const { rows } = await db.execute(sql`select * from webhook_sweep(${lookBack}::interval)`);
  const found = rows as { event_id: string; endpoint_id: string | null }[];
  const ids = found.filter((row) => !row.endpoint_id).map((row) => row.event_id);
  const pairs = found.flatMap((row) => (row.endpoint_id ? [[row.event_id, row.endpoint_id] as [string, string]] : []));
  await sendMessages(queue, [...eventMessages(ids), ...deliveryMessages(pairs)]);
}

/** Delivery records are kept 30 days. */
export const pruneDeliveries = (db: Db) =>
  db.execute(sql`delete from webhook_deliveries where created_at < now() - interval '30 days'`);
