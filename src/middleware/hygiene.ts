// Protocol hygiene (OWASP API8): what no /api request may send, and what no
// shared cache may keep. (Non-canonical paths are refused for every request, in
// middleware/request.ts.)
import type { Context } from "hono";
import { readIdempotencyKey } from "../access/idempotency-key";
import type { AppEnv } from "../env";
import { badRequest } from "../http/errors";

// A token in a URL ends up in logs, proxies, browser history and Referer headers.
const tokenParameter = /^(?:access_?token|token|api_?key|api_?token|key|auth|authorization|bearer)$/i;
const tokenLike = /^(?:qwt_|qwoty_)/i;

export function checkApiHygiene(c: Context<AppEnv>): void {
  const url = c.req.url;
  const query = url.indexOf("?");
  // Most requests carry no query: nothing to parse then.
  if (query !== -1) {
    for (const [name, value] of new URLSearchParams(url.slice(query + 1))) {
      if (tokenParameter.test(name) || tokenLike.test(value)) {
        throw badRequest("API tokens are not accepted in the URL: send them in the Authorization header");
      }
    }
  }
  // Checked on every request that carries one, whatever its method: a malformed
  // key is refused even where the key would have no effect.
  readIdempotencyKey(c);
  // Answers hold a workspace's data: no shared cache may keep them. Single
  // records relax this to `private, no-cache` with their ETag (http/respond.ts).
  c.header("Cache-Control", "no-store");
}
