// Rate limiting per workspace (OWASP API4). The tests hand the worker a binding
// that allows 10 requests per 60 s (SMALL_RATE_LIMIT, see vitest.config.ts).
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { mintToken } from "../src/access/token";
import { contacts } from "../src/db/schema";
import { db, json, seedWorkspace } from "./support/harness";
import { awayFromRateLimitWindowEnd, fetchWorker } from "./support/worker";

const limit = 10;

async function call(path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  return fetchWorker(
    new Request(`https://api.test${path}`, {
      method: init.method ?? "GET",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
    { ...env, WORKSPACE_RATE_LIMIT: env.SMALL_RATE_LIMIT },
  );
}

describe("rate limiting per workspace", () => {
  it(`refuses the request after the ${limit}th of a window with 429, Retry-After and RateLimit-Policy`, async () => {
    const ws = await seedWorkspace();
    await awayFromRateLimitWindowEnd();
    for (let i = 0; i < limit; i++) expect((await call(`/api/contacts/${ws.contactId}`, ws.token)).status).toBe(200);
    const refused = await call(`/api/contacts/${ws.contactId}`, ws.token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(refused.headers.get("RateLimit-Policy")).toMatch(/^"workspace";q=\d+;w=(10|60)$/);
    const body = await json(refused);
    expect(body.success).toBe(false);
    expect(body.error).toMatch(/^Rate limit exceeded/);
  });

  it("counts the requests of all the workspace's tokens together, even concurrent ones", async () => {
    const ws = await seedWorkspace();
    await awayFromRateLimitWindowEnd();
    const tokens = [ws.token, ws.readOnlyToken, await ws.newToken()];
    for (const token of tokens) expect((await call("/api/contacts", token)).status).toBe(200);
    const burst = await Promise.all(
      Array.from({ length: 21 }, (_, i) => call(`/api/contacts/${ws.contactId}`, tokens[i % 3] as string)),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(limit - tokens.length);
    expect(statuses.filter((s) => s === 429)).toHaveLength(21 - (limit - tokens.length));
  });

  it("counts no request refused with 401 against any workspace", async () => {
    const ws = await seedWorkspace();
    await awayFromRateLimitWindowEnd();
    const revoked = await ws.newToken({ revokedAt: new Date() });
    const expired = await ws.newToken({ expiresAt: new Date(Date.now() - 1000) });
    for (let i = 0; i < 3 * limit; i++) {
      const token = [mintToken(), revoked, expired][i % 3] as string;
      expect((await call(`/api/contacts/${ws.contactId}`, token)).status).toBe(401);
    }
    for (let i = 0; i < limit; i++) expect((await call(`/api/contacts/${ws.contactId}`, ws.token)).status).toBe(200);
    expect((await call(`/api/contacts/${ws.contactId}`, ws.token)).status).toBe(429);
  });

  it("refuses a write over the limit before it reaches the database", async () => {
    const ws = await seedWorkspace();
    await awayFromRateLimitWindowEnd();
    for (let i = 0; i < limit; i++) await call("/api/contacts", ws.token);
    const refused = await call("/api/contacts", ws.token, {
      method: "POST",
      body: { customer_id: ws.customerId, first_name: "Over", last_name: "Limit", email: "over@example.com" },
    });
    expect(refused.status).toBe(429);
    const rows = await db().select({ id: contacts.id }).from(contacts).where(eq(contacts.workspaceId, ws.workspaceId));
    expect(rows.map((r) => r.id)).toEqual([ws.contactId]);
    // another workspace is not affected
    const other = await seedWorkspace();
    expect((await call("/api/contacts", other.token)).status).toBe(200);
  });

  it("counts, without refusing it, the first write of a token the isolate has not seen yet", async () => {
    const ws = await seedWorkspace();
    await awayFromRateLimitWindowEnd();
    for (let i = 0; i < limit; i++) await call(`/api/contacts/${ws.contactId}`, ws.token);
    const fresh = await ws.newToken();
    const first = await call("/api/contacts", fresh, {
      method: "POST",
      body: { customer_id: ws.customerId, first_name: "First", last_name: "Write", email: "first@example.com" },
    });
    // Already committed when the workspace became known: answered, and counted.
    expect(first.status).toBe(201);
    expect((await call(`/api/contacts/${ws.contactId}`, fresh)).status).toBe(429);
  });
});
