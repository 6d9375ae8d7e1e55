// The app factory: common middleware and error handling wired once, then one
// router per resource under /api. Tests, `wrangler dev` and production all run this.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { addressRoutes } from "./addresses/routes";
import { contactRoutes } from "./contacts/routes";
import { customerRoutes } from "./customers/routes";
import type { AppEnv } from "./env";
import { ApiError, errorResponse } from "./http/errors";
import { bearerAuth } from "./middleware/auth";
import { database } from "./middleware/db";

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use("/api/*", bearerAuth, database);
  const routes = app
    .route("/api/contacts", contactRoutes)
    .route("/api/customers", customerRoutes)
    .route("/api/addresses", addressRoutes);

  app.notFound((c) => errorResponse(c, new ApiError(404, `Not found: ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(c, new ApiError(error.status as 400, error.message || "Bad request"));
    }
    // Unexpected: log it for the operator, tell the client nothing about internals.
    console.error(JSON.stringify({ level: "error", message: "unhandled error", error: String(error) }));
    return errorResponse(c, new ApiError(500, "Internal server error"));
  });
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
