// 405 with Allow for a known path and another method (OPTIONS included: this is
// a server-to-server API and answers no CORS preflight), from the operations'
// own declarations: no second router in the bundle.
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env";
import { errorResponse, methodNotAllowed } from "../http/errors";
import type { Operation, OperationSpec } from "../operation";

export function allowedMethods(operations: readonly Operation<OperationSpec, unknown>[]) {
  // Path pattern → the methods it takes (GET brings HEAD, as Hono answers HEAD with GET).
  const byPath = new Map<string, Set<string>>();
  for (const { spec } of operations) {
    const methods = byPath.get(spec.path) ?? new Set<string>();
    methods.add(spec.method.toUpperCase());
    if (spec.method === "get") methods.add("HEAD");
    byPath.set(spec.path, methods);
  }
  const patterns = [...byPath].map(
    ([path, methods]) => [new RegExp(`^${path.replace(/:\w+/g, "[^/]+")}/?$`), [...methods]] as const,
  );
  return createMiddleware<AppEnv>(async (c, next) => {
    // The router matched an operation of this method (HEAD is routed as GET):
    // nothing to check. Middleware alone is registered for every method ("ALL").
    if (matchedRoutes(c).some((route) => route.method !== "ALL")) return next();
    const method = c.req.method;
    for (const [pattern, methods] of patterns) {
      if (pattern.test(c.req.path) && !methods.includes(method)) {
        const served = patterns.some(([other, list]) => other.test(c.req.path) && list.includes(method));
        if (!served) return errorResponse(c, methodNotAllowed(method, methods));
      }
    }
    await next();
  });
}
