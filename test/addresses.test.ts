// /api/addresses: Qwoty's address object, its references (customer, contact)
// kept within one workspace and one customer, and its link to contacts.
import { describe, expect, it } from "vitest";
import { addresses } from "../src/db/schema";
import { api, db, json, seedWorkspace, stableHeaders, type TestWorkspace } from "./harness";

// The address object's fields, in the documented order.
const addressKeys = [
  "id",
  "workspace_id",
  "customer_id",
  "type",
  "name",
  "address_line1",
  "address_line2",
  "city",
  "state",
  "postal_code",
  "country",
  "contact_id",
  "comment",
  "id_crm",
  "id_erp",
  "id_accounting",
  "created_at",
  "updated_at",
];

const isoUtc = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/;

type Address = Record<string, unknown> & {
  id: string;
  customer_id: string;
  contact_id: string | null;
  created_at: string;
  updated_at: string;
};
type Contact = Record<string, unknown> & { id: string; address_ids: string[] };
type Envelope<T> = { success: boolean; data: T; error?: string };
type Page<T> = Envelope<T[]> & { has_more: boolean; next_cursor: string | null };

/** The smallest valid body for a new address of the workspace's customer. */
const minimalBody = (ws: TestWorkspace, extra: Record<string, unknown> = {}) => ({
  customer_id: ws.customerId,
  type: "shipping",
  address_line1: "2 Rue de Rivoli",
  city: "Paris",
  postal_code: "75001",
  country: "FR",
  ...extra,
});

async function createAddress(token: string, body: unknown) {
  const response = await api("/api/addresses", { method: "POST", token, body });
  return { response, body: await json<Envelope<Address>>(response) };
}

async function patchAddress(token: string, id: string, body: unknown) {
  const response = await api(`/api/addresses/${id}`, { method: "PATCH", token, body });
  return { response, body: await json<Envelope<Address>>(response) };
}

async function getAddress(token: string, id: string) {
  return json<Envelope<Address>>(await api(`/api/addresses/${id}`, { token }));
}

async function listAddresses(token: string, query = "") {
  const response = await api(`/api/addresses${query}`, { token });
  expect(response.status, query).toBe(200);
  return json<Page<Address>>(response);
}

async function listedIds(token: string, query = "") {
  return (await listAddresses(token, query)).data.map((a) => a.id);
}

async function getContact(token: string, id: string) {
  return json<Envelope<Contact>>(await api(`/api/contacts/${id}`, { token }));
}

/** Another customer of the same workspace, through the API. */
async function createCustomer(ws: TestWorkspace, name = "Other Customer") {
  const response = await api("/api/customers", { method: "POST", token: ws.token, body: { name, type: "company" } });
  expect(response.status).toBe(201);
  return (await json<Envelope<{ id: string }>>(response)).data.id;
}

/** Another contact of the workspace, of the given customer, through the API. */
async function createContact(ws: TestWorkspace, customerId: string) {
  const response = await api("/api/contacts", {
    method: "POST",
    token: ws.token,
    body: { customer_id: customerId, first_name: "Grace", last_name: "Hopper", email: "grace@example.com" },
  });
  expect(response.status).toBe(201);
  return (await json<Envelope<{ id: string }>>(response)).data.id;
}

/** An address with a chosen created_at, written directly: lets a test fix the order of a list. */
async function insertAddressAt(ws: TestWorkspace, createdAt: string, id: string = crypto.randomUUID()) {
  await db()
    .insert(addresses)
    .values({
      id,
      workspaceId: ws.workspaceId,
      customerId: ws.customerId,
      type: "shipping",
      addressLine1: `Inserted at ${createdAt}`,
      city: "Berlin",
      postalCode: "10115",
      country: "DE",
      createdAt: new Date(createdAt),
      updatedAt: new Date(createdAt),
    });
  return id;
}

describe("GET /api/addresses/{id}", () => {
  it("returns the full address object, its 18 fields in the documented order, timestamps in UTC with Z", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/addresses/${ws.addressId}`, { token: ws.token });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = await json<Envelope<Address>>(response);
    expect(Object.keys(body)).toEqual(["success", "data"]);
    expect(body.success).toBe(true);
    expect(Object.keys(body.data)).toEqual(addressKeys);
    expect(body.data).toEqual({
      id: ws.addressId,
      workspace_id: ws.workspaceId,
      customer_id: ws.customerId,
      type: "billing",
      name: null,
      address_line1: "1 Main Street",
      address_line2: null,
      city: "London",
      state: null,
      postal_code: "N1 9GU",
      country: "GB",
      contact_id: ws.contactId,
      comment: null,
      id_crm: null,
      id_erp: null,
      id_accounting: null,
      created_at: expect.stringMatching(isoUtc),
      updated_at: expect.stringMatching(isoUtc),
    });
  });

  it("answers 404 for an unknown id, and exactly the same for another workspace's address", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const foreign = await api(`/api/addresses/${other.addressId}`, { token: ws.token });
    const missing = await api(`/api/addresses/${crypto.randomUUID()}`, { token: ws.token });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(stableHeaders(foreign)).toEqual(stableHeaders(missing));
    const foreignText = await foreign.text();
    expect(JSON.parse(foreignText)).toEqual({ success: false, error: "Address not found" });
    expect(await missing.text()).toBe(foreignText);
  });

  it("answers 400 for a malformed id", async () => {
    const ws = await seedWorkspace();
    for (const id of ["123", "not-a-uuid", `${ws.addressId}0`, ws.addressId.slice(0, -1)]) {
      const response = await api(`/api/addresses/${id}`, { token: ws.token });
      expect(response.status, id).toBe(400);
      expect(await json(response)).toEqual({ success: false, error: "Invalid address id: expected a UUID" });
    }
  });

  it("accepts the id in upper case or braces and answers with the canonical id", async () => {
    const ws = await seedWorkspace();
    for (const spelling of [ws.addressId.toUpperCase(), `{${ws.addressId}}`]) {
      const response = await api(`/api/addresses/${encodeURIComponent(spelling)}`, { token: ws.token });
      expect(response.status, spelling).toBe(200);
      expect((await json<Envelope<Address>>(response)).data.id).toBe(ws.addressId);
    }
  });
});

describe("GET /api/addresses", () => {
  it("lists the workspace's addresses oldest first, in the full object form, and never another workspace's", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    // Written newest first, so that the list's order can only come from created_at.
    const february = await insertAddressAt(ws, "2024-02-01T00:00:00.000Z");
    const january = await insertAddressAt(ws, "2024-01-01T00:00:00.000Z");
    const created = await createAddress(ws.token, minimalBody(ws));
    expect(created.response.status).toBe(201);

    const body = await listAddresses(ws.token);
    expect(Object.keys(body)).toEqual(["success", "data"]);
    expect(body.success).toBe(true);
    expect(body.data.map((a) => a.id)).toEqual([january, february, ws.addressId, created.body.data.id]);
    for (const address of body.data) expect(Object.keys(address)).toEqual(addressKeys);
    expect(body.data[3]).toEqual(created.body.data);
    expect(body.data.map((a) => a.workspace_id)).toEqual(Array(4).fill(ws.workspaceId));
    expect(body.data.map((a) => a.id)).not.toContain(other.addressId);
    expect(await listedIds(other.token)).toEqual([other.addressId]);
  });

  it("orders addresses created at the same instant by id", async () => {
    const ws = await seedWorkspace();
    const at = "2024-03-01T12:00:00.000Z";
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    for (const id of ids) await insertAddressAt(ws, at, id);
    expect(await listedIds(ws.token)).toEqual([...ids.sort(), ws.addressId]);
  });

  it("filters by customer_id: only that customer's addresses; none for an unknown or foreign customer", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const customerId = await createCustomer(ws);
    const theirs = await createAddress(ws.token, minimalBody(ws, { customer_id: customerId }));
    expect(theirs.response.status).toBe(201);

    expect(await listedIds(ws.token, `?customer_id=${customerId}`)).toEqual([theirs.body.data.id]);
    expect(await listedIds(ws.token, `?customer_id=${ws.customerId}`)).toEqual([ws.addressId]);
    expect(await listedIds(ws.token, `?customer_id=${ws.customerId.toUpperCase()}`)).toEqual([ws.addressId]);
    expect(await listedIds(ws.token, `?customer_id=${crypto.randomUUID()}`)).toEqual([]);
    expect(await listedIds(ws.token, `?customer_id=${other.customerId}`)).toEqual([]);
  });

  it("answers 400 for a malformed customer_id filter", async () => {
    const ws = await seedWorkspace();
    for (const value of ["nope", "123", ""]) {
      const response = await api(`/api/addresses?customer_id=${value}`, { token: ws.token });
      expect(response.status, value).toBe(400);
      expect(await json(response)).toEqual({ success: false, error: "customer_id must be a UUID" });
    }
  });

  it("pages with ?limit: has_more and next_cursor, and the cursors walk every address once, in order", async () => {
    const ws = await seedWorkspace();
    // Two at the same instant, to page across a tie in created_at.
    const tie = "2024-03-01T00:00:00.000Z";
    await insertAddressAt(ws, "2024-01-01T00:00:00.000Z");
    await insertAddressAt(ws, tie);
    await insertAddressAt(ws, tie);
    await insertAddressAt(ws, "2024-02-01T00:00:00.000Z");
    const all = await listedIds(ws.token);
    expect(all).toHaveLength(5);

    const first = await listAddresses(ws.token, "?limit=1");
    expect(Object.keys(first)).toEqual(["success", "data", "has_more", "next_cursor"]);
    expect(first.data.map((a) => a.id)).toEqual([all[0]]);
    expect(first.has_more).toBe(true);
    expect(first.next_cursor).toEqual(expect.any(String));

    const walked: string[] = [];
    let page = first;
    for (let i = 0; i < 10; i++) {
      expect(page.data).toHaveLength(1);
      walked.push(...page.data.map((a) => a.id));
      if (!page.has_more) break;
      expect(page.next_cursor).toEqual(expect.any(String));
      page = await listAddresses(ws.token, `?limit=1&cursor=${page.next_cursor}`);
    }
    expect(page.has_more).toBe(false);
    expect(page.next_cursor).toBeNull();
    expect(walked).toEqual(all);

    const whole = await listAddresses(ws.token, "?limit=5");
    expect(whole.data.map((a) => a.id)).toEqual(all);
    expect(whole.has_more).toBe(false);
    expect(whole.next_cursor).toBeNull();
  });

  it("answers 400 for a limit out of range or a cursor it did not issue", async () => {
    const ws = await seedWorkspace();
    for (const limit of ["0", "1001", "-1", "abc", "1.5"]) {
      const response = await api(`/api/addresses?limit=${limit}`, { token: ws.token });
      expect(response.status, limit).toBe(400);
      expect(await json(response)).toEqual({ success: false, error: "limit must be an integer from 1 to 1000" });
    }
    const response = await api("/api/addresses?limit=1&cursor=not-a-cursor", { token: ws.token });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({
      success: false,
      error: "cursor is invalid: pass the next_cursor of a previous page",
    });
  });

  it("pages within a customer_id filter", async () => {
    const ws = await seedWorkspace();
    const customerId = await createCustomer(ws);
    const ids: string[] = [];
    for (const line of ["A", "B", "C"]) {
      const created = await createAddress(ws.token, minimalBody(ws, { customer_id: customerId, address_line1: line }));
      ids.push(created.body.data.id);
    }
    const first = await listAddresses(ws.token, `?customer_id=${customerId}&limit=2`);
    expect(first.has_more).toBe(true);
    const second = await listAddresses(ws.token, `?customer_id=${customerId}&limit=2&cursor=${first.next_cursor}`);
    expect(second.has_more).toBe(false);
    expect([...first.data, ...second.data].map((a) => a.id)).toEqual(
      await listedIds(ws.token, `?customer_id=${customerId}`),
    );
    expect(new Set([...first.data, ...second.data].map((a) => a.id))).toEqual(new Set(ids));
  });
});

describe("POST /api/addresses", () => {
  it("creates an address: 201, Location, and the full object exactly as a following GET returns it", async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/addresses", {
      method: "POST",
      token: ws.token,
      body: {
        customer_id: ws.customerId,
        type: "shipping",
        name: "Warehouse",
        address_line1: "2 Rue de Rivoli",
        address_line2: "Bâtiment B",
        city: "Paris",
        state: "Île-de-France",
        postal_code: "75001",
        country: "FR",
        contact_id: ws.contactId,
        comment: "Deliveries before noon",
        id_crm: "crm_1",
        id_erp: "erp_1",
        id_accounting: "acc_1",
      },
    });
    expect(response.status).toBe(201);
    const text = await response.text();
    const body = JSON.parse(text) as Envelope<Address>;
    expect(response.headers.get("Location")).toBe(`/api/addresses/${body.data.id}`);
    expect(Object.keys(body)).toEqual(["success", "data"]);
    expect(Object.keys(body.data)).toEqual(addressKeys);
    expect(body.data).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      workspace_id: ws.workspaceId,
      customer_id: ws.customerId,
      type: "shipping",
      name: "Warehouse",
      address_line1: "2 Rue de Rivoli",
      address_line2: "Bâtiment B",
      city: "Paris",
      state: "Île-de-France",
      postal_code: "75001",
      country: "FR",
      contact_id: ws.contactId,
      comment: "Deliveries before noon",
      id_crm: "crm_1",
      id_erp: "erp_1",
      id_accounting: "acc_1",
      created_at: expect.stringMatching(isoUtc),
      updated_at: expect.stringMatching(isoUtc),
    });
    expect(body.data.updated_at).toBe(body.data.created_at);

    const location = response.headers.get("Location") ?? "";
    const again = await api(location, { token: ws.token });
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(text);
  });

  it("defaults every optional field to null", async () => {
    const ws = await seedWorkspace();
    const { response, body } = await createAddress(ws.token, minimalBody(ws));
    expect(response.status).toBe(201);
    expect(body.data).toMatchObject({
      type: "shipping",
      name: null,
      address_line2: null,
      state: null,
      contact_id: null,
      comment: null,
      id_crm: null,
      id_erp: null,
      id_accounting: null,
    });
    expect(await getAddress(ws.token, body.data.id)).toEqual(body);
  });

  it("accepts an explicit null for the optional fields", async () => {
    const ws = await seedWorkspace();
    const nulls = {
      name: null,
      address_line2: null,
      state: null,
      contact_id: null,
      comment: null,
      id_crm: null,
      id_erp: null,
      id_accounting: null,
    };
    const { response, body } = await createAddress(ws.token, minimalBody(ws, nulls));
    expect(response.status).toBe(201);
    expect(body.data).toMatchObject(nulls);
  });

  it("accepts both types, billing and shipping", async () => {
    const ws = await seedWorkspace();
    for (const type of ["billing", "shipping"]) {
      const { response, body } = await createAddress(ws.token, minimalBody(ws, { type }));
      expect(response.status, type).toBe(201);
      expect(body.data.type).toBe(type);
    }
  });

  it("stores a lower-case country code in upper case", async () => {
    const ws = await seedWorkspace();
    const { response, body } = await createAddress(ws.token, minimalBody(ws, { country: "fr" }));
    expect(response.status).toBe(201);
    expect(body.data.country).toBe("FR");
    expect((await getAddress(ws.token, body.data.id)).data.country).toBe("FR");
  });

  it("refuses a country that is not an ISO 3166-1 alpha-2 code, naming country, and writes nothing", async () => {
    const ws = await seedWorkspace();
    for (const country of ["XX", "FRA", "F", "", "12", 33]) {
      const { response, body } = await createAddress(ws.token, minimalBody(ws, { country }));
      expect(response.status, String(country)).toBe(400);
      expect(body.success).toBe(false);
      expect(body.error, String(country)).toMatch(/^country /);
    }
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
  });

  it("trims text fields", async () => {
    const ws = await seedWorkspace();
    const { body } = await createAddress(
      ws.token,
      minimalBody(ws, { name: "  Head office ", address_line1: " 2 Rue de Rivoli  ", city: "\tParis\n" }),
    );
    expect(body.data).toMatchObject({ name: "Head office", address_line1: "2 Rue de Rivoli", city: "Paris" });
  });

  it("accepts text at its maximum length", async () => {
    const ws = await seedWorkspace();
    const { response, body } = await createAddress(
      ws.token,
      minimalBody(ws, {
        name: "n".repeat(200),
        address_line1: "a".repeat(200),
        city: "c".repeat(100),
        postal_code: "p".repeat(20),
        comment: "x".repeat(5000),
        id_crm: "i".repeat(255),
      }),
    );
    expect(response.status).toBe(201);
    expect((body.data.comment as string).length).toBe(5000);
    expect((body.data.postal_code as string).length).toBe(20);
  });

  it("names each invalid or missing field and the rule it breaks, and writes nothing", async () => {
    const ws = await seedWorkspace();
    const without = (field: string) => {
      const body: Record<string, unknown> = minimalBody(ws);
      delete body[field];
      return body;
    };
    const cases: [Record<string, unknown>, string][] = [
      [without("customer_id"), "customer_id is required"],
      [without("type"), "type is required"],
      [without("address_line1"), "address_line1 is required"],
      [without("city"), "city is required"],
      [without("postal_code"), "postal_code is required"],
      [without("country"), "country is required"],
      [minimalBody(ws, { type: "office" }), "type must be one of: billing, shipping"],
      [minimalBody(ws, { type: "Billing" }), "type must be one of: billing, shipping"],
      [minimalBody(ws, { city: "   " }), "city must not be empty"],
      [minimalBody(ws, { city: 75 }), "city must be a string"],
      [minimalBody(ws, { address_line1: null }), "address_line1 cannot be null"],
      [minimalBody(ws, { postal_code: "1".repeat(21) }), "postal_code must be at most 20 characters"],
      [minimalBody(ws, { comment: "x".repeat(5001) }), "comment must be at most 5000 characters"],
      [minimalBody(ws, { name: "n".repeat(201) }), "name must be at most 200 characters"],
      [minimalBody(ws, { address_line1: "a".repeat(201) }), "address_line1 must be at most 200 characters"],
      [minimalBody(ws, { city: "c".repeat(101) }), "city must be at most 100 characters"],
      [minimalBody(ws, { state: "s".repeat(101) }), "state must be at most 100 characters"],
      [minimalBody(ws, { id_erp: "e".repeat(256) }), "id_erp must be at most 255 characters"],
      [minimalBody(ws, { customer_id: "123" }), "customer_id must be a UUID"],
      [minimalBody(ws, { contact_id: "abc" }), "contact_id must be a UUID"],
      [minimalBody(ws, { zip: "75001" }), "zip is not a known field"],
    ];
    for (const [body, error] of cases) {
      const created = await createAddress(ws.token, body);
      expect(created.response.status, error).toBe(400);
      expect(created.body, error).toEqual({ success: false, error });
    }
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
  });

  it("refuses read-only fields instead of applying them", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const values: Record<string, string> = {
      id: crypto.randomUUID(),
      workspace_id: other.workspaceId,
      created_at: "2020-01-01T00:00:00Z",
      updated_at: "2020-01-01T00:00:00Z",
    };
    for (const [field, value] of Object.entries(values)) {
      const created = await createAddress(ws.token, minimalBody(ws, { [field]: value }));
      expect(created.response.status, field).toBe(400);
      expect(created.body).toEqual({ success: false, error: `${field} is read-only` });
    }
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
    expect(await listedIds(other.token)).toEqual([other.addressId]);
  });

  it("refuses a body that is not a JSON object", async () => {
    const ws = await seedWorkspace();
    for (const body of ["[]", "null", '"address"', "{"]) {
      const response = await api("/api/addresses", { method: "POST", token: ws.token, body });
      expect(response.status, body).toBe(400);
      expect((await json(response)).success).toBe(false);
    }
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
  });

  it("refuses a customer of another workspace exactly like one that does not exist, and writes nothing", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const foreign = await api("/api/addresses", {
      method: "POST",
      token: ws.token,
      body: minimalBody(ws, { customer_id: other.customerId }),
    });
    const missing = await api("/api/addresses", {
      method: "POST",
      token: ws.token,
      body: minimalBody(ws, { customer_id: crypto.randomUUID() }),
    });
    expect(foreign.status).toBe(400);
    expect(missing.status).toBe(400);
    const foreignText = await foreign.text();
    expect(JSON.parse(foreignText)).toEqual({ success: false, error: "customer_id: customer not found" });
    expect(await missing.text()).toBe(foreignText);
    expect(foreign.headers.get("Location")).toBeNull();
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
    expect(await listedIds(other.token)).toEqual([other.addressId]);
  });

  it("refuses another workspace's customer even together with that workspace's contact", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const { response, body } = await createAddress(
      ws.token,
      minimalBody(ws, { customer_id: other.customerId, contact_id: other.contactId }),
    );
    expect(response.status).toBe(400);
    expect(body).toEqual({ success: false, error: "customer_id: customer not found" });
    expect(await listedIds(other.token)).toEqual([other.addressId]);
  });

  it("refuses an unknown contact and another workspace's contact identically, and writes nothing", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const foreign = await api("/api/addresses", {
      method: "POST",
      token: ws.token,
      body: minimalBody(ws, { contact_id: other.contactId }),
    });
    const missing = await api("/api/addresses", {
      method: "POST",
      token: ws.token,
      body: minimalBody(ws, { contact_id: crypto.randomUUID() }),
    });
    expect(foreign.status).toBe(400);
    expect(missing.status).toBe(400);
    const foreignText = await foreign.text();
    expect(JSON.parse(foreignText)).toEqual({ success: false, error: "contact_id: contact not found" });
    expect(await missing.text()).toBe(foreignText);
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
    expect((await getContact(other.token, other.contactId)).data.address_ids).toEqual([other.addressId]);
  });

  it("refuses a contact of another customer of the same workspace, and writes nothing", async () => {
    const ws = await seedWorkspace();
    const otherCustomer = await createCustomer(ws);
    const theirContact = await createContact(ws, otherCustomer);
    // The seed's contact, for an address of the other customer …
    const one = await createAddress(
      ws.token,
      minimalBody(ws, { customer_id: otherCustomer, contact_id: ws.contactId }),
    );
    // … and the other customer's contact, for an address of the seed's customer.
    const two = await createAddress(ws.token, minimalBody(ws, { contact_id: theirContact }));
    for (const { response, body } of [one, two]) {
      expect(response.status).toBe(400);
      expect(body).toEqual({ success: false, error: "contact_id: the contact belongs to another customer" });
    }
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
    expect((await getContact(ws.token, theirContact)).data.address_ids).toEqual([]);
  });

  it("links a contact of the same customer, also for a customer other than the seed's", async () => {
    const ws = await seedWorkspace();
    const otherCustomer = await createCustomer(ws);
    const theirContact = await createContact(ws, otherCustomer);
    const { response, body } = await createAddress(
      ws.token,
      minimalBody(ws, { customer_id: otherCustomer, contact_id: theirContact.toUpperCase() }),
    );
    expect(response.status).toBe(201);
    expect(body.data).toMatchObject({ customer_id: otherCustomer, contact_id: theirContact });
  });
});

describe("addresses linked to contacts", () => {
  it("a new address with contact_id shows in the contact's address_ids, oldest first", async () => {
    const ws = await seedWorkspace();
    const first = await createAddress(ws.token, minimalBody(ws, { contact_id: ws.contactId, address_line1: "First" }));
    const second = await createAddress(
      ws.token,
      minimalBody(ws, { contact_id: ws.contactId, address_line1: "Second" }),
    );
    const unlinked = await createAddress(ws.token, minimalBody(ws, { address_line1: "Unlinked" }));
    expect(unlinked.response.status).toBe(201);
    const contact = await getContact(ws.token, ws.contactId);
    expect(contact.data.address_ids).toEqual([ws.addressId, first.body.data.id, second.body.data.id]);
  });

  it("PATCH contact_id: null unlinks the address: it leaves the contact's address_ids and stays itself", async () => {
    const ws = await seedWorkspace();
    const { response, body } = await patchAddress(ws.token, ws.addressId, { contact_id: null });
    expect(response.status).toBe(200);
    expect(body.data.contact_id).toBeNull();
    expect((await getContact(ws.token, ws.contactId)).data.address_ids).toEqual([]);
    expect((await getAddress(ws.token, ws.addressId)).data).toMatchObject({ id: ws.addressId, contact_id: null });
  });

  it("PATCH contact_id moves the link to another contact of the same customer", async () => {
    const ws = await seedWorkspace();
    const colleague = await createContact(ws, ws.customerId);
    const { response, body } = await patchAddress(ws.token, ws.addressId, { contact_id: colleague });
    expect(response.status).toBe(200);
    expect(body.data.contact_id).toBe(colleague);
    expect((await getContact(ws.token, ws.contactId)).data.address_ids).toEqual([]);
    expect((await getContact(ws.token, colleague)).data.address_ids).toEqual([ws.addressId]);
  });

  it("deleting the contact keeps the address, with contact_id null and a later updated_at", async () => {
    const ws = await seedWorkspace();
    const before = await getAddress(ws.token, ws.addressId);
    const deleted = await api(`/api/contacts/${ws.contactId}`, { method: "DELETE", token: ws.token });
    expect(deleted.status).toBe(200);
    const after = await api(`/api/addresses/${ws.addressId}`, { token: ws.token });
    expect(after.status).toBe(200);
    const body = await json<Envelope<Address>>(after);
    expect(body.data).toEqual({ ...before.data, contact_id: null, updated_at: body.data.updated_at });
    expect(Date.parse(body.data.updated_at)).toBeGreaterThan(Date.parse(before.data.updated_at));
    expect(body.data.created_at).toBe(before.data.created_at);
  });

  it("deleting a contact leaves the addresses linked to other contacts alone", async () => {
    const ws = await seedWorkspace();
    const colleague = await createContact(ws, ws.customerId);
    const kept = await createAddress(ws.token, minimalBody(ws, { contact_id: colleague }));
    await api(`/api/contacts/${ws.contactId}`, { method: "DELETE", token: ws.token });
    expect(await getAddress(ws.token, kept.body.data.id)).toEqual(kept.body);
  });
});

describe("PATCH /api/addresses/{id}", () => {
  it("changes only the fields sent and answers the full object, as a following GET does", async () => {
    const ws = await seedWorkspace();
    const before = await getAddress(ws.token, ws.addressId);
    const response = await api(`/api/addresses/${ws.addressId}`, {
      method: "PATCH",
      token: ws.token,
      body: { type: "shipping", city: "Manchester", postal_code: "M1 1AE", comment: "Ring twice" },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const after = JSON.parse(text) as Envelope<Address>;
    expect(Object.keys(after.data)).toEqual(addressKeys);
    expect(after.data).toEqual({
      ...before.data,
      type: "shipping",
      city: "Manchester",
      postal_code: "M1 1AE",
      comment: "Ring twice",
      updated_at: after.data.updated_at,
    });
    expect(await (await api(`/api/addresses/${ws.addressId}`, { token: ws.token })).text()).toBe(text);
  });

  it("stores a lower-case country in upper case and refuses an unknown one", async () => {
    const ws = await seedWorkspace();
    expect((await patchAddress(ws.token, ws.addressId, { country: "de" })).body.data.country).toBe("DE");
    for (const country of ["XX", "DEU"]) {
      const { response, body } = await patchAddress(ws.token, ws.addressId, { country });
      expect(response.status, country).toBe(400);
      expect(body.error, country).toMatch(/^country /);
    }
    expect((await getAddress(ws.token, ws.addressId)).data.country).toBe("DE");
  });

  it("unsets every nullable field with null", async () => {
    const ws = await seedWorkspace();
    const values = {
      name: "Head office",
      address_line2: "Floor 2",
      state: "Greater London",
      comment: "Reception",
      id_crm: "crm",
      id_erp: "erp",
      id_accounting: "acc",
    };
    const set = await patchAddress(ws.token, ws.addressId, values);
    expect(set.body.data).toMatchObject({ ...values, contact_id: ws.contactId });
    const nulls = {
      name: null,
      address_line2: null,
      state: null,
      contact_id: null,
      comment: null,
      id_crm: null,
      id_erp: null,
      id_accounting: null,
    };
    const unset = await patchAddress(ws.token, ws.addressId, nulls);
    expect(unset.response.status).toBe(200);
    expect(unset.body.data).toEqual({ ...set.body.data, ...nulls, updated_at: unset.body.data.updated_at });
    expect(await getAddress(ws.token, ws.addressId)).toEqual(unset.body);
  });

  it("refuses null for a required text field, naming it, and changes nothing", async () => {
    const ws = await seedWorkspace();
    const before = await getAddress(ws.token, ws.addressId);
    for (const field of ["customer_id", "address_line1", "city", "postal_code", "country"]) {
      const { response, body } = await patchAddress(ws.token, ws.addressId, { [field]: null });
      expect(response.status, field).toBe(400);
      expect(body).toEqual({ success: false, error: `${field} cannot be null` });
    }
    expect(await getAddress(ws.token, ws.addressId)).toEqual(before);
  });

  it("refuses null for type as 'type cannot be null', and changes nothing", async () => {
    const ws = await seedWorkspace();
    const before = await getAddress(ws.token, ws.addressId);
    const { response, body } = await patchAddress(ws.token, ws.addressId, { type: null });
    expect(response.status).toBe(400);
    expect(await getAddress(ws.token, ws.addressId)).toEqual(before);
    expect(body).toEqual({ success: false, error: "type cannot be null" });
  });

  it("names each invalid field and the rule it breaks, and changes nothing", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const before = await getAddress(ws.token, ws.addressId);
    const cases: [Record<string, unknown>, string][] = [
      [{ type: "home" }, "type must be one of: billing, shipping"],
      [{ city: "" }, "city must not be empty"],
      [{ postal_code: "9".repeat(21) }, "postal_code must be at most 20 characters"],
      [{ comment: "x".repeat(5001) }, "comment must be at most 5000 characters"],
      [{ contact_id: "nope" }, "contact_id must be a UUID"],
      [{ customer_id: "nope" }, "customer_id must be a UUID"],
      [{ zip: "N1" }, "zip is not a known field"],
      [{ id: crypto.randomUUID() }, "id is read-only"],
      [{ workspace_id: other.workspaceId }, "workspace_id is read-only"],
      [{ created_at: "2020-01-01T00:00:00Z" }, "created_at is read-only"],
      [{ updated_at: "2020-01-01T00:00:00Z" }, "updated_at is read-only"],
      [{ city: "Leeds", postal_code: "9".repeat(21) }, "postal_code must be at most 20 characters"],
    ];
    for (const [body, error] of cases) {
      const patched = await patchAddress(ws.token, ws.addressId, body);
      expect(patched.response.status, error).toBe(400);
      expect(patched.body, error).toEqual({ success: false, error });
    }
    expect(await getAddress(ws.token, ws.addressId)).toEqual(before);
  });

  it("accepts the address's current customer_id, in any spelling", async () => {
    const ws = await seedWorkspace();
    const alone = await patchAddress(ws.token, ws.addressId, { customer_id: ws.customerId });
    expect(alone.response.status).toBe(200);
    const withChange = await patchAddress(ws.token, ws.addressId, {
      customer_id: ws.customerId.toUpperCase(),
      city: "Leeds",
    });
    expect(withChange.response.status).toBe(200);
    expect(withChange.body.data).toMatchObject({ customer_id: ws.customerId, city: "Leeds" });
  });

  it("refuses to move the address to another customer, and then changes nothing", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const otherCustomer = await createCustomer(ws);
    const theirContact = await createContact(ws, otherCustomer);
    const before = await getAddress(ws.token, ws.addressId);
    const bodies = [
      { customer_id: otherCustomer },
      { customer_id: otherCustomer, city: "Moved" },
      { customer_id: otherCustomer, contact_id: theirContact, city: "Moved" },
      { customer_id: other.customerId, city: "Moved" },
      { customer_id: crypto.randomUUID(), city: "Moved" },
    ];
    for (const body of bodies) {
      const patched = await patchAddress(ws.token, ws.addressId, body);
      expect(patched.response.status, JSON.stringify(body)).toBe(400);
      expect(patched.body.success).toBe(false);
      expect(patched.body.error).toMatch(/^customer_id cannot be changed/);
    }
    expect(await getAddress(ws.token, ws.addressId)).toEqual(before);
    expect((await getContact(ws.token, theirContact)).data.address_ids).toEqual([]);
  });

  it("re-links contact_id under the same rules as on create, and changes nothing when refused", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const otherCustomer = await createCustomer(ws);
    const theirContact = await createContact(ws, otherCustomer);
    const before = await getAddress(ws.token, ws.addressId);

    const foreign = await api(`/api/addresses/${ws.addressId}`, {
      method: "PATCH",
      token: ws.token,
      body: { contact_id: other.contactId, city: "Changed" },
    });
    const missing = await api(`/api/addresses/${ws.addressId}`, {
      method: "PATCH",
      token: ws.token,
      body: { contact_id: crypto.randomUUID(), city: "Changed" },
    });
    expect(foreign.status).toBe(400);
    expect(missing.status).toBe(400);
    const foreignText = await foreign.text();
    expect(JSON.parse(foreignText)).toEqual({ success: false, error: "contact_id: contact not found" });
    expect(await missing.text()).toBe(foreignText);

    const anotherCustomers = await patchAddress(ws.token, ws.addressId, { contact_id: theirContact, city: "Changed" });
    expect(anotherCustomers.response.status).toBe(400);
    expect(anotherCustomers.body).toEqual({
      success: false,
      error: "contact_id: the contact belongs to another customer",
    });

    const withCustomer = await patchAddress(ws.token, ws.addressId, {
      customer_id: ws.customerId,
      contact_id: theirContact,
    });
    expect(withCustomer.response.status).toBe(400);
    expect(withCustomer.body.error).toBe("contact_id: the contact belongs to another customer");

    expect(await getAddress(ws.token, ws.addressId)).toEqual(before);
    expect((await getContact(ws.token, theirContact)).data.address_ids).toEqual([]);
    expect((await getContact(other.token, other.contactId)).data.address_ids).toEqual([other.addressId]);
  });

  it("links an unlinked address to a contact of its customer", async () => {
    const ws = await seedWorkspace();
    const created = await createAddress(ws.token, minimalBody(ws));
    const { response, body } = await patchAddress(ws.token, created.body.data.id, { contact_id: ws.contactId });
    expect(response.status).toBe(200);
    expect(body.data.contact_id).toBe(ws.contactId);
    expect((await getContact(ws.token, ws.contactId)).data.address_ids).toEqual([ws.addressId, created.body.data.id]);
  });

  it("moves updated_at strictly forward on every change, not on a PATCH to the same value, and never created_at", async () => {
    const ws = await seedWorkspace();
    const before = await getAddress(ws.token, ws.addressId);
    const first = (await patchAddress(ws.token, ws.addressId, { city: "One" })).body.data;
    const second = (await patchAddress(ws.token, ws.addressId, { city: "Two" })).body.data;
    const third = (await patchAddress(ws.token, ws.addressId, { city: "Two" })).body.data;
    expect(Date.parse(first.updated_at)).toBeGreaterThan(Date.parse(before.data.updated_at));
    expect(Date.parse(second.updated_at)).toBeGreaterThan(Date.parse(first.updated_at));
    expect(third.updated_at).toBe(second.updated_at);
    expect(new Set([before.data.created_at, first.created_at, second.created_at, third.created_at]).size).toBe(1);
  });

  it("with an empty body changes nothing, updated_at included, and answers the address", async () => {
    const ws = await seedWorkspace();
    const before = await getAddress(ws.token, ws.addressId);
    const { response, body } = await patchAddress(ws.token, ws.addressId, {});
    expect(response.status).toBe(200);
    expect(body).toEqual(before);
    expect(await getAddress(ws.token, ws.addressId)).toEqual(before);
  });

  it("answers 404 for an unknown id and identically for another workspace's address, leaving it alone", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const before = await getAddress(other.token, other.addressId);
    for (const body of [{ city: "Hijacked" }, {}, { contact_id: null }, { customer_id: other.customerId }]) {
      const foreign = await api(`/api/addresses/${other.addressId}`, { method: "PATCH", token: ws.token, body });
      const missing = await api(`/api/addresses/${crypto.randomUUID()}`, { method: "PATCH", token: ws.token, body });
      expect(foreign.status, JSON.stringify(body)).toBe(404);
      expect(missing.status, JSON.stringify(body)).toBe(404);
      const foreignText = await foreign.text();
      expect(JSON.parse(foreignText)).toEqual({ success: false, error: "Address not found" });
      expect(await missing.text()).toBe(foreignText);
    }
    expect(await getAddress(other.token, other.addressId)).toEqual(before);
  });

  it("answers 400 for a malformed id", async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/addresses/not-a-uuid", { method: "PATCH", token: ws.token, body: { city: "X" } });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ success: false, error: "Invalid address id: expected a UUID" });
  });
});

describe("DELETE /api/addresses/{id}", () => {
  it("deletes the address: the documented answer, then 404 on GET and on a second DELETE", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/addresses/${ws.addressId}`, { method: "DELETE", token: ws.token });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(JSON.stringify({ success: true, message: "Address deleted successfully" }));

    const get = await api(`/api/addresses/${ws.addressId}`, { token: ws.token });
    expect(get.status).toBe(404);
    expect(await json(get)).toEqual({ success: false, error: "Address not found" });
    const again = await api(`/api/addresses/${ws.addressId}`, { method: "DELETE", token: ws.token });
    expect(again.status).toBe(404);
    expect(await json(again)).toEqual({ success: false, error: "Address not found" });
    expect(await listedIds(ws.token)).toEqual([]);
  });

  it("removes the address from its contact's address_ids and keeps the contact", async () => {
    const ws = await seedWorkspace();
    const kept = await createAddress(ws.token, minimalBody(ws, { contact_id: ws.contactId }));
    expect((await getContact(ws.token, ws.contactId)).data.address_ids).toEqual([ws.addressId, kept.body.data.id]);
    await api(`/api/addresses/${ws.addressId}`, { method: "DELETE", token: ws.token });
    const contact = await api(`/api/contacts/${ws.contactId}`, { token: ws.token });
    expect(contact.status).toBe(200);
    expect((await json<Envelope<Contact>>(contact)).data.address_ids).toEqual([kept.body.data.id]);
  });

  it("answers 404 for an unknown id and identically for another workspace's address, deleting nothing", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const foreign = await api(`/api/addresses/${other.addressId}`, { method: "DELETE", token: ws.token });
    const missing = await api(`/api/addresses/${crypto.randomUUID()}`, { method: "DELETE", token: ws.token });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    const foreignText = await foreign.text();
    expect(JSON.parse(foreignText)).toEqual({ success: false, error: "Address not found" });
    expect(await missing.text()).toBe(foreignText);
    expect(await listedIds(other.token)).toEqual([other.addressId]);
  });

  it("answers 400 for a malformed id", async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/addresses/123", { method: "DELETE", token: ws.token });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ success: false, error: "Invalid address id: expected a UUID" });
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
  });
});

describe("addresses permissions", () => {
  it("lets a read-only token list and get, but not create, change or delete: 403, and nothing changes", async () => {
    const ws = await seedWorkspace();
    const token = ws.readOnlyToken;
    const before = await getAddress(ws.token, ws.addressId);
    const list = await api("/api/addresses", { token });
    expect(list.status).toBe(200);
    expect((await json<Envelope<Address[]>>(list)).data.map((a) => a.id)).toEqual([ws.addressId]);
    const get = await api(`/api/addresses/${ws.addressId}`, { token });
    expect(get.status).toBe(200);
    expect(await json(get)).toEqual(before);

    const refusals = [
      await api("/api/addresses", { method: "POST", token, body: minimalBody(ws) }),
      await api(`/api/addresses/${ws.addressId}`, { method: "PATCH", token, body: { city: "X" } }),
      await api(`/api/addresses/${ws.addressId}`, { method: "PATCH", token, body: {} }),
      await api(`/api/addresses/${ws.addressId}`, { method: "DELETE", token }),
    ];
    for (const response of refusals) {
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({
        success: false,
        error: "This API token lacks the addresses:write permission",
      });
    }
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
    expect(await getAddress(ws.token, ws.addressId)).toEqual(before);
  });

  it("refuses reading to a token without an addresses permission", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken({ permissions: ["contacts:read"] });
    for (const path of ["/api/addresses", `/api/addresses/${ws.addressId}`, `/api/addresses/${crypto.randomUUID()}`]) {
      const response = await api(path, { token });
      expect(response.status, path).toBe(403);
      expect(await json(response)).toEqual({
        success: false,
        error: "This API token lacks the addresses:read permission",
      });
    }
  });

  it("lets addresses:write alone read and write addresses", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken({ permissions: ["addresses:write"] });
    expect((await api(`/api/addresses/${ws.addressId}`, { token })).status).toBe(200);
    const created = await createAddress(token, minimalBody(ws, { contact_id: ws.contactId }));
    expect(created.response.status).toBe(201);
    expect((await patchAddress(token, created.body.data.id, { city: "Lyon" })).response.status).toBe(200);
    expect((await api(`/api/addresses/${created.body.data.id}`, { method: "DELETE", token })).status).toBe(200);
  });
});
