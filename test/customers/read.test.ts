// Reading customers: GET /api/customers (everything, oldest first, or a page with
// limit and cursor) and GET /api/customers/{id}, Qwoty's customer object.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import type { ContactObject } from "../../src/contacts/object";
import type { CustomerObject } from "../../src/customers/object";
import { type Envelope, expectError, isoUtc, type Page } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import {
  createCustomer,
  customerKeys,
  fullCustomer,
  getCustomer,
  insertAddress,
  insertContact,
  insertCustomers,
  listCustomers,
} from "../support/resources";

describe("GET /api/customers", () => {
  it("lists the workspace's customers oldest first in the success envelope", async () => {
    const ws = await seedWorkspace();
    const [march, january, february] = await insertCustomers(ws, [
      new Date("2024-03-01T00:00:00Z"),
      new Date("2024-01-01T00:00:00Z"),
      new Date("2024-02-01T00:00:00.123Z"),
    ]);
    const response = await api("/api/customers", { token: ws.token });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = await json<Envelope<CustomerObject[]>>(response);
    expect(Object.keys(body)).toEqual(["success", "data"]);
    expect(body.success).toBe(true);
    expect(body.data.map((c) => c.id)).toEqual([january, february, march, ws.customerId]);
    expect(body.data.map((c) => c.created_at).slice(0, 3)).toEqual([
      "2024-01-01T00:00:00Z",
      "2024-02-01T00:00:00.123Z",
      "2024-03-01T00:00:00Z",
    ]);
    for (const customer of body.data) expect(Object.keys(customer)).toEqual(customerKeys);
  });

  it("lists each customer exactly as GET /api/customers/{id} returns it", async () => {
    const ws = await seedWorkspace();
    const created = await createCustomer(ws, fullCustomer);
    const listed = await listCustomers(ws);
    expect(listed).toEqual([await getCustomer(ws, ws.customerId), created]);
  });

  it("never lists another workspace's customers", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const theirCustomer = await createCustomer(theirs, { name: "Theirs" });
    const mineListed = await listCustomers(mine);
    expect(mineListed.map((c) => c.id)).toEqual([mine.customerId]);
    expect(mineListed.every((c) => c.workspace_id === mine.workspaceId)).toBe(true);
    expect((await listCustomers(theirs)).map((c) => c.id)).toEqual([theirs.customerId, theirCustomer.id]);
  });

  it("lists every customer, oldest first, even beyond a thousand", async () => {
    const ws = await seedWorkspace();
    const start = Date.parse("2023-01-01T00:00:00Z");
    const ids = await insertCustomers(
      ws,
      Array.from({ length: 1005 }, (_, i) => new Date(start + i * 1000)),
    );
    const response = await api("/api/customers", { token: ws.token });
    expect(response.status).toBe(200);
    const body = await json<Envelope<CustomerObject[]>>(response);
    expect(body.success).toBe(true);
    expect(body.data.map((c) => c.id)).toEqual([...ids, ws.customerId]);
  });
});

describe("GET /api/customers with limit and cursor", () => {
  it("answers at most `limit` customers with has_more and next_cursor", async () => {
    const ws = await seedWorkspace();
    await insertCustomers(ws, [new Date("2024-01-01T00:00:00Z"), new Date("2024-01-02T00:00:00Z")]);
    const response = await api("/api/customers?limit=2", { token: ws.token });
    expect(response.status).toBe(200);
    const page = await json<Page<CustomerObject>>(response);
    expect(Object.keys(page)).toEqual(["success", "data", "has_more", "next_cursor"]);
    expect(page.success).toBe(true);
    expect(page.data).toHaveLength(2);
    expect(page.has_more).toBe(true);
    expect(page.next_cursor).toEqual(expect.any(String));

    const all = await api("/api/customers?limit=3", { token: ws.token });
    expect(await json(all)).toMatchObject({ has_more: false, next_cursor: null });
  });

  it("walks every customer with next_cursor, without duplicates or gaps, even when created at the same instant", async () => {
    const ws = await seedWorkspace();
    const sameInstant = new Date("2024-05-05T05:05:05.555Z");
    await insertCustomers(ws, [
      ...Array.from({ length: 6 }, () => sameInstant),
      new Date("2024-01-01T00:00:00Z"),
      new Date("2024-09-09T00:00:00Z"),
    ]);
    const everything = (await listCustomers(ws)).map((c) => c.id);
    expect(everything).toHaveLength(9);

    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "?limit=2" : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
      const response = await api(`/api/customers${query}`, { token: ws.token });
      expect(response.status).toBe(200);
      const page = await json<Page<CustomerObject>>(response);
      expect(page.data.length).toBeLessThanOrEqual(2);
      expect(page.has_more).toBe(page.next_cursor !== null);
      walked.push(...page.data.map((c) => c.id));
      cursor = page.next_cursor;
      pages += 1;
      expect(pages).toBeLessThan(10);
    } while (cursor !== null);

    expect(pages).toBe(5);
    expect(walked).toEqual(everything);
    expect(new Set(walked).size).toBe(walked.length);
  });

  it("continues after a cursor with no limit to the end of the list", async () => {
    const ws = await seedWorkspace();
    await insertCustomers(ws, [new Date("2024-01-01T00:00:00Z"), new Date("2024-01-02T00:00:00Z")]);
    const everything = (await listCustomers(ws)).map((c) => c.id);
    const first = await json<Page<CustomerObject>>(await api("/api/customers?limit=1", { token: ws.token }));
    const rest = await api(`/api/customers?cursor=${first.next_cursor}`, { token: ws.token });
    expect(rest.status).toBe(200);
    const page = await json<Page<CustomerObject>>(rest);
    expect(page.data.map((c) => c.id)).toEqual(everything.slice(1));
    expect(page).toMatchObject({ has_more: false, next_cursor: null });
  });

  it("refuses a limit outside 1 to 1000, or not an integer, and a cursor it did not issue", async () => {
    const ws = await seedWorkspace();
    for (const limit of ["0", "1001", "abc", "-1", "1.5", ""]) {
      await expectError(
        await api(`/api/customers?limit=${limit}`, { token: ws.token }),
        400,
        "limit must be an integer from 1 to 1000",
      );
    }
    for (const cursor of ["garbage", "", "AAAA", btoa("2024-01-01T00:00:00Z|not-a-uuid")]) {
      await expectError(
        await api(`/api/customers?cursor=${encodeURIComponent(cursor)}`, { token: ws.token }),
        400,
        /^cursor is invalid/,
      );
    }
    expect((await api("/api/customers?limit=1000", { token: ws.token })).status).toBe(200);
    expect((await api("/api/customers?limit=1", { token: ws.token })).status).toBe(200);
  });
});

describe("GET /api/customers/{id}", () => {
  it("returns the 14 fields in the documented order", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/customers/${ws.customerId}`, { token: ws.token });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = await json<Envelope<CustomerObject>>(response);
    expect(Object.keys(body)).toEqual(["success", "data"]);
    expect(body.success).toBe(true);
    expect(Object.keys(body.data)).toEqual(customerKeys);
    expect(body.data).toEqual({
      id: ws.customerId,
      workspace_id: ws.workspaceId,
      name: "Test Customer",
      type: "company",
      segment_id: null,
      logo: null,
      tax_ids: [],
      id_crm: null,
      id_erp: null,
      id_accounting: null,
      contact_ids: [ws.contactId],
      address_ids: [ws.addressId],
      created_at: expect.stringMatching(isoUtc),
      updated_at: expect.stringMatching(isoUtc),
    });
  });

  it("derives contact_ids and address_ids from the customer's own contacts and addresses, oldest first", async () => {
    const ws = await seedWorkspace();
    const older = new Date("2020-01-01T00:00:00Z");
    const oldest = new Date("2019-01-01T00:00:00Z");
    const olderContact = await insertContact(ws, ws.customerId, older);
    const oldestContact = await insertContact(ws, ws.customerId, oldest);
    const olderAddress = await insertAddress(ws, ws.customerId, older);
    const oldestAddress = await insertAddress(ws, ws.customerId, oldest);
    // Another customer's children in the same workspace are not this customer's.
    const other = await createCustomer(ws, { name: "Other" });
    const otherContact = await insertContact(ws, other.id);
    const otherAddress = await insertAddress(ws, other.id);

    const customer = await getCustomer(ws, ws.customerId);
    expect(customer.contact_ids).toEqual([oldestContact, olderContact, ws.contactId]);
    expect(customer.address_ids).toEqual([oldestAddress, olderAddress, ws.addressId]);
    const otherCustomer = await getCustomer(ws, other.id);
    expect(otherCustomer.contact_ids).toEqual([otherContact]);
    expect(otherCustomer.address_ids).toEqual([otherAddress]);
  });

  it("shows contacts and addresses created through the API in contact_ids and address_ids", async () => {
    const ws = await seedWorkspace();
    const customer = await createCustomer(ws);
    const contact = await api("/api/contacts", {
      method: "POST",
      token: ws.token,
      body: { customer_id: customer.id, first_name: "Alan", last_name: "Turing", email: "alan@example.com" },
    });
    expect(contact.status).toBe(201);
    const contactId = (await json<Envelope<ContactObject>>(contact)).data.id;
    const address = await api("/api/addresses", {
      method: "POST",
      token: ws.token,
      body: {
        customer_id: customer.id,
        type: "billing",
        address_line1: "3 Bletchley Park",
        city: "Milton Keynes",
        postal_code: "MK3 6EB",
        country: "GB",
      },
    });
    expect(address.status).toBe(201);
    const addressId = (await json<Envelope<AddressObject>>(address)).data.id;
    expect(await getCustomer(ws, customer.id)).toMatchObject({ contact_ids: [contactId], address_ids: [addressId] });
  });

  it("answers 404 in the envelope for an id that does not exist", async () => {
    const ws = await seedWorkspace();
    await expectError(
      await api(`/api/customers/${crypto.randomUUID()}`, { token: ws.token }),
      404,
      "Customer not found",
    );
  });

  it("answers another workspace's customer exactly like one that does not exist", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const foreign = await api(`/api/customers/${theirs.customerId}`, { token: mine.token });
    const missing = await api(`/api/customers/${crypto.randomUUID()}`, { token: mine.token });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    const foreignText = await foreign.text();
    expect(foreignText).toBe(await missing.text());
    expect(JSON.parse(foreignText)).toEqual({ success: false, error: "Customer not found" });
  });

  it("answers 400 for an id that is not a UUID", async () => {
    const ws = await seedWorkspace();
    for (const id of ["123", "not-a-uuid", `${ws.customerId}0`, ws.customerId.slice(0, -1)]) {
      await expectError(
        await api(`/api/customers/${id}`, { token: ws.token }),
        400,
        "Invalid customer id: expected a UUID",
      );
    }
  });

  it("accepts an upper-case id and answers with the canonical one", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/customers/${ws.customerId.toUpperCase()}`, { token: ws.token });
    expect(response.status).toBe(200);
    expect((await json<Envelope<CustomerObject>>(response)).data.id).toBe(ws.customerId);
  });
});
