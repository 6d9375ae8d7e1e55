// Protocol hygiene (OWASP API8): methods, media types, tokens out of URLs,
// caching, request ids, no fingerprinting, no CORS.
import { describe, expect, it } from "vitest";
import { api, json, seedWorkspace } from "./support/harness";

describe("protocol hygiene", () => {
  it("answers 405 with Allow for a method a known path does not take", async () => {
    const ws = await seedWorkspace();
    const cases: [string, string, string][] = [
      ["PUT", `/api/contacts/${ws.contactId}`, "GET, HEAD, PATCH, DELETE"],
      ["DELETE", "/api/contacts", "GET, HEAD, POST"],
      ["POST", `/api/customers/${ws.customerId}`, "GET, HEAD, PATCH, DELETE"],
      ["PATCH", "/api/addresses", "GET, HEAD, POST"],
      ["OPTIONS", "/api/contacts", "GET, HEAD, POST"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await api(path, { method, token: ws.token });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get("Allow")?.split(", ").sort()).toEqual(allow.split(", ").sort());
      expect(await json(response)).toEqual({ success: false, error: `Method ${method} not allowed` });
    }
  });

  it("answers HEAD like GET, without a body", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts/${ws.contactId}`, { method: "HEAD", token: ws.token });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  it("refuses a token in the query string, and never uses it", async () => {
    const ws = await seedWorkspace();
    for (const query of [`token=${ws.token}`, `access_token=${ws.token}`, `api_key=${ws.token}`, `x=${ws.token}`]) {
      for (const headers of [{}, { Authorization: `Bearer ${ws.token}` }] as Record<string, string>[]) {
        const response = await api(`/api/contacts/${ws.contactId}?${query}`, { headers });
        expect(response.status, query).toBe(400);
        expect(await json(response)).toEqual({
          success: false,
          error: "API tokens are not accepted in the URL: send them in the Authorization header",
        });
      }
    }
  });

  it("marks every answer as not to be stored, or private to revalidate when it has an ETag", async () => {
    const ws = await seedWorkspace();
    const answers = [
      await api("/api/contacts", { token: ws.token }),
      await api(`/api/contacts/${crypto.randomUUID()}`, { token: ws.token }),
      await api("/api/contacts"),
      await api(`/api/contacts/${ws.contactId}`, { method: "DELETE", token: ws.readOnlyToken }),
    ];
    for (const response of answers) expect(response.headers.get("Cache-Control")).toBe("no-store");
    const record = await api(`/api/contacts/${ws.contactId}`, { token: ws.token });
    expect(record.headers.get("Cache-Control")).toBe("private, no-cache");
    expect(record.headers.get("ETag")).toBeTruthy();
  });

  it("puts an X-Request-Id on every answer, echoing a sane one and replacing any other", async () => {
    const ws = await seedWorkspace();
    const echoed = await api(`/api/contacts/${ws.contactId}`, {
      token: ws.token,
      headers: { "X-Request-Id": "req-42_a=b" },
    });
    expect(echoed.headers.get("X-Request-Id")).toBe("req-42_a=b");
    for (const bad of ["with space", "x".repeat(129), "<script>", "a;b"]) {
      const response = await api("/api/contacts", { token: ws.token, headers: { "X-Request-Id": bad } });
      expect(response.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    for (const response of [
      await api("/nowhere"),
      await api("/api/contacts"),
      await api("/api/contacts/x", { token: ws.token }),
    ]) {
      expect(response.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("reveals nothing about the server, and sends no CORS headers", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts/${ws.contactId}`, {
      token: ws.token,
      headers: { Origin: "https://evil.example" },
    });
    const names = [...response.headers.keys()];
    for (const name of [
      "server",
      "x-powered-by",
      "via",
      "access-control-allow-origin",
      "access-control-allow-credentials",
    ]) {
      expect(names).not.toContain(name);
    }
  });
});
