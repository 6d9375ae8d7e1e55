// POST /api/addresses/batch: creates, updates, upserts (by external id) and deletes
// of addresses in one request, all or nothing; customer_id immutable, contact_id
// only a contact of the address's customer.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import {
  type BatchOperation,
  type BatchResult,
  batchOk,
  expectBatchRefusal,
  expectNothingChanged,
  expectResultShape,
  expectResultsAsGetShowsThem,
  getRecord,
  listAll,
  many,
  maxBatchBytes,
  paddedBody,
  postBatch,
} from "../support/batch";
import { type Envelope, expectError } from "../support/envelope";
import { json, seedWorkspace, type TestWorkspace } from "../support/harness";
import { addressBody, createCustomer, insertAddress, insertContact, postAddress } from "../support/resources";

const create = (ws: TestWorkspace, fields: Record<string, unknown> = {}): BatchOperation => ({
  op: "create",
  data: addressBody(ws, fields),
});
const upsert = (ws: TestWorkspace, match: string, fields: Record<string, unknown>): BatchOperation => ({
  op: "upsert",
  match,
  data: addressBody(ws, fields),
});

async function createAddress(ws: TestWorkspace, fields: Record<string, unknown> = {}): Promise<AddressObject> {
  const { response, body } = await postAddress(ws.token, addressBody(ws, fields));
  expect(response.status).toBe(201);
  return body.data;
}

describe("POST /api/addresses/batch: what it does", () => {
  it("applies creates, updates, upserts and deletes together and answers one result per operation, in request order", async () => {
    const ws = await seedWorkspace();
    const toUpdate = await createAddress(ws, { city: "Before" });
    const toDelete = await createAddress(ws, { city: "Doomed" });
    const keyed = await createAddress(ws, { city: "Keyed", id_accounting: "ACC-K", comment: "kept" });

    const results = await batchOk(ws, "addresses", [
      create(ws, { contact_id: ws.contactId, name: "Head office" }),
      { op: "update", id: toUpdate.id, data: { city: "After", contact_id: ws.contactId } },
      { op: "delete", id: toDelete.id },
      upsert(ws, "id_accounting", { city: "Keyed again", country: "de", id_accounting: "ACC-K" }),
      upsert(ws, "id_crm", { city: "New by CRM", id_crm: "CRM-N" }),
    ]);

    expectResultShape(results[0], "create", 201);
    expectResultShape(results[1], "update", 200);
    expectResultShape(results[2], "delete", 200);
    expectResultShape(results[3], "upsert", 200);
    expectResultShape(results[4], "upsert", 201);
    expect([results[1]?.id, results[2]?.id, results[3]?.id]).toEqual([toUpdate.id, toDelete.id, keyed.id]);
    expect(results[0]?.data).toMatchObject({
      contact_id: ws.contactId,
      name: "Head office",
      customer_id: ws.customerId,
    });
    expect(results[1]?.data).toMatchObject({ city: "After", contact_id: ws.contactId });
    // The upsert applied its body like a PATCH: the comment it left out stays; the country is upper-cased.
    expect(results[3]?.data).toEqual({
      ...keyed,
      city: "Keyed again",
      country: "DE",
      updated_at: results[3]?.data?.updated_at,
    });
    expect(results[4]?.data).toMatchObject({ city: "New by CRM", id_crm: "CRM-N", workspace_id: ws.workspaceId });
    await expectResultsAsGetShowsThem(ws, "addresses", results);

    // The contact's address_ids show the links the batch made.
    const contact = await getRecord(ws, "contacts", ws.contactId);
    expect([...contact.data.address_ids].sort()).toEqual([ws.addressId, results[0]?.id, toUpdate.id].sort());
  });

  it("creates nothing new when the same upsert batch runs again: every status 200, the same ids, nothing changed", async () => {
    const ws = await seedWorkspace();
    const operations = many(4, (i) => upsert(ws, "id_erp", { city: `City ${i}`, id_erp: `ERP-${i}` }));
    const first = await batchOk(ws, "addresses", operations);
    expect(first.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    let again: BatchResult<AddressObject>[] = [];
    await expectNothingChanged(ws, async () => {
      again = await batchOk(ws, "addresses", operations);
    });
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(again.map((r) => r.data)).toEqual(first.map((r) => r.data));
  });

  it("unlinks with contact_id: null, like a PATCH", async () => {
    const ws = await seedWorkspace();
    const [result] = await batchOk(ws, "addresses", [{ op: "update", id: ws.addressId, data: { contact_id: null } }]);
    expect(result?.data?.contact_id).toBeNull();
    expect((await getRecord(ws, "contacts", ws.contactId)).data.address_ids).toEqual([]);
  });
});

describe("POST /api/addresses/batch: all or nothing", () => {
  it("rolls the whole batch back when one item fails: every list and row as before", async () => {
    const ws = await seedWorkspace();
    const toUpdate = await createAddress(ws);
    const toDelete = await createAddress(ws);
    await createAddress(ws, { id_crm: "KEEP" });
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "addresses", [
        create(ws, { city: "Never" }),
        { op: "update", id: toUpdate.id, data: { city: "Never" } },
        upsert(ws, "id_crm", { city: "Never", id_crm: "KEEP" }),
        { op: "delete", id: toDelete.id },
        { op: "delete", id: ws.addressId },
        create(ws, { customer_id: crypto.randomUUID() }),
      ]);
      await expectBatchRefusal(response, 400, ["operations[5].data.customer_id: customer not found"]);
    });
  });

  it("names every item the database refuses, with the status of the first failing one", async () => {
    const ws = await seedWorkspace();
    const other = await createCustomer(ws, { name: "Other" });
    const holder = await createAddress(ws, { id_erp: "HELD" });
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "addresses", [
        { op: "delete", id: crypto.randomUUID() },
        { op: "update", id: ws.addressId, data: { customer_id: other.id } },
        create(ws, { customer_id: crypto.randomUUID() }),
        create(ws, { id_erp: "HELD" }),
        upsert(ws, "id_crm", { id_crm: "MOVE", customer_id: crypto.randomUUID() }),
      ]);
      await expectBatchRefusal(response, 404, [
        "operations[0].id: address not found",
        /^operations\[1\]\.data\.customer_id cannot be changed: /,
        "operations[2].data.customer_id: customer not found",
        `operations[3].data.id_erp: this value already identifies address ${holder.id}; external ids are unique in a workspace, per resource`,
        "operations[4].data.customer_id: customer not found",
      ]);
    });
  });

  it("refuses to move an address to another customer by upsert, and changes nothing", async () => {
    const ws = await seedWorkspace();
    const other = await createCustomer(ws, { name: "Other" });
    await createAddress(ws, { id_crm: "STAYS" });
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "addresses", [
        upsert(ws, "id_crm", { customer_id: other.id, id_crm: "STAYS" }),
      ]);
      await expectBatchRefusal(response, 400, [/^operations\[0\]\.data\.customer_id cannot be changed: /]);
    });
  });

  it("links only a contact of the address's customer: another customer's contact, or an unknown one, is refused", async () => {
    const ws = await seedWorkspace();
    const other = await createCustomer(ws, { name: "Other" });
    const othersContact = await insertContact(ws, other.id);
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "addresses", [
        create(ws, { contact_id: othersContact }),
        { op: "update", id: ws.addressId, data: { contact_id: crypto.randomUUID() } },
        upsert(ws, "id_crm", { id_crm: "LINK", contact_id: othersContact }),
      ]);
      await expectBatchRefusal(response, 400, [
        /^operations\[0\]\.data\.contact_id: /,
        "operations[1].data.contact_id: contact not found",
        /^operations\[2\]\.data\.contact_id: /,
      ]);
    });
  });
});

describe("POST /api/addresses/batch: validation, before the database", () => {
  it("names every invalid item and field in errors, and writes nothing", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "addresses", [
        create(ws, { country: "XX" }),
        create(ws),
        { op: "update", id: ws.addressId, data: { type: "home" } },
        { op: "upsert", match: "city", data: addressBody(ws, { id_crm: "X" }) },
        { op: "delete", id: 7 },
        create(ws, { postal_code: "" }),
      ]);
      await expectBatchRefusal(response, 400, [
        "operations[0].data.country must be an ISO 3166-1 alpha-2 country code, such as FR, US or DE",
        "operations[2].data.type must be one of: billing, shipping",
        /^operations\[3\]\.match /,
        "operations[4].id must be a string",
        "operations[5].data.postal_code must not be empty",
      ]);
    });
  });

  it("refuses two operations on the same id, two upserts of the same value, and two items setting the same external id", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      await expectBatchRefusal(
        await postBatch(ws, "addresses", [
          { op: "update", id: ws.addressId, data: { city: "A" } },
          { op: "update", id: ws.addressId, data: { city: "B" } },
        ]),
        400,
        [/^operations\[1\]\.id\b.*operations\[0\]/],
      );
      await expectBatchRefusal(
        await postBatch(ws, "addresses", [
          upsert(ws, "id_accounting", { id_accounting: "A" }),
          upsert(ws, "id_accounting", { id_accounting: "A", city: "Twice" }),
        ]),
        400,
        [/^operations\[1\]\.data\.id_accounting\b.*operations\[0\]/],
      );
      await expectBatchRefusal(
        await postBatch(ws, "addresses", [
          { op: "update", id: ws.addressId, data: { id_crm: "DUP" } },
          create(ws, { id_crm: "DUP" }),
        ]),
        400,
        ["operations[1].data.id_crm: operations[0] sets the same value: an external id identifies one record"],
      );
    });
  });

  it("refuses an empty batch and more than 1000 operations", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      await expectBatchRefusal(await postBatch(ws, "addresses", []), 400, ["operations must not be empty"]);
      await expectBatchRefusal(
        await postBatch(
          ws,
          "addresses",
          many(1001, () => create(ws)),
        ),
        400,
        ["operations must have at most 1000 items"],
      );
    });
  });
});

describe("POST /api/addresses/batch: limits", () => {
  it("accepts 1000 operations in one batch", { timeout: 120_000 }, async () => {
    const ws = await seedWorkspace();
    const existing = await Promise.all(many(10, () => insertAddress(ws, ws.customerId)));
    const operations: BatchOperation[] = [
      ...existing.map((id): BatchOperation => ({ op: "update", id, data: { city: "Updated" } })),
      ...many(990, (i) => create(ws, { address_line1: `${i} Bulk Street` })),
    ];
    const results = await batchOk(ws, "addresses", operations);
    expect(results.slice(0, 10).every((r) => r.op === "update" && r.status === 200)).toBe(true);
    expect(results.slice(10).every((r) => r.op === "create" && r.status === 201)).toBe(true);
    expect(results.slice(10).map((r) => r.data?.address_line1)).toEqual(many(990, (i) => `${i} Bulk Street`));
    expect(await listAll(ws, "addresses")).toHaveLength(1001);
  });

  it("accepts a body of exactly 1 MiB and refuses a larger one with 413, writing nothing", async () => {
    const ws = await seedWorkspace();
    const operations = [create(ws, { city: "Padded" })];
    await expectNothingChanged(ws, async () => {
      await expectError(
        await postBatch(ws, "addresses", paddedBody(operations, maxBatchBytes + 1)),
        413,
        /^Request body must be at most/,
      );
    });
    const accepted = await postBatch(ws, "addresses", paddedBody(operations, maxBatchBytes));
    expect(accepted.status).toBe(200);
    const [result] = (await json<Envelope<BatchResult<AddressObject>[]>>(accepted)).data;
    expect(result).toMatchObject({ op: "create", status: 201, data: { city: "Padded" } });
  });
});

describe("POST /api/addresses/batch: workspaces", () => {
  it("answers another workspace's address exactly like an unknown one (404), and leaves it alone", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const answers: string[] = [];
    await expectNothingChanged(other, async () => {
      for (const id of [other.addressId, crypto.randomUUID()]) {
        for (const operation of [
          { op: "update", id, data: { city: "Hijacked" } },
          { op: "delete", id },
        ] as BatchOperation[]) {
          const response = await postBatch(ws, "addresses", [operation]);
          answers.push(await response.clone().text());
          await expectBatchRefusal(response, 404, ["operations[0].id: address not found"]);
        }
      }
    });
    expect(answers.slice(0, 2)).toEqual(answers.slice(2));
  });

  it("refuses another workspace's customer or contact exactly like unknown ones (400)", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const answers: string[] = [];
    await expectNothingChanged(other, async () => {
      for (const [customerId, contactId] of [
        [other.customerId, other.contactId],
        [crypto.randomUUID(), crypto.randomUUID()],
      ] as const) {
        const response = await postBatch(ws, "addresses", [
          create(ws, { customer_id: customerId }),
          upsert(ws, "id_crm", { customer_id: customerId, id_crm: "FOREIGN" }),
          { op: "update", id: ws.addressId, data: { contact_id: contactId } },
        ]);
        answers.push(await response.clone().text());
        await expectBatchRefusal(response, 400, [
          "operations[0].data.customer_id: customer not found",
          "operations[1].data.customer_id: customer not found",
          "operations[2].data.contact_id: contact not found",
        ]);
      }
    });
    expect(answers[0]).toBe(answers[1]);
    expect(await listAll(ws, "addresses")).toHaveLength(1);
  });
});

describe("POST /api/addresses/batch: requests", () => {
  it("replays a retry with the same Idempotency-Key and body, and refuses the key with another body (422)", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const operations = [create(ws), { op: "delete", id: ws.addressId }];
    const first = await postBatch(ws, "addresses", operations, { headers: { "Idempotency-Key": key } });
    expect(first.status).toBe(200);
    const firstText = await first.text();
    await expectNothingChanged(ws, async () => {
      const retry = await postBatch(ws, "addresses", operations, { headers: { "Idempotency-Key": key } });
      expect(retry.status).toBe(200);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await retry.text()).toBe(firstText);
      await expectError(
        await postBatch(ws, "addresses", [create(ws, { city: "Other" })], { headers: { "Idempotency-Key": key } }),
        422,
        "This Idempotency-Key was already used for a different request",
      );
    });
  });

  it("needs addresses:write: a read-only token is refused (403) and nothing changes", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      await expectError(
        await postBatch(ws, "addresses", [create(ws)], { token: ws.readOnlyToken }),
        403,
        "This API token lacks the addresses:write permission",
      );
    });
  });

  it("answers the address object's fields in its order", async () => {
    const ws = await seedWorkspace();
    const single = await getRecord(ws, "addresses", ws.addressId);
    const [result] = await batchOk(ws, "addresses", [{ op: "update", id: ws.addressId, data: {} }]);
    expect(Object.keys(result?.data ?? {})).toEqual(Object.keys(single.data));
    expect(result?.data).toEqual(single.data);
  });
});
