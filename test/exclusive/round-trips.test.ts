// One database round trip per request, authentication included; none when the
// token can be refused without the database. Counted by the local server.
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { mintToken } from "../../src/access/token";
import { contacts } from "../../src/db/schema";
import { pageSize } from "../../src/http/list";
import { endpoints } from "../endpoints";
import { api, db, seedWorkspace } from "../support/harness";
import { countRoundTrips } from "../support/local-db";
import { fetchWorker } from "../support/worker";

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
      const response = await fetchWorker(
        new Request(`https://api.test/api/contacts/${ws.contactId}`, {
          headers: { Authorization: `Bearer ${ws.token}` },
        }),
        env,
        freshWorker,
      );
      expect(response.status).toBe(200);
    });
    expect(trips).toBe(1);
  });

  for (const endpoint of endpoints) {
    it(`costs exactly one for ${endpoint.name}, answered, refused or aimed at another workspace`, async () => {
      const [ws, other] = [await seedWorkspace(), await seedWorkspace()];
      const readOnly = await ws.newToken({ permissions: [] });
      const attempts: [string, string, typeof ws, number][] = [
        ["refused for lack of permission", readOnly, ws, 403],
        ["aimed at another workspace", ws.token, other, endpoint.foreign],
        ["answered", ws.token, ws, endpoint.status],
      ];
      for (const [label, token, target, status] of attempts) {
        let response: Response | undefined;
        const trips = await countRoundTrips(async () => {
          response = await api(endpoint.path(target), {
            method: endpoint.method,
            token,
            body: endpoint.body?.(target),
          });
          await response.arrayBuffer();
        });
        expect(response?.status, label).toBe(status);
        expect(trips, label).toBe(1);
      }
    });
  }

  it(`streams a list longer than ${pageSize} items at one round trip per page`, async () => {
    const ws = await seedWorkspace();
    const rows = Array.from({ length: 2 * pageSize }, (_, i) => ({
      workspaceId: ws.workspaceId,
      customerId: ws.customerId,
      firstName: `F${i}`,
      lastName: `L${i}`,
      email: `p${i}@example.com`,
    }));
    await db().insert(contacts).values(rows);
    let count = 0;
    const trips = await countRoundTrips(async () => {
      const response = await api("/api/contacts", { token: ws.token });
      count = ((await response.json()) as { data: unknown[] }).data.length;
    });
    expect(count).toBe(2 * pageSize + 1);
    expect(trips).toBe(3);
  });

  it("costs exactly one for /health and for each tokens endpoint", async () => {
    const ws = await seedWorkspace();
    const admin = await ws.newToken({ permissions: ["tokens:admin", "contacts:read"] });
    let created = "";
    const calls: [string, () => Promise<Response>, number][] = [
      ["GET /health", () => api("/health"), 200],
      ["GET /api/tokens", () => api("/api/tokens", { token: admin }), 200],
      [
        "POST /api/tokens",
        async () => {
          const response = await api("/api/tokens", {
            method: "POST",
            token: admin,
            body: { name: "counted", permissions: ["contacts:read"] },
          });
          created = ((await response.clone().json()) as { data: { id: string } }).data.id;
          return response;
        },
        201,
      ],
      ["DELETE /api/tokens/{id}", () => api(`/api/tokens/${created}`, { method: "DELETE", token: admin }), 200],
    ];
    for (const [label, send, status] of calls) {
      let response: Response | undefined;
      const trips = await countRoundTrips(async () => {
        response = await send();
        await response.arrayBuffer();
      });
      expect(response?.status, label).toBe(status);
      expect(trips, label).toBe(1);
    }
  });
});
