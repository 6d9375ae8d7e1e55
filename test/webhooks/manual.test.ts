// What a person asks for: a test event (ping), a redelivery, a new signing
// secret (the previous one keeps signing for 24 hours, beside the new one), and
// the delivery log.
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webhookEndpoints } from "../../src/db/schema";
import { api, db, seedWorkspace } from "../support/harness";
import {
  capturingQueue,
  consume,
  createEndpoint,
  deliveryRows,
  receiverFor,
  send,
  updateContact,
} from "../support/webhooks";

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
const json = async (response: Response) => (await response.json()) as { success: boolean; data: any; error?: string };

describe("POST /api/webhooks/{id}/test", () => {
  it('sends {"event_type": "ping", "id": <endpoint id>}, signed, once, and logs it', async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["customer.created"] });
    await receiver.configure({ secrets: [endpoint.secret] });
    const queue = capturingQueue();
    const response = await send(queue, `/api/webhooks/${endpoint.id}/test`, { method: "POST", token: ws.token });
    expect(response.status).toBe(200);
    const { data } = await json(response);
    expect(data).toMatchObject({ endpoint_id: endpoint.id, event_type: "ping", object_id: endpoint.id });
    expect(data).toMatchObject({ state: "pending", attempts: 0 });
    expect(queue.messages.map((m) => m.body)).toEqual([{ deliveries: [[data.event_id, endpoint.id]] }]);

    await consume(queue);
    const [ping] = await receiver.received();
    expect(ping?.verified).toEqual([true]);
    expect(ping?.payload).toEqual({ event_type: "ping", id: endpoint.id });
    expect(ping?.headers["webhook-id"]).toBe(data.event_id);
    const log = await json(await api(`/api/webhooks/${endpoint.id}/deliveries`, { token: ws.token }));
    expect(log.data).toEqual([expect.objectContaining({ event_id: data.event_id, state: "delivered", attempts: 1 })]);
  });

  it("is sent even to a disabled endpoint, and is not retried", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor({ fail: 1 });
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"], enabled: false });
    const queue = capturingQueue();
    await send(queue, `/api/webhooks/${endpoint.id}/test`, { method: "POST", token: ws.token });
    const [outcome] = await consume(queue);
    expect(outcome).toMatchObject({ ok: false, status: 500, delay: undefined });
    expect(queue.messages).toEqual([]);
    const [row] = await deliveryRows(endpoint.id);
    expect(row).toMatchObject({ eventType: "ping", state: "failed", attempts: 1 });
    // A ping's failure does not disable the endpoint's future (nor count as its deliveries failing).
    const [state] = await db().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(state?.disabledReason).toBeNull();
  });

  it("answers 404 for another workspace's endpoint, and sends nothing", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const queue = capturingQueue();
    const response = await send(queue, `/api/webhooks/${other.webhookId}/test`, { method: "POST", token: ws.token });
    expect(response.status).toBe(404);
    expect(queue.messages).toEqual([]);
  });
});

describe("POST /api/webhooks/{id}/deliveries/{eventId}/redeliver", () => {
  it("sends the event again, with the same webhook-id, as one more attempt", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    await receiver.configure({ secrets: [endpoint.secret] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Again" });
    const [first] = await consume(queue);
    const eventId = first?.due.event_id;

    const response = await send(queue, `/api/webhooks/${endpoint.id}/deliveries/${eventId}/redeliver`, {
      method: "POST",
      token: ws.token,
    });
    expect(response.status).toBe(200);
    expect((await json(response)).data).toMatchObject({ event_id: eventId, state: "pending", attempts: 1 });
    await consume(queue);

    const received = await receiver.received();
    expect(received.map((r) => r.headers["webhook-id"])).toEqual([eventId, eventId]);
    expect(received.map((r) => r.verified)).toEqual([[true], [true]]);
    const [row] = await deliveryRows(endpoint.id);
    expect(row).toMatchObject({ state: "delivered", attempts: 2 });
  });

  it("answers 404 for an event never dispatched to the endpoint, 409 when the endpoint is disabled", async () => {
    const ws = await seedWorkspace();
    const endpoint = await createEndpoint(ws, { url: "https://hooks.example/", event_types: ["*"] });
    const queue = capturingQueue();
    const unknown = await send(queue, `/api/webhooks/${endpoint.id}/deliveries/${crypto.randomUUID()}/redeliver`, {
      method: "POST",
      token: ws.token,
    });
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error).toBe("Delivery not found");
    // The fixture's endpoint is disabled, with a delivery in its log.
    const disabled = await send(queue, `/api/webhooks/${ws.webhookId}/deliveries/${ws.webhookEventId}/redeliver`, {
      method: "POST",
      token: ws.token,
    });
    expect(disabled.status).toBe(409);
    expect((await json(disabled)).error).toBe("Webhook endpoint is disabled");
    expect(queue.messages).toEqual([]);
  });
});

describe("POST /api/webhooks/{id}/rotate-secret", () => {
  it("shows a new secret once; for 24 hours deliveries carry both signatures, each valid", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const response = await api(`/api/webhooks/${endpoint.id}/rotate-secret`, { method: "POST", token: ws.token });
    expect(response.status).toBe(200);
    const { data } = await json(response);
    expect(data.secret).toMatch(/^whsec_/);
    expect(data.secret).not.toBe(endpoint.secret);
    const hours = (Date.parse(data.previous_secret_expires_at) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const got = await json(await api(`/api/webhooks/${endpoint.id}`, { token: ws.token }));
    expect(JSON.stringify(got)).not.toContain(data.secret);

    await receiver.configure({ secrets: [endpoint.secret, data.secret, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Rotated" });
    await consume(queue);
    const [during] = await receiver.received();
    expect(during?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    // The old secret and the new one each verify it; an unrelated one does not.
    expect(during?.verified).toEqual([true, true, false]);

    // Once the 24 hours are over, only the new secret signs.
    await db()
      .update(webhookEndpoints)
      .set({ previousSecretExpiresAt: sql`now() - interval '1 second'` })
      .where(eq(webhookEndpoints.id, endpoint.id));
    await receiver.configure({ secrets: [endpoint.secret, data.secret] });
    await updateContact(queue, ws, { first_name: "Expired" });
    await consume(queue);
    const [after] = await receiver.received();
    expect(after?.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect(after?.verified).toEqual([false, true]);
  });
});

describe("GET /api/webhooks/{id}/deliveries", () => {
  it("lists the endpoint's deliveries newest first, at most `limit`", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    for (const name of ["One", "Two", "Three"]) {
      await updateContact(queue, ws, { first_name: name });
      await consume(queue);
    }
    const all = await json(await api(`/api/webhooks/${endpoint.id}/deliveries`, { token: ws.token }));
    expect(all.data).toHaveLength(3);
    const times = all.data.map((d: { created_at: string }) => Date.parse(d.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const two = await json(await api(`/api/webhooks/${endpoint.id}/deliveries?limit=2`, { token: ws.token }));
    expect(two.data).toEqual(all.data.slice(0, 2));
    for (const limit of ["0", "101", "x", "-1"]) {
      const refused = await api(`/api/webhooks/${endpoint.id}/deliveries?limit=${limit}`, { token: ws.token });
      expect(refused.status, limit).toBe(400);
      expect((await json(refused)).error).toBe("limit must be an integer from 1 to 100");
    }
  });
});
