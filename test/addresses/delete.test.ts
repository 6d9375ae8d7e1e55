// DELETE /api/addresses/{id}: the address goes, its contact stays.
import { describe, expect, it } from "vitest";
import type { ContactObject } from "../../src/contacts/object";
import type { Envelope } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import { addressBody, getContact, listedIds, postAddress } from "../support/resources";

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
    const kept = await postAddress(ws.token, addressBody(ws, { contact_id: ws.contactId }));
    expect((await getContact(ws.token, ws.contactId)).data.address_ids).toEqual([ws.addressId, kept.body.data.id]);
    await api(`/api/addresses/${ws.addressId}`, { method: "DELETE", token: ws.token });
    const contact = await api(`/api/contacts/${ws.contactId}`, { token: ws.token });
    expect(contact.status).toBe(200);
    expect((await json<Envelope<ContactObject>>(contact)).data.address_ids).toEqual([kept.body.data.id]);
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
