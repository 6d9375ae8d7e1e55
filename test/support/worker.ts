// The worker called directly, not through SELF: with bindings of the test's
// choosing (a short database timeout, an unreachable database, the small rate
// limit, the request log on), another app (createApp() with a route of its
// own), or a request SELF.fetch could not send. Answers are not checked against
// the OpenAPI document (harness.ts's `api` does that).
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";

type Fetch = typeof worker.fetch;

/** `request` through `app`'s fetch with `bindings`, once the work it left for later (waitUntil) is done too. */
export async function fetchWorker(
  request: Request,
  bindings: Parameters<Fetch>[1] = env,
  app: { fetch: Fetch } = worker,
): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

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
  return fetchWorker(raw, env as never);
}

/**
 * Waits, when the rate limiter's current window ends within `margin` ms, for
 * the next one to begin. Miniflare's limiter counts in windows aligned to the
 * wall clock (epoch = floor(now / period)), so a test that fills the window
 * and expects the next request refused would see it allowed if a window
 * boundary fell in between.
 */
export async function awayFromRateLimitWindowEnd(periodSeconds = 60, margin = 8_000): Promise<void> {
  const period = periodSeconds * 1000;
  const left = period - (Date.now() % period);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** The worker with the small rate limit (10 requests per workspace per window) of vitest.config.ts. */
export async function fetchRateLimited(path: string, token: string): Promise<Response> {
  return fetchWorker(new Request(`https://api.test${path}`, { headers: { Authorization: `Bearer ${token}` } }), {
    ...env,
    WORKSPACE_RATE_LIMIT: env.SMALL_RATE_LIMIT,
  } as never);
}
