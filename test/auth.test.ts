// Authentication: Authorization: Bearer <token>, Qwoty's 401/403 envelope.

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { hashToken, mintToken, tokenHint, tokenPrefix } from "../src/access/token";
import { apiTokens } from "../src/db/schema";
import { api, db, json, seedWorkspace } from "./support/harness";

async function expectUnauthorized(response: Response, message: string) {
  expect(response.status).toBe(401);
  expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
  expect(await json(response)).toEqual({ success: false, error: message });
}

describe("authentication", () => {
  it("refuses a request without a token", async () => {
    const ws = await seedWorkspace();
    await expectUnauthorized(
      await api(`/api/contacts/${ws.contactId}`),
      "Missing API token: send Authorization: Bearer <token>",
    );
  });

  it("refuses another scheme, or a header without a token", async () => {
    const ws = await seedWorkspace();
    for (const header of [`Basic ${btoa("user:pass")}`, ws.token, "Bearer", "Bearer ", `Bearer ${ws.token} extra`]) {
      await expectUnauthorized(
        await api(`/api/contacts/${ws.contactId}`, { headers: { Authorization: header } }),
        "Invalid Authorization header: expected Bearer <token>",
      );
    }
  });

  it("accepts the Bearer scheme in any case", async () => {
    const ws = await seedWorkspace();
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      const response = await api(`/api/contacts/${ws.contactId}`, {
        headers: { Authorization: `${scheme} ${ws.token}` },
      });
      expect(response.status).toBe(200);
    }
  });

  it("refuses a token that cannot exist: bad characters, too long, or our prefix with a wrong checksum", async () => {
    const ws = await seedWorkspace();
    const last = ws.token.at(-1) === "A" ? "B" : "A";
    for (const token of [
      "qwt prod",
      "tok#en",
      "tok,en",
      "x".repeat(300),
      `${ws.token.slice(0, -1)}${last}`,
      `${tokenPrefix}short`,
    ]) {
      await expectUnauthorized(
        await api(`/api/contacts/${ws.contactId}`, { headers: { Authorization: `Bearer ${token}` } }),
        token.includes(" ") ? "Invalid Authorization header: expected Bearer <token>" : "Invalid API token",
      );
    }
  });

  it("refuses a well-formed token that was never issued", async () => {
    const ws = await seedWorkspace();
    await expectUnauthorized(await api(`/api/contacts/${ws.contactId}`, { token: mintToken() }), "Invalid API token");
    await expectUnauthorized(
      await api(`/api/contacts/${ws.contactId}`, { token: "qwoty_live_abc123" }),
      "Invalid API token",
    );
  });

  it("treats tokens as opaque: one issued in another format is looked up and accepted", async () => {
    const ws = await seedWorkspace();
    const legacy = `qwoty_live_${crypto.randomUUID().replaceAll("-", "")}`;
    await db()
      .insert(apiTokens)
      .values({
        workspaceId: ws.workspaceId,
        name: "legacy format",
        tokenHash: await hashToken(legacy),
        tokenHint: tokenHint(legacy),
        permissions: ["contacts:read"],
      });
    expect((await api(`/api/contacts/${ws.contactId}`, { token: legacy })).status).toBe(200);
  });

  it("refuses a revoked token", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken({ revokedAt: new Date(Date.now() - 1000) });
    await expectUnauthorized(await api(`/api/contacts/${ws.contactId}`, { token }), "API token has been revoked");
  });

  it("refuses an expired token and accepts one that expires later", async () => {
    const ws = await seedWorkspace();
    const expired = await ws.newToken({ expiresAt: new Date(Date.now() - 1000) });
    await expectUnauthorized(await api(`/api/contacts/${ws.contactId}`, { token: expired }), "API token has expired");
    const later = await ws.newToken({ expiresAt: new Date(Date.now() + 3_600_000) });
    expect((await api(`/api/contacts/${ws.contactId}`, { token: later })).status).toBe(200);
  });

  it("takes a revocation into account on the very next request", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken();
    expect((await api(`/api/contacts/${ws.contactId}`, { token })).status).toBe(200);
    await db()
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(eq(apiTokens.tokenHash, await hashToken(token)));
    await expectUnauthorized(await api(`/api/contacts/${ws.contactId}`, { token }), "API token has been revoked");
  });

  it("records when a token was last used", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken();
    const hash = await hashToken(token);
    const before = await db().select().from(apiTokens).where(eq(apiTokens.tokenHash, hash));
    expect(before[0]?.lastUsedAt).toBeNull();
    await api(`/api/contacts/${ws.contactId}`, { token });
    const after = await db().select().from(apiTokens).where(eq(apiTokens.tokenHash, hash));
    expect(after[0]?.lastUsedAt).toBeInstanceOf(Date);
  });
});

describe("permissions", () => {
  it("answers 403 in the envelope to a token without the needed permission", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken({ permissions: ["customers:read"] });
    const response = await api(`/api/contacts/${ws.contactId}`, { token });
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({
      success: false,
      error: "This API token lacks the contacts:read permission",
    });
  });

  it("answers 403, not 404, for an unknown id too: the permission is checked first", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken({ permissions: [] });
    expect((await api(`/api/contacts/${crypto.randomUUID()}`, { token })).status).toBe(403);
  });

  it("lets a write permission read the same resource", async () => {
    const ws = await seedWorkspace();
    const token = await ws.newToken({ permissions: ["contacts:write"] });
    expect((await api(`/api/contacts/${ws.contactId}`, { token })).status).toBe(200);
  });
});
