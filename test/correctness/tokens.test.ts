// POST /api/tokens: a token must grant something, may not outlive the token
// that creates it, and is never created twice by a retry (no Idempotency-Key:
// its answer holds a secret that must not be stored for a replay).
import { describe, expect, it } from "vitest";
import { mintToken } from "../../src/access/token";
import type { Envelope } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import { adminPermissions, adminToken, isoIn, type TokenObject } from "../support/resources";

const hour = 3600_000;

async function createToken(token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await api("/api/tokens", { method: "POST", token, body, headers });
  return { response, body: await json<Envelope<TokenObject>>(response) };
}

async function liveTokenCount(admin: string) {
  return (await json<{ data: TokenObject[] }>(await api("/api/tokens", { token: admin }))).data.length;
}

describe("POST /api/tokens refuses a token without permissions", () => {
  it('answers 400 to "permissions": [] (a token that can do nothing), and creates nothing', async () => {
    const ws = await seedWorkspace();
    const admin = await adminToken(ws);
    const before = await liveTokenCount(admin);
    const { response, body } = await createToken(admin, { name: "Nothing", permissions: [] });
    expect(response.status).toBe(400);
    expect(body.success).toBe(false);
    expect(body.error).toContain("permissions must not be empty");
    expect(await liveTokenCount(admin)).toBe(before);
  });

  it('answers "permissions": [] with an invalid bearer token with a 4xx, never a 5xx', async () => {
    for (const token of [mintToken(), "not-a-known-token"]) {
      const { response, body } = await createToken(token, { name: "Nothing", permissions: [] });
      expect([400, 401], token).toContain(response.status);
      expect(body.success).toBe(false);
    }
  });
});

describe("POST /api/tokens by a token that expires", () => {
  // A tokens:admin token expiring in an hour, created through the API.
  async function expiringAdmin() {
    const ws = await seedWorkspace();
    const expiresAt = isoIn(hour);
    const { response, body } = await createToken(await adminToken(ws), {
      name: "Expiring admin",
      permissions: adminPermissions,
      expires_at: expiresAt,
    });
    expect(response.status).toBe(201);
    expect(body.data.expires_at).toBe(expiresAt);
    return { ws, token: body.data.token as string, expiresAt };
  }

  const outlives = /expires_at.*must not be later than.*(this|the creating) token's (own )?expiry/i;

  it("refuses a child expiring later than the creating token, naming expires_at", async () => {
    const parent = await expiringAdmin();
    const { response, body } = await createToken(parent.token, { name: "Later", expires_at: isoIn(2 * hour) });
    expect(response.status).toBe(400);
    expect(body.success).toBe(false);
    expect(body.error).toMatch(outlives);
  });

  it('refuses a child that never expires ("expires_at": null)', async () => {
    const parent = await expiringAdmin();
    const { response, body } = await createToken(parent.token, { name: "Forever", expires_at: null });
    expect(response.status).toBe(400);
    expect(body.error).toMatch(outlives);
  });

  it("gives a child without expires_at the creating token's own expiry", async () => {
    const parent = await expiringAdmin();
    const { response, body } = await createToken(parent.token, { name: "Inherits" });
    expect(response.status).toBe(201);
    expect(body.data.expires_at).toBe(parent.expiresAt);
  });

  it("accepts a child expiring before the creating token, with that expiry", async () => {
    const parent = await expiringAdmin();
    const earlier = isoIn(hour / 2);
    const { response, body } = await createToken(parent.token, { name: "Earlier", expires_at: earlier });
    expect(response.status).toBe(201);
    expect(body.data.expires_at).toBe(earlier);
  });

  it("still lets a token without expiry mint tokens without expiry", async () => {
    const ws = await seedWorkspace();
    const admin = await adminToken(ws);
    for (const body of [{ name: "Omitted" }, { name: "Null", expires_at: null }]) {
      const created = await createToken(admin, body);
      expect(created.response.status, body.name).toBe(201);
      expect(created.body.data.expires_at, body.name).toBeNull();
    }
  });
});

describe("POST /api/tokens with an Idempotency-Key", () => {
  it("refuses it with 400 naming Idempotency-Key, and creates no token", async () => {
    const ws = await seedWorkspace();
    const admin = await adminToken(ws);
    const before = await liveTokenCount(admin);
    const { response, body } = await createToken(
      admin,
      { name: "Retried" },
      { "Idempotency-Key": crypto.randomUUID() },
    );
    expect(response.status).toBe(400);
    expect(body.success).toBe(false);
    expect(body.error).toContain("Idempotency-Key");
    expect(await liveTokenCount(admin)).toBe(before);
  });
});
