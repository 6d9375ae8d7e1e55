// Strong ETags on single records and 304 Not Modified for If-None-Match.
import { describe, expect, it } from "vitest";
import { api, seedWorkspace } from "./support/harness";

describe("conditional GET", () => {
  for (const resource of ["contacts", "customers", "addresses"] as const) {
    it(`answers 304 with no body when the ${resource} record has not changed`, async () => {
      const ws = await seedWorkspace();
      const id = { contacts: ws.contactId, customers: ws.customerId, addresses: ws.addressId }[resource];
      const first = await api(`/api/${resource}/${id}`, { token: ws.token });
      const etag = first.headers.get("ETag");
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
      expect(first.headers.get("Cache-Control")).toBe("private, no-cache");

      for (const header of [etag as string, `W/${etag}`, `"other", ${etag}`, "*"]) {
        const again = await api(`/api/${resource}/${id}`, { token: ws.token, headers: { "If-None-Match": header } });
        expect(again.status, header).toBe(304);
        expect(again.headers.get("ETag")).toBe(etag);
        expect(await again.text()).toBe("");
      }
      const stale = await api(`/api/${resource}/${id}`, { token: ws.token, headers: { "If-None-Match": '"stale"' } });
      expect(stale.status).toBe(200);
      expect(stale.headers.get("ETag")).toBe(etag);
    });
  }

  it("changes the ETag when the record changes, including its derived address_ids", async () => {
    const ws = await seedWorkspace();
    const etagOf = async () => (await api(`/api/contacts/${ws.contactId}`, { token: ws.token })).headers.get("ETag");
    const original = await etagOf();
    const patched = await api(`/api/contacts/${ws.contactId}`, {
      method: "PATCH",
      token: ws.token,
      body: { first_name: "Changed" },
    });
    const afterPatch = await etagOf();
    expect(afterPatch).not.toBe(original);
    expect(patched.headers.get("ETag")).toBe(afterPatch);

    await api(`/api/addresses/${ws.addressId}`, { method: "PATCH", token: ws.token, body: { contact_id: null } });
    const afterUnlink = await etagOf();
    expect(afterUnlink).not.toBe(afterPatch);
    const conditional = await api(`/api/contacts/${ws.contactId}`, {
      token: ws.token,
      headers: { "If-None-Match": afterPatch as string },
    });
    expect(conditional.status).toBe(200);
  });

  it("never answers 304 to a refused request", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const response = await api(`/api/contacts/${other.contactId}`, {
      token: ws.token,
      headers: { "If-None-Match": "*" },
    });
    expect(response.status).toBe(404);
  });
});
