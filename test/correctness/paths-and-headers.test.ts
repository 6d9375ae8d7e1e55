// Paths that are not routes, and the headers every answer carries: one
// WWW-Authenticate for every invalid-token refusal, wherever it is decided,
// and X-Content-Type-Options: nosniff on everything.
import { describe, expect, it } from "vitest";
import { mintToken } from "../../src/access/token";
import { api, json, seedWorkspace } from "../support/harness";
import { adminToken, contactBody } from "../support/resources";
import { awayFromRateLimitWindowEnd, fetchRateLimited, fetchRawUrl } from "../support/worker";

describe("paths with dot segments or empty segments", () => {
  it("are resolved by the URL parser before the worker when sent as a URL string (hence the raw cases below)", () => {
    // What a WHATWG client such as fetch() sends for these: the worker cannot
    // tell it from a request for /api/tokens or /api/contacts/{id}.
    expect(new Request("https://api.test/api/contacts/%2e%2e/tokens").url).toBe("https://api.test/api/tokens");
    expect(new Request("https://api.test/api/contacts/./x").url).toBe("https://api.test/api/contacts/x");
    // An empty segment is kept.
    expect(new Request("https://api.test/api/contacts//x").url).toBe("https://api.test/api/contacts//x");
  });

  it("answer 404 in the envelope when they reach the worker as sent, never the resource they would resolve to", async () => {
    const ws = await seedWorkspace();
    const admin = await adminToken(ws);
    const paths = [
      "/api/contacts/%2e%2e/tokens",
      "/api/contacts/%2E%2E/tokens",
      "/api/contacts/%2e%2E/tokens",
      "/api/contacts/../tokens",
      `/api/contacts/./${ws.contactId}`,
      `/api/contacts/%2e/${ws.contactId}`,
      `/api/contacts//${ws.contactId}`,
    ];
    for (const path of paths) {
      const response = await fetchRawUrl(`https://api.test${path}`, { headers: { Authorization: `Bearer ${admin}` } });
      expect(response.status, path).toBe(404);
      const body = await json(response);
      // The envelope of a refusal, and nothing else: not the token list, not the contact.
      expect(Object.keys(body).sort(), path).toEqual(["error", "success"]);
      expect(body.success, path).toBe(false);
      expect(typeof body.error, path).toBe("string");
    }
  });

  it("answer 404 for an empty segment sent through an ordinary request", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts//${ws.contactId}`, { token: ws.token });
    expect(response.status).toBe(404);
    expect((await json(response)).success).toBe(false);
  });
});

describe("WWW-Authenticate", () => {
  const invalidToken = 'Bearer realm="api", error="invalid_token"';

  it("is the same for every invalid token, whether refused before the database or after it", async () => {
    const ws = await seedWorkspace();
    const valid = mintToken();
    const lastChar = valid.at(-1) === "A" ? "B" : "A";
    const tokens = {
      "our prefix, wrong checksum": valid.slice(0, -1) + lastChar,
      "characters no token has": "not!a:token",
      "well-formed but unknown": mintToken(),
      revoked: await ws.newToken({ revokedAt: new Date() }),
      expired: await ws.newToken({ expiresAt: new Date(Date.now() - 60_000) }),
    };
    for (const [what, token] of Object.entries(tokens)) {
      const response = await api(`/api/contacts/${ws.contactId}`, { token });
      expect(response.status, what).toBe(401);
      expect(response.headers.get("WWW-Authenticate"), what).toBe(invalidToken);
    }
  });

  it('is Bearer realm="api" without an Authorization header', async () => {
    const response = await api("/api/contacts");
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
  });

  it('says error="invalid_request" for another scheme than Bearer', async () => {
    const response = await api("/api/contacts", { headers: { Authorization: "Basic abc" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="api", error="invalid_request"');
  });
});

describe("X-Content-Type-Options: nosniff", () => {
  it("comes with every answer, success or refusal", async () => {
    const ws = await seedWorkspace();
    const contact = `/api/contacts/${ws.contactId}`;
    const etag = (await api(contact, { token: ws.token })).headers.get("ETag") as string;
    const answers: [number, () => Promise<Response>][] = [
      [200, () => api(contact, { token: ws.token })],
      [200, () => api("/api/contacts", { token: ws.token })],
      [201, () => api("/api/contacts", { method: "POST", token: ws.token, body: contactBody(ws) })],
      [304, () => api(contact, { token: ws.token, headers: { "If-None-Match": etag } })],
      [400, () => api("/api/contacts", { method: "POST", token: ws.token, body: { first_name: 1 } })],
      [401, () => api(contact)],
      [404, () => api(`/api/contacts/${crypto.randomUUID()}`, { token: ws.token })],
      [404, () => api("/api/nowhere", { token: ws.token })],
      [405, () => api(contact, { method: "PUT", token: ws.token, body: {} })],
      [
        415,
        () => api(contact, { method: "PATCH", token: ws.token, body: "x", headers: { "Content-Type": "text/plain" } }),
      ],
      [200, () => api("/health")],
    ];
    for (const [status, send] of answers) {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers.get("X-Content-Type-Options"), `${status}`).toBe("nosniff");
    }
  });

  it("comes with a 429 too", async () => {
    const ws = await seedWorkspace();
    await awayFromRateLimitWindowEnd();
    let response: Response | undefined;
    for (let i = 0; i < 11; i++) response = await fetchRateLimited(`/api/contacts/${ws.contactId}`, ws.token);
    expect(response?.status).toBe(429);
    expect(response?.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
