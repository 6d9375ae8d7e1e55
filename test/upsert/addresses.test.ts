// PUT /api/addresses/by/{field}/{value}: create the address an external id names,
// or apply the body to the one that holds it; customer_id immutable, contact_id a
// contact of the same customer.
import { describe, expect, it } from "vitest";
import { expectNothingChanged, getRecord, listAll, putByExternalId, upsertOk } from "../support/batch";
import { expectError } from "../support/envelope";
import { seedWorkspace } from "../support/harness";
import { addressBody, createCustomer, insertContact } from "../support/resources";

describe("PUT /api/addresses/by/{field}/{value}", () => {
  it("creates the address when none holds the value (201, Location), then applies the body to it (200)", async () => {
    const ws = await seedWorkspace();
    const created = await upsertOk(
      ws,
      "addresses",
      "id_erp",
      "ERP-A1",
      addressBody(ws, { contact_id: ws.contactId, comment: "Ring twice" }),
      201,
    );
    expect(created.location).toBe(`/api/addresses/${created.data.id}`);
    expect(created.data).toMatchObject({
      customer_id: ws.customerId,
      contact_id: ws.contactId,
      comment: "Ring twice",
      id_erp: "ERP-A1",
    });
    expect(await getRecord(ws, "addresses", created.data.id)).toEqual({ data: created.data, etag: created.etag });

    const updated = await upsertOk(
      ws,
      "addresses",
      "id_erp",
      "ERP-A1",
      addressBody(ws, { city: "Lyon", country: "fr" }),
      200,
    );
    // Like a PATCH: contact_id and comment, left out, stay.
    expect(updated.data).toEqual({ ...created.data, city: "Lyon", country: "FR", updated_at: updated.data.updated_at });
    expect(await getRecord(ws, "addresses", created.data.id)).toEqual({ data: updated.data, etag: updated.etag });
    expect(await listAll(ws, "addresses")).toHaveLength(2);
  });

  it("changes nothing when the body matches the address: same updated_at, same ETag", async () => {
    const ws = await seedWorkspace();
    const created = await upsertOk(ws, "addresses", "id_crm", "SAME", addressBody(ws), 201);
    await expectNothingChanged(ws, async () => {
      const again = await upsertOk(ws, "addresses", "id_crm", "SAME", addressBody(ws, { id_crm: "SAME" }), 200);
      expect(again.data).toEqual(created.data);
      expect(again.etag).toBe(created.etag);
    });
  });

  it("refuses to move the address to another customer (400) and changes nothing", async () => {
    const ws = await seedWorkspace();
    const other = await createCustomer(ws, { name: "Other" });
    await upsertOk(ws, "addresses", "id_crm", "STAYS", addressBody(ws), 201);
    await expectNothingChanged(ws, async () => {
      await expectError(
        await putByExternalId(ws, "addresses", "id_crm", "STAYS", addressBody(ws, { customer_id: other.id })),
        400,
        /^customer_id cannot be changed: /,
      );
    });
  });

  it("links only a contact of the same customer: an unknown contact is not found, another customer's is refused", async () => {
    const ws = await seedWorkspace();
    const other = await createCustomer(ws, { name: "Other" });
    const othersContact = await insertContact(ws, other.id);
    await upsertOk(ws, "addresses", "id_crm", "LINKED", addressBody(ws), 201);
    await expectNothingChanged(ws, async () => {
      for (const value of ["LINKED", "NEW"]) {
        await expectError(
          await putByExternalId(ws, "addresses", "id_crm", value, addressBody(ws, { contact_id: crypto.randomUUID() })),
          400,
          "contact_id: contact not found",
        );
        await expectError(
          await putByExternalId(ws, "addresses", "id_crm", value, addressBody(ws, { contact_id: othersContact })),
          400,
          /^contact_id: /,
        );
      }
    });
  });

  it("refuses another workspace's customer or contact exactly like unknown ones (400)", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    await upsertOk(ws, "addresses", "id_crm", "MINE", addressBody(ws), 201);
    await expectNothingChanged(other, async () => {
      const foreignCustomer = await putByExternalId(
        ws,
        "addresses",
        "id_crm",
        "F",
        addressBody(ws, { customer_id: other.customerId }),
      );
      const unknownCustomer = await putByExternalId(
        ws,
        "addresses",
        "id_crm",
        "F",
        addressBody(ws, { customer_id: crypto.randomUUID() }),
      );
      const text = await foreignCustomer.clone().text();
      await expectError(foreignCustomer, 400, "customer_id: customer not found");
      expect(await unknownCustomer.text()).toBe(text);

      const foreignContact = await putByExternalId(
        ws,
        "addresses",
        "id_crm",
        "MINE",
        addressBody(ws, { contact_id: other.contactId }),
      );
      const unknownContact = await putByExternalId(
        ws,
        "addresses",
        "id_crm",
        "MINE",
        addressBody(ws, { contact_id: crypto.randomUUID() }),
      );
      const contactText = await foreignContact.clone().text();
      await expectError(foreignContact, 400, "contact_id: contact not found");
      expect(await unknownContact.text()).toBe(contactText);
    });
  });

  it("refuses another external id held by a different address (409, naming it), an unknown field and a contradicting body (400)", async () => {
    const ws = await seedWorkspace();
    const holder = await upsertOk(ws, "addresses", "id_crm", "HOLDER", addressBody(ws, { id_accounting: "HELD" }), 201);
    await expectNothingChanged(ws, async () => {
      await expectError(
        await putByExternalId(ws, "addresses", "id_crm", "NEW", addressBody(ws, { id_accounting: "HELD" })),
        409,
        `id_accounting: this value already identifies address ${holder.data.id}; external ids are unique in a workspace, per resource`,
      );
      await expectError(
        await putByExternalId(ws, "addresses", "city", "Paris", addressBody(ws)),
        400,
        "Invalid field: expected id_crm, id_erp or id_accounting",
      );
      await expectError(
        await putByExternalId(ws, "addresses", "id_accounting", "HELD", addressBody(ws, { id_accounting: null })),
        400,
        "id_accounting: must equal the value in the path (HELD) or be left out",
      );
    });
  });

  it("needs addresses:write, and replays a retry with the same Idempotency-Key", async () => {
    const ws = await seedWorkspace();
    await expectError(
      await putByExternalId(ws, "addresses", "id_crm", "RO", addressBody(ws), { token: ws.readOnlyToken }),
      403,
      "This API token lacks the addresses:write permission",
    );
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await upsertOk(ws, "addresses", "id_crm", "KEY", addressBody(ws), 201, { headers });
    await expectNothingChanged(ws, async () => {
      const retry = await putByExternalId(ws, "addresses", "id_crm", "KEY", addressBody(ws), { headers });
      expect(retry.status).toBe(201);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await retry.text()).toBe(first.text);
    });
  });
});
