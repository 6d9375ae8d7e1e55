// Protocol hygiene (OWASP API8): what every answer carries, which paths are
// served at all, and what no /api request may send.
import { createMiddleware } from "hono/factory";
import { readIdempotencyKey } from "../access/idempotency-key";
import type { AppEnv } from "../env";
import { badRequest, noRoute } from "../http/errors";

// A path is served only in its canonical form: no dot segments (plain or
// percent-encoded, which URL parsers resolve differently), no empty segments,
// no encoded slashes or backslashes. A rule in front of the API that matches on
// the path (a WAF, a proxy's ACL) then sees the path the router sees.
const nonCanonicalPath = /\/(?:\.|%2e){1,2}(?=\/|$)|\/\/|%2f|%5c|\\/i;

/** The path of the URL as the request carried it, before anything decodes it. */
function rawPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end === -1 ? url.slice(start) : url.slice(start, start + end);
}

export const everyResponse = createMiddleware<AppEnv>(async (c, next) => {
  // Bodies are JSON, and must never be sniffed into anything else (a browser
  // rendering a stored string as HTML, say). Static assets get it from _headers.
  c.header("X-Content-Type-Options", "nosniff");
  if (nonCanonicalPath.test(rawPath(c.req.url))) {
    throw noRoute(c.req.method, rawPath(c.req.url));
  }
  await next();
  c.res.headers.set("X-Content-Type-Options", "nosniff");
});

// A token in a URL ends up in logs, proxies, browser history and Referer headers.
const tokenParameter = /^(?:access_?token|token|api_?key|api_?token|key|auth|authorization|bearer)$/i;
const tokenLike = /^(?:qwt_|qwoty_)/i;

export const hygiene = createMiddleware<AppEnv>(async (c, next) => {
  for (const [name, value] of new URL(c.req.url).searchParams) {
    if (tokenParameter.test(name) || tokenLike.test(value)) {
      throw badRequest("API tokens are not accepted in the URL: send them in the Authorization header");
    }
  }
  // Checked on every request that carries one, whatever its method: a malformed
  // key is refused even where the key would have no effect.
  readIdempotencyKey(c);
  // Answers hold a workspace's data: no shared cache may keep them. Single
  // records relax this to `private, no-cache` with their ETag (http/respond.ts).
  c.header("Cache-Control", "no-store");
  await next();
});
