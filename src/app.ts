// The app factory: common middleware and error handling wired once, then one
// router per resource under /api. Tests, `wrangler dev` and production all run this.

import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { Hono } from "hono/tiny";
import { addressOperations } from "./addresses/operations";
import { contactOperations } from "./contacts/operations";
import { customerOperations } from "./customers/operations";
import type { AppEnv } from "./env";
import { eventOperations } from "./events/operations";
import { healthOperation } from "./health";
import { ApiError, errorResponse, internalError, noRoute } from "./http/errors";
import { bearerAuth } from "./middleware/auth";
import { caller } from "./middleware/db";
import { everyResponse, hygiene } from "./middleware/hygiene";
import { allowedMethods } from "./middleware/methods";
import { requestLog } from "./middleware/request-log";
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
  // one) and X-Content-Type-Options; a non-canonical path is 404 before routing.
  app.use(requestId({ limitLength: 128 }), requestLog, everyResponse);
  // A known path with another method: 405 with Allow (middleware/methods.ts).
  app.use(allowedMethods(operations));
  app.use("/api/*", hygiene, bearerAuth, caller);

  const routes = register(app, operations);

  app.notFound((c) => errorResponse(c, noRoute(c.req.method, c.req.path)));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(c, new ApiError(error.status as 400, error.message || "Bad request"));
    }
    // Unexpected: log it for the operator, tell the client nothing about internals.
    console.error(
      JSON.stringify({ level: "error", message: "unhandled error", request_id: c.var.requestId, error: String(error) }),
    );
    return errorResponse(c, internalError());
  });
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
