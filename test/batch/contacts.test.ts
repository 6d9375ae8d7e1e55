// POST /api/contacts/batch: up to 1000 creates, updates, upserts (by external id)
// and deletes of contacts in one request, all or nothing, one result per operation
// in request order.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import type { ContactObject } from "../../src/contacts/object";
import {
  type BatchOperation,
  type BatchResult,
  batchOk,
  contactCreate as create,
  expectBatchRefusal,
  expectNothingChanged,
  expectResultShape,
  expectResultsAsGetShowsThem,
  getRecord,
  listAll,
  many,
  postBatch,
  contactUpsert as upsert,
} from "../support/batch";
import { type Envelope, expectError } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import { createContact } from "../support/resources";
import { awayFromRateLimitWindowEnd, fetchWorker } from "../support/worker";

const immutableCustomer = /^operations\[\d+\]\.data\.customer_id cannot be changed: /;

describe("POST /api/contacts/batch: what it does", () => {
  it("applies creates, updates, upserts and deletes together and answers one result per operation, in request order", async () => {
    const ws = await seedWorkspace();
    const toUpdate = await createContact(ws, { first_name: "Before" });
    const toDelete = await createContact(ws, { first_name: "Doomed" });
    const existing = await createContact(ws, { first_name: "Known", id_crm: "CRM-KNOWN" });

    const results = await batchOk(ws, "contacts", [
      create(ws, { first_name: "Created" }),
      { op: "update", id: toUpdate.id, data: { first_name: "After", role: ["signer"] } },
      upsert(ws, "id_crm", { first_name: "Upserted", id_crm: "CRM-KNOWN" }),
      { op: "delete", id: toDelete.id },
      upsert(ws, "id_crm", { first_name: "Brand new", id_crm: "CRM-NEW" }),
      create(ws, { first_name: "Created too", id_erp: "ERP-2" }),
    ]);

    expectResultShape(results[0], "create", 201);
    expectResultShape(results[1], "update", 200);
    expectResultShape(results[2], "upsert", 200);
    expectResultShape(results[3], "delete", 200);
    expectResultShape(results[4], "upsert", 201);
    expectResultShape(results[5], "create", 201);
    expect(results.map((r) => r.id).slice(1, 4)).toEqual([toUpdate.id, existing.id, toDelete.id]);
    expect(results.map((r) => r.data?.first_name)).toEqual([
      "Created",
      "After",
      "Upserted",
      undefined,
      "Brand new",
      "Created too",
    ]);
    expect(results[1]?.data?.role).toEqual(["signer"]);
    expect(results[4]?.data).toMatchObject({ id_crm: "CRM-NEW", workspace_id: ws.workspaceId, address_ids: [] });
    expect(results[5]?.data).toMatchObject({ id_erp: "ERP-2", customer_id: ws.customerId });
    await expectResultsAsGetShowsThem(ws, "contacts", results);

    const listed = (await listAll(ws, "contacts")).map((c) => c.id).sort();
    const expected = [ws.contactId, toUpdate.id, existing.id, results[0]?.id, results[4]?.id, results[5]?.id];
    expect(listed).toEqual(expected.sort());
  });

  it("answers a created record exactly as POST /api/contacts would have created it", async () => {
    const ws = await seedWorkspace();
    const fields = {
      first_name: "  Zoë  ",
      last_name: "Ñúñez",
      email: "zoe@example.com",
      phone: "+33 6 12 34 56 78",
      role: ["legal", "buyer", "legal"],
      id_crm: "C-1",
      id_erp: "E-1",
      id_accounting: "A-1",
    };
    const [result] = await batchOk(ws, "contacts", [create(ws, fields)]);
    const single = await createContact(ws, { ...fields, id_crm: "C-2", id_erp: "E-2", id_accounting: "A-2" });
    const differs = ["id", "id_crm", "id_erp", "id_accounting", "created_at", "updated_at"];
    const strip = (o: object) => Object.fromEntries(Object.entries(o).filter(([k]) => !differs.includes(k)));
    expect(Object.keys(result?.data ?? {})).toEqual(Object.keys(single));
    expect(strip(result?.data ?? {})).toEqual(strip(single));
    expect(result?.data).toMatchObject({ first_name: "Zoë", role: ["legal", "buyer"], id_crm: "C-1" });
    expect(result?.data?.created_at).toBe(result?.data?.updated_at);
  });

  it("updates like a PATCH: only the fields sent change, null unsets, an array replaces", async () => {
    const ws = await seedWorkspace();
    const before = await createContact(ws, { phone: "+1 555", role: ["buyer", "admin"], id_erp: "E-9" });
    const [result] = await batchOk(ws, "contacts", [
      { op: "update", id: before.id, data: { phone: null, role: ["legal"] } },
    ]);
    expect(result?.data).toEqual({
      ...before,
      phone: null,
      role: ["legal"],
      updated_at: result?.data?.updated_at,
    });
    expect(Date.parse(result?.data?.updated_at ?? "")).toBeGreaterThan(Date.parse(before.updated_at));
  });

  it("upserts by id_crm, id_erp or id_accounting: 201 when no contact holds the value, else the body applied like a PATCH (200)", async () => {
    const ws = await seedWorkspace();
    const held = await createContact(ws, { phone: "+44 20", id_crm: "C", id_erp: "E", id_accounting: "A" });
    const results = await batchOk(ws, "contacts", [
      upsert(ws, "id_erp", { first_name: "By ERP", id_erp: "E" }),
      upsert(ws, "id_accounting", { first_name: "New by accounting", id_accounting: "A-NEW" }),
    ]);
    expectResultShape(results[0], "upsert", 200);
    expectResultShape(results[1], "upsert", 201);
    expect(results[0]?.id).toBe(held.id);
    // Fields the body leaves out keep their values: phone, id_crm, id_accounting.
    expect(results[0]?.data).toEqual({
      ...held,
      first_name: "By ERP",
      updated_at: results[0]?.data?.updated_at,
    });
    expect(results[1]?.data).toMatchObject({ first_name: "New by accounting", id_accounting: "A-NEW", id_crm: null });
    await expectResultsAsGetShowsThem(ws, "contacts", results);
  });

  it("creates nothing new when the same upsert batch runs again: every status 200, the same ids, nothing changed", async () => {
    const ws = await seedWorkspace();
    const operations = many(5, (i) => upsert(ws, "id_crm", { first_name: `Synced ${i}`, id_crm: `SYNC-${i}` }));
    const first = await batchOk(ws, "contacts", operations);
    expect(first.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);

    let again: BatchResult<ContactObject>[] = [];
    await expectNothingChanged(ws, async () => {
      again = await batchOk(ws, "contacts", operations);
    });
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(again.map((r) => r.data)).toEqual(first.map((r) => r.data));
    expect(await listAll(ws, "contacts")).toHaveLength(6);
  });

  it("deletes a contact as DELETE /api/contacts/{id} does: its addresses stay, unlinked, with contacts:write alone", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken({ permissions: ["contacts:write"] });
    const [result] = await batchOk(ws, "contacts", [{ op: "delete", id: ws.contactId }], { token });
    expect(result).toEqual({ op: "delete", status: 200, id: ws.contactId, deleted: true });
    expect((await api(`/api/contacts/${ws.contactId}`, { token: ws.token })).status).toBe(404);
    const address = await getRecord(ws, "addresses", ws.addressId);
    expect((address.data as AddressObject).contact_id).toBeNull();
  });

  it("applies deletes, then updates, then upserts, then creates: an external id freed earlier in that order can be taken", async () => {
    const ws = await seedWorkspace();
    const leaving = await createContact(ws, { id_crm: "FREED-BY-DELETE" });
    const renamed = await createContact(ws, { id_erp: "FREED-BY-UPDATE" });
    const results = await batchOk(ws, "contacts", [
      create(ws, { first_name: "Takes the CRM id", id_crm: "FREED-BY-DELETE" }),
      upsert(ws, "id_accounting", {
        first_name: "Takes the ERP id",
        id_accounting: "ACC-1",
        id_erp: "FREED-BY-UPDATE",
      }),
      { op: "update", id: renamed.id, data: { id_erp: null } },
      { op: "delete", id: leaving.id },
    ]);
    expect(results.map((r) => [r.op, r.status])).toEqual([
      ["create", 201],
      ["upsert", 201],
      ["update", 200],
      ["delete", 200],
    ]);
    expect(results[0]?.data?.id_crm).toBe("FREED-BY-DELETE");
    expect(results[1]?.data?.id_erp).toBe("FREED-BY-UPDATE");
    expect(results[2]?.data?.id_erp).toBeNull();
    await expectResultsAsGetShowsThem(ws, "contacts", results);
  });
});

describe("POST /api/contacts/batch: all or nothing", () => {
  it("rolls the whole batch back when one item fails: every list and row as before", async () => {
    const ws = await seedWorkspace();
    const toUpdate = await createContact(ws);
    await createContact(ws, { id_crm: "KEEP" });
    const toDelete = await createContact(ws);
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "contacts", [
        create(ws, { first_name: "Never" }),
        { op: "update", id: toUpdate.id, data: { first_name: "Never" } },
        upsert(ws, "id_crm", { first_name: "Never", id_crm: "KEEP" }),
        upsert(ws, "id_crm", { first_name: "Never", id_crm: "NEVER" }),
        { op: "delete", id: toDelete.id },
        { op: "delete", id: ws.contactId },
        { op: "update", id: crypto.randomUUID(), data: { first_name: "Missing" } },
      ]);
      await expectBatchRefusal(response, 404, ["operations[6].id: contact not found"]);
    });
  });

  it("names every item the database refuses, with the status of the first failing one, and writes nothing", async () => {
    const ws = await seedWorkspace();
    const other = await json<Envelope<{ id: string }>>(
      await api("/api/customers", { method: "POST", token: ws.token, body: { name: "Other", type: "company" } }),
    );
    const holder = await createContact(ws, { id_erp: "ERP-HELD", id_accounting: "ACC-HELD" });
    const unknownId = crypto.randomUUID();
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "contacts", [
        create(ws, { first_name: "Fine" }),
        { op: "update", id: unknownId, data: { first_name: "X" } },
        create(ws, { customer_id: crypto.randomUUID() }),
        { op: "update", id: ws.contactId, data: { customer_id: other.data.id } },
        create(ws, { id_erp: "ERP-HELD" }),
        { op: "delete", id: crypto.randomUUID() },
        upsert(ws, "id_crm", { customer_id: other.data.id, id_crm: "X", id_accounting: "ACC-HELD" }),
      ]);
      const refusal = await expectBatchRefusal(response, 404, [
        "operations[1].id: contact not found",
        "operations[2].data.customer_id: customer not found",
        immutableCustomer,
        `operations[4].data.id_erp: this value already identifies contact ${holder.id}; external ids are unique in a workspace, per resource`,
        "operations[5].id: contact not found",
        new RegExp(`^operations\\[6\\]\\.data\\.id_accounting: this value already identifies contact ${holder.id}; `),
      ]);
      expect(refusal.errors.find((e) => immutableCustomer.test(e))).toMatch(/^operations\[3\]/);
    });
  });

  it("answers with the status of the first failing item in request order", async () => {
    const ws = await seedWorkspace();
    const holder = await createContact(ws, { id_crm: "TAKEN" });
    const missingCustomer = create(ws, { customer_id: crypto.randomUUID() });
    const missingContact: BatchOperation = { op: "delete", id: crypto.randomUUID() };
    const taken = create(ws, { id_crm: "TAKEN" });
    const held = `operations[0].data.id_crm: this value already identifies contact ${holder.id}; external ids are unique in a workspace, per resource`;

    await expectBatchRefusal(await postBatch(ws, "contacts", [missingCustomer, missingContact]), 400, [
      "operations[0].data.customer_id: customer not found",
      "operations[1].id: contact not found",
    ]);
    await expectBatchRefusal(await postBatch(ws, "contacts", [missingContact, missingCustomer]), 404, [
      "operations[0].id: contact not found",
      "operations[1].data.customer_id: customer not found",
    ]);
    await expectBatchRefusal(await postBatch(ws, "contacts", [taken, missingContact]), 409, [
      held,
      "operations[1].id: contact not found",
    ]);
    expect(await listAll(ws, "contacts")).toHaveLength(2);
  });

  it("refuses to move a contact to another customer, by update or by upsert, and changes nothing", async () => {
    const ws = await seedWorkspace();
    const other = await json<Envelope<{ id: string }>>(
      await api("/api/customers", { method: "POST", token: ws.token, body: { name: "Other", type: "company" } }),
    );
    const keyed = await createContact(ws, { id_crm: "MOVER" });
    await expectNothingChanged(ws, async () => {
      const response = await postBatch(ws, "contacts", [
        { op: "update", id: ws.contactId, data: { customer_id: other.data.id, first_name: "Moved" } },
        upsert(ws, "id_crm", { customer_id: other.data.id, id_crm: "MOVER" }),
      ]);
      await expectBatchRefusal(response, 400, [
        /^operations\[0\]\.data\.customer_id cannot be changed: /,
        /^operations\[1\]\.data\.customer_id cannot be changed: /,
      ]);
    });
    // The current customer is accepted.
    const [same] = await batchOk(ws, "contacts", [
      { op: "update", id: keyed.id, data: { customer_id: ws.customerId, first_name: "Stays" } },
    ]);
    expect(same?.data).toMatchObject({ customer_id: ws.customerId, first_name: "Stays" });
  });
});

describe("POST /api/contacts/batch: workspaces", () => {
  it("answers another workspace's contact exactly like an unknown one (404), and leaves it alone", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const answers: string[] = [];
    await expectNothingChanged(other, async () => {
      for (const id of [other.contactId, crypto.randomUUID()]) {
        for (const operation of [
          { op: "update", id, data: { first_name: "Hijacked" } },
          { op: "delete", id },
        ] as BatchOperation[]) {
          const response = await postBatch(ws, "contacts", [operation]);
          answers.push(await response.clone().text());
          await expectBatchRefusal(response, 404, ["operations[0].id: contact not found"]);
        }
      }
    });
    expect(answers.slice(0, 2)).toEqual(answers.slice(2));
  });

  it("refuses a customer of another workspace exactly like an unknown one (400), for creates and upserts", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const answers: string[] = [];
    await expectNothingChanged(other, async () => {
      for (const customerId of [other.customerId, crypto.randomUUID()]) {
        const response = await postBatch(ws, "contacts", [
          create(ws, { customer_id: customerId }),
          upsert(ws, "id_crm", { customer_id: customerId, id_crm: "FOREIGN" }),
        ]);
        answers.push(await response.clone().text());
        await expectBatchRefusal(response, 400, [
          "operations[0].data.customer_id: customer not found",
          "operations[1].data.customer_id: customer not found",
        ]);
      }
    });
    expect(answers[0]).toBe(answers[1]);
    expect(await listAll(ws, "contacts")).toHaveLength(1);
  });

  it("upserts against the token's workspace only: another workspace holding the value changes nothing there", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const theirs = await createContact(other, { id_crm: "SHARED" });
    await expectNothingChanged(other, async () => {
      const [result] = await batchOk(ws, "contacts", [upsert(ws, "id_crm", { id_crm: "SHARED" })]);
      expect(result?.status).toBe(201);
      expect(result?.id).not.toBe(theirs.id);
      expect(result?.data?.workspace_id).toBe(ws.workspaceId);
    });
  });
});

describe("POST /api/contacts/batch: requests", () => {
  it("replays a retry with the same Idempotency-Key and body, and refuses the key with another body (422)", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const operations = [create(ws, { first_name: "Once" }), upsert(ws, "id_crm", { id_crm: "IDEM" })];
    const first = await postBatch(ws, "contacts", operations, { headers: { "Idempotency-Key": key } });
    expect(first.status).toBe(200);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const firstText = await first.text();

    await expectNothingChanged(ws, async () => {
      const retry = await postBatch(ws, "contacts", operations, { headers: { "Idempotency-Key": key } });
      expect(retry.status).toBe(200);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await retry.text()).toBe(firstText);

      const other = await postBatch(ws, "contacts", [create(ws, { first_name: "Twice" })], {
        headers: { "Idempotency-Key": key },
      });
      await expectError(other, 422, "This Idempotency-Key was already used for a different request");
    });
    expect(await listAll(ws, "contacts")).toHaveLength(3);
  });

  it("does not keep the Idempotency-Key of a refused batch: the corrected retry goes through", async () => {
    const ws = await seedWorkspace();
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const refused = await postBatch(ws, "contacts", [create(ws, { customer_id: crypto.randomUUID() })], { headers });
    await expectBatchRefusal(refused, 400, ["operations[0].data.customer_id: customer not found"]);
    const [result] = await batchOk(ws, "contacts", [create(ws)], { headers });
    expect(result?.status).toBe(201);
  });

  it("needs contacts:write: a read-only token is refused (403) and nothing changes", async () => {
    const ws = await seedWorkspace();
    const addressesOnly = await ws.newToken({ permissions: ["addresses:write", "customers:write"] });
    await expectNothingChanged(ws, async () => {
      for (const token of [ws.readOnlyToken, addressesOnly]) {
        const response = await postBatch(ws, "contacts", [create(ws), { op: "delete", id: ws.contactId }], { token });
        await expectError(response, 403, "This API token lacks the contacts:write permission");
      }
    });
  });

  it("counts a batch as one request against the workspace's rate limit, whatever its number of operations", async () => {
    const ws = await seedWorkspace();
    const limit = 10;
    const send = () =>
      fetchWorker(
        new Request("https://api.test/api/contacts/batch", {
          method: "POST",
          headers: { Authorization: `Bearer ${ws.token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ operations: many(50, (i) => create(ws, { first_name: `Limited ${i}` })) }),
        }),
        { ...env, WORKSPACE_RATE_LIMIT: env.SMALL_RATE_LIMIT },
      );
    await awayFromRateLimitWindowEnd();
    for (let i = 0; i < limit; i++) expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(429);
    expect(await listAll(ws, "contacts")).toHaveLength(1 + limit * 50);
  });

  it("answers contacts whose fields are those of the contact object, in its order", async () => {
    const ws = await seedWorkspace();
    const single = await getRecord(ws, "contacts", ws.contactId);
    const [result] = await batchOk(ws, "contacts", [{ op: "update", id: ws.contactId, data: {} }]);
    expect(Object.keys(result?.data ?? {})).toEqual(Object.keys(single.data as ContactObject));
    // An update that changes nothing leaves the contact as it was.
    expect(result?.data).toEqual(single.data);
  });
});
