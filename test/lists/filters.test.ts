// List filters: find records by the keys integrators hold (external ids, an
// email, a VAT number), narrow by type, role, country or a name prefix, and pull
// what changed since a moment. Filters combine (AND); an unknown or malformed
// one is a 400 naming it; a filter matching nothing is an empty list.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import type { ContactObject } from "../../src/contacts/object";
import type { CustomerObject } from "../../src/customers/object";
import type { Page } from "../support/envelope";
import { api, json, seedWorkspace, type TestWorkspace } from "../support/harness";
import { addressBody, contactBody, createContact, createCustomer, postAddress } from "../support/resources";

async function list<T extends { id: string }>(ws: TestWorkspace, path: string): Promise<string[]> {
  const response = await api(path, { token: ws.token });
  expect(response.status, path).toBe(200);
  return (await json<Page<T>>(response)).data.map((item) => item.id);
}

async function createAddress(ws: TestWorkspace, fields: Record<string, unknown>): Promise<AddressObject> {
  const { response, body } = await postAddress(ws.token, addressBody(ws, fields));
  expect(response.status).toBe(201);
  return body.data as AddressObject;
}

describe("contact filters", () => {
  it("finds a contact by email, case-insensitively and exactly", async () => {
    const ws = await seedWorkspace();
    const ada = await createContact(ws, { email: "Ada.Lovelace@Example.com" });
    await createContact(ws, { email: "ada.lovelace@example.com.evil" });
    expect(await list(ws, "/api/contacts?email=ada.lovelace%40example.COM")).toEqual([ada.id]);
  });

  it("finds a contact by each external id", async () => {
    const ws = await seedWorkspace();
    const held = await createContact(ws, { id_crm: "HS-4711", id_erp: "ERP-1", id_accounting: "ACC-1" });
    await createContact(ws, { id_crm: "HS-4712" });
    for (const [name, value] of [
      ["id_crm", "HS-4711"],
      ["id_erp", "ERP-1"],
      ["id_accounting", "ACC-1"],
    ]) {
      expect(await list(ws, `/api/contacts?${name}=${value}`), name).toEqual([held.id]);
    }
  });

  it("narrows by customer and by role, combined with AND", async () => {
    const ws = await seedWorkspace();
    const other = await createCustomer(ws);
    const signer = await createContact(ws, { role: ["signer", "buyer"] });
    await createContact(ws, { role: ["buyer"] });
    const elsewhere = await createContact(ws, { customer_id: other.id, role: ["signer"] });
    expect(await list(ws, "/api/contacts?role=signer")).toEqual([signer.id, elsewhere.id]);
    expect(await list(ws, `/api/contacts?role=signer&customer_id=${ws.customerId}`)).toEqual([signer.id]);
  });

  it("answers an empty list, not 404, when nothing matches", async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/contacts?id_crm=nobody", { token: ws.token });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ success: true, data: [] });
  });

  it("never finds another workspace's contact, whatever the filter names", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    await createContact(theirs, { id_crm: "SHARED-1", email: "shared@example.com" });
    expect(await list(mine, "/api/contacts?id_crm=SHARED-1")).toEqual([]);
    expect(await list(mine, "/api/contacts?email=shared%40example.com")).toEqual([]);
  });

  it("refuses an unknown or malformed filter with 400 naming it", async () => {
    const ws = await seedWorkspace();
    const cases: [string, string][] = [
      ["emial=a%40b.c", "emial is not a known query parameter"],
      ["role=ceo", "role must be one of: buyer, signer, billing, shipping, legal, admin"],
      ["email=", "email must not be empty"],
      [`id_crm=${"x".repeat(256)}`, "id_crm must be at most 255 characters"],
      ["updated_since=yesterday", "updated_since must be an ISO 8601 date-time, such as 2026-01-15T10:30:00Z"],
      [
        "updated_since=2026-02-30T00:00:00Z",
        "updated_since must be an ISO 8601 date-time, such as 2026-01-15T10:30:00Z",
      ],
      ["customer_id=42", "customer_id must be a UUID"],
    ];
    for (const [query, error] of cases) {
      const response = await api(`/api/contacts?${query}`, { token: ws.token });
      expect(response.status, query).toBe(400);
      expect(await json(response), query).toEqual({ success: false, error });
    }
  });
});

describe("customer filters", () => {
  it("finds a customer by a VAT number among its tax_ids", async () => {
    const ws = await seedWorkspace();
    const acme = await createCustomer(ws, {
      tax_ids: [
        { tax: "SIREN", tax_value: "123456789" },
        { tax: "VAT", tax_value: "FR12345678901" },
      ],
    });
    await createCustomer(ws, { tax_ids: [{ tax: "VAT", tax_value: "FR12345678902" }] });
    expect(await list<CustomerObject>(ws, "/api/customers?tax_value=FR12345678901")).toEqual([acme.id]);
    expect(await list<CustomerObject>(ws, "/api/customers?tax_value=FR1234567890")).toEqual([]);
  });

  it("narrows by type and by a case-insensitive name prefix whose wildcards are literal", async () => {
    const ws = await seedWorkspace();
    const acme = await createCustomer(ws, { name: "Acme Corp", type: "company" });
    const percent = await createCustomer(ws, { name: "100% Organic", type: "company" });
    await createCustomer(ws, { name: "Acmeish", type: "individual" });
    expect(await list(ws, "/api/customers?name_prefix=acme%20c")).toEqual([acme.id]);
    expect(await list(ws, "/api/customers?name_prefix=ACME&type=company")).toEqual([acme.id]);
    expect(await list(ws, "/api/customers?name_prefix=100%25")).toEqual([percent.id]);
    expect(await list(ws, "/api/customers?name_prefix=_cme")).toEqual([]);
  });

  it("lists a name_prefix search in name order, and pages it", async () => {
    const ws = await seedWorkspace();
    const b = await createCustomer(ws, { name: "Zeta B" });
    const a = await createCustomer(ws, { name: "zeta a" });
    const c = await createCustomer(ws, { name: "ZETA C" });
    expect(await list(ws, "/api/customers?name_prefix=zeta")).toEqual([a.id, b.id, c.id]);
    const first = await json<Page<CustomerObject>>(
      await api("/api/customers?name_prefix=ZETA&limit=2", { token: ws.token }),
    );
    expect(first.data.map((customer) => customer.id)).toEqual([a.id, b.id]);
    const response = await api(`/api/customers?name_prefix=ZETA&limit=2&cursor=${first.next_cursor}`, {
      token: ws.token,
    });
    const rest = (await json<Page<CustomerObject>>(response)).data.map((x) => x.id);
    expect(rest).toEqual([c.id]);
  });

  it("finds a customer by each external id", async () => {
    const ws = await seedWorkspace();
    const held = await createCustomer(ws, { id_crm: "C-1", id_erp: "E-1", id_accounting: "A-1" });
    for (const query of ["id_crm=C-1", "id_erp=E-1", "id_accounting=A-1"]) {
      expect(await list(ws, `/api/customers?${query}`), query).toEqual([held.id]);
    }
  });
});

describe("address filters", () => {
  it("narrows by contact, type, country (any case) and external id", async () => {
    const ws = await seedWorkspace();
    const billing = await createAddress(ws, { type: "billing", country: "DE", id_erp: "ADDR-9" });
    const shipping = await createAddress(ws, { type: "shipping", country: "FR", contact_id: ws.contactId });
    expect(await list(ws, `/api/addresses?contact_id=${ws.contactId}`)).toEqual([ws.addressId, shipping.id]);
    expect(await list(ws, "/api/addresses?country=de")).toEqual([billing.id]);
    expect(await list(ws, "/api/addresses?type=billing&country=DE")).toEqual([billing.id]);
    expect(await list(ws, "/api/addresses?id_erp=ADDR-9")).toEqual([billing.id]);
  });

  it("refuses a country that is not an ISO code", async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/addresses?country=XX", { token: ws.token });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({
      success: false,
      error: "country must be an ISO 3166-1 alpha-2 country code, such as FR, US or DE",
    });
  });
});

describe("updated_since", () => {
  it("lists what changed at or after a moment, least recently changed first", async () => {
    const ws = await seedWorkspace();
    const first = await createContact(ws);
    const second = await createContact(ws);
    const since = second.updated_at;
    // Changing the first makes it the most recently changed.
    await api(`/api/contacts/${first.id}`, { method: "PATCH", token: ws.token, body: { first_name: "Later" } });
    expect(await list<ContactObject>(ws, `/api/contacts?updated_since=${since}`)).toEqual([second.id, first.id]);
  });

  it("pages through the changes with cursors bound to the query that made them", async () => {
    const ws = await seedWorkspace();
    const made = [await createContact(ws), await createContact(ws), await createContact(ws)];
    const since = made[0]?.updated_at as string;
    const first = await json<Page<ContactObject>>(
      await api(`/api/contacts?updated_since=${since}&limit=2`, { token: ws.token }),
    );
    expect(first.data.map((c) => c.id)).toEqual([made[0]?.id, made[1]?.id]);
    expect(first.has_more).toBe(true);
    const cursor = first.next_cursor as string;

    const rest = await json<Page<ContactObject>>(
      await api(`/api/contacts?updated_since=${since}&limit=2&cursor=${cursor}`, { token: ws.token }),
    );
    expect(rest.data.map((c) => c.id)).toEqual([made[2]?.id]);

    // The same cursor with other filters, or without them (another order), is refused.
    for (const query of [
      `cursor=${cursor}`,
      `updated_since=2000-01-01T00:00:00Z&cursor=${cursor}`,
      `role=buyer&updated_since=${since}&cursor=${cursor}`,
    ]) {
      const response = await api(`/api/contacts?${query}`, { token: ws.token });
      expect(response.status, query).toBe(400);
      expect(((await json(response)) as { error: string }).error).toMatch(/^cursor belongs to another query/);
    }
  });

  it("does not let a plain list's cursor continue a filtered list", async () => {
    const ws = await seedWorkspace();
    await createContact(ws);
    const page = await json<Page<ContactObject>>(await api("/api/contacts?limit=1", { token: ws.token }));
    const response = await api(`/api/contacts?customer_id=${ws.customerId}&cursor=${page.next_cursor}`, {
      token: ws.token,
    });
    expect(response.status).toBe(400);
  });
});

describe("external ids are keys", () => {
  it("refuses a second contact with the same id_crm in the workspace, naming the holder (409)", async () => {
    const ws = await seedWorkspace();
    const held = await createContact(ws, { id_crm: "HS-4711" });
    const response = await api("/api/contacts", {
      method: "POST",
      token: ws.token,
      body: contactBody(ws, { id_crm: "HS-4711" }),
    });
    expect(response.status).toBe(409);
    expect(await json(response)).toEqual({
      success: false,
      error: `id_crm: this value already identifies contact ${held.id}; external ids are unique in a workspace, per resource`,
    });
    expect(await list(ws, "/api/contacts?id_crm=HS-4711")).toEqual([held.id]);
  });

  it("refuses a PATCH that takes another record's external id, and changes nothing", async () => {
    const ws = await seedWorkspace();
    const held = await createCustomer(ws, { id_erp: "ERP-7" });
    const other = await createCustomer(ws, { name: "Other" });
    const response = await api(`/api/customers/${other.id}`, {
      method: "PATCH",
      token: ws.token,
      body: { name: "Renamed", id_erp: "ERP-7" },
    });
    expect(response.status).toBe(409);
    expect(((await json(response)) as { error: string }).error).toContain(`customer ${held.id}`);
    const again = await json<{ data: CustomerObject }>(await api(`/api/customers/${other.id}`, { token: ws.token }));
    expect(again.data.name).toBe("Other");
  });

  it("lets a record keep or unset its own id, and the same value live in another workspace or resource", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const contact = await createContact(ws, { id_crm: "K-1" });
    const keep = await api(`/api/contacts/${contact.id}`, {
      method: "PATCH",
      token: ws.token,
      body: { id_crm: "K-1", first_name: "Same" },
    });
    expect(keep.status).toBe(200);
    expect((await createContact(other, { id_crm: "K-1" })).id_crm).toBe("K-1");
    expect((await createCustomer(ws, { id_crm: "K-1" })).id_crm).toBe("K-1");
    const address = await createAddress(ws, { id_crm: "K-1" });
    expect(address.id_crm).toBe("K-1");
    const unset = await api(`/api/contacts/${contact.id}`, {
      method: "PATCH",
      token: ws.token,
      body: { id_crm: null },
    });
    expect(unset.status).toBe(200);
    expect((await createContact(ws, { id_crm: "K-1" })).id_crm).toBe("K-1");
  });
});
