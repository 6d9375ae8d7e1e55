// GET /api/events and GET /api/events/{id}: the feed a client keeps a copy in
// sync with: in order, paged by cursor, filtered by type, scoped to what the
// token may read, and enough to rebuild the workspace.
import { describe, expect, it } from "vitest";
import { encodeFeedCursor } from "../../src/events/cursor";
import type { EventObject } from "../../src/events/object";
import { batchOk, listAll } from "../support/batch";
import { type Envelope, expectError, json } from "../support/envelope";
import { described, feedPage, readFeed } from "../support/events";
import { api, seedWorkspace } from "../support/harness";
import { addressBody, contactBody, createContact } from "../support/resources";

const day = 86_400_000;

describe("GET /api/events", () => {
  it("starts with the events of the workspace's creation, oldest first, each in the event object's shape", async () => {
    const ws = await seedWorkspace();
    const { events, cursor } = await readFeed(ws.token);
    expect(described(events)).toEqual(
      expect.arrayContaining([
        `customer.created ${ws.customerId}`,
        `contact.created ${ws.contactId}`,
        `address.created ${ws.addressId}`,
      ]),
    );
    for (const event of events) {
      expect(Object.keys(event)).toEqual(["id", "type", "object_id", "workspace_id", "occurred_at", "data"]);
      expect(event.workspace_id).toBe(ws.workspaceId);
    }
    expect(cursor).toEqual(expect.any(String));
  });

  it("pages with limit and after, skipping nothing and repeating nothing", async () => {
    const ws = await seedWorkspace();
    await batchOk(
      ws,
      "contacts",
      Array.from({ length: 7 }, (_, i) => ({ op: "create", data: contactBody(ws, { first_name: `Paged ${i}` }) })),
    );
    const all = (await readFeed(ws.token)).events;
    const paged = await readFeed(ws.token, { limit: 2 });
    expect(paged.events.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);

    const first = await feedPage(ws.token, "limit=3");
    expect(first.data).toHaveLength(3);
    expect(first.has_more).toBe(true);
    const rest = await feedPage(ws.token, `after=${first.next_cursor}&limit=1000`);
    expect(rest.has_more).toBe(false);
    expect([...first.data, ...rest.data].map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it("answers a cursor to poll with even when nothing new has happened, and the new events after it later", async () => {
    const ws = await seedWorkspace();
    const { cursor } = await readFeed(ws.token);
    const quiet = await feedPage(ws.token, `after=${cursor}`);
    expect(quiet).toEqual({ success: true, data: [], has_more: false, next_cursor: expect.any(String) });
    const contact = await createContact(ws);
    const later = await feedPage(ws.token, `after=${quiet.next_cursor}`);
    expect(described(later.data)).toEqual([`contact.created ${contact.id}`, `customer.updated ${ws.customerId}`]);
  });

  it("filters by type: a group, one type, or several", async () => {
    const ws = await seedWorkspace();
    await api(`/api/contacts/${ws.contactId}`, { method: "PATCH", token: ws.token, body: { first_name: "Filtered" } });
    const types = async (type: string) => new Set((await readFeed(ws.token, { type })).events.map((e) => e.type));
    expect(await types("contact.*")).toEqual(new Set(["contact.created", "contact.updated"]));
    expect(await types("contact.updated")).toEqual(new Set(["contact.updated"]));
    expect(await types("address.*,customer.created")).toEqual(new Set(["address.created", "customer.created"]));
    expect(await types("*")).toEqual(
      new Set(["customer.created", "contact.created", "address.created", "customer.updated", "contact.updated"]),
    );
  });

  it("refuses a type it does not know, a malformed cursor and a limit out of range, with 400", async () => {
    const ws = await seedWorkspace();
    for (const query of ["type=contact", "type=contact.archived", "type=quote.*", "type=contact.*.x", "type="]) {
      await expectError(
        await api(`/api/events?${query}`, { token: ws.token }),
        400,
        /^type must be a comma-separated list of event types/,
      );
    }
    await expectError(await api("/api/events?after=nonsense", { token: ws.token }), 400, /^after is invalid/);
    await expectError(
      await api("/api/events?limit=0", { token: ws.token }),
      400,
      /^limit must be an integer from 1 to 1000/,
    );
    await expectError(await api("/api/events?since=1", { token: ws.token }), 400, /since/);
  });

  it("answers 410 to a cursor older than the 30 days events are kept, telling the client to resync", async () => {
    const ws = await seedWorkspace();
    const old = encodeFeedCursor({ xid: 1, seq: 1, at: Date.now() - 31 * day });
    await expectError(
      await api(`/api/events?after=${old}`, { token: ws.token }),
      410,
      /older than the 30 days events are kept.*resync/,
    );
    const recent = encodeFeedCursor({ xid: 1, seq: 1, at: Date.now() - 29 * day });
    expect((await api(`/api/events?after=${recent}`, { token: ws.token })).status).toBe(200);
  });

  it("shows a token the events of the resources it may read, and refuses the others with 403", async () => {
    const ws = await seedWorkspace();
    const contactsOnly = await ws.newToken({ permissions: ["contacts:read"] });
    const addressWriter = await ws.newToken({ permissions: ["addresses:write"] });
    const tokensOnly = await ws.newToken({ permissions: ["tokens:admin"] });
    const groups = async (token: string) => new Set((await readFeed(token)).events.map((e) => e.type.split(".")[0]));
    expect(await groups(contactsOnly)).toEqual(new Set(["contact"]));
    expect(await groups(addressWriter)).toEqual(new Set(["address"]));
    expect(await groups(ws.readOnlyToken)).toEqual(new Set(["contact", "customer", "address"]));
    await expectError(
      await api("/api/events?type=customer.*", { token: contactsOnly }),
      403,
      "This API token lacks the customers:read permission",
    );
    await expectError(await api("/api/events", { token: tokensOnly }), 403, /can read no events/);
  });

  it("rebuilds the workspace's current records and deletions when replayed from its start", async () => {
    const ws = await seedWorkspace();
    const extra = await createContact(ws, { first_name: "Kept" });
    const gone = await createContact(ws, { first_name: "Gone" });
    await api("/api/addresses", { method: "POST", token: ws.token, body: addressBody(ws, { contact_id: extra.id }) });
    await api(`/api/contacts/${gone.id}`, { method: "DELETE", token: ws.token });
    await api(`/api/addresses/${ws.addressId}`, { method: "PATCH", token: ws.token, body: { contact_id: extra.id } });
    await batchOk(ws, "customers", [{ op: "create", data: { name: "Second", type: "individual" } }]);

    const copy = {
      contact: new Map<string, unknown>(),
      customer: new Map<string, unknown>(),
      address: new Map<string, unknown>(),
    };
    for (const event of (await readFeed(ws.token, { limit: 3 })).events as EventObject[]) {
      const records = copy[event.type.split(".")[0] as keyof typeof copy];
      if (event.type.endsWith(".deleted")) records.delete(event.object_id);
      else records.set(event.object_id, event.data);
    }
    const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((r) => [r.id, r]));
    expect(copy.contact).toEqual(byId(await listAll(ws, "contacts")));
    expect(copy.customer).toEqual(byId(await listAll(ws, "customers")));
    expect(copy.address).toEqual(byId(await listAll(ws, "addresses")));
    expect(copy.contact.has(gone.id)).toBe(false);
  });
});

describe("GET /api/events/{id}", () => {
  it("answers one event of the feed, as the feed shows it", async () => {
    const ws = await seedWorkspace();
    const [event] = (await readFeed(ws.token, { type: "contact.created" })).events;
    const response = await api(`/api/events/${event?.id}`, { token: ws.readOnlyToken });
    expect(response.status).toBe(200);
    expect((await json<Envelope<EventObject>>(response)).data).toEqual(event);
  });

  it("answers 404 for another workspace's event, an unknown id, and 400 for a malformed one", async () => {
    const ws = await seedWorkspace();
    const other = await seedWorkspace();
    const [foreign] = (await readFeed(other.token)).events;
    await expectError(await api(`/api/events/${foreign?.id}`, { token: ws.token }), 404, "Event not found");
    await expectError(await api(`/api/events/${crypto.randomUUID()}`, { token: ws.token }), 404, "Event not found");
    await expectError(await api("/api/events/nope", { token: ws.token }), 400, "Invalid event id: expected a UUID");
  });

  it("refuses with 403 an event of a resource the token may not read", async () => {
    const ws = await seedWorkspace();
    const contactsOnly = await ws.newToken({ permissions: ["contacts:read"] });
    const [addressEvent] = (await readFeed(ws.token, { type: "address.*" })).events;
    await expectError(
      await api(`/api/events/${addressEvent?.id}`, { token: contactsOnly }),
      403,
      "This API token lacks the addresses:read permission",
    );
    const revoked = await ws.newToken({ revokedAt: new Date() });
    expect((await api(`/api/events/${addressEvent?.id}`, { token: revoked })).status).toBe(401);
  });
});
