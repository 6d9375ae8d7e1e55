// Smoke test of the worker as it is deployed: `wrangler dev` with the project's
// own wrangler.toml (its compatibility date and flags, Node.js compatibility
// off, its rate limit, its static assets; no --env), given only DATABASE_URL,
// over real HTTP, against a fresh local database holding the demo data. Every
// endpoint's happy path once, and the main refusals. The contract itself is
// tested in detail inside workerd (the "worker" project); this checks that the
// production configuration runs it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevWorker, startDevWorker } from "../../scripts/dev-worker.ts";
import { migrationsFolder } from "../../scripts/local-db/open.ts";
import { type LocalDbServer, startLocalDbServer } from "../../scripts/local-db/server.ts";
import { type DemoTokens, demo, seedDemo } from "../../scripts/seed.ts";
import { mintToken } from "../../src/access/token.ts";
import { getDb } from "../../src/db/client.ts";
import { type Envelope, json, type Page } from "../support/envelope.ts";
import { openTestBackend, type TestBackend } from "../support/node/test-backend.ts";

let test: TestBackend;
let server: LocalDbServer;
let worker: DevWorker;
let tokens: DemoTokens;

interface Call {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Every answer received, for the header every answer must carry. */
const answers: { request: string; response: Response }[] = [];

/** A request to the worker as a client sends it: JSON body, Bearer token. */
async function call(path: string, { method = "GET", token, body, headers = {} }: Call = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers }, redirect: "manual" };
  const sent = init.headers as Record<string, string>;
  if (token !== undefined) sent.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    sent["Content-Type"] ??= "application/json";
  }
  const response = await fetch(`${worker.origin}${path}`, init);
  answers.push({ request: `${method} ${path}`, response });
  return response;
}

/** A refusal: its status and the error envelope. */
async function expectRefusal(response: Response, status: number, error: string | RegExp) {
  const body = await json<{ success: boolean; error: string }>(response);
  expect(response.status, body.error).toBe(status);
  expect(body.success).toBe(false);
  expect(body.error).toMatch(error);
}

type Row = { id: string; workspace_id: string } & Record<string, unknown>;

describe("the worker under wrangler dev, configured as in production", () => {
  beforeAll(async () => {
    test = await openTestBackend();
    await test.backend.migrate(migrationsFolder);
    server = await startLocalDbServer({ backend: test.backend });
    tokens = await seedDemo(getDb(server.databaseUrl));
    worker = await startDevWorker(server.databaseUrl);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.close();
    await test?.dispose();
  });

  describe("health and static assets", () => {
    // The first request meets a cold isolate: wrangler holds it until the worker is up.
    it("GET /health reaches the database", { timeout: 60_000 }, async () => {
      const response = await call("/health");
      expect(response.status).toBe(200);
      const body = await json<Envelope<{ status: string; database: string }>>(response);
      expect(body).toMatchObject({ success: true, data: { status: "ok", database: "ok" } });
    });

    it("serves the OpenAPI document at /openapi.json", async () => {
      const response = await call("/openapi.json");
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
      const document = await json<{ openapi: string; paths: Record<string, unknown> }>(response);
      expect(document.openapi).toBe("3.1.0");
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(["/api/contacts/{id}", "/api/customers", "/api/addresses", "/api/tokens", "/health"]),
      );
    });

    it("serves the API reference page at /docs/, and /docs leads there", async () => {
      const page = await call("/docs/");
      expect(page.status).toBe(200);
      expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
      expect(await page.text()).toContain('url: "/openapi.json"');
      const script = await call("/docs/scalar.js");
      expect(script.status).toBe(200);
      expect(script.headers.get("Content-Type")).toMatch(/javascript/);
      await script.arrayBuffer();
      const bare = await call("/docs");
      expect([200, 307, 308]).toContain(bare.status);
      if (bare.status !== 200) expect(bare.headers.get("Location")).toMatch(/\/docs\/$/);
      await bare.arrayBuffer();
    });

    it("sends X-Content-Type-Options: nosniff with the static assets (public/_headers)", async () => {
      for (const path of ["/openapi.json", "/docs/", "/docs/scalar.js"]) {
        const response = await call(path);
        await response.arrayBuffer();
        expect(response.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      }
      // The rules file itself is not an asset.
      const rules = await call("/_headers");
      expect(rules.status).not.toBe(200);
      await rules.arrayBuffer();
    });
  });

  describe("contacts", () => {
    it("lists the workspace's contacts", async () => {
      const response = await call("/api/contacts", { token: tokens.full });
      expect(response.status).toBe(200);
      const page = await json<Page<Row>>(response);
      expect(page.success).toBe(true);
      expect(page.data.map((c) => c.id)).toEqual([demo.contactId]);
      // One page at a time, on request.
      const first = await call("/api/contacts?limit=1", { token: tokens.full });
      expect(first.status).toBe(200);
      expect(await json<Page<Row>>(first)).toMatchObject({ success: true, has_more: false, next_cursor: null });
    });

    it("gets the demo contact, Qwoty's example", async () => {
      const response = await call(`/api/contacts/${demo.contactId}`, { token: tokens.full });
      expect(response.status).toBe(200);
      expect(response.headers.get("ETag")).toBeTruthy();
      expect((await json<Envelope<Row>>(response)).data).toMatchObject({
        id: demo.contactId,
        workspace_id: demo.workspaceId,
        customer_id: demo.customerId,
        first_name: "Jean",
        last_name: "Dupont",
        role: ["buyer", "signer"],
        address_ids: [demo.addressId],
        created_at: "2026-01-15T10:30:00Z",
      });
    });

    it("creates, updates and deletes a contact", async () => {
      const created = await call("/api/contacts", {
        method: "POST",
        token: tokens.full,
        body: { customer_id: demo.customerId, first_name: "Marie", last_name: "Curie", email: "marie@acme.com" },
      });
      expect(created.status).toBe(201);
      const contact = (await json<Envelope<Row>>(created)).data;
      expect(created.headers.get("Location")).toBe(`/api/contacts/${contact.id}`);
      expect(contact).toMatchObject({ workspace_id: demo.workspaceId, first_name: "Marie", email: "marie@acme.com" });

      const updated = await call(`/api/contacts/${contact.id}`, {
        method: "PATCH",
        token: tokens.full,
        body: { phone: "+33 6 99 88 77 66", role: ["billing"] },
      });
      expect(updated.status).toBe(200);
      expect((await json<Envelope<Row>>(updated)).data).toMatchObject({
        id: contact.id,
        first_name: "Marie",
        phone: "+33 6 99 88 77 66",
        role: ["billing"],
      });

      const deleted = await call(`/api/contacts/${contact.id}`, { method: "DELETE", token: tokens.full });
      expect(deleted.status).toBe(200);
      expect(await json(deleted)).toEqual({ success: true, message: "Contact deleted successfully" });
      await expectRefusal(await call(`/api/contacts/${contact.id}`, { token: tokens.full }), 404, "Contact not found");
    });
  });

  describe("customers", () => {
    it("lists the workspace's customers and gets the demo customer", async () => {
      const list = await call("/api/customers", { token: tokens.full });
      expect(list.status).toBe(200);
      expect((await json<Page<Row>>(list)).data.map((c) => c.id)).toEqual([demo.customerId]);

      const response = await call(`/api/customers/${demo.customerId}`, { token: tokens.full });
      expect(response.status).toBe(200);
      expect((await json<Envelope<Row>>(response)).data).toMatchObject({
        id: demo.customerId,
        name: "Acme Corporation",
        type: "company",
        tax_ids: [{ tax: "VAT", tax_value: "FR12345678901" }],
        contact_ids: [demo.contactId],
        address_ids: [demo.addressId],
      });
    });

    it("creates, updates and deletes a customer", async () => {
      const created = await call("/api/customers", {
        method: "POST",
        token: tokens.full,
        body: { name: "Initech", type: "company" },
      });
      expect(created.status).toBe(201);
      const customer = (await json<Envelope<Row>>(created)).data;
      expect(created.headers.get("Location")).toBe(`/api/customers/${customer.id}`);
      expect(customer).toMatchObject({ workspace_id: demo.workspaceId, name: "Initech", contact_ids: [] });

      const updated = await call(`/api/customers/${customer.id}`, {
        method: "PATCH",
        token: tokens.full,
        body: { name: "Initech SA", tax_ids: [{ tax: "VAT", tax_value: "FR00000000000" }] },
      });
      expect(updated.status).toBe(200);
      expect((await json<Envelope<Row>>(updated)).data).toMatchObject({
        id: customer.id,
        name: "Initech SA",
        tax_ids: [{ tax: "VAT", tax_value: "FR00000000000" }],
      });

      const deleted = await call(`/api/customers/${customer.id}`, { method: "DELETE", token: tokens.full });
      expect(deleted.status).toBe(200);
      expect(await json(deleted)).toEqual({ success: true, message: "Customer deleted successfully" });
    });
  });

  describe("addresses", () => {
    it("lists the workspace's addresses and gets the demo address", async () => {
      const list = await call(`/api/addresses?customer_id=${demo.customerId}`, { token: tokens.full });
      expect(list.status).toBe(200);
      expect((await json<Page<Row>>(list)).data.map((a) => a.id)).toEqual([demo.addressId]);

      const response = await call(`/api/addresses/${demo.addressId}`, { token: tokens.full });
      expect(response.status).toBe(200);
      expect((await json<Envelope<Row>>(response)).data).toMatchObject({
        id: demo.addressId,
        customer_id: demo.customerId,
        contact_id: demo.contactId,
        name: "Siège social",
        city: "Paris",
        country: "FR",
      });
    });

    it("creates, updates and deletes an address", async () => {
      const created = await call("/api/addresses", {
        method: "POST",
        token: tokens.full,
        body: {
          customer_id: demo.customerId,
          type: "shipping",
          address_line1: "2 Quai Perrache",
          city: "Lyon",
          postal_code: "69002",
          country: "FR",
        },
      });
      expect(created.status).toBe(201);
      const address = (await json<Envelope<Row>>(created)).data;
      expect(created.headers.get("Location")).toBe(`/api/addresses/${address.id}`);
      expect(address).toMatchObject({ workspace_id: demo.workspaceId, city: "Lyon", contact_id: null });

      const updated = await call(`/api/addresses/${address.id}`, {
        method: "PATCH",
        token: tokens.full,
        body: { city: "Villeurbanne", contact_id: demo.contactId },
      });
      expect(updated.status).toBe(200);
      expect((await json<Envelope<Row>>(updated)).data).toMatchObject({
        id: address.id,
        city: "Villeurbanne",
        contact_id: demo.contactId,
      });

      const deleted = await call(`/api/addresses/${address.id}`, { method: "DELETE", token: tokens.full });
      expect(deleted.status).toBe(200);
      expect(await json(deleted)).toEqual({ success: true, message: "Address deleted successfully" });
    });
  });

  describe("API tokens", () => {
    it("lists, creates and revokes tokens; a new token works until revoked", async () => {
      const list = await call("/api/tokens", { token: tokens.full });
      expect(list.status).toBe(200);
      const names = (await json<Envelope<{ name: string; token_hint: string }[]>>(list)).data.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(["Demo full access", "Demo read-only"]));
      expect(names).not.toContain("Globex full access");

      const created = await call("/api/tokens", {
        method: "POST",
        token: tokens.full,
        body: { name: "Smoke", permissions: ["contacts:read"] },
      });
      expect(created.status).toBe(201);
      const token = (await json<Envelope<{ id: string; name: string; permissions: string[]; token: string }>>(created))
        .data;
      expect(token).toMatchObject({ name: "Smoke", permissions: ["contacts:read"] });
      expect(token.token).toMatch(/^qwt_prod_/);
      const read = await call(`/api/contacts/${demo.contactId}`, { token: token.token });
      expect(read.status).toBe(200);
      await read.arrayBuffer();

      const deleted = await call(`/api/tokens/${token.id}`, { method: "DELETE", token: tokens.full });
      expect(deleted.status).toBe(200);
      expect(await json(deleted)).toEqual({ success: true, message: "API token deleted successfully" });
      await expectRefusal(await call("/api/contacts", { token: token.token }), 401, /revoked|Invalid API token/);
    });
  });

  describe("webhooks", () => {
    it("delivers a change through the local queue, signed (verified with standardwebhooks)", async () => {
      const arrived: { body: string; headers: Record<string, string> }[] = [];
      const receiver = createServer(async (request, response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
        arrived.push({ body: Buffer.concat(chunks).toString("utf8"), headers });
        response.writeHead(204).end();
      });
      await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
      try {
        const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
        const created = await call("/api/webhooks", {
          method: "POST",
          token: tokens.full,
          body: { url, event_types: ["contact.updated"] },
        });
        expect(created.status).toBe(201);
        const endpoint = (await json<Envelope<{ id: string; secret: string }>>(created)).data;
        const patched = await call(`/api/contacts/${demo.contactId}`, {
          method: "PATCH",
          token: tokens.full,
          body: { phone: "+33 6 00 00 00 01" },
        });
        expect(patched.status).toBe(200);
        await patched.arrayBuffer();
        for (let i = 0; i < 200 && arrived.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
        const [delivery] = arrived;
        expect(new Webhook(endpoint.secret).verify(delivery?.body ?? "", delivery?.headers ?? {})).toEqual({
          event_type: "contact.updated",
          id: demo.contactId,
        });
        const removed = await call(`/api/webhooks/${endpoint.id}`, { method: "DELETE", token: tokens.full });
        expect(removed.status).toBe(200);
        await removed.arrayBuffer();
      } finally {
        receiver.close();
      }
    });
  });

  describe("refusals", () => {
    it("401 without a token, with WWW-Authenticate", async () => {
      const response = await call("/api/contacts");
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
      await expectRefusal(response, 401, /Missing API token/);
    });

    it("401 for a well-formed token the database does not know", async () => {
      const response = await call("/api/contacts", { token: mintToken() });
      expect(response.headers.get("WWW-Authenticate")).toMatch(/error="invalid_token"/);
      await expectRefusal(response, 401, "Invalid API token");
    });

    it("403 for a read-only token that writes", async () => {
      const response = await call("/api/contacts", {
        method: "POST",
        token: tokens.readOnly,
        body: { customer_id: demo.customerId, first_name: "No", last_name: "Write", email: "no@acme.com" },
      });
      await expectRefusal(response, 403, "This API token lacks the contacts:write permission");
    });

    it("404 for an unknown id, and for another workspace's record", async () => {
      const unknown = crypto.randomUUID();
      await expectRefusal(await call(`/api/contacts/${unknown}`, { token: tokens.full }), 404, "Contact not found");
      await expectRefusal(await call(`/api/customers/${unknown}`, { token: tokens.full }), 404, "Customer not found");
      await expectRefusal(await call(`/api/addresses/${unknown}`, { token: tokens.full }), 404, "Address not found");
      await expectRefusal(
        await call(`/api/contacts/${demo.contactId}`, { token: tokens.otherWorkspace }),
        404,
        "Contact not found",
      );
    });

    it("400 for an invalid body", async () => {
      await expectRefusal(
        await call("/api/contacts", { method: "POST", token: tokens.full, body: "{not json" }),
        400,
        "Request body is not valid JSON",
      );
      await expectRefusal(
        await call("/api/customers", { method: "POST", token: tokens.full, body: { type: "company" } }),
        400,
        /name/,
      );
    });

    it("405 with Allow for a method the path does not take", async () => {
      const response = await call(`/api/contacts/${demo.contactId}`, { method: "PUT", token: tokens.full, body: {} });
      expect(response.headers.get("Allow")).toMatch(/PATCH/);
      await expectRefusal(response, 405, "Method PUT not allowed");
    });

    it("415 for a body that is not JSON", async () => {
      const response = await call("/api/contacts", {
        method: "POST",
        token: tokens.full,
        body: "first_name=Marie",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      await expectRefusal(response, 415, "Content-Type must be application/json");
    });
  });

  // Depends on the worker's own middleware for its answers (the assets get it
  // from public/_headers, tested above): every answer, whatever its status.
  it("sends X-Content-Type-Options: nosniff with every answer", () => {
    expect(answers.length).toBeGreaterThan(30);
    const without = answers
      .filter(({ response }) => response.headers.get("X-Content-Type-Options") !== "nosniff")
      .map(({ request, response }) => `${request} → ${response.status}`);
    expect(without).toEqual([]);
  });
});
