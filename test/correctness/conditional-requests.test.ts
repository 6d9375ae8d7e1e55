// Conditional requests on single records (RFC 9110 §13): If-None-Match on GET
// and HEAD, If-Match on PATCH and DELETE (strong comparison: a weak tag never
// matches), and a PATCH that changes nothing leaves the record (its updated_at
// and its ETag) as it was.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import type { ContactObject } from "../../src/contacts/object";
import type { CustomerObject } from "../../src/customers/object";
import { api, json, seedWorkspace, type TestWorkspace } from "../support/harness";
import { contactBody } from "../support/resources";

type Item = ContactObject | CustomerObject | AddressObject;

interface Resource {
  path: "contacts" | "customers" | "addresses";
  thing: "Contact" | "Customer" | "Address";
  /** a PATCH body that changes the record */
  change: { [field: string]: string };
  /** a new record of the workspace, with nothing depending on it (so that a plain DELETE may remove it) */
  create(ws: TestWorkspace): Promise<string>;
}

async function created(response: Response): Promise<string> {
  expect(response.status).toBe(201);
  return (await json<{ data: Item }>(response)).data.id;
}

const resources: Resource[] = [
  {
    path: "contacts",
    thing: "Contact",
    change: { first_name: "Changed" },
    create: async (ws) =>
      created(await api("/api/contacts", { method: "POST", token: ws.token, body: contactBody(ws) })),
  },
  {
    path: "customers",
    thing: "Customer",
    change: { name: "Changed Ltd" },
    create: async (ws) =>
      created(
        await api("/api/customers", { method: "POST", token: ws.token, body: { name: "Fresh", type: "company" } }),
      ),
  },
  {
    path: "addresses",
    thing: "Address",
    change: { city: "Changed City" },
    create: async (ws) =>
      created(
        await api("/api/addresses", {
          method: "POST",
          token: ws.token,
          body: {
            customer_id: ws.customerId,
            contact_id: ws.contactId,
            type: "shipping",
            address_line1: "5 Quay",
            address_line2: "Floor 2",
            city: "Bristol",
            state: "England",
            postal_code: "BS1 4DJ",
            country: "GB",
            comment: "Back door",
            id_crm: "crm-1",
          },
        }),
      ),
  },
];

async function current(ws: TestWorkspace, resource: Resource, id: string) {
  const response = await api(`/api/${resource.path}/${id}`, { token: ws.token });
  expect(response.status).toBe(200);
  return {
    etag: response.headers.get("ETag") as string,
    text: await response.clone().text(),
    ...(await json<{ data: Item }>(response)),
  };
}

const write = (ws: TestWorkspace, resource: Resource, id: string, method: string, headers = {}, body?: unknown) =>
  api(`/api/${resource.path}/${id}`, { method, token: ws.token, headers, body });

const preconditionFailed = (resource: Resource) => ({
  success: false,
  error: `${resource.thing} has changed since the ETag in If-Match: fetch it again`,
});

describe("HEAD with If-None-Match", () => {
  for (const resource of resources) {
    it(`answers 304 for an unchanged ${resource.thing.toLowerCase()}, as GET does`, async () => {
      const ws = await seedWorkspace();
      const id = await resource.create(ws);
      const { etag } = await current(ws, resource, id);
      const head = await api(`/api/${resource.path}/${id}`, {
        method: "HEAD",
        token: ws.token,
        headers: { "If-None-Match": etag },
      });
      expect(head.status).toBe(304);
      expect(head.headers.get("ETag")).toBe(etag);
    });
  }
});

describe("If-Match", () => {
  for (const resource of resources) {
    const what = resource.thing.toLowerCase();

    it(`PATCH ${what}: the current ETag → 200 with a new ETag; the one from before → 412, nothing changed`, async () => {
      const ws = await seedWorkspace();
      const id = await resource.create(ws);
      const before = await current(ws, resource, id);
      const patched = await write(ws, resource, id, "PATCH", { "If-Match": before.etag }, resource.change);
      expect(patched.status).toBe(200);
      const after = await current(ws, resource, id);
      expect(patched.headers.get("ETag")).toBe(after.etag);
      expect(after.etag).not.toBe(before.etag);

      const stale = await write(ws, resource, id, "PATCH", { "If-Match": before.etag }, { id_crm: "stale-write" });
      expect(stale.status).toBe(412);
      expect(await json(stale)).toEqual(preconditionFailed(resource));
      const unchanged = await current(ws, resource, id);
      expect(unchanged.text).toBe(after.text);
      expect(unchanged.etag).toBe(after.etag);
    });

    it(`PATCH ${what}: If-Match * on an existing record → 200; a weak tag (W/"…") → 412`, async () => {
      const ws = await seedWorkspace();
      const id = await resource.create(ws);
      expect((await write(ws, resource, id, "PATCH", { "If-Match": "*" }, resource.change)).status).toBe(200);
      const { etag, text } = await current(ws, resource, id);
      const weak = await write(ws, resource, id, "PATCH", { "If-Match": `W/${etag}` }, { id_crm: "weak-write" });
      expect(weak.status).toBe(412);
      expect(await json(weak)).toEqual(preconditionFailed(resource));
      expect((await current(ws, resource, id)).text).toBe(text);
    });

    it(`DELETE ${what}: a stale If-Match → 412 and the record stays; the current ETag → 200`, async () => {
      const ws = await seedWorkspace();
      const id = await resource.create(ws);
      const before = await current(ws, resource, id);
      expect((await write(ws, resource, id, "PATCH", {}, resource.change)).status).toBe(200);
      const stale = await write(ws, resource, id, "DELETE", { "If-Match": before.etag });
      expect(stale.status).toBe(412);
      expect(await json(stale)).toEqual(preconditionFailed(resource));
      const { etag } = await current(ws, resource, id);
      const removed = await write(ws, resource, id, "DELETE", { "If-Match": etag });
      expect(removed.status).toBe(200);
      expect((await api(`/api/${resource.path}/${id}`, { token: ws.token })).status).toBe(404);
    });

    it(`PATCH and DELETE ${what} with If-Match on an id that does not exist → 404`, async () => {
      const ws = await seedWorkspace();
      const id = crypto.randomUUID();
      const headers = { "If-Match": '"AAAAAAAAAAAAAAAAAAAAAA"' };
      const patch = await write(ws, resource, id, "PATCH", headers, resource.change);
      expect(patch.status).toBe(404);
      expect(await json(patch)).toEqual({ success: false, error: `${resource.thing} not found` });
      expect((await write(ws, resource, id, "DELETE", headers)).status).toBe(404);
    });

    it(`PATCH ${what} with If-Match and Idempotency-Key together: no 5xx, and a stale tag is still refused`, async () => {
      const ws = await seedWorkspace();
      const id = await resource.create(ws);
      const before = await current(ws, resource, id);
      const key = crypto.randomUUID();
      const headers = { "If-Match": before.etag, "Idempotency-Key": key };
      const first = await write(ws, resource, id, "PATCH", headers, resource.change);
      expect(first.status).toBe(200);
      // The same request again: its answer replayed, or refused since the tag is now stale.
      const retry = await write(ws, resource, id, "PATCH", headers, resource.change);
      expect([200, 412]).toContain(retry.status);
      const stale = await write(
        ws,
        resource,
        id,
        "PATCH",
        { "If-Match": before.etag, "Idempotency-Key": crypto.randomUUID() },
        { id_crm: "stale-write" },
      );
      expect(stale.status).toBe(412);
    });
  }
});

describe("a PATCH that changes nothing", () => {
  const readOnly = new Set(["id", "workspace_id", "created_at", "updated_at", "address_ids", "contact_ids"]);

  for (const resource of resources) {
    it(`leaves a ${resource.thing.toLowerCase()}'s updated_at and ETag as they were when every field is sent unchanged`, async () => {
      const ws = await seedWorkspace();
      const id = await resource.create(ws);
      const before = await current(ws, resource, id);
      const body = Object.fromEntries(Object.entries(before.data).filter(([field]) => !readOnly.has(field)));
      const patched = await write(ws, resource, id, "PATCH", {}, body);
      expect(patched.status).toBe(200);
      expect(patched.headers.get("ETag")).toBe(before.etag);
      expect((await json<{ data: Item }>(patched)).data.updated_at).toBe(before.data.updated_at);
      const after = await current(ws, resource, id);
      expect(after.data.updated_at).toBe(before.data.updated_at);
      expect(after.etag).toBe(before.etag);
    });
  }
});
