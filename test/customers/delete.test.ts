// DELETE /api/customers/{id}: only a customer without contacts or addresses,
// unless ?cascade=true (which needs contacts:write and addresses:write too).
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addresses, contacts } from "../../src/db/schema";
import { expectError } from "../support/envelope";
import { api, db, json, seedWorkspace } from "../support/harness";
import {
  createCustomer,
  customerRows,
  getCustomer,
  insertAddress,
  insertContact,
  listCustomers,
} from "../support/resources";

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
