// One database round trip per request, authentication included; none when the
// token can be refused without the database. Counted by the local server.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { mintToken } from "../../src/auth/token";
import { api, seedWorkspace } from "../harness";
import { countRoundTrips } from "./local-db";

describe("database round trips per request", () => {
  it("costs exactly one for every outcome that needs the database", async () => {
    const ws = await seedWorkspace();
    const revoked = await ws.newToken({ revokedAt: new Date() });
    const expired = await ws.newToken({ expiresAt: new Date(Date.now() - 1000) });
    const noPermission = await ws.newToken({ permissions: [] });
    const cases: [string, string, number][] = [
      ["found", ws.token, 200],
      ["not found", ws.token, 404],
      ["unknown token", mintToken(), 401],
      ["revoked token", revoked, 401],
      ["expired token", expired, 401],
      ["missing permission", noPermission, 403],
    ];
    for (const [label, token, status] of cases) {
      const id = label === "not found" ? crypto.randomUUID() : ws.contactId;
      let response: Response | undefined;
      const trips = await countRoundTrips(async () => {
        response = await api(`/api/contacts/${id}`, { token });
      });
      expect(response?.status, label).toBe(status);
      expect(trips, label).toBe(1);
    }
  });

  it("costs none for a missing, malformed or wrong-checksum token, or a bad id", async () => {
    const ws = await seedWorkspace();
    const wrongChecksum = `${ws.token.slice(0, -1)}${ws.token.endsWith("A") ? "B" : "A"}`;
    const requests: [string, Record<string, string>][] = [
      [`/api/contacts/${ws.contactId}`, {}],
      [`/api/contacts/${ws.contactId}`, { Authorization: "Bearer not a token" }],
      [`/api/contacts/${ws.contactId}`, { Authorization: `Bearer ${wrongChecksum}` }],
      ["/api/contacts/not-a-uuid", { Authorization: `Bearer ${ws.token}` }],
    ];
    for (const [path, headers] of requests) {
      expect(await countRoundTrips(() => api(path, { headers })), JSON.stringify(headers)).toBe(0);
    }
  });

  it("costs one on the first request of a fresh isolate too: nothing is loaded lazily", async () => {
    const ws = await seedWorkspace();
    vi.resetModules();
    const { default: freshWorker } = await import("../../src/index");
    const trips = await countRoundTrips(async () => {
      const ctx = createExecutionContext();
      const response = await freshWorker.fetch(
        new Request(`https://api.test/api/contacts/${ws.contactId}`, {
          headers: { Authorization: `Bearer ${ws.token}` },
        }),
        env,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(response.status).toBe(200);
    });
    expect(trips).toBe(1);
  });
});
