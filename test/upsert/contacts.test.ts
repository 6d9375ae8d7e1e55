// PUT /api/contacts/by/{field}/{value}: create the contact an external id names,
// or apply the body to the one that holds it, in one request, race-free.
import { describe, expect, it } from "vitest";
import { expectNothingChanged, getRecord, listAll, putByExternalId, upsertOk } from "../support/batch";
import { expectError } from "../support/envelope";
import { api, seedWorkspace } from "../support/harness";
import { contactBody, createContact, createCustomer } from "../support/resources";

const etagShape = /^"[A-Za-z0-9_-]{22}"$/;

describe("PUT /api/contacts/by/{field}/{value}: created, then found", () => {
  it("creates the contact when none holds the value: 201, Location, ETag, the contact as GET shows it", async () => {
    const ws = await seedWorkspace();
    const created = await upsertOk(ws, "contacts", "id_crm", "CRM-1", contactBody(ws, { phone: "+33 1" }), 201);
    expect(created.location).toBe(`/api/contacts/${created.data.id}`);
    expect(created.etag).toMatch(etagShape);
    expect(created.data).toMatchObject({
      workspace_id: ws.workspaceId,
      customer_id: ws.customerId,
      first_name: "Grace",
      phone: "+33 1",
      id_crm: "CRM-1",
      id_erp: null,
      address_ids: [],
    });
    expect(created.data.created_at).toBe(created.data.updated_at);
    const current = await getRecord(ws, "contacts", created.data.id);
    expect(current.data).toEqual(created.data);
    expect(current.etag).toBe(created.etag);
  });

  it("applies the body to the contact that holds the value, like a PATCH: 200, ETag, same id, fields left out kept", async () => {
    const ws = await seedWorkspace();
    const created = await upsertOk(ws, "contacts", "id_erp", "ERP-1", contactBody(ws, { phone: "+1 555" }), 201);
    const updated = await upsertOk(
      ws,
      "contacts",
      "id_erp",
      "ERP-1",
      contactBody(ws, { first_name: "Renamed", role: ["billing"] }),
      200,
    );
    expect(updated.location).toBeNull();
    expect(updated.data).toEqual({
      ...created.data,
      first_name: "Renamed",
      role: ["billing"],
      updated_at: updated.data.updated_at,
    });
    expect(Date.parse(updated.data.updated_at)).toBeGreaterThan(Date.parse(created.data.updated_at));
    const current = await getRecord(ws, "contacts", created.data.id);
    expect(current.data).toEqual(updated.data);
    expect(current.etag).toBe(updated.etag);
    expect(updated.etag).not.toBe(created.etag);
    expect(await listAll(ws, "contacts")).toHaveLength(2);
  });

  it("finds a contact created by POST /api/contacts with that external id", async () => {
    const ws = await seedWorkspace();
    const existing = await createContact(ws, { id_accounting: "ACC 7 é" });
    const found = await upsertOk(
      ws,
      "contacts",
      "id_accounting",
      "ACC 7 é",
      contactBody(ws, { last_name: "Found" }),
      200,
    );
    expect(found.data.id).toBe(existing.id);
    expect(found.data.last_name).toBe("Found");
  });

  it("changes nothing when the body matches the contact: same updated_at, same ETag", async () => {
    const ws = await seedWorkspace();
    const body = contactBody(ws, { role: ["buyer"] });
    const created = await upsertOk(ws, "contacts", "id_crm", "SAME", body, 201);
    let again: { data: unknown; etag: string | null } | undefined;
    await expectNothingChanged(ws, async () => {
      again = await upsertOk(ws, "contacts", "id_crm", "SAME", { ...body, id_crm: "SAME" }, 200);
    });
    expect(again?.data).toEqual(created.data);
    expect(again?.etag).toBe(created.etag);
  });

  it("takes the value from the path, percent-decoded, and stores it as the external id", async () => {
    const ws = await seedWorkspace();
    const value = "CRM 42 é+ü";
    const response = await api(`/api/contacts/by/id_crm/${encodeURIComponent(value)}`, {
      method: "PUT",
      token: ws.token,
      body: contactBody(ws),
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { data: { id_crm: string } }).data.id_crm).toBe(value);
    await upsertOk(ws, "contacts", "id_crm", value, contactBody(ws), 200);
  });

  it("accepts values of 1 to 255 characters", async () => {
    const ws = await seedWorkspace();
    for (const value of ["x", "v".repeat(255)]) {
      const created = await upsertOk(ws, "contacts", "id_crm", value, contactBody(ws), 201);
      expect(created.data.id_crm).toBe(value);
    }
  });
});

describe("PUT /api/contacts/by/{field}/{value}: refusals", () => {
  it("refuses a field other than id_crm, id_erp or id_accounting (400)", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      for (const field of ["email", "id", "ID_CRM", "id_crm2"]) {
        await expectError(
          await putByExternalId(ws, "contacts", field, "X", contactBody(ws)),
          400,
          "Invalid field: expected id_crm, id_erp or id_accounting",
        );
      }
    });
  });

  it("refuses a value longer than 255 characters (400)", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      const response = await putByExternalId(ws, "contacts", "id_crm", "v".repeat(256), contactBody(ws));
      await expectError(response, 400, /\S/);
    });
  });

  it("validates the body exactly like POST /api/contacts", async () => {
    const ws = await seedWorkspace();
    const cases: [Record<string, unknown>, string][] = [
      [{ first_name: "A", last_name: "B", email: "a@b.example" }, "customer_id is required"],
      [{ customer_id: ws.customerId, last_name: "B", email: "a@b.example" }, "first_name is required"],
      [contactBody(ws, { email: "nope" }), "email must be an email address"],
      [contactBody(ws, { nickname: "x" }), "nickname is not a known field"],
      [contactBody(ws, { id: crypto.randomUUID() }), "id is read-only"],
    ];
    await expectNothingChanged(ws, async () => {
      for (const [body, error] of cases) {
        const post = await api("/api/contacts", { method: "POST", token: ws.token, body });
        await expectError(post, 400, error);
        await expectError(await putByExternalId(ws, "contacts", "id_crm", "V", body), 400, error);
      }
    });
  });

  it("refuses a body whose value of the field differs from the path, or is null (400)", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      for (const sent of ["OTHER", null]) {
        await expectError(
          await putByExternalId(ws, "contacts", "id_erp", "PATH", contactBody(ws, { id_erp: sent })),
          400,
          "id_erp: must equal the value in the path (PATH) or be left out",
        );
      }
    });
  });

  it("refuses to move the contact to another customer (400) and changes nothing", async () => {
    const ws = await seedWorkspace();
    const other = await createCustomer(ws, { name: "Other" });
    await upsertOk(ws, "contacts", "id_crm", "STAYS", contactBody(ws), 201);
    await expectNothingChanged(ws, async () => {
      await expectError(
        await putByExternalId(ws, "contacts", "id_crm", "STAYS", contactBody(ws, { customer_id: other.id })),
        400,
        /^customer_id cannot be changed: /,
      );
    });
  });

  it("refuses another external id held by a different contact (409, naming it) and changes nothing", async () => {
    const ws = await seedWorkspace();
    const holder = await createContact(ws, { id_erp: "ERP-HELD" });
    await upsertOk(ws, "contacts", "id_crm", "MINE", contactBody(ws), 201);
    await expectNothingChanged(ws, async () => {
      for (const value of ["MINE", "NEW"]) {
        await expectError(
          await putByExternalId(ws, "contacts", "id_crm", value, contactBody(ws, { id_erp: "ERP-HELD" })),
          409,
          `id_erp: this value already identifies contact ${holder.id}; external ids are unique in a workspace, per resource`,
        );
      }
    });
  });

  it("needs contacts:write: a read-only token is refused (403)", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      await expectError(
        await putByExternalId(ws, "contacts", "id_crm", "RO", contactBody(ws), { token: ws.readOnlyToken }),
        403,
        "This API token lacks the contacts:write permission",
      );
    });
  });
});

describe("PUT /api/contacts/by/{field}/{value}: workspaces and retries", () => {
  it("refuses a customer of another workspace exactly like an unknown one: 400 customer not found", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    await expectNothingChanged(other, async () => {
      const foreign = await putByExternalId(
        ws,
        "contacts",
        "id_crm",
        "F",
        contactBody(ws, { customer_id: other.customerId }),
      );
      const unknown = await putByExternalId(
        ws,
        "contacts",
        "id_crm",
        "F",
        contactBody(ws, { customer_id: crypto.randomUUID() }),
      );
      const foreignText = await foreign.clone().text();
      await expectError(foreign, 400, "customer_id: customer not found");
      expect(await unknown.text()).toBe(foreignText);
    });
    expect(await listAll(ws, "contacts")).toHaveLength(1);
  });

  it("matches only the token's workspace: another workspace holding the value is neither found nor changed", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const theirs = await createContact(other, { id_crm: "SHARED" });
    await expectNothingChanged(other, async () => {
      const mine = await upsertOk(ws, "contacts", "id_crm", "SHARED", contactBody(ws), 201);
      expect(mine.data.id).not.toBe(theirs.id);
      expect(mine.data.workspace_id).toBe(ws.workspaceId);
    });
  });

  it("replays a retry with the same Idempotency-Key: the first status (201), Idempotent-Replayed, nothing written again", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const headers = { "Idempotency-Key": key };
    const first = await upsertOk(ws, "contacts", "id_crm", "IDEM", contactBody(ws), 201, { headers });
    const firstText = first.text;
    await expectNothingChanged(ws, async () => {
      const retry = await putByExternalId(ws, "contacts", "id_crm", "IDEM", contactBody(ws), { headers });
      expect(retry.status).toBe(201);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(retry.headers.get("Location")).toBe(first.location);
      expect(await retry.text()).toBe(firstText);
      await expectError(
        await putByExternalId(ws, "contacts", "id_crm", "IDEM", contactBody(ws, { first_name: "Other" }), { headers }),
        422,
        "This Idempotency-Key was already used for a different request",
      );
    });
  });
});
