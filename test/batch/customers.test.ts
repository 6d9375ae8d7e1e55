// POST /api/customers/batch: creates, updates, upserts (by external id) and deletes
// of customers in one request, all or nothing; a delete never cascades.
import { describe, expect, it } from "vitest";
import type { CustomerObject } from "../../src/customers/object";
import {
  type BatchOperation,
  type BatchResult,
  batchOk,
  customerBody,
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
import { json, seedWorkspace } from "../support/harness";
import { createCustomer, fullCustomer, insertContact } from "../support/resources";

const create = (fields: Record<string, unknown> = {}): BatchOperation => ({ op: "create", data: customerBody(fields) });
const upsert = (match: string, fields: Record<string, unknown>): BatchOperation => ({
  op: "upsert",
  match,
  data: customerBody(fields),
});
const stillHas = (index: number, contacts: string, addresses: string) =>
  `operations[${index}].id: customer still has ${contacts} and ${addresses}: delete them first, or use DELETE /api/customers/{id}?cascade=true`;

describe("POST /api/customers/batch: what it does", () => {
  it("applies creates, updates, upserts and deletes together and answers one result per operation, in request order", async () => {
    const ws = await seedWorkspace();
    const toUpdate = await createCustomer(ws, { name: "Before", tax_ids: [{ tax: "VAT", tax_value: "OLD" }] });
    const empty = await createCustomer(ws, { name: "Empty" });
    const keyed = await createCustomer(ws, { name: "Keyed", id_erp: "ERP-K", logo: "https://cdn.example.com/k.png" });

    const results = await batchOk(ws, "customers", [
      { op: "delete", id: empty.id },
      upsert("id_erp", { name: "Keyed again", type: "individual", id_erp: "ERP-K" }),
      create({ ...fullCustomer }),
      { op: "update", id: toUpdate.id, data: { name: "After", tax_ids: [{ tax: "SIREN", tax_value: "123" }] } },
      upsert("id_crm", { name: "New by CRM", id_crm: "CRM-N" }),
    ]);

    expectResultShape(results[0], "delete", 200);
    expectResultShape(results[1], "upsert", 200);
    expectResultShape(results[2], "create", 201);
    expectResultShape(results[3], "update", 200);
    expectResultShape(results[4], "upsert", 201);
    expect([results[0]?.id, results[1]?.id, results[3]?.id]).toEqual([empty.id, keyed.id, toUpdate.id]);
    // The upsert applied its body like a PATCH: the logo it left out stays.
    expect(results[1]?.data).toEqual({
      ...keyed,
      name: "Keyed again",
      type: "individual",
      updated_at: results[1]?.data?.updated_at,
    });
    expect(results[2]?.data).toMatchObject({ ...fullCustomer, contact_ids: [], address_ids: [] });
    expect(results[3]?.data?.tax_ids).toEqual([{ tax: "SIREN", tax_value: "123" }]);
    expect(results[4]?.data).toMatchObject({ name: "New by CRM", id_crm: "CRM-N", workspace_id: ws.workspaceId });
    await expectResultsAsGetShowsThem(ws, "customers", results);
    expect((await listAll(ws, "customers")).map((c) => c.id).sort()).toEqual(
      [ws.customerId, toUpdate.id, keyed.id, results[2]?.id, results[4]?.id].sort(),
    );
  });

  it("answers each customer with its contacts and addresses, as GET shows it", async () => {
    const ws = await seedWorkspace();
    const [result] = await batchOk(ws, "customers", [{ op: "update", id: ws.customerId, data: { name: "Renamed" } }]);
    expect(result?.data).toMatchObject({ name: "Renamed", contact_ids: [ws.contactId], address_ids: [ws.addressId] });
    await expectResultsAsGetShowsThem(ws, "customers", [result as BatchResult<unknown>]);
  });

  it("creates nothing new when the same upsert batch runs again: every status 200, the same ids, nothing changed", async () => {
    const ws = await seedWorkspace();
    const operations = many(4, (i) => upsert("id_accounting", { name: `Synced ${i}`, id_accounting: `ACC-${i}` }));
    const first = await batchOk(ws, "customers", operations);
    expect(first.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    let again: BatchResult<CustomerObject>[] = [];
    await expectNothingChanged(ws, async () => {
      again = await batchOk(ws, "customers", operations);
    });
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(again.map((r) => r.data)).toEqual(first.map((r) => r.data));
  });
});

describe("POST /api/customers/batch: deletes never cascade", () => {
  it("refuses to delete a customer that still has contacts or addresses (409), and deletes nothing of the batch", async () => {
    const ws = await seedWorkspace();
    const empty = await createCustomer(ws, { name: "Empty" });
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "customers", [
        { op: "delete", id: empty.id },
        { op: "delete", id: ws.customerId },
      ]);
      await expectBatchRefusal(response, 409, [stillHas(1, "1 contact", "1 address")]);
    });
  });

  it("counts what each refused customer still has, and names every one", async () => {
    const ws = await seedWorkspace();
    const withTwo = await createCustomer(ws, { name: "Two contacts" });
    await insertContact(ws, withTwo.id);
    await insertContact(ws, withTwo.id);
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "customers", [
        { op: "delete", id: withTwo.id },
        { op: "delete", id: ws.customerId },
      ]);
      await expectBatchRefusal(response, 409, [
        stillHas(0, "2 contacts", "0 addresses"),
        stillHas(1, "1 contact", "1 address"),
      ]);
    });
  });

  it("deletes customers that have neither contacts nor addresses", async () => {
    const ws = await seedWorkspace();
    const [a, b] = [await createCustomer(ws, { name: "A" }), await createCustomer(ws, { name: "B" })];
    const results = await batchOk(ws, "customers", [
      { op: "delete", id: a.id },
      { op: "delete", id: b.id },
    ]);
    expect(results).toEqual([
      { op: "delete", status: 200, id: a.id, deleted: true },
      { op: "delete", status: 200, id: b.id, deleted: true },
    ]);
    expect((await listAll(ws, "customers")).map((c) => c.id)).toEqual([ws.customerId]);
  });
});

describe("POST /api/customers/batch: all or nothing", () => {
  it("rolls the whole batch back when one item fails: every list and row as before", async () => {
    const ws = await seedWorkspace();
    const toUpdate = await createCustomer(ws, { name: "Keep" });
    const toDelete = await createCustomer(ws, { name: "Doomed" });
    await createCustomer(ws, { name: "Keyed", id_crm: "KEEP" });
    const holder = await createCustomer(ws, { name: "Holder", id_erp: "HELD" });
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "customers", [
        create({ name: "Never" }),
        { op: "update", id: toUpdate.id, data: { name: "Never" } },
        upsert("id_crm", { name: "Never", id_crm: "KEEP" }),
        { op: "delete", id: toDelete.id },
        upsert("id_crm", { name: "Never", id_crm: "NEW", id_erp: "HELD" }),
      ]);
      await expectBatchRefusal(response, 409, [
        `operations[4].data.id_erp: this value already identifies customer ${holder.id}; external ids are unique in a workspace, per resource`,
      ]);
    });
  });

  it("names every item the database refuses, with the status of the first failing one", async () => {
    const ws = await seedWorkspace();
    const holder = await createCustomer(ws, { id_crm: "TAKEN" });
    const unknown = crypto.randomUUID();
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "customers", [
        create({ id_crm: "TAKEN" }),
        { op: "update", id: unknown, data: { name: "X" } },
        { op: "delete", id: ws.customerId },
      ]);
      await expectBatchRefusal(response, 409, [
        `operations[0].data.id_crm: this value already identifies customer ${holder.id}; external ids are unique in a workspace, per resource`,
        "operations[1].id: customer not found",
        stillHas(2, "1 contact", "1 address"),
      ]);
    });
  });
});

describe("POST /api/customers/batch: validation, before the database", () => {
  it("names every invalid item and field in errors, and writes nothing", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "customers", [
        create({ type: "robot" }),
        create(),
        { op: "update", id: ws.customerId, data: { logo: "ftp://x" } },
        { op: "upsert", match: "name", data: customerBody({ id_crm: "X" }) },
        upsert("id_erp", { id_erp: null }),
        { op: "delete", id: "123" },
        { op: "create", data: { type: "company" } },
      ]);
      await expectBatchRefusal(response, 400, [
        "operations[0].data.type must be one of: company, individual",
        "operations[2].data.logo must be an http or https URL",
        /^operations\[3\]\.match /,
        /^operations\[4\]\.data\.id_erp /,
        "operations[5].id must be a UUID",
        "operations[6].data.name is required",
      ]);
    });
  });

  it("refuses two operations on the same id, two upserts of the same value, and two items setting the same external id", async () => {
    const ws = await seedWorkspace();
    const second = await createCustomer(ws);
    await expectNothingChanged(ws, async () => {
      await expectBatchRefusal(
        await postBatch(ws, "customers", [
          { op: "delete", id: second.id },
          { op: "update", id: second.id, data: { name: "Again" } },
        ]),
        400,
        [/^operations\[1\]\.id\b.*operations\[0\]/],
      );
      await expectBatchRefusal(
        await postBatch(ws, "customers", [upsert("id_erp", { id_erp: "E" }), upsert("id_erp", { id_erp: "E" })]),
        400,
        [/^operations\[1\]\.data\.id_erp\b.*operations\[0\]/],
      );
      await expectBatchRefusal(
        await postBatch(ws, "customers", [
          create({ id_accounting: "A-1" }),
          { op: "update", id: second.id, data: { id_accounting: "A-1" } },
        ]),
        400,
        ["operations[1].data.id_accounting: operations[0] sets the same value: an external id identifies one record"],
      );
    });
  });

  it("refuses an empty batch and more than 1000 operations", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      await expectBatchRefusal(await postBatch(ws, "customers", []), 400, ["operations must not be empty"]);
      await expectBatchRefusal(
        await postBatch(
          ws,
          "customers",
          many(1001, () => create()),
        ),
        400,
        ["operations must have at most 1000 items"],
      );
    });
  });
});

describe("POST /api/customers/batch: limits", () => {
  it("accepts 1000 operations in one batch", { timeout: 120_000 }, async () => {
    const ws = await seedWorkspace();
    const results = await batchOk(
      ws,
      "customers",
      many(1000, (i) => upsert("id_erp", { name: `Bulk ${i}`, id_erp: `BULK-${i}` })),
    );
    expect(results.every((r) => r.op === "upsert" && r.status === 201)).toBe(true);
    expect(results.map((r) => r.data?.id_erp)).toEqual(many(1000, (i) => `BULK-${i}`));
    expect(await listAll(ws, "customers")).toHaveLength(1001);
  });

  it("accepts a body of exactly 1 MiB and refuses a larger one with 413, writing nothing", async () => {
    const ws = await seedWorkspace();
    const operations = [create({ name: "Padded" })];
    await expectNothingChanged(ws, async () => {
      await expectError(
        await postBatch(ws, "customers", paddedBody(operations, maxBatchBytes + 1)),
        413,
        /^Request body must be at most/,
      );
    });
    const accepted = await postBatch(ws, "customers", paddedBody(operations, maxBatchBytes));
    expect(accepted.status).toBe(200);
    const [result] = (await json<Envelope<BatchResult<CustomerObject>[]>>(accepted)).data;
    expect(result).toMatchObject({ op: "create", status: 201, data: { name: "Padded" } });
  });
});

describe("POST /api/customers/batch: workspaces", () => {
  it("answers another workspace's customer exactly like an unknown one (404), and leaves it alone", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const emptyOfOther = await createCustomer(other, { name: "Empty" });
    const answers: string[] = [];
    await expectNothingChanged(other, async () => {
      for (const id of [emptyOfOther.id, crypto.randomUUID()]) {
        for (const operation of [
          { op: "update", id, data: { name: "Hijacked" } },
          { op: "delete", id },
        ] as BatchOperation[]) {
          const response = await postBatch(ws, "customers", [operation]);
          answers.push(await response.clone().text());
          await expectBatchRefusal(response, 404, ["operations[0].id: customer not found"]);
        }
      }
    });
    expect(answers.slice(0, 2)).toEqual(answers.slice(2));
  });

  it("upserts against the token's workspace only: another workspace holding the value changes nothing there", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const theirs = await createCustomer(other, { id_crm: "SHARED" });
    await expectNothingChanged(other, async () => {
      const [result] = await batchOk(ws, "customers", [upsert("id_crm", { id_crm: "SHARED" })]);
      expect(result?.status).toBe(201);
      expect(result?.id).not.toBe(theirs.id);
      expect(result?.data?.workspace_id).toBe(ws.workspaceId);
    });
  });
});

describe("POST /api/customers/batch: requests", () => {
  it("replays a retry with the same Idempotency-Key and body, and refuses the key with another body (422)", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const operations = [create({ name: "Once" }), { op: "update", id: ws.customerId, data: { name: "Renamed" } }];
    const first = await postBatch(ws, "customers", operations, { headers: { "Idempotency-Key": key } });
    expect(first.status).toBe(200);
    const firstText = await first.text();
    await expectNothingChanged(ws, async () => {
      const retry = await postBatch(ws, "customers", operations, { headers: { "Idempotency-Key": key } });
      expect(retry.status).toBe(200);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await retry.text()).toBe(firstText);
      await expectError(
        await postBatch(ws, "customers", [create({ name: "Other" })], { headers: { "Idempotency-Key": key } }),
        422,
        "This Idempotency-Key was already used for a different request",
      );
    });
    expect(await listAll(ws, "customers")).toHaveLength(2);
  });

  it("needs customers:write: a read-only token is refused (403) and nothing changes", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      await expectError(
        await postBatch(ws, "customers", [create()], { token: ws.readOnlyToken }),
        403,
        "This API token lacks the customers:write permission",
      );
    });
  });

  it("answers the customer object's fields in its order", async () => {
    const ws = await seedWorkspace();
    const single = await getRecord(ws, "customers", ws.customerId);
    const [result] = await batchOk(ws, "customers", [{ op: "update", id: ws.customerId, data: {} }]);
    expect(Object.keys(result?.data ?? {})).toEqual(Object.keys(single.data));
    expect(result?.data).toEqual(single.data);
  });
});
