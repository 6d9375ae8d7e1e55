// Deliveries: a write's events reach the endpoints that should get them, signed
// per Standard Webhooks (verified by the `standardwebhooks` package in the Node
// receiver), and no other. The write's enqueued messages are kept by a
// capturing queue and handed to the consumer's delivery function by the test.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events } from "../../src/db/schema";
import { api, db, seedWorkspace } from "../support/harness";
import {
  capturingQueue,
  consume,
  createEndpoint,
  receiverFor,
  send,
  updateContact,
  webhookDeliveries,
} from "../support/webhooks";

describe("a change's delivery", () => {
  it("POSTs {event_type, id} to the endpoint, signed, with the event's id as webhook-id", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["contact.*"] });
    await receiver.configure({ secrets: [endpoint.secret] });
    const queue = capturingQueue();

    await updateContact(queue, ws, { first_name: "Grace" });
    // The write enqueued the id of the one event its transaction recorded, once answered.
    const [message, ...others] = queue.messages.map((m) => m.body);
    expect(others).toEqual([]);
    expect(message?.events).toHaveLength(1);
    const [event] = await db()
      .select()
      .from(events)
      .where(eq(events.id, message?.events?.[0] ?? ""));
    expect(event).toMatchObject({ workspaceId: ws.workspaceId, type: "contact.updated", objectId: ws.contactId });

    const outcomes = await consume(queue);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const [delivery, ...more] = await receiver.received();
    expect(more).toEqual([]);
    expect(delivery?.verified).toEqual([true]);
    expect(delivery?.payload).toEqual({ event_type: "contact.updated", id: ws.contactId });
    expect(JSON.parse(delivery?.body ?? "")).toEqual({ event_type: "contact.updated", id: ws.contactId });
    expect(delivery?.headers["webhook-id"]).toBe(event?.id);
    expect(delivery?.headers["content-type"]).toBe("application/json");
    expect(delivery?.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

    // The delivery log.
    const log = await api(`/api/webhooks/${endpoint.id}/deliveries`, { token: ws.token });
    const { data } = (await log.json()) as { data: Record<string, unknown>[] };
    expect(data).toEqual([
      expect.objectContaining({
        event_id: event?.id,
        endpoint_id: endpoint.id,
        event_type: "contact.updated",
        object_id: ws.contactId,
        state: "delivered",
        attempts: 1,
        status_code: 200,
        error: null,
        next_attempt_at: null,
      }),
    ]);
    expect(data[0]?.duration_ms).toEqual(expect.any(Number));
  });

  it("sends each event to every endpoint whose patterns match it, and only those", async () => {
    const ws = await seedWorkspace();
    const [all, contacts, deletions, customers] = await Promise.all([
      receiverFor(),
      receiverFor(),
      receiverFor(),
      receiverFor(),
    ]);
    await createEndpoint(ws, { url: all.url, event_types: ["*"] });
    await createEndpoint(ws, { url: contacts.url, event_types: ["contact.updated"] });
    await createEndpoint(ws, { url: deletions.url, event_types: ["*.deleted"] });
    await createEndpoint(ws, { url: customers.url, event_types: ["customer.*"] });
    const queue = capturingQueue();

    await updateContact(queue, ws, { last_name: "Hopper" });
    const removed = await send(queue, `/api/addresses/${ws.addressId}`, { method: "DELETE", token: ws.token });
    expect(removed.status).toBe(200);
    await consume(queue);

    const types = async (receiver: Awaited<ReturnType<typeof receiverFor>>) =>
      (await receiver.received()).map((r) => JSON.parse(r.body).event_type).sort();
    // Deleting the contact's address is an address.deleted, and a contact.updated (its address_ids)
    // and a customer.updated (its address_ids) too.
    expect(await types(all)).toEqual(["address.deleted", "contact.updated", "contact.updated", "customer.updated"]);
    expect(await types(contacts)).toEqual(["contact.updated", "contact.updated"]);
    expect(await types(deletions)).toEqual(["address.deleted"]);
    expect(await types(customers)).toEqual(["customer.updated"]);
  });

  it("sends nothing to a disabled endpoint, and the write enqueues nothing when no endpoint is enabled", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"], enabled: false });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Nobody" });
    expect(queue.messages).toEqual([]);

    // Disabled after the write: the events were enqueued, and still go nowhere.
    await api(`/api/webhooks/${endpoint.id}`, { method: "PATCH", token: ws.token, body: { enabled: true } });
    await updateContact(queue, ws, { first_name: "Somebody" });
    expect(queue.messages).toHaveLength(1);
    await api(`/api/webhooks/${endpoint.id}`, { method: "PATCH", token: ws.token, body: { enabled: false } });
    expect(await consume(queue)).toEqual([]);
    expect(await receiver.received()).toEqual([]);
  });

  it("never sends a workspace's events to another workspace's endpoint", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const [mine, theirs] = await Promise.all([receiverFor(), receiverFor()]);
    await createEndpoint(ws, { url: mine.url, event_types: ["*"] });
    await createEndpoint(other, { url: theirs.url, event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Mine" });
    await consume(queue);
    expect(await mine.received()).toHaveLength(1);
    expect(await theirs.received()).toEqual([]);
    const rows = await db()
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.workspaceId, other.workspaceId));
    // Only the fixture's own delivery row.
    expect(rows.map((row) => row.eventId)).toEqual([other.webhookEventId]);
  });

  it("sends only events that occur after the endpoint was created", async () => {
    const ws = await seedWorkspace();
    const queue = capturingQueue();
    const early = await receiverFor();
    await createEndpoint(ws, { url: early.url, event_types: ["*"] });
    await updateContact(queue, ws, { first_name: "Before" });
    const late = await receiverFor();
    await createEndpoint(ws, { url: late.url, event_types: ["*"] });
    await consume(queue);
    expect(await early.received()).toHaveLength(1);
    expect(await late.received()).toEqual([]);
  });

  it("dispatches an event once, however many times its message arrives", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Once" });
    const [message] = queue.messages;
    if (!message) throw new Error("nothing enqueued");
    queue.messages.push(structuredClone(message));
    await consume(queue);
    queue.messages.push(structuredClone(message));
    await consume(queue);
    expect(await receiver.received()).toHaveLength(1);
  });

  it("delivers a cascade delete's events: the customer's, its contacts' and its addresses'", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    await createEndpoint(ws, { url: receiver.url, event_types: ["*.deleted"] });
    const queue = capturingQueue();
    const response = await send(queue, `/api/customers/${ws.customerId}?cascade=true`, {
      method: "DELETE",
      token: ws.token,
    });
    expect(response.status).toBe(200);
    await consume(queue);
    const payloads = (await receiver.received()).map((r) => JSON.parse(r.body));
    expect(payloads).toEqual(
      expect.arrayContaining([
        { event_type: "customer.deleted", id: ws.customerId },
        { event_type: "contact.deleted", id: ws.contactId },
        { event_type: "address.deleted", id: ws.addressId },
      ]),
    );
    expect(payloads).toHaveLength(3);
  });

  it("sends at most 20 deliveries per invocation and passes the rest on through the queue", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["contact.created"] });
    await receiver.configure({ secrets: [endpoint.secret] });
    const queue = capturingQueue();
    const contact = { customer_id: ws.customerId, first_name: "Many", last_name: "Contacts", email: "m@example.com" };
    const operations = Array.from({ length: 25 }, () => ({ op: "create", data: contact }));
    const response = await send(queue, "/api/contacts/batch", {
      method: "POST",
      token: ws.token,
      body: { operations },
    });
    expect(response.status).toBe(200);

    const first = await consume(queue);
    expect(first).toHaveLength(20);
    // The 5 others, as a message naming them, due at once.
    expect(queue.messages.flatMap((m) => m.body.deliveries ?? [])).toHaveLength(5);
    const second = await consume(queue);
    expect(second).toHaveLength(5);
    const received = await receiver.received();
    expect(received).toHaveLength(25);
    expect(new Set(received.map((r) => r.headers["webhook-id"])).size).toBe(25);
    expect(received.every((r) => r.verified[0])).toBe(true);
  });
});
