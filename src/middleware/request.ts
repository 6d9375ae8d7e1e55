// What every request goes through first, in one layer (each layer of middleware
// costs every request): its X-Request-Id, the answer's X-Content-Type-Options,
// the refusal of non-canonical paths, and one JSON log line for Workers Logs
// ([observability] in wrangler.toml): what an operator needs to follow a
// request, and never a token or a body.
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";
import { errorResponse, noRoute } from "../http/errors";

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

/** The client's X-Request-Id when it is sane (as hono/request-id judges), else a new one. */
const saneRequestId = /^[\w\-=]{1,128}$/;

export const requestFrame = createMiddleware<AppEnv>(async (c, next) => {
  // Workers' clocks advance only across I/O, which is what a request's time is made of here.
  const started = Date.now();
  const sent = c.req.header("X-Request-Id");
  const requestId = sent !== undefined && saneRequestId.test(sent) ? sent : crypto.randomUUID();
  c.set("requestId", requestId);
  c.header("X-Request-Id", requestId);
  const path = rawPath(c.req.url);
  if (nonCanonicalPath.test(path)) c.res = errorResponse(c, noRoute(c.req.method, path));
  else await next();
  // Bodies are JSON, and must never be sniffed into anything else (a browser
  // rendering a stored string as HTML, say). Set once, on whatever answer came
  // back (errors included). Static assets get it from _headers.
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  if (c.env.LOG_REQUESTS === "false") return;
  const caller = c.get("caller");
  console.log(
    JSON.stringify({
      level: c.res.status >= 500 ? "error" : "info",
      message: "request",
      request_id: requestId,
      method: c.req.method,
      route: routePath(c, -1),
      status: c.res.status,
      workspace_id: caller?.workspaceId ?? null,
      duration_ms: Date.now() - started,
      db_ms: caller?.dbMs ?? 0,
      db_round_trips: caller?.roundTrips ?? 0,
    }),
  );
});
