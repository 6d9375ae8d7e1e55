import { describe, expect, it } from "vitest";
import type { ContactObject } from "../../src/contacts/object";
import {
  type BatchResult,
  batchOk,
  contactCreate as create,
  expectBatchRefusal,
  expectNothingChanged,
  listAll,
  many,
  maxBatchBytes,
  paddedBody,
  postBatch,
  contactUpsert as upsert,
} from "../support/batch";
import { type Envelope, expectError } from "../support/envelope";
import { json, seedWorkspace } from "../support/harness";
import { contactBody, createContact } from "../support/resources";

describe("POST /api/contacts/batch: validation, before the database", () => {
  it("names every invalid item and field in errors, and writes nothing", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "contacts", [
        create(ws),
        create(ws, { email: "not-an-email" }),
        { op: "merge", data: contactBody(ws) },
        { op: "update", id: "nope", data: { first_name: "X" } },
        { op: "upsert", match: "email", data: contactBody(ws) },
        upsert(ws, "id_crm", {}),
        { op: "create", data: { customer_id: ws.customerId, last_name: "B", email: "a@b.example" } },
        { op: "update", id: ws.contactId, data: { first_name: null } },
        { op: "delete" },
        create(ws, { nickname: "x" }),
      ]);
      await expectBatchRefusal(response, 400, [
        "operations[1].data.email must be an email address",
        /^operations\[2\]\.op /,
        "operations[3].id must be a UUID",
        /^operations\[4\]\.match /,
        /^operations\[5\]\.data\.id_crm /,
        "operations[6].data.first_name is required",
        "operations[7].data.first_name cannot be null",
        "operations[8].id is required",
        "operations[9].data.nickname is not a known field",
      ]);
    });
  });

  it("refuses an upsert whose data does not set the matched external id to a string", async () => {
    const ws = await seedWorkspace();
    for (const value of [null, 42]) {
      const response = await postBatch(ws, "contacts", [upsert(ws, "id_erp", { id_erp: value })]);
      await expectBatchRefusal(response, 400, [/^operations\[0\]\.data\.id_erp /]);
    }
    expect(await listAll(ws, "contacts")).toHaveLength(1);
  });

  it("refuses two operations on the same id, two upserts of the same value, and two items setting the same external id", async () => {
    const ws = await seedWorkspace();
    const second = await createContact(ws);
    await expectNothingChanged(ws, async () => {
      await expectBatchRefusal(
        await postBatch(ws, "contacts", [
          { op: "update", id: second.id, data: { first_name: "A" } },
          { op: "delete", id: second.id },
        ]),
        400,
        [/^operations\[1\]\.id\b.*operations\[0\]/],
      );
      await expectBatchRefusal(
        await postBatch(ws, "contacts", [
          { op: "delete", id: ws.contactId },
          { op: "delete", id: ws.contactId },
        ]),
        400,
        [/^operations\[1\]\.id\b.*operations\[0\]/],
      );
      await expectBatchRefusal(
        await postBatch(ws, "contacts", [
          upsert(ws, "id_crm", { id_crm: "SAME" }),
          create(ws),
          upsert(ws, "id_crm", { id_crm: "SAME", first_name: "Twice" }),
        ]),
        400,
        [/^operations\[2\]\.data\.id_crm\b.*operations\[0\]/],
      );
      await expectBatchRefusal(
        await postBatch(ws, "contacts", [
          create(ws),
          create(ws, { id_crm: "DUP" }),
          create(ws),
          create(ws),
          { op: "update", id: second.id, data: { id_crm: "DUP" } },
        ]),
        400,
        ["operations[4].data.id_crm: operations[1] sets the same value: an external id identifies one record"],
      );
    });
  });

  it("refuses an empty batch, more than 1000 operations, and a body without operations", async () => {
    const ws = await seedWorkspace();
    await expectNothingChanged(ws, async () => {
      await expectBatchRefusal(await postBatch(ws, "contacts", []), 400, ["operations must not be empty"]);
      await expectBatchRefusal(
        await postBatch(
          ws,
          "contacts",
          many(1001, () => create(ws)),
        ),
        400,
        ["operations must have at most 1000 items"],
      );
      await expectBatchRefusal(await postBatch(ws, "contacts", JSON.stringify({})), 400, ["operations is required"]);
    });
  });
});

describe("POST /api/contacts/batch: limits", () => {
  it("accepts 1000 operations in one batch", { timeout: 120_000 }, async () => {
    const ws = await seedWorkspace();
    const results = await batchOk(
      ws,
      "contacts",
      many(1000, (i) => create(ws, { first_name: `Bulk ${i}`, id_crm: `BULK-${i}` })),
    );
    expect(results.every((r) => r.op === "create" && r.status === 201)).toBe(true);
    expect(results.map((r) => r.data?.id_crm)).toEqual(many(1000, (i) => `BULK-${i}`));
    expect(new Set(results.map((r) => r.id)).size).toBe(1000);
    expect(await listAll(ws, "contacts")).toHaveLength(1001);
  });

  it("accepts a body of exactly 1 MiB and refuses a larger one with 413, writing nothing", async () => {
    const ws = await seedWorkspace();
    const operations = [create(ws, { first_name: "Padded" })];
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "contacts", paddedBody(operations, maxBatchBytes + 1));
      await expectError(response, 413, /^Request body must be at most/);
    });
    const accepted = await postBatch(ws, "contacts", paddedBody(operations, maxBatchBytes));
    expect(accepted.status).toBe(200);
    const [result] = (await json<Envelope<BatchResult<ContactObject>[]>>(accepted)).data;
    expect(result).toMatchObject({ op: "create", status: 201, data: { first_name: "Padded" } });
  });
});
