// Protocol hygiene for every /api request (OWASP API8).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { badRequest } from "../http/errors";

// A token in a URL ends up in logs, proxies, browser history and Referer headers.
const tokenParameter = /^(?:access_?token|token|api_?key|api_?token|key|auth|authorization|bearer)$/i;
const tokenLike = /^(?:qwt_|qwoty_)/i;

export const hygiene = createMiddleware<AppEnv>(async (c, next) => {
  for (const [name, value] of new URL(c.req.url).searchParams) {
    if (tokenParameter.test(name) || tokenLike.test(value)) {
      throw badRequest("API tokens are not accepted in the URL: send them in the Authorization header");
    }
  }
  // Answers hold a workspace's data: no shared cache may keep them. Single
  // records relax this to `private, no-cache` with their ETag (http/respond.ts).
  c.header("Cache-Control", "no-store");
  await next();
});
