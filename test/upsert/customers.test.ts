// PUT /api/customers/by/{field}/{value}: create the customer an external id names,
// or apply the body to the one that holds it.
import { describe, expect, it } from "vitest";
import { customerBody, expectNothingChanged, getRecord, listAll, putByExternalId, upsertOk } from "../support/batch";
import { expectError } from "../support/envelope";
import { api, seedWorkspace } from "../support/harness";
import { createCustomer, fullCustomer } from "../support/resources";

describe("PUT /api/customers/by/{field}/{value}", () => {
  it("creates the customer when none holds the value (201, Location), then applies the body to it (200)", async () => {
    const ws = await seedWorkspace();
    const { id_crm: _, ...full } = fullCustomer;
    const created = await upsertOk(ws, "customers", "id_crm", "CRM-C1", full, 201);
    expect(created.location).toBe(`/api/customers/${created.data.id}`);
    expect(created.data).toMatchObject({ ...fullCustomer, id_crm: "CRM-C1", contact_ids: [], address_ids: [] });
    expect(await getRecord(ws, "customers", created.data.id)).toEqual({ data: created.data, etag: created.etag });

    const updated = await upsertOk(
      ws,
      "customers",
      "id_crm",
      "CRM-C1",
      customerBody({ name: "Renamed", tax_ids: [{ tax: "VAT", tax_value: "NEW" }] }),
      200,
    );
    // Like a PATCH: type and tax_ids sent replace; logo, segment_id and the other external ids stay.
    expect(updated.data).toEqual({
      ...created.data,
      name: "Renamed",
      tax_ids: [{ tax: "VAT", tax_value: "NEW" }],
      updated_at: updated.data.updated_at,
    });
    expect(await getRecord(ws, "customers", created.data.id)).toEqual({ data: updated.data, etag: updated.etag });
    expect(await listAll(ws, "customers")).toHaveLength(2);
  });

  it("answers the contacts and addresses of a customer it finds", async () => {
    const ws = await seedWorkspace();
    await api(`/api/customers/${ws.customerId}`, { method: "PATCH", token: ws.token, body: { id_erp: "E-SEED" } });
    const found = await upsertOk(ws, "customers", "id_erp", "E-SEED", customerBody({ name: "Seed" }), 200);
    expect(found.data).toMatchObject({ id: ws.customerId, contact_ids: [ws.contactId], address_ids: [ws.addressId] });
  });

  it("changes nothing when the body matches the customer: same updated_at, same ETag", async () => {
    const ws = await seedWorkspace();
    const created = await upsertOk(ws, "customers", "id_accounting", "ACC", customerBody(), 201);
    await expectNothingChanged(ws, async () => {
      const again = await upsertOk(ws, "customers", "id_accounting", "ACC", customerBody(), 200);
      expect(again.data).toEqual(created.data);
      expect(again.etag).toBe(created.etag);
    });
  });

  it("refuses an unknown field, a body contradicting the path, and an invalid body (400)", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      await expectError(
        await putByExternalId(ws, "customers", "name", "Acme", customerBody()),
        400,
        "Invalid field: expected id_crm, id_erp or id_accounting",
      );
      await expectError(
        await putByExternalId(ws, "customers", "id_crm", "A", customerBody({ id_crm: "B" })),
        400,
        "id_crm: must equal the value in the path (A) or be left out",
      );
      await expectError(
        await putByExternalId(ws, "customers", "id_crm", "A", { name: "No type" }),
        400,
        "type is required",
      );
    });
  });

  it("refuses another external id held by a different customer (409, naming it)", async () => {
    const ws = await seedWorkspace();
    const holder = await createCustomer(ws, { id_accounting: "HELD" });
    await expectNothingChanged(ws, async () => {
      await expectError(
        await putByExternalId(ws, "customers", "id_crm", "NEW", customerBody({ id_accounting: "HELD" })),
        409,
        `id_accounting: this value already identifies customer ${holder.id}; external ids are unique in a workspace, per resource`,
      );
    });
  });

  it("matches only the token's workspace, and needs customers:write", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const theirs = await createCustomer(other, { id_erp: "SHARED" });
    await expectNothingChanged(other, async () => {
      const mine = await upsertOk(ws, "customers", "id_erp", "SHARED", customerBody(), 201);
      expect(mine.data.id).not.toBe(theirs.id);
      expect(mine.data.workspace_id).toBe(ws.workspaceId);
    });
    await expectError(
      await putByExternalId(ws, "customers", "id_erp", "RO", customerBody(), { token: ws.readOnlyToken }),
      403,
      "This API token lacks the customers:write permission",
    );
  });

  it("replays a retry with the same Idempotency-Key: the first status, Idempotent-Replayed", async () => {
    const ws = await seedWorkspace();
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    await upsertOk(ws, "customers", "id_crm", "KEY", customerBody(), 201);
    const first = await upsertOk(ws, "customers", "id_crm", "KEY", customerBody({ name: "Changed" }), 200, { headers });
    await expectNothingChanged(ws, async () => {
      const retry = await putByExternalId(ws, "customers", "id_crm", "KEY", customerBody({ name: "Changed" }), {
        headers,
      });
      expect(retry.status).toBe(200);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await retry.text()).toBe(first.text);
    });
  });
});
