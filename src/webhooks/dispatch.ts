// From a write to the queue, with no round trip of its own: the write's batch
// (access/batch.ts) ends with `transactionEvents`, which returns the events its
// transaction recorded, only when the workspace has an enabled endpoint; once
// the answer is on its way, `enqueueEvents` sends their ids to the queue
// (waitUntil). A lost enqueue only delays a delivery: the sweep (sweep.ts)
// finds events still not dispatched after a minute.
import { type SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import type { WebhookMessage, WebhookQueue } from "./message";

/** The events this transaction recorded in the workspace, if any endpoint of it is enabled. */
export function transactionEvents(db: Db, workspaceId: SQL) {
  return db.execute(sql`select webhook_transaction_events(${workspaceId}) as id`);
}

const chunks = <T>(items: readonly T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Sends the messages, at most 100 per sendBatch (a Queues limit). */
export async function sendMessages(queue: WebhookQueue, messages: WebhookMessage[]) {
  await Promise.all(chunks(messages, 100).map((batch) => queue.sendBatch(batch.map((body) => ({ body })))));
}

/** Event ids as messages of at most 500 ids (about 20 KB; a message may hold 128 KB). */
export const eventMessages = (ids: readonly string[]): WebhookMessage[] =>
  chunks(ids, 500).map((events) => ({ events }));

/** Deliveries as messages of at most 50 each. */
export const deliveryMessages = (pairs: readonly [string, string][]): WebhookMessage[] =>
  chunks(pairs, 50).map((deliveries) => ({ deliveries }));

function later(c: Context, messages: WebhookMessage[]) {
  const queue = (c.env as Bindings | undefined)?.WEBHOOK_QUEUE;
  if (!queue || messages.length === 0) return;
  let ctx: Context["executionCtx"];
  try {
    ctx = c.executionCtx;
  } catch {
    return; // no execution context (app.request in a script): the sweep dispatches them
  }
  ctx.waitUntil(
    sendMessages(queue, messages).catch((error: unknown) => {
      console.error(JSON.stringify({ level: "error", message: "webhook enqueue failed", error: String(error) }));
    }),
  );
}

/** After the answer: the ids of the events a write's transaction recorded (transactionEvents' rows). */
export function enqueueEvents(c: Context, result: unknown) {
  const rows = (result as { rows?: { id: string }[] } | undefined)?.rows;
  if (rows?.length) later(c, eventMessages(rows.map((row) => row.id)));
}

/** After the answer: deliveries made due (a ping, a redelivery). */
export function enqueueDeliveries(c: Context, pairs: [string, string][]) {
  later(c, deliveryMessages(pairs));
}
