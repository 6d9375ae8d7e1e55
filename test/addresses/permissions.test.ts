// Addresses and token permissions: addresses:read reads, addresses:write reads
// and writes, and a refusal changes nothing.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import type { Envelope } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import { addressBody, getAddress, listedIds, patchAddress, postAddress } from "../support/resources";

describe("addresses permissions", () => {
  it("lets a read-only token list and get, but not create, change or delete: 403, and nothing changes", async () => {
    const ws = await seedWorkspace();
    const token = ws.readOnlyToken;
    const before = await getAddress(ws.token, ws.addressId);
    const list = await api("/api/addresses", { token });
    expect(list.status).toBe(200);
    expect((await json<Envelope<AddressObject[]>>(list)).data.map((a) => a.id)).toEqual([ws.addressId]);
    const get = await api(`/api/addresses/${ws.addressId}`, { token });
    expect(get.status).toBe(200);
    expect(await json(get)).toEqual(before);

    const refusals = [
      await api("/api/addresses", { method: "POST", token, body: addressBody(ws) }),
      await api(`/api/addresses/${ws.addressId}`, { method: "PATCH", token, body: { city: "X" } }),
      await api(`/api/addresses/${ws.addressId}`, { method: "PATCH", token, body: {} }),
      await api(`/api/addresses/${ws.addressId}`, { method: "DELETE", token }),
    ];
    for (const response of refusals) {
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({
        success: false,
        error: "This API token lacks the addresses:write permission",
      });
    }
    expect(await listedIds(ws.token)).toEqual([ws.addressId]);
    expect(await getAddress(ws.token, ws.addressId)).toEqual(before);
  });

  it("refuses reading to a token without an addresses permission", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken({ permissions: ["contacts:read"] });
    for (const path of ["/api/addresses", `/api/addresses/${ws.addressId}`, `/api/addresses/${crypto.randomUUID()}`]) {
      const response = await api(path, { token });
      expect(response.status, path).toBe(403);
      expect(await json(response)).toEqual({
        success: false,
        error: "This API token lacks the addresses:read permission",
      });
    }
  });

  it("lets addresses:write alone read and write addresses", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken({ permissions: ["addresses:write"] });
    expect((await api(`/api/addresses/${ws.addressId}`, { token })).status).toBe(200);
    const created = await postAddress(token, addressBody(ws, { contact_id: ws.contactId }));
    expect(created.response.status).toBe(201);
    expect((await patchAddress(token, created.body.data.id, { city: "Lyon" })).response.status).toBe(200);
    expect((await api(`/api/addresses/${created.body.data.id}`, { method: "DELETE", token })).status).toBe(200);
  });
});
