// One JSON log line per request; never a token.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { seedWorkspace } from "./support/harness";
import { fetchWorker } from "./support/worker";

afterEach(() => vi.restoreAllMocks());

async function logged(path: string, init: RequestInit) {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  const response = await fetchWorker(new Request(`https://api.test${path}`, init), { ...env, LOG_REQUESTS: "true" });
  await response.arrayBuffer();
  return { response, lines };
}

describe("request log", () => {
  it("writes one JSON line per request: request id, workspace, route, status, duration, database time", async () => {
    const ws = await seedWorkspace();
    const { response, lines } = await logged(`/api/contacts/${ws.contactId}`, {
      headers: { Authorization: `Bearer ${ws.token}`, "X-Request-Id": "log-test-1" },
    });
    expect(response.status).toBe(200);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string);
    expect(line).toEqual({
      level: "info",
      message: "request",
      request_id: "log-test-1",
      method: "GET",
      route: "/api/contacts/:id",
      status: 200,
      workspace_id: ws.workspaceId,
      duration_ms: expect.any(Number),
      db_ms: expect.any(Number),
      db_round_trips: 1,
    });
  });

  it("logs refused requests too, and never the token", async () => {
    const ws = await seedWorkspace();
    for (const token of [ws.token, `${ws.token.slice(0, -1)}x`]) {
      const { lines } = await logged(`/api/contacts/${crypto.randomUUID()}`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ first_name: "x" }),
      });
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toContain(token);
      expect(lines[0]).not.toContain(token.slice(9, 30));
      expect(JSON.parse(lines[0] as string).status).toBeGreaterThanOrEqual(400);
    }
  });
});

describe("GET /health", () => {
  it("checks the database in one round trip, without a token", async () => {
    const { response } = await logged("/health", {});
    expect(response.status).toBe(200);
  });

  it("answers 503 when the database cannot be reached", async () => {
    const response = await fetchWorker(new Request("https://api.test/health"), {
      ...env,
      DATABASE_URL: "postgres://app:app@127.0.0.1:9/main",
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ success: false, error: "Database temporarily unavailable, please retry" });
  });
});
