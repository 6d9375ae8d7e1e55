// /api/tokens: the workspace's API tokens, managed by tokens holding tokens:admin.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { fullAccessPermissions } from "../src/access/permissions";
import { hashToken, tokenShape } from "../src/access/token";
import { apiTokens } from "../src/db/schema";
import { api, db, json, seedWorkspace } from "./support/harness";
import { adminToken, type TokenObject } from "./support/resources";

describe("POST /api/tokens", () => {
  it("creates a token, shows its secret once, and stores only its hash", async () => {
    const ws = await seedWorkspace();
    const admin = await adminToken(ws);
    const response = await api("/api/tokens", {
      method: "POST",
      token: admin,
      body: { name: "CRM sync", permissions: ["contacts:read", "contacts:write"], expires_at: "2030-01-15T10:30:00Z" },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const { data } = await json<{ data: TokenObject }>(response);
    expect(response.headers.get("Location")).toBe(`/api/tokens/${data.id}`);
    expect(data).toMatchObject({
      name: "CRM sync",
      permissions: ["contacts:read", "contacts:write"],
      expires_at: "2030-01-15T10:30:00Z",
      last_used_at: null,
    });
    expect(Object.keys(data)).toEqual([
      "id",
      "name",
      "permissions",
      "token_hint",
      "created_at",
      "expires_at",
      "last_used_at",
      "token",
    ]);
    const secret = data.token as string;
    expect(tokenShape(secret)).toBe("ours");
    expect(data.token_hint).toBe(`${secret.slice(0, 13)}…`);

    const [stored] = await db().select().from(apiTokens).where(eq(apiTokens.id, data.id));
    expect(stored?.tokenHash).toBe(await hashToken(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);

    // The new token works, within its permissions.
    expect((await api(`/api/contacts/${ws.contactId}`, { token: secret })).status).toBe(200);
    expect((await api(`/api/customers/${ws.customerId}`, { token: secret })).status).toBe(403);
    // The secret is never shown again.
    const list = await json<{ data: TokenObject[] }>(await api("/api/tokens", { token: admin }));
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it("defaults to reading and writing contacts, customers and addresses, without expiry", async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/tokens", {
      method: "POST",
      token: await adminToken(ws),
      body: { name: "Default" },
    });
    const { data } = await json<{ data: TokenObject }>(response);
    expect(data.permissions).toEqual(fullAccessPermissions);
    expect(data.expires_at).toBeNull();
  });

  it("refuses to grant a permission the creating token does not hold", async () => {
    const ws = await seedWorkspace();
    const limited = await ws.newToken({ permissions: ["tokens:admin", "contacts:read"] });
    const response = await api("/api/tokens", {
      method: "POST",
      token: limited,
      body: { name: "Escalation", permissions: ["contacts:read", "contacts:write"] },
    });
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({
      success: false,
      error: "A token can only grant permissions it holds itself",
    });
    const rows = await db().select().from(apiTokens).where(eq(apiTokens.workspaceId, ws.workspaceId));
    expect(rows.map((r) => r.name)).not.toContain("Escalation");
  });

  it("validates name, permissions and expiry", async () => {
    const ws = await seedWorkspace();
    const admin = await adminToken(ws);
    const cases: [unknown, string][] = [
      [{}, "name is required"],
      [
        { name: "x", permissions: ["contacts:delete"] },
        "permissions[0] must be one of: contacts:read, contacts:write, customers:read, customers:write, addresses:read, addresses:write, tokens:admin, webhooks:admin",
      ],
      [{ name: "x", expires_at: "tomorrow" }, "expires_at must be an ISO 8601 date-time, such as 2027-01-15T10:30:00Z"],
      [{ name: "x", expires_at: "2020-01-01T00:00:00Z" }, "expires_at must be in the future"],
      [{ name: "x", token: "qwt_prod_chosen" }, "token is not a known field"],
    ];
    for (const [body, error] of cases) {
      const response = await api("/api/tokens", { method: "POST", token: admin, body });
      expect(response.status, error).toBe(400);
      expect(await json(response)).toEqual({ success: false, error });
    }
  });
});

describe("GET /api/tokens", () => {
  it("lists the workspace's live tokens, oldest first, without secrets or hashes", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const admin = await adminToken(ws);
    const response = await api("/api/tokens", { token: admin });
    expect(response.status).toBe(200);
    const { data } = await json<{ data: TokenObject[] }>(response);
    expect(data).toHaveLength(3);
    const text = JSON.stringify(data);
    for (const secret of [ws.token, ws.readOnlyToken, admin, other.token]) expect(text).not.toContain(secret);
    expect(text).not.toContain(await hashToken(ws.token));
    expect(data.every((t) => /^qwt_prod_.{4}…$/.test(t.token_hint))).toBe(true);
  });
});

describe("DELETE /api/tokens/{id}", () => {
  it("revokes the token at once, and it leaves the list", async () => {
    const ws = await seedWorkspace();
    const admin = await adminToken(ws);
    const created = await json<{ data: TokenObject }>(
      await api("/api/tokens", { method: "POST", token: admin, body: { name: "Short-lived" } }),
    );
    const secret = created.data.token as string;
    expect((await api("/api/contacts", { token: secret })).status).toBe(200);
    const response = await api(`/api/tokens/${created.data.id}`, { method: "DELETE", token: admin });
    expect(await json(response)).toEqual({ success: true, message: "API token deleted successfully" });
    expect((await api("/api/contacts", { token: secret })).status).toBe(401);
    const list = await json<{ data: TokenObject[] }>(await api("/api/tokens", { token: admin }));
    expect(list.data.map((t) => t.id)).not.toContain(created.data.id);
    expect((await api(`/api/tokens/${created.data.id}`, { method: "DELETE", token: admin })).status).toBe(404);
  });

  it("cannot reach another workspace's tokens", async () => {
    const [ws, other] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const otherTokens = await db().select().from(apiTokens).where(eq(apiTokens.workspaceId, other.workspaceId));
    const response = await api(`/api/tokens/${otherTokens[0]?.id}`, { method: "DELETE", token: await adminToken(ws) });
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ success: false, error: "API token not found" });
    expect((await api("/api/contacts", { token: other.token })).status).toBe(200);
  });
});

describe("tokens permissions", () => {
  it("needs tokens:admin for every tokens endpoint", async () => {
    const ws = await seedWorkspace();
    for (const [method, path, body] of [
      ["GET", "/api/tokens", undefined],
      ["POST", "/api/tokens", { name: "x" }],
      ["DELETE", `/api/tokens/${crypto.randomUUID()}`, undefined],
    ] as const) {
      const response = await api(path, { method, token: ws.token, body });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await json(response)).toEqual({
        success: false,
        error: "This API token lacks the tokens:admin permission",
      });
    }
  });
});
