import { describe, expect, it } from "vitest";
import { demo, seedDemo } from "../scripts/seed";
import { api, db, json, seedWorkspace } from "./harness";

// Qwoty's "Get Contact" page, response example, verbatim.
const seedResponse = {
  success: true,
  data: {
    id: "660e8400-e29b-41d4-a716-446655440001",
    workspace_id: "706eb564-6c4a-4e18-841c-bdd79be6bca7",
    customer_id: "550e8400-e29b-41d4-a716-446655440000",
    first_name: "Jean",
    last_name: "Dupont",
    email: "jean.dupont@acme.com",
    phone: "+33 6 12 34 56 78",
    role: ["buyer", "signer"],
    id_crm: null,
    id_erp: null,
    id_accounting: null,
    address_ids: ["c3d4e5f6-a7b8-9012-cdef-123456789012"],
    created_at: "2026-01-15T10:30:00Z",
    updated_at: "2026-01-15T10:30:00Z",
  },
};

describe("GET /api/contacts/{id}", () => {
  it("answers the seed example of Qwoty's Get Contact page, byte for byte", async () => {
    const tokens = await seedDemo(db());
    const response = await api(`/api/contacts/${demo.contactId}`, { token: tokens.full });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await response.text()).toBe(JSON.stringify(seedResponse));
  });

  it("returns the 14 fields in the documented order, timestamps in UTC with Z", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts/${ws.contactId}`, { token: ws.token });
    const body = await json<{ success: boolean; data: Record<string, unknown> }>(response);
    expect(body.success).toBe(true);
    expect(Object.keys(body.data)).toEqual(Object.keys(seedResponse.data));
    expect(body.data).toMatchObject({
      id: ws.contactId,
      workspace_id: ws.workspaceId,
      customer_id: ws.customerId,
      first_name: "Ada",
      phone: null,
      role: ["buyer"],
      address_ids: [ws.addressId],
    });
    expect(body.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
  });

  it("lets a read-only token read", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts/${ws.contactId}`, { token: ws.readOnlyToken });
    expect(response.status).toBe(200);
  });

  it("answers 404 in the envelope for an id that does not exist", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts/${crypto.randomUUID()}`, { token: ws.token });
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ success: false, error: "Contact not found" });
  });
});
