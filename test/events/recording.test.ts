// Change events: every change records exactly its events, in the transaction of
// the change, and nothing else does. Read back through the feed (GET /api/events).
import { describe, expect, it } from "vitest";
import type { ContactObject } from "../../src/contacts/object";
import type { CustomerObject } from "../../src/customers/object";
import { batchOk, getRecord, postBatch, putByExternalId } from "../support/batch";
import { type Envelope, json } from "../support/envelope";
import { described, eventsOf } from "../support/events";
import { api, seedWorkspace } from "../support/harness";
import { addressBody, contactBody, createContact, fullCustomer } from "../support/resources";

const sorted = (lines: string[]) => [...lines].sort();

describe("recording change events", () => {
  it("records contact.created with the contact as GET answers it, and the update of its customer's contact_ids", async () => {
    const ws = await seedWorkspace();
    let created: ContactObject | undefined;
    const events = await eventsOf(ws, async () => {
      created = await createContact(ws);
    });
    const id = created?.id as string;
    expect(described(events)).toEqual([`contact.created ${id}`, `customer.updated ${ws.customerId}`]);
    const [contactEvent, customerEvent] = events;
    expect(contactEvent?.data).toEqual((await getRecord(ws, "contacts", id)).data);
    expect(contactEvent?.workspace_id).toBe(ws.workspaceId);
    expect(contactEvent?.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    expect((customerEvent?.data as CustomerObject | undefined)?.contact_ids).toContain(id);
    expect(customerEvent?.data).toEqual((await getRecord(ws, "customers", ws.customerId)).data);
  });

  it("records customer.created and address.created with the records as GET answers them", async () => {
    const ws = await seedWorkspace();
    let customerId = "";
    let addressId = "";
    const events = await eventsOf(ws, async () => {
      const customer = await api("/api/customers", { method: "POST", token: ws.token, body: fullCustomer });
      customerId = (await json<Envelope<CustomerObject>>(customer)).data.id;
      const address = await api("/api/addresses", { method: "POST", token: ws.token, body: addressBody(ws) });
      addressId = (await json<Envelope<{ id: string }>>(address)).data.id;
    });
    expect(described(events)).toEqual([
      `customer.created ${customerId}`,
      `address.created ${addressId}`,
      `customer.updated ${ws.customerId}`,
    ]);
    expect(events[0]?.data).toEqual((await getRecord(ws, "customers", customerId)).data);
    expect(events[1]?.data).toEqual((await getRecord(ws, "addresses", addressId)).data);
    expect(events[2]?.data).toEqual((await getRecord(ws, "customers", ws.customerId)).data);
  });

  it("records contact.updated with the contact as the PATCH left it", async () => {
    const ws = await seedWorkspace();
    const events = await eventsOf(ws, () =>
      api(`/api/contacts/${ws.contactId}`, { method: "PATCH", token: ws.token, body: { first_name: "Augusta" } }),
    );
    expect(described(events)).toEqual([`contact.updated ${ws.contactId}`]);
    expect(events[0]?.data).toEqual((await getRecord(ws, "contacts", ws.contactId)).data);
    expect((events[0]?.data as ContactObject | undefined)?.first_name).toBe("Augusta");
  });

  it("records nothing for a PATCH that changes nothing, a refused write or an Idempotency-Key replay", async () => {
    const ws = await seedWorkspace();
    const other = await seedWorkspace();
    const current = (await getRecord(ws, "contacts", ws.contactId)).data;
    const key = crypto.randomUUID();
    let createdId = "";
    const patch = (id: string, body: unknown, headers: Record<string, string> = {}) =>
      api(`/api/contacts/${id}`, { method: "PATCH", token: ws.token, body, headers });
    const events = await eventsOf(ws, async () => {
      expect((await patch(ws.contactId, {})).status).toBe(200);
      expect((await patch(ws.contactId, { first_name: current.first_name, role: current.role })).status).toBe(200);
      expect((await patch(ws.contactId, { email: "not an email" })).status).toBe(400);
      expect((await patch(other.contactId, { first_name: "Other" })).status).toBe(404);
      expect((await patch(ws.contactId, { first_name: "Stale" }, { "If-Match": '"stale"' })).status).toBe(412);
      expect(
        (await api("/api/contacts", { method: "POST", token: ws.readOnlyToken, body: contactBody(ws) })).status,
      ).toBe(403);
      for (const expected of [201, 201]) {
        const response = await api("/api/contacts", {
          method: "POST",
          token: ws.token,
          body: contactBody(ws),
          headers: { "Idempotency-Key": key },
        });
        expect(response.status).toBe(expected);
        createdId = (await json<Envelope<ContactObject>>(response)).data.id;
      }
    });
    // Only the first POST with the key wrote something.
    expect(described(events)).toEqual([`contact.created ${createdId}`, `customer.updated ${ws.customerId}`]);
  });

  it("records a contact's deletion without data, the unlinking of its addresses and its customer's update", async () => {
    const ws = await seedWorkspace();
    const events = await eventsOf(ws, () =>
      api(`/api/contacts/${ws.contactId}`, { method: "DELETE", token: ws.token }),
    );
    expect(sorted(described(events))).toEqual(
      sorted([
        `contact.deleted ${ws.contactId}`,
        `address.updated ${ws.addressId}`,
        `customer.updated ${ws.customerId}`,
      ]),
    );
    expect(events.find((e) => e.type === "contact.deleted")?.data).toBeNull();
    expect(events.find((e) => e.type === "address.updated")?.data).toMatchObject({ contact_id: null });
  });

  it("records a moved address link as an update of the address and of both contacts whose address_ids changed", async () => {
    const ws = await seedWorkspace();
    const other = await createContact(ws);
    const events = await eventsOf(ws, () =>
      api(`/api/addresses/${ws.addressId}`, { method: "PATCH", token: ws.token, body: { contact_id: other.id } }),
    );
    expect(sorted(described(events))).toEqual(
      sorted([`address.updated ${ws.addressId}`, `contact.updated ${ws.contactId}`, `contact.updated ${other.id}`]),
    );
    const contactEvents = events.filter((e) => e.type === "contact.updated").map((e) => e.data as ContactObject);
    expect(contactEvents.find((c) => c.id === ws.contactId)?.address_ids).toEqual([]);
    expect(contactEvents.find((c) => c.id === other.id)?.address_ids).toEqual([ws.addressId]);
  });

  it("records a customer's cascade delete as the deletion of each record, with no update of the records it deletes", async () => {
    const ws = await seedWorkspace();
    const events = await eventsOf(ws, async () => {
      const response = await api(`/api/customers/${ws.customerId}?cascade=true`, { method: "DELETE", token: ws.token });
      expect(response.status).toBe(200);
    });
    expect(sorted(described(events))).toEqual(
      sorted([
        `customer.deleted ${ws.customerId}`,
        `contact.deleted ${ws.contactId}`,
        `address.deleted ${ws.addressId}`,
      ]),
    );
    expect(events.every((e) => e.data === null)).toBe(true);
  });

  it("records one event per item of a batch, and none for a batch refused for one bad item", async () => {
    const ws = await seedWorkspace();
    let ids: string[] = [];
    const events = await eventsOf(ws, async () => {
      const results = await batchOk(ws, "contacts", [
        { op: "create", data: contactBody(ws, { first_name: "One" }) },
        { op: "create", data: contactBody(ws, { first_name: "Two" }) },
        { op: "update", id: ws.contactId, data: { last_name: "Batched" } },
      ]);
      ids = results.map((r) => r.id);
      const refused = await postBatch(ws, "contacts", [
        { op: "create", data: contactBody(ws, { first_name: "Three" }) },
        { op: "create", data: contactBody(ws, { email: "bad" }) },
      ]);
      expect(refused.status).toBe(400);
    });
    expect(sorted(described(events))).toEqual(
      sorted([
        `contact.created ${ids[0]}`,
        `contact.created ${ids[1]}`,
        `contact.updated ${ws.contactId}`,
        `customer.updated ${ws.customerId}`,
      ]),
    );
  });

  it("records an upsert as created, then updated, and nothing when it changes nothing", async () => {
    const ws = await seedWorkspace();
    const put = (fields: Record<string, unknown>) =>
      putByExternalId(ws, "contacts", "id_crm", "CRM-EVENTS", contactBody(ws, { id_crm: "CRM-EVENTS", ...fields }));
    let id = "";
    const events = await eventsOf(ws, async () => {
      const created = await put({});
      expect(created.status).toBe(201);
      id = (await json<Envelope<ContactObject>>(created)).data.id;
      expect((await put({})).status).toBe(200);
      expect((await put({ first_name: "Changed" })).status).toBe(200);
    });
    expect(described(events)).toEqual([
      `contact.created ${id}`,
      `customer.updated ${ws.customerId}`,
      `contact.updated ${id}`,
    ]);
  });

  it("never shows another workspace's changes", async () => {
    const ws = await seedWorkspace();
    const other = await seedWorkspace();
    const events = await eventsOf(ws, () => createContact(other));
    expect(events).toEqual([]);
  });
});
