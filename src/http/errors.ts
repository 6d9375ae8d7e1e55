// One error type for every refusal the API makes, and the one place where any
// thrown error becomes Qwoty's envelope: {"success": false, "error": "…"}.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (resource: string) => new ApiError(404, `${resource} not found`);
export const badRequest = (message: string) => new ApiError(400, message);

/** Seconds a client should wait before retrying when the database is unavailable. */
const retryAfterSeconds = "1";

/**
 * Errors from the database layer: the driver's NeonDbError (raw from db.batch,
 * or as the `cause` of Drizzle's DrizzleQueryError), or whatever fetch threw.
 */
interface DatabaseErrorLike {
  name?: string;
  code?: string;
  cause?: unknown;
}

/** The SQLSTATE of a PostgreSQL error, if the error is one. */
export function sqlState(error: unknown): string | undefined {
  const e = error as DatabaseErrorLike | undefined;
  if (!e || typeof e !== "object") return undefined;
  if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return e.cause ? sqlState(e.cause) : undefined;
}

// SQLSTATE classes that mean "try again later", not "the request is wrong":
// connection exceptions, insufficient resources, operator intervention,
// serialization failures and deadlocks.
const transientSqlState = /^(08|53|57|40)/;

/** Maps any error thrown while talking to the database to what the client should see. */
export function databaseError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const state = sqlState(error);
  if (state === undefined || transientSqlState.test(state)) {
    // No SQLSTATE: the database could not be reached, answered with an HTTP error,
    // timed out, or cut the response short. Safe for the client to retry later.
    return new ApiError(503, "Database temporarily unavailable, please retry", { "Retry-After": retryAfterSeconds });
  }
  // Validation should have caught both; a safety net so that bad input or a race
  // (a record deleted while another links to it) is never answered with a 500.
  if (state.startsWith("22")) return new ApiError(400, "A value in the request is invalid");
  if (state.startsWith("23")) return new ApiError(409, "The request conflicts with a concurrent change: retry it");
  return new ApiError(500, "Internal server error");
}

export function errorResponse(c: Context, error: ApiError) {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json({ success: false as const, error: error.message }, error.status);
}
