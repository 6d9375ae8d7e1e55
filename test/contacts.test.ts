// /api/contacts: Qwoty's contact object, read and written through the worker.
import { describe, expect, it } from "vitest";
import { demo, seedDemo } from "../scripts/seed";
import type { AddressObject } from "../src/addresses/object";
import type { ContactObject } from "../src/contacts/object";
import type { CustomerObject } from "../src/customers/object";
import type { Envelope } from "./support/envelope";
import { api, db, json, seedWorkspace } from "./support/harness";
import { getContact, postContact } from "./support/resources";

// Qwoty's "Get Contact" page, response example, verbatim.
const seedResponse = {
  success: true,
  data: {
    id: "660e8400-e29b-41d4-a716-446655440001",
    workspace_id: "706eb564-6c4a-4e18-841c-bdd79be6bca7",
    customer_id: "550e8400-e29b-41d4-a716-446655440000",
    first_name: "Jean",
    last_name: "Dupont",
    email: "jean.dupont@acme.com",
    phone: "+33 6 12 34 56 78",
    role: ["buyer", "signer"],
    id_crm: null,
    id_erp: null,
    id_accounting: null,
    address_ids: ["c3d4e5f6-a7b8-9012-cdef-123456789012"],
    created_at: "2026-01-15T10:30:00Z",
    updated_at: "2026-01-15T10:30:00Z",
  },
};

describe("GET /api/contacts/{id}", () => {
  it("answers the seed example of Qwoty's Get Contact page, byte for byte", async () => {
    const tokens = await seedDemo(db());
    const response = await api(`/api/contacts/${demo.contactId}`, { token: tokens.full });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await response.text()).toBe(JSON.stringify(seedResponse));
  });

  it("returns the 14 fields in the documented order, timestamps in UTC with Z", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts/${ws.contactId}`, { token: ws.token });
    const body = await json<Envelope<ContactObject>>(response);
    expect(body.success).toBe(true);
    expect(Object.keys(body.data)).toEqual(Object.keys(seedResponse.data));
    expect(body.data).toMatchObject({
      id: ws.contactId,
      workspace_id: ws.workspaceId,
      customer_id: ws.customerId,
      first_name: "Ada",
      phone: null,
      role: ["buyer"],
      address_ids: [ws.addressId],
    });
    expect(body.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
  });

  it("lets a read-only token read", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts/${ws.contactId}`, { token: ws.readOnlyToken });
    expect(response.status).toBe(200);
  });

  it("answers 404 in the envelope for an id that does not exist", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts/${crypto.randomUUID()}`, { token: ws.token });
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ success: false, error: "Contact not found" });
  });
});

describe("GET /api/contacts", () => {
  it("lists the workspace's contacts oldest first, and only them", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const second = await postContact(ws.token, {
      customer_id: ws.customerId,
      first_name: "Grace",
      last_name: "Hopper",
      email: "grace@example.com",
    });
    const response = await api("/api/contacts", { token: ws.token });
    expect(response.status).toBe(200);
    const body = await json<Envelope<ContactObject[]>>(response);
    expect(body.success).toBe(true);
    expect(body.data.map((c) => c.id)).toEqual([ws.contactId, second.body.data.id]);
    expect(body.data.map((c) => c.id)).not.toContain(other.contactId);
    expect(Object.keys(body)).toEqual(["success", "data"]);
  });

  it("filters by customer_id", async () => {
    const ws = await seedWorkspace();
    const customer = await json<Envelope<CustomerObject>>(
      await api("/api/customers", { method: "POST", token: ws.token, body: { name: "Other", type: "company" } }),
    );
    const created = await postContact(ws.token, {
      customer_id: customer.data.id,
      first_name: "Alan",
      last_name: "Turing",
      email: "alan@example.com",
    });
    const filtered = await json<Envelope<ContactObject[]>>(
      await api(`/api/contacts?customer_id=${customer.data.id}`, { token: ws.token }),
    );
    expect(filtered.data.map((c) => c.id)).toEqual([created.body.data.id]);
    const none = await json<Envelope<ContactObject[]>>(
      await api(`/api/contacts?customer_id=${crypto.randomUUID()}`, { token: ws.token }),
    );
    expect(none.data).toEqual([]);
    const bad = await api("/api/contacts?customer_id=nope", { token: ws.token });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ success: false, error: "customer_id must be a UUID" });
  });
});

describe("POST /api/contacts", () => {
  it("creates a contact: 201, Location, and the full object exactly as GET returns it", async () => {
    const ws = await seedWorkspace();
    const { response, body } = await postContact(ws.token, {
      customer_id: ws.customerId,
      first_name: "Jean",
      last_name: "Dupont",
      email: "jean.dupont@acme.com",
      phone: "+33 6 12 34 56 78",
      role: ["buyer", "signer"],
      id_crm: "crm_001",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("Location")).toBe(`/api/contacts/${body.data.id}`);
    expect(body.data).toMatchObject({
      workspace_id: ws.workspaceId,
      customer_id: ws.customerId,
      first_name: "Jean",
      phone: "+33 6 12 34 56 78",
      role: ["buyer", "signer"],
      id_crm: "crm_001",
      id_erp: null,
      address_ids: [],
    });
    expect(body.data.created_at).toBe(body.data.updated_at);
    expect(await getContact(ws.token, body.data.id)).toEqual(body);
  });

  it("defaults phone and the external ids to null and role to []", async () => {
    const ws = await seedWorkspace();
    const { body } = await postContact(ws.token, {
      customer_id: ws.customerId,
      first_name: "A",
      last_name: "B",
      email: "a@b.example",
    });
    expect(body.data).toMatchObject({ phone: null, role: [], id_crm: null, id_erp: null, id_accounting: null });
  });

  it("trims text, keeps phone numbers free-form and removes duplicate roles", async () => {
    const ws = await seedWorkspace();
    const { body } = await postContact(ws.token, {
      customer_id: ws.customerId,
      first_name: "  Zoë  ",
      last_name: "Ñúñez-😀",
      email: "zoe@example.com",
      phone: "(+1) 555-0100 ext. 42",
      role: ["legal", "buyer", "legal"],
    });
    expect(body.data).toMatchObject({
      first_name: "Zoë",
      last_name: "Ñúñez-😀",
      phone: "(+1) 555-0100 ext. 42",
      role: ["legal", "buyer"],
    });
  });

  it("refuses a customer of another workspace exactly like one that does not exist", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const contact = { first_name: "A", last_name: "B", email: "a@b.example" };
    const foreign = await postContact(ws.token, { ...contact, customer_id: other.customerId });
    const missing = await postContact(ws.token, { ...contact, customer_id: crypto.randomUUID() });
    expect(foreign.response.status).toBe(400);
    expect(foreign.body).toEqual({ success: false, error: "customer_id: customer not found" });
    expect(missing.body).toEqual(foreign.body);
    const otherList = await json<Envelope<ContactObject[]>>(await api("/api/contacts", { token: other.token }));
    expect(otherList.data.map((c) => c.id)).toEqual([other.contactId]);
  });

  it("names each invalid field and the rule it breaks, and writes nothing", async () => {
    const ws = await seedWorkspace();
    const cases: [Record<string, unknown>, string][] = [
      [{ first_name: "A", last_name: "B", email: "a@b.example" }, "customer_id is required"],
      [{ customer_id: ws.customerId, last_name: "B", email: "a@b.example" }, "first_name is required"],
      [
        { customer_id: ws.customerId, first_name: "  ", last_name: "B", email: "a@b.example" },
        "first_name must not be empty",
      ],
      [
        { customer_id: ws.customerId, first_name: null, last_name: "B", email: "a@b.example" },
        "first_name cannot be null",
      ],
      [
        { customer_id: ws.customerId, first_name: 1, last_name: "B", email: "a@b.example" },
        "first_name must be a string",
      ],
      [
        { customer_id: ws.customerId, first_name: "A", last_name: "B", email: "not-an-email" },
        "email must be an email address",
      ],
      [
        { customer_id: ws.customerId, first_name: "A", last_name: "B", email: "a@b.example", role: ["buyer", "boss"] },
        "role[1] must be one of: buyer, signer, billing, shipping, legal, admin",
      ],
      [
        { customer_id: ws.customerId, first_name: "A", last_name: "B", email: "a@b.example", role: "buyer" },
        "role must be an array",
      ],
      [{ customer_id: "123", first_name: "A", last_name: "B", email: "a@b.example" }, "customer_id must be a UUID"],
      [
        { customer_id: ws.customerId, first_name: "A".repeat(201), last_name: "B", email: "a@b.example" },
        "first_name must be at most 200 characters",
      ],
      [
        { customer_id: ws.customerId, first_name: "A", last_name: "B", email: "a@b.example", nickname: "x" },
        "nickname is not a known field",
      ],
    ];
    for (const [body, error] of cases) {
      const created = await postContact(ws.token, body);
      expect(created.response.status, error).toBe(400);
      expect(created.body, error).toEqual({ success: false, error });
    }
    const list = await json<Envelope<ContactObject[]>>(await api("/api/contacts", { token: ws.token }));
    expect(list.data).toHaveLength(1);
  });

  it("refuses read-only fields instead of applying them", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const base = { customer_id: ws.customerId, first_name: "A", last_name: "B", email: "a@b.example" };
    for (const field of ["id", "workspace_id", "created_at", "updated_at", "address_ids"]) {
      const value = field === "workspace_id" ? other.workspaceId : field === "address_ids" ? [] : crypto.randomUUID();
      const created = await postContact(ws.token, { ...base, [field]: value });
      expect(created.response.status, field).toBe(400);
      expect(created.body).toEqual({ success: false, error: `${field} is read-only` });
    }
  });
});

describe("PATCH /api/contacts/{id}", () => {
  it("changes only the fields sent and answers the full object, as GET does", async () => {
    const ws = await seedWorkspace();
    const before = await getContact(ws.token, ws.contactId);
    const response = await api(`/api/contacts/${ws.contactId}`, {
      method: "PATCH",
      token: ws.token,
      body: { phone: "+33 6 99 88 77 66", role: ["buyer", "billing"] },
    });
    expect(response.status).toBe(200);
    const after = await json<Envelope<ContactObject>>(response);
    expect(after.data).toEqual({
      ...before.data,
      phone: "+33 6 99 88 77 66",
      role: ["buyer", "billing"],
      updated_at: after.data.updated_at,
    });
    expect(await getContact(ws.token, ws.contactId)).toEqual(after);
  });

  it("moves updated_at forward on every change, not on a PATCH that changes nothing, and never created_at", async () => {
    const ws = await seedWorkspace();
    const patch = async (body: Record<string, unknown>) =>
      (
        await json<Envelope<ContactObject>>(
          await api(`/api/contacts/${ws.contactId}`, { method: "PATCH", token: ws.token, body }),
        )
      ).data;
    const first = await patch({ first_name: "One" });
    const second = await patch({ first_name: "Two" });
    const third = await patch({ first_name: "Two" });
    expect(Date.parse(second.updated_at)).toBeGreaterThan(Date.parse(first.updated_at));
    expect(third.updated_at).toBe(second.updated_at);
    expect(new Set([first.created_at, second.created_at, third.created_at]).size).toBe(1);
  });

  it("unsets a nullable field with null and refuses null for a required one", async () => {
    const ws = await seedWorkspace();
    await api(`/api/contacts/${ws.contactId}`, { method: "PATCH", token: ws.token, body: { phone: "1", id_erp: "e" } });
    const unset = await api(`/api/contacts/${ws.contactId}`, {
      method: "PATCH",
      token: ws.token,
      body: { phone: null, id_erp: null },
    });
    expect((await json<Envelope<ContactObject>>(unset)).data).toMatchObject({ phone: null, id_erp: null });
    for (const field of ["first_name", "last_name", "email", "role"]) {
      const refused = await api(`/api/contacts/${ws.contactId}`, {
        method: "PATCH",
        token: ws.token,
        body: { [field]: null },
      });
      expect(refused.status).toBe(400);
      expect(await json(refused)).toEqual({ success: false, error: `${field} cannot be null` });
    }
  });

  it("replaces the whole role array, and [] clears it", async () => {
    const ws = await seedWorkspace();
    const patchRole = async (role: string[]) =>
      (
        await json<Envelope<ContactObject>>(
          await api(`/api/contacts/${ws.contactId}`, { method: "PATCH", token: ws.token, body: { role } }),
        )
      ).data.role;
    expect(await patchRole(["signer", "admin"])).toEqual(["signer", "admin"]);
    expect(await patchRole(["legal"])).toEqual(["legal"]);
    expect(await patchRole([])).toEqual([]);
  });

  it("accepts the current customer_id but refuses to move the contact to another customer", async () => {
    const ws = await seedWorkspace();
    const same = await api(`/api/contacts/${ws.contactId}`, {
      method: "PATCH",
      token: ws.token,
      body: { customer_id: ws.customerId, first_name: "Same" },
    });
    expect(same.status).toBe(200);
    const moved = await api(`/api/contacts/${ws.contactId}`, {
      method: "PATCH",
      token: ws.token,
      body: { customer_id: crypto.randomUUID(), first_name: "Moved" },
    });
    expect(moved.status).toBe(400);
    expect((await json(moved)).error).toMatch(/^customer_id cannot be changed/);
    expect((await getContact(ws.token, ws.contactId)).data.first_name).toBe("Same");
  });

  it("with an empty body changes nothing and answers the contact", async () => {
    const ws = await seedWorkspace();
    const before = await getContact(ws.token, ws.contactId);
    const response = await api(`/api/contacts/${ws.contactId}`, { method: "PATCH", token: ws.token, body: {} });
    expect(await json(response)).toEqual(before);
  });

  it("answers 404 for a contact of another workspace and leaves it alone", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const before = await getContact(other.token, other.contactId);
    const response = await api(`/api/contacts/${other.contactId}`, {
      method: "PATCH",
      token: ws.token,
      body: { first_name: "Hijacked" },
    });
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ success: false, error: "Contact not found" });
    expect(await getContact(other.token, other.contactId)).toEqual(before);
  });
});

describe("DELETE /api/contacts/{id}", () => {
  it("deletes the contact and keeps its addresses, unlinked", async () => {
    const ws = await seedWorkspace();
    const address = await json<Envelope<AddressObject>>(
      await api(`/api/addresses/${ws.addressId}`, { token: ws.token }),
    );
    const response = await api(`/api/contacts/${ws.contactId}`, { method: "DELETE", token: ws.token });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ success: true, message: "Contact deleted successfully" });
    expect((await api(`/api/contacts/${ws.contactId}`, { token: ws.token })).status).toBe(404);
    const after = await json<Envelope<AddressObject>>(await api(`/api/addresses/${ws.addressId}`, { token: ws.token }));
    expect(after.data).toMatchObject({ contact_id: null, customer_id: ws.customerId });
    expect(Date.parse(after.data.updated_at)).toBeGreaterThan(Date.parse(address.data.updated_at));
    expect((await api(`/api/contacts/${ws.contactId}`, { method: "DELETE", token: ws.token })).status).toBe(404);
  });

  it("answers 404 for another workspace's contact and deletes nothing", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const response = await api(`/api/contacts/${other.contactId}`, { method: "DELETE", token: ws.token });
    expect(response.status).toBe(404);
    expect((await api(`/api/contacts/${other.contactId}`, { token: other.token })).status).toBe(200);
    const address = await json<Envelope<AddressObject>>(
      await api(`/api/addresses/${other.addressId}`, { token: other.token }),
    );
    expect(address.data.contact_id).toBe(other.contactId);
  });
});

describe("contacts permissions", () => {
  it("lets a read-only token read but not write", async () => {
    const ws = await seedWorkspace();
    const token = ws.readOnlyToken;
    expect((await api("/api/contacts", { token })).status).toBe(200);
    const body = { customer_id: ws.customerId, first_name: "A", last_name: "B", email: "a@b.example" };
    const refusals = [
      await api("/api/contacts", { method: "POST", token, body }),
      await api(`/api/contacts/${ws.contactId}`, { method: "PATCH", token, body: { first_name: "X" } }),
      await api(`/api/contacts/${ws.contactId}`, { method: "DELETE", token }),
    ];
    for (const response of refusals) {
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({
        success: false,
        error: "This API token lacks the contacts:write permission",
      });
    }
    expect(await getContact(ws.token, ws.contactId)).toMatchObject({ data: { first_name: "Ada" } });
  });
});
