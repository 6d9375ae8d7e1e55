// Every failure answers in Qwoty's envelope, with no internals.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import worker from "../src/index";
import { api, json, seedWorkspace } from "./support/harness";
import { fetchWorker } from "./support/worker";

async function call(app: { fetch: typeof worker.fetch }, path: string, token: string, bindings = env) {
  return fetchWorker(
    new Request(`https://api.test${path}`, { headers: { Authorization: `Bearer ${token}` } }),
    bindings,
    app,
  );
}

describe("errors", () => {
  it("answers 404 in the envelope for an unknown route", async () => {
    const ws = await seedWorkspace();
    for (const path of ["/", "/api", "/api/contact/x", "/api/contacts/a/b", "/api/customers/a/b/c"]) {
      const response = await api(path, { token: ws.token });
      expect(response.status, path).toBe(404);
      const body = await json(response);
      expect(body.success).toBe(false);
      expect(body.error).toMatch(/^Not found/);
    }
  });

  it("answers 503 with Retry-After when the database cannot be reached", async () => {
    const ws = await seedWorkspace();
    // Port 9 (discard) is closed here: the driver's fetch fails to connect.
    const unreachable = { ...env, DATABASE_URL: "postgres://app:app@127.0.0.1:9/main" };
    const response = await call(worker, `/api/contacts/${ws.contactId}`, ws.token, unreachable);
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("1");
    expect(await json(response)).toEqual({ success: false, error: "Database temporarily unavailable, please retry" });
  });

  it("answers 500 without internals for an unexpected failure", async () => {
    const ws = await seedWorkspace();
    const app = createApp();
    app.get("/api/boom", () => {
      throw new Error("secret detail: select * from api_tokens");
    });
    const response = await call(app, "/api/boom", ws.token);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ success: false, error: "Internal server error" });
    expect(text).not.toContain("secret");
  });
});
