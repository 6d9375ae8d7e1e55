// An address's link to a contact (contact_id): shown in the contact's
// address_ids, moved or removed by PATCH, undone when the contact is deleted.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import type { Envelope } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import { addressBody, createContact, getAddress, getContact, patchAddress, postAddress } from "../support/resources";

describe("addresses linked to contacts", () => {
  it("a new address with contact_id shows in the contact's address_ids, oldest first", async () => {
    const ws = await seedWorkspace();
    const first = await postAddress(ws.token, addressBody(ws, { contact_id: ws.contactId, address_line1: "First" }));
    const second = await postAddress(ws.token, addressBody(ws, { contact_id: ws.contactId, address_line1: "Second" }));
    const unlinked = await postAddress(ws.token, addressBody(ws, { address_line1: "Unlinked" }));
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
    const colleague = (await createContact(ws)).id;
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
    const body = await json<Envelope<AddressObject>>(after);
    expect(body.data).toEqual({ ...before.data, contact_id: null, updated_at: body.data.updated_at });
    expect(Date.parse(body.data.updated_at)).toBeGreaterThan(Date.parse(before.data.updated_at));
    expect(body.data.created_at).toBe(before.data.created_at);
  });

  it("deleting a contact leaves the addresses linked to other contacts alone", async () => {
    const ws = await seedWorkspace();
    const colleague = (await createContact(ws)).id;
    const kept = await postAddress(ws.token, addressBody(ws, { contact_id: colleague }));
    await api(`/api/contacts/${ws.contactId}`, { method: "DELETE", token: ws.token });
    expect(await getAddress(ws.token, kept.body.data.id)).toEqual(kept.body);
  });
});
