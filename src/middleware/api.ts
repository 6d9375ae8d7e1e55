// What every /api request passes before its operation, in one layer (each layer
// of middleware costs every request): protocol hygiene, the bearer token, and
// the caller its queries run as.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { bearerTokenHash } from "./auth";
import { callerOf } from "./caller";
import { checkApiHygiene } from "./hygiene";

export const apiGate = createMiddleware<AppEnv>(async (c, next) => {
  checkApiHygiene(c);
  c.set("caller", callerOf(c, await bearerTokenHash(c)));
  await next();
});
