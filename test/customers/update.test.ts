// PATCH /api/customers/{id}: only the fields sent change, updated_at moves only
// on a change, and a refusal changes nothing.
import { describe, expect, it } from "vitest";
import type { CustomerObject } from "../../src/customers/object";
import { type Envelope, expectError, isoUtc } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import {
  createCustomer,
  customerKeys,
  customerRows,
  fullCustomer,
  getCustomer,
  patchCustomer,
} from "../support/resources";

describe("PATCH /api/customers/{id}", () => {
  it("changes only the fields sent, and answers exactly what a following GET answers", async () => {
    const ws = await seedWorkspace();
    const before = await createCustomer(ws, fullCustomer);
    const response = await patchCustomer(ws, before.id, { name: "Acme SA", id_erp: "erp-2" });
    expect(response.status).toBe(200);
    const patched = await response.text();
    const { data, success } = JSON.parse(patched) as Envelope<CustomerObject>;
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
    const { data } = await json<Envelope<CustomerObject>>(response);
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
    const { data } = await json<Envelope<CustomerObject>>(response);
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
    expect((await json<Envelope<CustomerObject>>(response)).data.tax_ids).toEqual(replaced);

    response = await patchCustomer(ws, customer.id, { name: "Still taxed" });
    expect((await json<Envelope<CustomerObject>>(response)).data.tax_ids).toEqual(replaced);
    expect((await getCustomer(ws, customer.id)).tax_ids).toEqual(replaced);

    response = await patchCustomer(ws, customer.id, { tax_ids: [] });
    expect((await json<Envelope<CustomerObject>>(response)).data.tax_ids).toEqual([]);
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
      const { data } = await json<Envelope<CustomerObject>>(response);
      expect(data.created_at).toBe(created.created_at);
      expect(data.updated_at).toMatch(isoUtc);
      expect(Date.parse(data.updated_at)).toBeGreaterThan(Date.parse(previous.updated_at));
      previous = data;
    }
    for (const body of [{ name: "Two" }, { id_crm: "x", tax_ids: [{ tax_value: "FR1", tax: "VAT" }] }]) {
      const unchanged = await patchCustomer(ws, created.id, body);
      expect((await json<Envelope<CustomerObject>>(unchanged)).data).toEqual(previous);
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
