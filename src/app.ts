// The app factory: common middleware and error handling wired once, then one
// router per resource under /api. Tests, `wrangler dev` and production all run this.

import { HTTPException } from "hono/http-exception";
import { Hono } from "hono/tiny";
import { addressOperations } from "./addresses/operations";
import { contactOperations } from "./contacts/operations";
import { customerOperations } from "./customers/operations";
import type { AppEnv } from "./env";
import { eventOperations } from "./events/operations";
import { healthOperation } from "./health";
import { ApiError, errorResponse, internalError, noRoute } from "./http/errors";
import { apiGate } from "./middleware/api";
import { allowedMethods } from "./middleware/methods";
import { requestFrame } from "./middleware/request";
import { register } from "./operation";
import { tokenOperations } from "./tokens/operations";
import { webhookOperations } from "./webhooks/operations";

/** Every operation of the API, in the order the documentation lists them. */
export const operations = [
  ...contactOperations,
  ...customerOperations,
  ...addressOperations,
  ...eventOperations,
  ...tokenOperations,
  ...webhookOperations,
  healthOperation,
] as const;

export function createApp() {
  const app = new Hono<AppEnv>();

  // Every answer carries an X-Request-Id (the client's, if it is sane, or a new
  // one, and its log line), and X-Content-Type-Options; a non-canonical path is
  // 404 before routing. Few layers: each one costs every request.
  app.use(requestFrame);
  // A known path with another method: 405 with Allow (middleware/methods.ts).
  app.use(allowedMethods(operations));
  // Hygiene, the bearer token and the caller (middleware/api.ts).
  app.use("/api/*", apiGate);

  const routes = register(app, operations);

  app.notFound((c) => errorResponse(c, noRoute(c.req.method, c.req.path)));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(c, new ApiError(error.status as 400, error.message || "Bad request"));
    }
    // Unexpected: log it for the operator, tell the client nothing about internals.
    console.error(
      JSON.stringify({
        level: "error",
        message: "unhandled error",
        request_id: c.get("requestId"),
        error: String(error),
      }),
    );
    return errorResponse(c, internalError());
  });
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
