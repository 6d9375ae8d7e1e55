// Webhook test helpers, inside workerd: endpoints created through the API, the
// Node receiver (node/webhook-receiver.ts) configured and read per test, and a
// queue binding that keeps what the worker enqueues, so that a test hands the
// messages to the consumer itself (no background delivery, no timing).
import { env } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { expect, inject } from "vitest";
import { webhookDeliveriesTable } from "../../src/db/schema";
import { deliver } from "../../src/webhooks/deliver";
import type { WebhookMessage, WebhookQueue } from "../../src/webhooks/message";
import { api, db, type TestWorkspace } from "./harness";
import type { Received, ReceiverConfig } from "./webhook-receiver";
import { fetchWorker } from "./worker";

export type { Received };

const receiver = inject("webhookReceiver");

/** webhook_deliveries, as Drizzle knows it (the worker's build, which the tests share, leaves schema.ts's out). */
export const webhookDeliveries = webhookDeliveriesTable();

/** A key of its own on the receiver, configured: where to deliver, and what arrived there. */
export async function receiverFor(config: ReceiverConfig = {}) {
  const key = crypto.randomUUID();
  await fetch(`${receiver}/config/${key}`, { method: "PUT", body: JSON.stringify(config) });
  return {
    url: `${receiver}/hooks/${key}`,
    async configure(next: ReceiverConfig) {
      // Reconfiguring starts a new log.
      await fetch(`${receiver}/config/${key}`, { method: "PUT", body: JSON.stringify(next) });
    },
    async received(): Promise<Received[]> {
      return (await (await fetch(`${receiver}/log/${key}`)).json()) as Received[];
    },
  };
}

/** A queue binding that keeps every message, with its delay. */
export function capturingQueue(bindings: Record<string, string> = {}) {
  const messages: { body: WebhookMessage; delaySeconds?: number }[] = [];
  const queue: WebhookQueue = {
    async send(body, options) {
      messages.push({ body: structuredClone(body), delaySeconds: options?.delaySeconds });
    },
    async sendBatch(batch) {
      for (const { body, delaySeconds } of batch) messages.push({ body: structuredClone(body), delaySeconds });
    },
  };
  /** The messages kept so far, removed from the queue. */
  const take = () => messages.splice(0, messages.length);
  return { queue, messages, take, env: { ...env, ...bindings, WEBHOOK_QUEUE: queue } as never };
}

/** A request through the worker with `queue` as its webhook queue, once its waitUntil work is done. */
export function send(
  queue: ReturnType<typeof capturingQueue>,
  path: string,
  init: { method?: string; token: string; body?: unknown },
) {
  return fetchWorker(
    new Request(`https://api.test${path}`, {
      method: init.method ?? "GET",
      headers: { Authorization: `Bearer ${init.token}`, "Content-Type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
    queue.env,
  );
}

/** Hands the queue's messages to the consumer (its delivery function), as one batch; the outcomes. */
export async function consume(queue: ReturnType<typeof capturingQueue>) {
  const events = new Set<string>();
  const deliveries: [string, string][] = [];
  for (const { body } of queue.take()) {
    for (const id of body.events ?? []) events.add(id);
    deliveries.push(...(body.deliveries ?? []));
  }
  return deliver(queue.env, [...events], deliveries);
}

export interface CreatedEndpoint {
  id: string;
  secret: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  created_at: string;
}

/** POST /api/webhooks with the workspace's token (it holds webhooks:admin). */
export async function createEndpoint(ws: TestWorkspace, body: Record<string, unknown>): Promise<CreatedEndpoint> {
  const response = await api("/api/webhooks", { method: "POST", token: ws.token, body });
  const text = await response.text();
  expect(response.status, text).toBe(201);
  return (JSON.parse(text) as { data: CreatedEndpoint }).data;
}

/** PATCH a contact of the workspace through the worker, with `queue`: what the write enqueued is kept there. */
export async function updateContact(queue: ReturnType<typeof capturingQueue>, ws: TestWorkspace, data: object) {
  const response = await send(queue, `/api/contacts/${ws.contactId}`, { method: "PATCH", token: ws.token, body: data });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** The workspace's delivery rows of the endpoint, by event. */
export async function deliveryRows(endpointId: string) {
  return db().select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));
}

/** Makes the endpoint's pending deliveries due now, as if their delay had passed. */
export async function makeDue(endpointId: string) {
  await db()
    .update(webhookDeliveries)
    .set({ nextAttemptAt: sql`now()` })
    .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.state, "pending")));
}
