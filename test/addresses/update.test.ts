// PATCH /api/addresses/{id}: only the fields sent change, under the same rules as
// on create; the customer never changes, and a refusal changes nothing.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import type { Envelope } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import {
  addressBody,
  addressKeys,
  createContact,
  createCustomer,
  getAddress,
  getContact,
  patchAddress,
  postAddress,
} from "../support/resources";

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
    const after = JSON.parse(text) as Envelope<AddressObject>;
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
    const otherCustomer = (await createCustomer(ws, { name: "Other Customer" })).id;
    const theirContact = (await createContact(ws, { customer_id: otherCustomer })).id;
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
    const otherCustomer = (await createCustomer(ws, { name: "Other Customer" })).id;
    const theirContact = (await createContact(ws, { customer_id: otherCustomer })).id;
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
    const created = await postAddress(ws.token, addressBody(ws));
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
