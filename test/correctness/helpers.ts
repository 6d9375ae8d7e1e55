// Shared by the regression tests of test/correctness.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { fullAccessPermissions } from "../../src/auth/permissions";
import worker from "../../src/index";
import type { TestWorkspace } from "../harness";

export type TokenObject = {
  id: string;
  name: string;
  permissions: string[];
  expires_at: string | null;
  token?: string;
};

/** A token that manages the workspace's tokens (and holds every other permission), without expiry. */
export const adminToken = (ws: TestWorkspace) =>
  ws.newToken({ permissions: [...fullAccessPermissions, "tokens:admin"] });

/** An instant `ms` from now, in whole seconds, as the API prints it (ISO 8601, UTC, no fraction). */
export const isoIn = (ms: number) =>
  new Date(Math.floor((Date.now() + ms) / 1000) * 1000).toISOString().replace(".000Z", "Z");

export const contactBody = (ws: TestWorkspace, firstName = "Grace") => ({
  customer_id: ws.customerId,
  first_name: firstName,
  last_name: "Hopper",
  email: "grace@example.com",
});

export const addressBody = (ws: TestWorkspace, country: string) => ({
  customer_id: ws.customerId,
  type: "billing",
  address_line1: "1 Rue de Rivoli",
  city: "Paris",
  postal_code: "75001",
  country,
});

/**
 * Calls the worker with a request whose URL is exactly `rawUrl`. A Request
 * built from a URL string goes through the WHATWG URL parser, which resolves
 * dot segments ("/a/%2e%2e/b" becomes "/b") before the worker sees anything;
 * a client that sends the raw path (curl --path-as-is, a proxy that does not
 * normalise) reaches the worker with it unchanged. The worker reads only
 * request.url as a string (Hono splits it itself), so a Request whose `url`
 * reads the raw string stands for such a client.
 */
export async function fetchRawUrl(rawUrl: string, init: RequestInit = {}): Promise<Response> {
  const real = new Request("https://api.test/", init);
  const raw = new Proxy(real, {
    get(target, property) {
      if (property === "url") return rawUrl;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(raw, env as never, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** The worker with the small rate limit (10 requests per workspace per window) of vitest.config.ts. */
export async function fetchRateLimited(path: string, token: string): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`https://api.test${path}`, { headers: { Authorization: `Bearer ${token}` } }),
    { ...env, WORKSPACE_RATE_LIMIT: env.SMALL_RATE_LIMIT } as never,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}
