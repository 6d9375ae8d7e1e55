// Customers and token permissions: customers:read reads, customers:write reads
// and writes, and a refusal changes nothing.
import { describe, expect, it } from "vitest";
import type { CustomerObject } from "../../src/customers/object";
import { type Envelope, expectError } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import {
  createCustomer,
  customerRows,
  getCustomer,
  listCustomers,
  patchCustomer,
  postCustomer,
} from "../support/resources";

describe("customer permissions", () => {
  it("lets a read-only token list and read customers", async () => {
    const ws = await seedWorkspace();
    const list = await api("/api/customers", { token: ws.readOnlyToken });
    expect(list.status).toBe(200);
    expect((await json<Envelope<CustomerObject[]>>(list)).data.map((c) => c.id)).toEqual([ws.customerId]);
    const one = await api(`/api/customers/${ws.customerId}`, { token: ws.readOnlyToken });
    expect(one.status).toBe(200);
    expect((await json<Envelope<CustomerObject>>(one)).data).toEqual(await getCustomer(ws, ws.customerId));
  });

  it("refuses writes with a read-only token: 403, and nothing changes", async () => {
    const ws = await seedWorkspace();
    const lacksWrite = "This API token lacks the customers:write permission";
    const empty = await createCustomer(ws, { name: "Empty" });
    const before = await listCustomers(ws);

    await expectError(await postCustomer(ws, { name: "New", type: "company" }, ws.readOnlyToken), 403, lacksWrite);
    await expectError(await patchCustomer(ws, ws.customerId, { name: "Changed" }, ws.readOnlyToken), 403, lacksWrite);
    await expectError(await patchCustomer(ws, ws.customerId, {}, ws.readOnlyToken), 403, lacksWrite);
    for (const path of [`/api/customers/${empty.id}`, `/api/customers/${ws.customerId}?cascade=true`]) {
      await expectError(await api(path, { method: "DELETE", token: ws.readOnlyToken }), 403, lacksWrite);
    }

    expect(await listCustomers(ws)).toEqual(before);
    expect((await api(`/api/contacts/${ws.contactId}`, { token: ws.token })).status).toBe(200);
  });

  it("refuses reads with a token that lacks customers:read", async () => {
    const ws = await seedWorkspace();
    const contactsOnly = await ws.newToken({ permissions: ["contacts:read"] });
    const lacksRead = "This API token lacks the customers:read permission";
    await expectError(await api(`/api/customers/${ws.customerId}`, { token: contactsOnly }), 403, lacksRead);
    await expectError(await api("/api/customers", { token: contactsOnly }), 403, lacksRead);
    await expectError(await api("/api/customers?limit=1", { token: contactsOnly }), 403, lacksRead);
    expect((await api(`/api/contacts/${ws.contactId}`, { token: contactsOnly })).status).toBe(200);
  });

  it("lets customers:write alone read as well as write", async () => {
    const ws = await seedWorkspace();
    const writer = await ws.newToken({ permissions: ["customers:write"] });
    expect((await api(`/api/customers/${ws.customerId}`, { token: writer })).status).toBe(200);
    expect((await api("/api/customers", { token: writer })).status).toBe(200);
    const created = await postCustomer(ws, { name: "By writer", type: "individual" }, writer);
    expect(created.status).toBe(201);
    const { data } = await json<Envelope<CustomerObject>>(created);
    expect((await patchCustomer(ws, data.id, { name: "Renamed" }, writer)).status).toBe(200);
    expect((await api(`/api/customers/${data.id}`, { method: "DELETE", token: writer })).status).toBe(200);
  });

  it("refuses a request without a token", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/customers/${ws.customerId}`);
    expect(response.status).toBe(401);
    expect((await json(response)).success).toBe(false);
    await expectError(await api("/api/customers", { method: "POST", body: { name: "x", type: "company" } }), 401, /./);
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
  });
});
