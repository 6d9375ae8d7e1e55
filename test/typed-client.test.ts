// The app's type gives callers a typed client (hono/client).
import { SELF } from "cloudflare:test";
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../src/index";
import { seedWorkspace } from "./support/harness";

describe("typed client", () => {
  it("creates and reads a contact with types inferred from the app", async () => {
    const ws = await seedWorkspace();
    const client = hc<AppType>("https://api.test", {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(input, init),
      headers: { Authorization: `Bearer ${ws.token}` },
    });
    const created = await client.api.contacts.$post({
      json: { customer_id: ws.customerId, first_name: "Typed", last_name: "Client", email: "typed@example.com" },
    });
    expect(created.status).toBe(201);
    const { data } = await created.json();
    // `data` is typed as the contact object: these are compile-time checked field names.
    expect(data.first_name).toBe("Typed");
    expect(data.address_ids).toEqual([]);

    const fetched = await client.api.contacts[":id"].$get({ param: { id: data.id } });
    const body = await fetched.json();
    expect(body.data.id).toBe(data.id);
    expect(body.data.workspace_id).toBe(ws.workspaceId);
  });

  it("sends If-Match on a PATCH, typed: a stale ETag is refused with 412", async () => {
    const ws = await seedWorkspace();
    const client = hc<AppType>("https://api.test", {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(input, init),
      headers: { Authorization: `Bearer ${ws.token}` },
    });
    const contact = client.api.contacts[":id"];
    const current = (await contact.$get({ param: { id: ws.contactId } })).headers.get("ETag") ?? "";
    const changed = await contact.$patch({
      param: { id: ws.contactId },
      json: { first_name: "Once" },
      header: { "If-Match": current },
    });
    expect(changed.status).toBe(200);
    const stale = await contact.$patch({
      param: { id: ws.contactId },
      json: { first_name: "Twice" },
      header: { "If-Match": current },
    });
    expect(stale.status).toBe(412);
  });

  it("upserts by external id and sends a batch, with typed bodies and answers", async () => {
    const ws = await seedWorkspace();
    const client = hc<AppType>("https://api.test", {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(input, init),
      headers: { Authorization: `Bearer ${ws.token}` },
    });
    const upsert = client.api.contacts.by[":field"][":value"];
    const body = { customer_id: ws.customerId, first_name: "Ada", last_name: "Lovelace", email: "ada@example.com" };
    const created = await upsert.$put({ param: { field: "id_crm", value: "typed-1" }, json: body });
    expect(created.status).toBe(201);
    const first = await created.json();
    expect(first.data.id_crm).toBe("typed-1");
    const found = await upsert.$put({
      param: { field: "id_crm", value: "typed-1" },
      json: { ...body, phone: "+1 555" },
    });
    expect(found.status).toBe(200);
    expect((await found.json()).data.id).toBe(first.data.id);

    const batch = await client.api.contacts.batch.$post({
      json: {
        operations: [
          { op: "update", id: first.data.id, data: { last_name: "King" } },
          { op: "create", data: { ...body, email: "grace@example.com", first_name: "Grace" } },
        ],
      },
    });
    expect(batch.status).toBe(200);
    const results = (await batch.json()).data;
    expect(results.map((result) => [result.op, result.status])).toEqual([
      ["update", 200],
      ["create", 201],
    ]);
  });
});
