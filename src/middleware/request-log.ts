// One JSON line per request, for Workers Logs ([observability] in wrangler.toml):
// what an operator needs to follow a request, and never a token or a body.
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  // Workers' clocks advance only across I/O, which is what a request's time is made of here.
  const started = Date.now();
  await next();
  if (c.env.LOG_REQUESTS === "false") return;
  const caller = c.var.caller;
  console.log(
    JSON.stringify({
      level: c.res.status >= 500 ? "error" : "info",
      message: "request",
      request_id: c.var.requestId,
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
