// Reading addresses: GET /api/addresses/{id}, Qwoty's address object, and GET
// /api/addresses, oldest first, filtered by customer_id, paged with limit and cursor.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import { type Envelope, isoUtc } from "../support/envelope";
import { api, json, seedWorkspace, stableHeaders } from "../support/harness";
import {
  addressBody,
  addressKeys,
  createCustomer,
  insertAddressAt,
  listAddresses,
  listedIds,
  postAddress,
} from "../support/resources";

describe("GET /api/addresses/{id}", () => {
  it("returns the full address object, its 18 fields in the documented order, timestamps in UTC with Z", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/addresses/${ws.addressId}`, { token: ws.token });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = await json<Envelope<AddressObject>>(response);
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
      expect((await json<Envelope<AddressObject>>(response)).data.id).toBe(ws.addressId);
    }
  });
});

describe("GET /api/addresses", () => {
  it("lists the workspace's addresses oldest first, in the full object form, and never another workspace's", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    // Written newest first, so that the list's order can only come from created_at.
    const february = await insertAddressAt(ws, "2024-02-01T00:00:00.000Z");
    const january = await insertAddressAt(ws, "2024-01-01T00:00:00.000Z");
    const created = await postAddress(ws.token, addressBody(ws));
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
    const customerId = (await createCustomer(ws, { name: "Other Customer" })).id;
    const theirs = await postAddress(ws.token, addressBody(ws, { customer_id: customerId }));
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
    const customerId = (await createCustomer(ws, { name: "Other Customer" })).id;
    const ids: string[] = [];
    for (const line of ["A", "B", "C"]) {
      const created = await postAddress(ws.token, addressBody(ws, { customer_id: customerId, address_line1: line }));
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
