// What keeps a lost queue message from losing a delivery: the every-minute
// sweep (scheduled() with the "* * * * *" cron). And the worker's queue()
// handler, called as Queues calls it, and the real local queue end to end.
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
} from "cloudflare:test";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { events, webhookEndpoints } from "../../src/db/schema";
import worker from "../../src/index";
import { api, db, seedWorkspace } from "../support/harness";
import {
  capturingQueue,
  consume,
  createEndpoint,
  deliveryRows,
  receiverFor,
  updateContact,
  webhookDeliveries,
} from "../support/webhooks";

/** Runs the every-minute cron (or the hourly one) with `queue` as the webhook queue. */
async function sweep(queue: ReturnType<typeof capturingQueue>, cron = "* * * * *") {
  const controller = createScheduledController({ cron });
  await worker.scheduled(controller, queue.env);
}

/** Moves the events `minutes` into the past, and the endpoint's creation a minute before them. */
async function age(eventIds: string[], endpointId: string, minutes: number) {
  const ago = sql`now() - make_interval(mins => ${minutes})`;
  await db().update(events).set({ occurredAt: ago }).where(inArray(events.id, eventIds));
  await db()
    .update(webhookEndpoints)
    .set({ createdAt: sql`now() - make_interval(mins => ${minutes + 1})` })
    .where(eq(webhookEndpoints.id, endpointId));
}

describe("the sweep", () => {
  it("enqueues an event whose enqueue was lost, once it is a minute old, and it is delivered", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["contact.updated"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Lost" });
    const [lost] = queue.take();
    const lostIds = lost?.body.events ?? [];

    // Under a minute old: left to the queue.
    await sweep(queue);
    expect(queue.messages.flatMap((m) => m.body.events ?? [])).not.toContain(lost?.body.events?.[0]);

    await age(lostIds, endpoint.id, 2);
    await sweep(queue);
    expect(queue.messages.flatMap((m) => m.body.events ?? [])).toContain(lostIds[0]);
    await consume(queue);
    const received = await receiver.received();
    expect(received.map((r) => JSON.parse(r.body))).toEqual([{ event_type: "contact.updated", id: ws.contactId }]);

    // Dispatched: the next sweep leaves it alone.
    await sweep(queue);
    expect(queue.messages.flatMap((m) => m.body.events ?? [])).not.toContain(lost?.body.events?.[0]);
  });

  it("looks 10 minutes back every minute, and 3 days back every hour", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["contact.updated"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Older" });
    const ids = queue.take().flatMap((m) => m.body.events ?? []);
    await age(ids, endpoint.id, 30);
    await sweep(queue);
    expect(queue.take().flatMap((m) => m.body.events ?? [])).not.toContain(ids[0]);
    await sweep(queue, "23 * * * *");
    expect(queue.messages.flatMap((m) => m.body.events ?? [])).toContain(ids[0]);
    await consume(queue);
    expect((await receiver.received()).map((r) => r.payload ?? JSON.parse(r.body))).toEqual([
      { event_type: "contact.updated", id: ws.contactId },
    ]);
  });

  it("leaves the events no endpoint wants, and those older than 3 days", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["customer.*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Unwanted" });
    const ids = queue.take().flatMap((m) => m.body.events ?? []);
    expect(ids).toHaveLength(1);
    await age(ids, endpoint.id, 2);
    await sweep(queue);
    expect(queue.take().flatMap((m) => m.body.events ?? [])).not.toContain(ids[0]);

    // Wanted now, but 3 days old.
    await api(`/api/webhooks/${endpoint.id}`, { method: "PATCH", token: ws.token, body: { event_types: ["*"] } });
    await age(ids, endpoint.id, 3 * 24 * 60 + 5);
    await sweep(queue, "23 * * * *");
    expect(queue.take().flatMap((m) => m.body.events ?? [])).not.toContain(ids[0]);
  });

  it("re-enqueues a delivery overdue by 5 minutes (a lost retry), which is then sent", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor({ fail: 1 });
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Overdue" });
    await consume(queue);
    queue.take(); // the retry message is lost
    await db()
      .update(webhookDeliveries)
      .set({ nextAttemptAt: sql`now() - interval '6 minutes'` })
      .where(eq(webhookDeliveries.endpointId, endpoint.id));
    await sweep(queue);
    const [row] = await deliveryRows(endpoint.id);
    expect(queue.messages.flatMap((m) => m.body.deliveries ?? [])).toContainEqual([row?.eventId, endpoint.id]);
    await consume(queue);
    expect((await receiver.received()).map((r) => r.status)).toEqual([500, 200]);
  });
});

describe("queue()", () => {
  it("delivers a batch's events and acknowledges every message", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Batched" });
    const batch = createMessageBatch(
      "qwoty-webhooks",
      queue.take().map((m, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: m.body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch as never, queue.env);
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(true);
    expect(result.retryBatch.retry).toBe(false);
    expect(await receiver.received()).toHaveLength(1);
  });

  it("asks for the batch again when the database cannot be reached", async () => {
    const batch = createMessageBatch("qwoty-webhooks", [
      { id: "m0", timestamp: new Date(), attempts: 1, body: { events: [crypto.randomUUID()] } },
    ]);
    const ctx = createExecutionContext();
    const unreachable = { ...env, DATABASE_URL: "postgres://u:p@127.0.0.1:9/db", WEBHOOK_QUEUE: undefined };
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    let lines: unknown[][] = [];
    try {
      await worker.queue(batch as never, unreachable as never);
    } finally {
      lines = [...spy.mock.calls];
      spy.mockRestore();
    }
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(false);
    expect(result.retryBatch.retry).toBe(true);
    // One line for the operator, with no secret in it.
    expect(lines.map((call) => JSON.parse(String(call[0])).message)).toEqual(["webhook delivery batch failed"]);
  });

  it("through the local queue of wrangler.toml: a change made through the API reaches the receiver", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["contact.updated"] });
    await receiver.configure({ secrets: [endpoint.secret] });
    const response = await api(`/api/contacts/${ws.contactId}`, {
      method: "PATCH",
      token: ws.token,
      body: { first_name: "Queued" },
    });
    expect(response.status).toBe(200);
    // The worker's own consumer delivers it, shortly: wait for it (no timing is asserted).
    let received = await receiver.received();
    for (let i = 0; i < 100 && received.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      received = await receiver.received();
    }
    expect(received.map((r) => r.payload)).toEqual([{ event_type: "contact.updated", id: ws.contactId }]);
    expect(received[0]?.verified).toEqual([true]);
  });
});
