// POST /api/addresses: the full object, its defaults and refusals, and its
// references (customer, contact) kept within one workspace and one customer.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import { type Envelope, isoUtc } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import {
  addressBody,
  addressKeys,
  createContact,
  createCustomer,
  getAddress,
  getContact,
  listedIds,
  postAddress,
} from "../support/resources";

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
    const body = JSON.parse(text) as Envelope<AddressObject>;
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
    const { response, body } = await postAddress(ws.token, addressBody(ws));
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
    const { response, body } = await postAddress(ws.token, addressBody(ws, nulls));
    expect(response.status).toBe(201);
    expect(body.data).toMatchObject(nulls);
  });

  it("accepts both types, billing and shipping", async () => {
    const ws = await seedWorkspace();
    for (const type of ["billing", "shipping"]) {
      const { response, body } = await postAddress(ws.token, addressBody(ws, { type }));
      expect(response.status, type).toBe(201);
      expect(body.data.type).toBe(type);
    }
  });

  it("stores a lower-case country code in upper case", async () => {
    const ws = await seedWorkspace();
    const { response, body } = await postAddress(ws.token, addressBody(ws, { country: "fr" }));
    expect(response.status).toBe(201);
    expect(body.data.country).toBe("FR");
    expect((await getAddress(ws.token, body.data.id)).data.country).toBe("FR");
  });

  it("refuses a country that is not an ISO 3166-1 alpha-2 code, naming country, and writes nothing", async () => {
    const ws = await seedWorkspace();
    for (const country of ["XX", "FRA", "F", "", "12", 33]) {
      const { response, body } = await postAddress(ws.token, addressBody(ws, { country }));
      expect(response.status, String(country)).toBe(400);
      expect(body.success).toBe(false);
      expect(body.error, String(country)).toMatch(/^country /);
    }
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
  });

  it("trims text fields", async () => {
    const ws = await seedWorkspace();
    const { body } = await postAddress(
      ws.token,
      addressBody(ws, { name: "  Head office ", address_line1: " 2 Rue de Rivoli  ", city: "\tParis\n" }),
    );
    expect(body.data).toMatchObject({ name: "Head office", address_line1: "2 Rue de Rivoli", city: "Paris" });
  });

  it("accepts text at its maximum length", async () => {
    const ws = await seedWorkspace();
    const { response, body } = await postAddress(
      ws.token,
      addressBody(ws, {
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
      const body: Record<string, unknown> = addressBody(ws);
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
      [addressBody(ws, { type: "office" }), "type must be one of: billing, shipping"],
      [addressBody(ws, { type: "Billing" }), "type must be one of: billing, shipping"],
      [addressBody(ws, { city: "   " }), "city must not be empty"],
      [addressBody(ws, { city: 75 }), "city must be a string"],
      [addressBody(ws, { address_line1: null }), "address_line1 cannot be null"],
      [addressBody(ws, { postal_code: "1".repeat(21) }), "postal_code must be at most 20 characters"],
      [addressBody(ws, { comment: "x".repeat(5001) }), "comment must be at most 5000 characters"],
      [addressBody(ws, { name: "n".repeat(201) }), "name must be at most 200 characters"],
      [addressBody(ws, { address_line1: "a".repeat(201) }), "address_line1 must be at most 200 characters"],
      [addressBody(ws, { city: "c".repeat(101) }), "city must be at most 100 characters"],
      [addressBody(ws, { state: "s".repeat(101) }), "state must be at most 100 characters"],
      [addressBody(ws, { id_erp: "e".repeat(256) }), "id_erp must be at most 255 characters"],
      [addressBody(ws, { customer_id: "123" }), "customer_id must be a UUID"],
      [addressBody(ws, { contact_id: "abc" }), "contact_id must be a UUID"],
      [addressBody(ws, { zip: "75001" }), "zip is not a known field"],
    ];
    for (const [body, error] of cases) {
      const created = await postAddress(ws.token, body);
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
      const created = await postAddress(ws.token, addressBody(ws, { [field]: value }));
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
      body: addressBody(ws, { customer_id: other.customerId }),
    });
    const missing = await api("/api/addresses", {
      method: "POST",
      token: ws.token,
      body: addressBody(ws, { customer_id: crypto.randomUUID() }),
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
    const { response, body } = await postAddress(
      ws.token,
      addressBody(ws, { customer_id: other.customerId, contact_id: other.contactId }),
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
      body: addressBody(ws, { contact_id: other.contactId }),
    });
    const missing = await api("/api/addresses", {
      method: "POST",
      token: ws.token,
      body: addressBody(ws, { contact_id: crypto.randomUUID() }),
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
    const otherCustomer = (await createCustomer(ws, { name: "Other Customer" })).id;
    const theirContact = (await createContact(ws, { customer_id: otherCustomer })).id;
    // The seed's contact, for an address of the other customer …
    const one = await postAddress(ws.token, addressBody(ws, { customer_id: otherCustomer, contact_id: ws.contactId }));
    // … and the other customer's contact, for an address of the seed's customer.
    const two = await postAddress(ws.token, addressBody(ws, { contact_id: theirContact }));
    for (const { response, body } of [one, two]) {
      expect(response.status).toBe(400);
      expect(body).toEqual({ success: false, error: "contact_id: the contact belongs to another customer" });
    }
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
    expect((await getContact(ws.token, theirContact)).data.address_ids).toEqual([]);
  });

  it("links a contact of the same customer, also for a customer other than the seed's", async () => {
    const ws = await seedWorkspace();
    const otherCustomer = (await createCustomer(ws, { name: "Other Customer" })).id;
    const theirContact = (await createContact(ws, { customer_id: otherCustomer })).id;
    const { response, body } = await postAddress(
      ws.token,
      addressBody(ws, { customer_id: otherCustomer, contact_id: theirContact.toUpperCase() }),
    );
    expect(response.status).toBe(201);
    expect(body.data).toMatchObject({ customer_id: otherCustomer, contact_id: theirContact });
  });
});
