// /api/webhooks: creating, reading, changing and deleting endpoints; the
// signing secret shown once; what a URL and an event type pattern may be; who may.
import { describe, expect, it } from "vitest";
import { fullAccessPermissions } from "../../src/access/permissions";
import { api, seedWorkspace } from "../support/harness";
import { createEndpoint, receiverFor } from "../support/webhooks";

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
const json = async (response: Response) => (await response.json()) as { success: boolean; data?: any; error?: string };

describe("POST /api/webhooks", () => {
  it("creates an endpoint and shows its whsec_ secret once: never in get or list", async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/webhooks", {
      method: "POST",
      token: ws.token,
      body: { url: "https://hooks.example/qwoty", event_types: ["contact.*", "customer.updated"], description: "CRM" },
    });
    expect(response.status).toBe(201);
    const { data } = await json(response);
    expect(response.headers.get("Location")).toBe(`/api/webhooks/${data.id}`);
    expect(data).toMatchObject({
      url: "https://hooks.example/qwoty",
      event_types: ["contact.*", "customer.updated"],
      description: "CRM",
      enabled: true,
      disabled_reason: null,
      previous_secret_expires_at: null,
    });
    // whsec_ + base64 of 24 random bytes.
    expect(data.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const got = await json(await api(`/api/webhooks/${data.id}`, { token: ws.token }));
    const listed = await json(await api("/api/webhooks", { token: ws.token }));
    const { secret, previous_secret_expires_at, ...shown } = data;
    expect(got.data).toEqual(shown);
    expect(listed.data.find((e: { id: string }) => e.id === data.id)).toEqual(shown);
    expect(JSON.stringify([got, listed])).not.toContain(secret);
  });

  it("makes a new secret for every endpoint", async () => {
    const ws = await seedWorkspace();
    const [a, b] = await Promise.all([
      createEndpoint(ws, { url: "https://a.example/", event_types: ["*"] }),
      createEndpoint(ws, { url: "https://b.example/", event_types: ["*"] }),
    ]);
    expect(a.secret).not.toBe(b.secret);
  });

  it("accepts http only to this machine, which the tests' local database allows", async () => {
    const ws = await seedWorkspace();
    const local = await receiverFor();
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await createEndpoint(ws, { url: local.url, event_types: ["*"] });
    await createEndpoint(ws, { url: "http://localhost:8080/hooks", event_types: ["*"] });
  });

  const https = "url must be an https URL";
  it.each([
    [
      "plain http to another host",
      "http://hooks.example/",
      `${https} (http only to localhost or 127.0.0.1, with the local database)`,
    ],
    ["ftp", "ftp://hooks.example/qwoty", https],
    ["no scheme", "hooks.example/qwoty", https],
    ["credentials", "https://user:pass@hooks.example/", https],
    ["a fragment", "https://hooks.example/#fragment", https],
    ["over 2048 characters", `https://hooks.example/${"a".repeat(2048)}`, "url must be at most 2048 characters"],
  ])("refuses a url with %s (400)", async (_, url, error) => {
    const ws = await seedWorkspace();
    const response = await api("/api/webhooks", { method: "POST", token: ws.token, body: { url, event_types: ["*"] } });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ success: false, error });
  });

  it("accepts every pattern of object and change, and removes duplicates", async () => {
    const ws = await seedWorkspace();
    const patterns = ["*", "contact.*", "customer.*", "address.*", "*.created", "*.updated", "*.deleted"];
    const exact = ["contact", "customer", "address"].flatMap((o) =>
      ["created", "updated", "deleted"].map((c) => `${o}.${c}`),
    );
    const endpoint = await createEndpoint(ws, {
      url: "https://hooks.example/",
      event_types: [...patterns, ...exact, "*"].slice(0, 20),
    });
    expect(endpoint.event_types).toEqual([...patterns, ...exact].slice(0, 16));
  });

  it.each([
    [[], "event_types must not be empty"],
    [["contact"], "event_types[0] must be *"],
    [["*.*"], "event_types[0] must be *"],
    [["contacts.updated"], "event_types[0] must be *"],
    [["contact.changed"], "event_types[0] must be *"],
    [["Contact.updated"], "event_types[0] must be *"],
    [["ping"], "event_types[0] must be *"],
    [[1], "event_types[0] must be a string"],
    ["*", "event_types must be an array"],
  ])("refuses event_types %j with 400", async (event_types, error) => {
    const ws = await seedWorkspace();
    const response = await api("/api/webhooks", {
      method: "POST",
      token: ws.token,
      body: { url: "https://hooks.example/", event_types },
    });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.success).toBe(false);
    expect(body.error?.startsWith(error), body.error).toBe(true);
  });

  it("refuses unknown fields, a missing url and a secret of the client's choosing", async () => {
    const ws = await seedWorkspace();
    for (const [body, error] of [
      [{ event_types: ["*"] }, "url is required"],
      [{ url: "https://hooks.example/", event_types: ["*"], secret: "whsec_AAAA" }, "secret is not a known field"],
      [{ url: "https://hooks.example/", event_types: ["*"], enabled: "yes" }, "enabled must be true or false"],
    ] as const) {
      const response = await api("/api/webhooks", { method: "POST", token: ws.token, body });
      expect(response.status).toBe(400);
      expect((await json(response)).error).toBe(error);
    }
  });
});

describe("PATCH, DELETE /api/webhooks/{id}", () => {
  it("changes the url, event types, description and enabled; enabling clears disabled_reason", async () => {
    const ws = await seedWorkspace();
    const endpoint = await createEndpoint(ws, { url: "https://hooks.example/a", event_types: ["*"] });
    const response = await api(`/api/webhooks/${endpoint.id}`, {
      method: "PATCH",
      token: ws.token,
      body: { url: "https://hooks.example/b", event_types: ["address.deleted"], description: null, enabled: false },
    });
    expect(response.status).toBe(200);
    const { data } = await json(response);
    expect(data).toMatchObject({
      url: "https://hooks.example/b",
      event_types: ["address.deleted"],
      description: null,
      enabled: false,
    });
    expect(data.secret).toBeUndefined();
    expect(Date.parse(data.updated_at)).toBeGreaterThanOrEqual(Date.parse(data.created_at));

    // The fixture's endpoint was disabled: enabling it again leaves no reason behind.
    const enabled = await json(
      await api(`/api/webhooks/${ws.webhookId}`, { method: "PATCH", token: ws.token, body: { enabled: true } }),
    );
    expect(enabled.data).toMatchObject({ enabled: true, disabled_reason: null });
  });

  it("refuses an http url and a bad pattern on update too, and changes nothing", async () => {
    const ws = await seedWorkspace();
    const endpoint = await createEndpoint(ws, { url: "https://hooks.example/a", event_types: ["*"] });
    for (const body of [{ url: "http://hooks.example/" }, { event_types: ["contact.merged"] }]) {
      const response = await api(`/api/webhooks/${endpoint.id}`, { method: "PATCH", token: ws.token, body });
      expect(response.status).toBe(400);
    }
    const { data } = await json(await api(`/api/webhooks/${endpoint.id}`, { token: ws.token }));
    expect(data).toMatchObject({ url: "https://hooks.example/a", event_types: ["*"] });
  });

  it("deletes an endpoint: 404 afterwards, and for a second delete", async () => {
    const ws = await seedWorkspace();
    const endpoint = await createEndpoint(ws, { url: "https://hooks.example/a", event_types: ["*"] });
    const response = await api(`/api/webhooks/${endpoint.id}`, { method: "DELETE", token: ws.token });
    expect(await json(response)).toEqual({ success: true, message: "Webhook endpoint deleted successfully" });
    for (const method of ["GET", "DELETE"]) {
      const again = await api(`/api/webhooks/${endpoint.id}`, { method, token: ws.token });
      expect(again.status).toBe(404);
      expect(await json(again)).toEqual({ success: false, error: "Webhook endpoint not found" });
    }
  });

  it("lists only the workspace's endpoints, oldest first", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const first = await createEndpoint(ws, { url: "https://hooks.example/1", event_types: ["*"] });
    const second = await createEndpoint(ws, { url: "https://hooks.example/2", event_types: ["*"] });
    await createEndpoint(other, { url: "https://hooks.example/other", event_types: ["*"] });
    const { data } = await json(await api("/api/webhooks", { token: ws.token }));
    expect(data.map((e: { id: string }) => e.id)).toEqual([ws.webhookId, first.id, second.id]);
  });
});

describe("webhooks:admin", () => {
  it("is not part of full access: a full-access token gets 403 on every webhook operation", async () => {
    const ws = await seedWorkspace();
    const full = await ws.newToken({ permissions: fullAccessPermissions });
    for (const [method, path] of [
      ["GET", "/api/webhooks"],
      ["POST", "/api/webhooks"],
      ["GET", `/api/webhooks/${ws.webhookId}`],
      ["POST", `/api/webhooks/${ws.webhookId}/rotate-secret`],
      ["GET", `/api/webhooks/${ws.webhookId}/deliveries`],
    ] as const) {
      const response = await api(path, {
        method,
        token: full,
        body:
          method === "POST" && path === "/api/webhooks" ? { url: "https://a.example/", event_types: ["*"] } : undefined,
      });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await json(response)).toEqual({
        success: false,
        error: "This API token lacks the webhooks:admin permission",
      });
    }
  });

  it("alone is enough to manage webhooks", async () => {
    const ws = await seedWorkspace();
    const admin = await ws.newToken({ permissions: ["webhooks:admin"] });
    const response = await api("/api/webhooks", { token: admin });
    expect(response.status).toBe(200);
  });
});
