// /api/customers: Qwoty's customer object, read and written through the worker.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addresses, contacts, customers } from "../src/db/schema";
import { api, db, json, seedWorkspace, type TestWorkspace } from "./harness";

/** The documented customer object, keys in the documented order. */
const customerKeys = [
  "id",
  "workspace_id",
  "name",
  "type",
  "segment_id",
  "logo",
  "tax_ids",
  "id_crm",
  "id_erp",
  "id_accounting",
  "contact_ids",
  "address_ids",
  "created_at",
  "updated_at",
];

interface Customer {
  id: string;
  workspace_id: string;
  name: string;
  type: string;
  segment_id: string | null;
  logo: string | null;
  tax_ids: { tax: string; tax_value: string }[];
  id_crm: string | null;
  id_erp: string | null;
  id_accounting: string | null;
  contact_ids: string[];
  address_ids: string[];
  created_at: string;
  updated_at: string;
}

interface Envelope<T> {
  success: boolean;
  data: T;
}

interface Page extends Envelope<Customer[]> {
  has_more: boolean;
  next_cursor: string | null;
}

const isoUtc = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/;

async function expectError(response: Response, status: number, error: string | RegExp) {
  expect(response.status).toBe(status);
  const body = await json<{ success: boolean; error: string }>(response);
  expect(Object.keys(body)).toEqual(["success", "error"]);
  expect(body.success).toBe(false);
  if (typeof error === "string") expect(body.error).toBe(error);
  else expect(body.error).toMatch(error);
}

async function getCustomer(ws: TestWorkspace, id: string): Promise<Customer> {
  const response = await api(`/api/customers/${id}`, { token: ws.token });
  expect(response.status).toBe(200);
  return (await json<Envelope<Customer>>(response)).data;
}

async function postCustomer(ws: TestWorkspace, body: unknown, token = ws.token) {
  return api("/api/customers", { method: "POST", token, body });
}

async function createCustomer(ws: TestWorkspace, body: Record<string, unknown> = {}): Promise<Customer> {
  const response = await postCustomer(ws, { name: "Acme", type: "company", ...body });
  expect(response.status).toBe(201);
  return (await json<Envelope<Customer>>(response)).data;
}

async function patchCustomer(ws: TestWorkspace, id: string, body: unknown, token = ws.token) {
  return api(`/api/customers/${id}`, { method: "PATCH", token, body });
}

async function listCustomers(ws: TestWorkspace, query = ""): Promise<Customer[]> {
  const response = await api(`/api/customers${query}`, { token: ws.token });
  expect(response.status).toBe(200);
  return (await json<Envelope<Customer[]>>(response)).data;
}

/** The workspace's customer rows, straight from the database. */
async function customerRows(workspaceId: string) {
  return db().select().from(customers).where(eq(customers.workspaceId, workspaceId)).orderBy(customers.id);
}

/** Inserts customers directly, with the given creation times. */
async function insertCustomers(ws: TestWorkspace, createdAt: Date[]): Promise<string[]> {
  const rows = createdAt.map((at, i) => ({
    id: crypto.randomUUID(),
    workspaceId: ws.workspaceId,
    name: `Customer ${i}`,
    type: "company" as const,
    createdAt: at,
    updatedAt: at,
  }));
  await db().insert(customers).values(rows);
  return rows.map((row) => row.id);
}

async function insertContact(ws: TestWorkspace, customerId: string, createdAt?: Date): Promise<string> {
  const id = crypto.randomUUID();
  await db()
    .insert(contacts)
    .values({
      id,
      workspaceId: ws.workspaceId,
      customerId,
      firstName: "Grace",
      lastName: "Hopper",
      email: "grace@example.com",
      ...(createdAt ? { createdAt, updatedAt: createdAt } : {}),
    });
  return id;
}

async function insertAddress(ws: TestWorkspace, customerId: string, createdAt?: Date): Promise<string> {
  const id = crypto.randomUUID();
  await db()
    .insert(addresses)
    .values({
      id,
      workspaceId: ws.workspaceId,
      customerId,
      type: "shipping",
      addressLine1: "2 Side Street",
      city: "Paris",
      postalCode: "75001",
      country: "FR",
      ...(createdAt ? { createdAt, updatedAt: createdAt } : {}),
    });
  return id;
}

const fullCustomer = {
  name: "Acme Corporation",
  type: "company",
  segment_id: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  logo: "https://cdn.example.com/acme.png",
  tax_ids: [
    { tax: "VAT", tax_value: "FR12345678901" },
    { tax: "SIREN", tax_value: "123456789" },
  ],
  id_crm: "crm-1",
  id_erp: "erp-1",
  id_accounting: "acc-1",
};

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
    const body = await json<Envelope<Customer[]>>(response);
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
    const body = await json<Envelope<Customer[]>>(response);
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
    const page = await json<Page>(response);
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
      const page = await json<Page>(response);
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
    const first = await json<Page>(await api("/api/customers?limit=1", { token: ws.token }));
    const rest = await api(`/api/customers?cursor=${first.next_cursor}`, { token: ws.token });
    expect(rest.status).toBe(200);
    const page = await json<Page>(rest);
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
    const body = await json<Envelope<Customer>>(response);
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
    const contactId = (await json<Envelope<{ id: string }>>(contact)).data.id;
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
    const addressId = (await json<Envelope<{ id: string }>>(address)).data.id;
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
    expect((await json<Envelope<Customer>>(response)).data.id).toBe(ws.customerId);
  });
});

describe("POST /api/customers", () => {
  it("creates a customer with only name and type, with the documented defaults", async () => {
    const ws = await seedWorkspace();
    const response = await postCustomer(ws, { name: "Jane Doe", type: "individual" });
    expect(response.status).toBe(201);
    const body = await json<Envelope<Customer>>(response);
    expect(Object.keys(body)).toEqual(["success", "data"]);
    expect(body.success).toBe(true);
    expect(Object.keys(body.data)).toEqual(customerKeys);
    expect(body.data).toEqual({
      id: expect.any(String),
      workspace_id: ws.workspaceId,
      name: "Jane Doe",
      type: "individual",
      segment_id: null,
      logo: null,
      tax_ids: [],
      id_crm: null,
      id_erp: null,
      id_accounting: null,
      contact_ids: [],
      address_ids: [],
      created_at: expect.stringMatching(isoUtc),
      updated_at: expect.stringMatching(isoUtc),
    });
    expect(response.headers.get("Location")).toBe(`/api/customers/${body.data.id}`);
    expect(body.data.id).not.toBe(ws.customerId);
  });

  it("creates a customer with every optional field, and answers exactly what a following GET answers", async () => {
    const ws = await seedWorkspace();
    const response = await postCustomer(ws, fullCustomer);
    expect(response.status).toBe(201);
    const created = await response.text();
    const { data } = JSON.parse(created) as Envelope<Customer>;
    expect(data).toMatchObject({ ...fullCustomer, workspace_id: ws.workspaceId, contact_ids: [], address_ids: [] });
    expect(response.headers.get("Location")).toBe(`/api/customers/${data.id}`);

    const fetched = await api(response.headers.get("Location") ?? "", { token: ws.token });
    expect(fetched.status).toBe(200);
    const fetchedText = await fetched.text();
    expect(JSON.parse(fetchedText)).toEqual(JSON.parse(created));
    expect(fetchedText).toBe(created);
    expect((await listCustomers(ws)).map((c) => c.id)).toEqual([ws.customerId, data.id]);
  });

  it("creates each customer with a new id, also for identical bodies", async () => {
    const ws = await seedWorkspace();
    const a = await createCustomer(ws);
    const b = await createCustomer(ws);
    expect(a.id).not.toBe(b.id);
    expect((await customerRows(ws.workspaceId)).map((row) => row.id).sort()).toEqual(
      [ws.customerId, a.id, b.id].sort(),
    );
  });

  it("trims text, keeps null for optional fields sent as null, and answers the canonical segment_id", async () => {
    const ws = await seedWorkspace();
    const segment = crypto.randomUUID();
    const customer = await createCustomer(ws, {
      name: "  Acme  ",
      segment_id: segment.toUpperCase(),
      logo: null,
      tax_ids: [{ tax_value: " FR1 ", tax: " VAT " }],
      id_crm: null,
      id_erp: " erp ",
    });
    expect(customer).toMatchObject({
      name: "Acme",
      segment_id: segment,
      logo: null,
      tax_ids: [{ tax: "VAT", tax_value: "FR1" }],
      id_crm: null,
      id_erp: "erp",
      id_accounting: null,
    });
    expect(Object.keys(customer.tax_ids[0] ?? {})).toEqual(["tax", "tax_value"]);
  });

  it("accepts up to 50 tax ids, in the order sent", async () => {
    const ws = await seedWorkspace();
    const taxIds = Array.from({ length: 50 }, (_, i) => ({ tax: `T${i}`, tax_value: `${50 - i}` }));
    const customer = await createCustomer(ws, { tax_ids: taxIds });
    expect(customer.tax_ids).toEqual(taxIds);
    expect((await getCustomer(ws, customer.id)).tax_ids).toEqual(taxIds);
  });

  it("creates the customer in the token's workspace, whatever the request says", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const response = await api(`/api/customers?workspace_id=${theirs.workspaceId}`, {
      method: "POST",
      token: mine.token,
      headers: { "X-Workspace-Id": theirs.workspaceId },
      body: { name: "Mine", type: "company" },
    });
    expect(response.status).toBe(201);
    const { data } = await json<Envelope<Customer>>(response);
    expect(data.workspace_id).toBe(mine.workspaceId);
    expect((await customerRows(theirs.workspaceId)).map((row) => row.id)).toEqual([theirs.customerId]);
  });
});

describe("POST /api/customers validation", () => {
  const refusals: [string, unknown, string | RegExp][] = [
    ["a missing name", { type: "company" }, "name is required"],
    ["a missing type", { name: "Acme" }, "type is required"],
    ["an empty name", { name: "", type: "company" }, "name must not be empty"],
    ["a blank name", { name: "   ", type: "company" }, "name must not be empty"],
    ["a null name", { name: null, type: "company" }, "name cannot be null"],
    ["a numeric name", { name: 42, type: "company" }, "name must be a string"],
    ["an overlong name", { name: "x".repeat(201), type: "company" }, /^name /],
    ["an unknown type", { name: "Acme", type: "partner" }, "type must be one of: company, individual"],
    ["a type in another case", { name: "Acme", type: "Company" }, "type must be one of: company, individual"],
    ["a null type", { name: "Acme", type: null }, "type cannot be null"],
    ["a malformed segment_id", { name: "Acme", type: "company", segment_id: "segment-1" }, "segment_id must be a UUID"],
    ["a numeric segment_id", { name: "Acme", type: "company", segment_id: 7 }, /^segment_id /],
    [
      "an ftp logo",
      { name: "Acme", type: "company", logo: "ftp://example.com/a.png" },
      "logo must be an http or https URL",
    ],
    [
      "a logo without scheme",
      { name: "Acme", type: "company", logo: "example.com/a.png" },
      "logo must be an http or https URL",
    ],
    [
      "a javascript logo",
      { name: "Acme", type: "company", logo: "javascript:alert(1)" },
      "logo must be an http or https URL",
    ],
    ["an empty logo", { name: "Acme", type: "company", logo: "" }, /^logo /],
    ["tax_ids that is not an array", { name: "Acme", type: "company", tax_ids: "FR123" }, /^tax_ids /],
    ["null tax_ids", { name: "Acme", type: "company", tax_ids: null }, "tax_ids cannot be null"],
    [
      "a tax id without tax_value",
      { name: "Acme", type: "company", tax_ids: [{ tax: "VAT" }] },
      "tax_ids[0].tax_value is required",
    ],
    [
      "a tax id without tax",
      { name: "Acme", type: "company", tax_ids: [{ tax: "VAT", tax_value: "1" }, { tax_value: "2" }] },
      "tax_ids[1].tax is required",
    ],
    [
      "a tax id with an empty tax",
      { name: "Acme", type: "company", tax_ids: [{ tax: "", tax_value: "1" }] },
      "tax_ids[0].tax must not be empty",
    ],
    [
      "a tax id with a blank tax_value",
      { name: "Acme", type: "company", tax_ids: [{ tax: "VAT", tax_value: "  " }] },
      "tax_ids[0].tax_value must not be empty",
    ],
    [
      "a tax id with an unknown field",
      { name: "Acme", type: "company", tax_ids: [{ tax: "VAT", tax_value: "1", country: "FR" }] },
      "tax_ids[0].country is not a known field",
    ],
    [
      "51 tax ids",
      {
        name: "Acme",
        type: "company",
        tax_ids: Array.from({ length: 51 }, (_, i) => ({ tax: "VAT", tax_value: `${i}` })),
      },
      /^tax_ids /,
    ],
    ["a numeric id_crm", { name: "Acme", type: "company", id_crm: 12 }, /^id_crm /],
    ["a boolean id_erp", { name: "Acme", type: "company", id_erp: true }, /^id_erp /],
    ["an overlong id_accounting", { name: "Acme", type: "company", id_accounting: "x".repeat(256) }, /^id_accounting /],
    ["an unknown field", { name: "Acme", type: "company", foo: "bar" }, "foo is not a known field"],
  ];

  it.each(refusals)("refuses %s with a 400 naming the field, and writes nothing", async (_, body, error) => {
    const ws = await seedWorkspace();
    await expectError(await postCustomer(ws, body), 400, error);
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
  });

  it("says a tax id that is not an object must be one, rather than calling it an unknown field", async () => {
    const ws = await seedWorkspace();
    await expectError(
      await postCustomer(ws, { name: "Acme", type: "company", tax_ids: ["VAT"] }),
      400,
      "tax_ids[0] must be an object",
    );
    await expectError(
      await postCustomer(ws, { name: "Acme", type: "company", tax_ids: [{ tax: "VAT", tax_value: "1" }, null] }),
      400,
      "tax_ids[1] cannot be null",
    );
    await expectError(await patchCustomer(ws, ws.customerId, { tax_ids: [42] }), 400, "tax_ids[0] must be an object");
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
    expect((await getCustomer(ws, ws.customerId)).tax_ids).toEqual([]);
  });

  it("refuses each read-only field, and writes nothing", async () => {
    const ws = await seedWorkspace();
    const values: Record<string, unknown> = {
      id: crypto.randomUUID(),
      workspace_id: ws.workspaceId,
      created_at: "2020-01-01T00:00:00Z",
      updated_at: "2020-01-01T00:00:00Z",
      contact_ids: [ws.contactId],
      address_ids: [ws.addressId],
    };
    for (const [field, value] of Object.entries(values)) {
      await expectError(
        await postCustomer(ws, { name: "Acme", type: "company", [field]: value }),
        400,
        `${field} is read-only`,
      );
    }
    await expectError(
      await postCustomer(ws, { name: "Acme", type: "company", id: values.id, contact_ids: [] }),
      400,
      /^id, contact_ids are read-only$/,
    );
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
    expect(await listCustomers(ws)).toHaveLength(1);
  });

  it("refuses a body that is not a JSON object", async () => {
    const ws = await seedWorkspace();
    await expectError(await postCustomer(ws, "{not json"), 400, "Request body is not valid JSON");
    await expectError(await postCustomer(ws, "[]"), 400, "Request body must be a JSON object");
    await expectError(
      await api("/api/customers", {
        method: "POST",
        token: ws.token,
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ name: "Acme", type: "company" }),
      }),
      415,
      "Content-Type must be application/json",
    );
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
  });
});

describe("PATCH /api/customers/{id}", () => {
  it("changes only the fields sent, and answers exactly what a following GET answers", async () => {
    const ws = await seedWorkspace();
    const before = await createCustomer(ws, fullCustomer);
    const response = await patchCustomer(ws, before.id, { name: "Acme SA", id_erp: "erp-2" });
    expect(response.status).toBe(200);
    const patched = await response.text();
    const { data, success } = JSON.parse(patched) as Envelope<Customer>;
    expect(success).toBe(true);
    expect(Object.keys(data)).toEqual(customerKeys);
    expect(data).toEqual({ ...before, name: "Acme SA", id_erp: "erp-2", updated_at: data.updated_at });

    const fetched = await api(`/api/customers/${before.id}`, { token: ws.token });
    expect(await fetched.text()).toBe(patched);
  });

  it("changes every writable field at once", async () => {
    const ws = await seedWorkspace();
    const customer = await getCustomer(ws, ws.customerId);
    const changes = {
      name: "Renamed",
      type: "individual",
      segment_id: crypto.randomUUID(),
      logo: "http://example.com/logo.svg",
      tax_ids: [{ tax: "EIN", tax_value: "12-3456789" }],
      id_crm: "c",
      id_erp: "e",
      id_accounting: "a",
    };
    const response = await patchCustomer(ws, ws.customerId, changes);
    expect(response.status).toBe(200);
    const { data } = await json<Envelope<Customer>>(response);
    expect(data).toEqual({ ...customer, ...changes, updated_at: data.updated_at });
  });

  it("unsets segment_id, logo and the external ids with null", async () => {
    const ws = await seedWorkspace();
    const before = await createCustomer(ws, fullCustomer);
    const response = await patchCustomer(ws, before.id, {
      segment_id: null,
      logo: null,
      id_crm: null,
      id_erp: null,
      id_accounting: null,
    });
    expect(response.status).toBe(200);
    const { data } = await json<Envelope<Customer>>(response);
    expect(data).toEqual({
      ...before,
      segment_id: null,
      logo: null,
      id_crm: null,
      id_erp: null,
      id_accounting: null,
      updated_at: data.updated_at,
    });
    expect(await getCustomer(ws, before.id)).toEqual(data);
  });

  it("refuses null for name or type, and changes nothing", async () => {
    const ws = await seedWorkspace();
    const before = await getCustomer(ws, ws.customerId);
    await expectError(await patchCustomer(ws, ws.customerId, { name: null }), 400, "name cannot be null");
    await expectError(await patchCustomer(ws, ws.customerId, { type: null }), 400, "type cannot be null");
    await expectError(await patchCustomer(ws, ws.customerId, { tax_ids: null }), 400, /^tax_ids /);
    expect(await getCustomer(ws, ws.customerId)).toEqual(before);
  });

  it("replaces the whole set of tax ids when tax_ids is sent, clears it with [], and leaves it when absent", async () => {
    const ws = await seedWorkspace();
    const customer = await createCustomer(ws, fullCustomer);

    const replaced = [{ tax: "EORI", tax_value: "FR999" }];
    let response = await patchCustomer(ws, customer.id, { tax_ids: replaced });
    expect((await json<Envelope<Customer>>(response)).data.tax_ids).toEqual(replaced);

    response = await patchCustomer(ws, customer.id, { name: "Still taxed" });
    expect((await json<Envelope<Customer>>(response)).data.tax_ids).toEqual(replaced);
    expect((await getCustomer(ws, customer.id)).tax_ids).toEqual(replaced);

    response = await patchCustomer(ws, customer.id, { tax_ids: [] });
    expect((await json<Envelope<Customer>>(response)).data.tax_ids).toEqual([]);
    expect((await getCustomer(ws, customer.id)).tax_ids).toEqual([]);
  });

  it("moves updated_at strictly forward on every change, not on a PATCH that changes nothing, and never created_at", async () => {
    const ws = await seedWorkspace();
    const created = await createCustomer(ws);
    let previous = created;
    const changes = [
      { name: "One" },
      { name: "Two" },
      { id_crm: "x" },
      { tax_ids: [{ tax: "VAT", tax_value: "FR1" }] },
    ];
    for (const body of changes) {
      const response = await patchCustomer(ws, created.id, body);
      expect(response.status).toBe(200);
      const { data } = await json<Envelope<Customer>>(response);
      expect(data.created_at).toBe(created.created_at);
      expect(data.updated_at).toMatch(isoUtc);
      expect(Date.parse(data.updated_at)).toBeGreaterThan(Date.parse(previous.updated_at));
      previous = data;
    }
    for (const body of [{ name: "Two" }, { id_crm: "x", tax_ids: [{ tax_value: "FR1", tax: "VAT" }] }]) {
      const unchanged = await patchCustomer(ws, created.id, body);
      expect((await json<Envelope<Customer>>(unchanged)).data).toEqual(previous);
    }
    expect(await getCustomer(ws, created.id)).toEqual(previous);
  });

  it("changes nothing for an empty body, and answers the customer", async () => {
    const ws = await seedWorkspace();
    const before = await getCustomer(ws, ws.customerId);
    const response = await patchCustomer(ws, ws.customerId, {});
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ success: true, data: before });
    expect(await getCustomer(ws, ws.customerId)).toEqual(before);
  });

  it("validates fields as POST does, refuses read-only and unknown fields, and changes nothing", async () => {
    const ws = await seedWorkspace();
    const before = await getCustomer(ws, ws.customerId);
    const refusals: [unknown, string | RegExp][] = [
      [{ name: "" }, "name must not be empty"],
      [{ type: "partner" }, "type must be one of: company, individual"],
      [{ segment_id: "nope" }, "segment_id must be a UUID"],
      [{ logo: "ftp://example.com/a.png" }, "logo must be an http or https URL"],
      [{ tax_ids: [{ tax: "VAT" }] }, "tax_ids[0].tax_value is required"],
      [{ tax_ids: Array.from({ length: 51 }, () => ({ tax: "VAT", tax_value: "1" })) }, /^tax_ids /],
      [{ id_crm: 1 }, /^id_crm /],
      [{ foo: 1 }, "foo is not a known field"],
      [{ name: "Fine", bar: 1 }, "bar is not a known field"],
      [{ id: ws.customerId }, "id is read-only"],
      [{ workspace_id: ws.workspaceId }, "workspace_id is read-only"],
      [{ created_at: before.created_at }, "created_at is read-only"],
      [{ updated_at: before.updated_at }, "updated_at is read-only"],
      [{ contact_ids: [] }, "contact_ids is read-only"],
      [{ address_ids: [] }, "address_ids is read-only"],
    ];
    for (const [body, error] of refusals) {
      await expectError(await patchCustomer(ws, ws.customerId, body), 400, error);
    }
    expect(await getCustomer(ws, ws.customerId)).toEqual(before);
    const [row] = await customerRows(ws.workspaceId);
    expect(row?.name).toBe("Test Customer");
  });

  it("answers 404 for an unknown id and for another workspace's customer, which stays unchanged", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const theirsBefore = await getCustomer(theirs, theirs.customerId);
    for (const body of [{ name: "Hijacked" }, {}]) {
      await expectError(await patchCustomer(mine, theirs.customerId, body), 404, "Customer not found");
      await expectError(await patchCustomer(mine, crypto.randomUUID(), body), 404, "Customer not found");
    }
    expect(await getCustomer(theirs, theirs.customerId)).toEqual(theirsBefore);
  });

  it("answers 400 for an id that is not a UUID", async () => {
    const ws = await seedWorkspace();
    await expectError(
      await patchCustomer(ws, "not-a-uuid", { name: "x" }),
      400,
      "Invalid customer id: expected a UUID",
    );
  });
});

describe("DELETE /api/customers/{id}", () => {
  it("deletes a customer without contacts or addresses; it is then not found", async () => {
    const ws = await seedWorkspace();
    const customer = await createCustomer(ws);
    const response = await api(`/api/customers/${customer.id}`, { method: "DELETE", token: ws.token });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ success: true, message: "Customer deleted successfully" });
    await expectError(await api(`/api/customers/${customer.id}`, { token: ws.token }), 404, "Customer not found");
    expect((await listCustomers(ws)).map((c) => c.id)).toEqual([ws.customerId]);
    await expectError(
      await api(`/api/customers/${customer.id}`, { method: "DELETE", token: ws.token }),
      404,
      "Customer not found",
    );

    const another = await createCustomer(ws);
    const explicit = await api(`/api/customers/${another.id}?cascade=false`, { method: "DELETE", token: ws.token });
    expect(explicit.status).toBe(200);
    expect(await json(explicit)).toEqual({ success: true, message: "Customer deleted successfully" });
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
  });

  it("keeps a customer that still has contacts or addresses: 409, and nothing is deleted", async () => {
    const ws = await seedWorkspace();
    const withContact = await createCustomer(ws, { name: "With contact" });
    const contactId = await insertContact(ws, withContact.id);
    const withAddress = await createCustomer(ws, { name: "With address" });
    const addressId = await insertAddress(ws, withAddress.id);

    for (const [id, query] of [
      [ws.customerId, ""],
      [withContact.id, ""],
      [withAddress.id, ""],
      [ws.customerId, "?cascade=false"],
    ] as const) {
      await expectError(
        await api(`/api/customers/${id}${query}`, { method: "DELETE", token: ws.token }),
        409,
        /^Customer still has/,
      );
    }
    expect(await getCustomer(ws, ws.customerId)).toMatchObject({
      contact_ids: [ws.contactId],
      address_ids: [ws.addressId],
    });
    expect(await getCustomer(ws, withContact.id)).toMatchObject({ contact_ids: [contactId], address_ids: [] });
    expect(await getCustomer(ws, withAddress.id)).toMatchObject({ contact_ids: [], address_ids: [addressId] });
    expect((await api(`/api/contacts/${ws.contactId}`, { token: ws.token })).status).toBe(200);
    expect((await api(`/api/addresses/${ws.addressId}`, { token: ws.token })).status).toBe(200);
  });

  it("with ?cascade=true deletes the customer with its contacts and addresses, and nothing else", async () => {
    const ws = await seedWorkspace();
    const secondContact = await insertContact(ws, ws.customerId);
    const secondAddress = await insertAddress(ws, ws.customerId);
    const other = await createCustomer(ws, { name: "Bystander" });
    const otherContact = await insertContact(ws, other.id);
    const otherAddress = await insertAddress(ws, other.id);

    const response = await api(`/api/customers/${ws.customerId}?cascade=true`, { method: "DELETE", token: ws.token });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ success: true, message: "Customer deleted successfully" });

    await expectError(await api(`/api/customers/${ws.customerId}`, { token: ws.token }), 404, "Customer not found");
    for (const id of [ws.contactId, secondContact]) {
      expect((await api(`/api/contacts/${id}`, { token: ws.token })).status).toBe(404);
    }
    for (const id of [ws.addressId, secondAddress]) {
      expect((await api(`/api/addresses/${id}`, { token: ws.token })).status).toBe(404);
    }
    const d = db();
    expect(await d.select().from(contacts).where(eq(contacts.customerId, ws.customerId))).toEqual([]);
    expect(await d.select().from(addresses).where(eq(addresses.customerId, ws.customerId))).toEqual([]);
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([other.id]);
    expect(await getCustomer(ws, other.id)).toMatchObject({ contact_ids: [otherContact], address_ids: [otherAddress] });
  });

  it("with ?cascade=true deletes a customer that has nothing attached", async () => {
    const ws = await seedWorkspace();
    const customer = await createCustomer(ws);
    const response = await api(`/api/customers/${customer.id}?cascade=true`, { method: "DELETE", token: ws.token });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ success: true, message: "Customer deleted successfully" });
    expect((await api(`/api/customers/${customer.id}`, { token: ws.token })).status).toBe(404);
  });

  it("refuses ?cascade=true without contacts:write and addresses:write, and deletes nothing", async () => {
    const ws = await seedWorkspace();
    const customersOnly = await ws.newToken({ permissions: ["customers:write"] });
    await expectError(
      await api(`/api/customers/${ws.customerId}?cascade=true`, { method: "DELETE", token: customersOnly }),
      403,
      /^This API token lacks the (contacts|addresses):write permission$/,
    );
    const noAddresses = await ws.newToken({ permissions: ["customers:write", "contacts:write"] });
    await expectError(
      await api(`/api/customers/${ws.customerId}?cascade=true`, { method: "DELETE", token: noAddresses }),
      403,
      "This API token lacks the addresses:write permission",
    );
    const noContacts = await ws.newToken({ permissions: ["customers:write", "addresses:write"] });
    await expectError(
      await api(`/api/customers/${ws.customerId}?cascade=true`, { method: "DELETE", token: noContacts }),
      403,
      "This API token lacks the contacts:write permission",
    );
    expect(await getCustomer(ws, ws.customerId)).toMatchObject({
      contact_ids: [ws.contactId],
      address_ids: [ws.addressId],
    });
    expect((await api(`/api/contacts/${ws.contactId}`, { token: ws.token })).status).toBe(200);
    expect((await api(`/api/addresses/${ws.addressId}`, { token: ws.token })).status).toBe(200);
  });

  it("refuses a cascade value other than true or false", async () => {
    const ws = await seedWorkspace();
    for (const cascade of ["maybe", "1", "TRUE", ""]) {
      const response = await api(`/api/customers/${ws.customerId}?cascade=${cascade}`, {
        method: "DELETE",
        token: ws.token,
      });
      expect(response.status, cascade).toBe(400);
      const body = await json<{ success: boolean; error: string }>(response);
      expect(body.success).toBe(false);
      expect(body.error).toMatch(/cascade/);
    }
    expect((await getCustomer(ws, ws.customerId)).contact_ids).toEqual([ws.contactId]);
  });

  it("answers 404 for an unknown id and for another workspace's customer, which is kept with its children", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const theirEmpty = await createCustomer(theirs, { name: "Empty" });
    for (const query of ["", "?cascade=true"]) {
      for (const id of [theirs.customerId, theirEmpty.id, crypto.randomUUID()]) {
        await expectError(
          await api(`/api/customers/${id}${query}`, { method: "DELETE", token: mine.token }),
          404,
          "Customer not found",
        );
      }
    }
    expect(await getCustomer(theirs, theirs.customerId)).toMatchObject({
      contact_ids: [theirs.contactId],
      address_ids: [theirs.addressId],
    });
    expect((await getCustomer(theirs, theirEmpty.id)).id).toBe(theirEmpty.id);
  });

  it("answers 400 for an id that is not a UUID", async () => {
    const ws = await seedWorkspace();
    await expectError(
      await api("/api/customers/not-a-uuid", { method: "DELETE", token: ws.token }),
      400,
      "Invalid customer id: expected a UUID",
    );
  });
});

describe("customer permissions", () => {
  it("lets a read-only token list and read customers", async () => {
    const ws = await seedWorkspace();
    const list = await api("/api/customers", { token: ws.readOnlyToken });
    expect(list.status).toBe(200);
    expect((await json<Envelope<Customer[]>>(list)).data.map((c) => c.id)).toEqual([ws.customerId]);
    const one = await api(`/api/customers/${ws.customerId}`, { token: ws.readOnlyToken });
    expect(one.status).toBe(200);
    expect((await json<Envelope<Customer>>(one)).data).toEqual(await getCustomer(ws, ws.customerId));
  });

  it("refuses writes with a read-only token: 403, and nothing changes", async () => {
    const ws = await seedWorkspace();
    const lacksWrite = "This API token lacks the customers:write permission";
    const empty = await createCustomer(ws, { name: "Empty" });
    const before = await listCustomers(ws);

    await expectError(await postCustomer(ws, { name: "New", type: "company" }, ws.readOnlyToken), 403, lacksWrite);
    await expectError(await patchCustomer(ws, ws.customerId, { name: "Changed" }, ws.readOnlyToken), 403, lacksWrite);
    await expectError(await patchCustomer(ws, ws.customerId, {}, ws.readOnlyToken), 403, lacksWrite);
    for (const path of [`/api/customers/${empty.id}`, `/api/customers/${ws.customerId}?cascade=true`]) {
      await expectError(await api(path, { method: "DELETE", token: ws.readOnlyToken }), 403, lacksWrite);
    }

    expect(await listCustomers(ws)).toEqual(before);
    expect((await api(`/api/contacts/${ws.contactId}`, { token: ws.token })).status).toBe(200);
  });

  it("refuses reads with a token that lacks customers:read", async () => {
    const ws = await seedWorkspace();
    const contactsOnly = await ws.newToken({ permissions: ["contacts:read"] });
    const lacksRead = "This API token lacks the customers:read permission";
    await expectError(await api(`/api/customers/${ws.customerId}`, { token: contactsOnly }), 403, lacksRead);
    await expectError(await api("/api/customers", { token: contactsOnly }), 403, lacksRead);
    await expectError(await api("/api/customers?limit=1", { token: contactsOnly }), 403, lacksRead);
    expect((await api(`/api/contacts/${ws.contactId}`, { token: contactsOnly })).status).toBe(200);
  });

  it("lets customers:write alone read as well as write", async () => {
    const ws = await seedWorkspace();
    const writer = await ws.newToken({ permissions: ["customers:write"] });
    expect((await api(`/api/customers/${ws.customerId}`, { token: writer })).status).toBe(200);
    expect((await api("/api/customers", { token: writer })).status).toBe(200);
    const created = await postCustomer(ws, { name: "By writer", type: "individual" }, writer);
    expect(created.status).toBe(201);
    const { data } = await json<Envelope<Customer>>(created);
    expect((await patchCustomer(ws, data.id, { name: "Renamed" }, writer)).status).toBe(200);
    expect((await api(`/api/customers/${data.id}`, { method: "DELETE", token: writer })).status).toBe(200);
  });

  it("refuses a request without a token", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/customers/${ws.customerId}`);
    expect(response.status).toBe(401);
    expect((await json(response)).success).toBe(false);
    await expectError(await api("/api/customers", { method: "POST", body: { name: "x", type: "company" } }), 401, /./);
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
  });
});
