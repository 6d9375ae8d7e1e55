// One error type for every refusal the API makes, and the one place where any
// thrown error becomes Qwoty's envelope: {"success": false, "error": "…"}.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Every problem, when a request has several (a batch): the envelope lists them in `errors`. */
    readonly errors?: readonly string[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (resource: string) => new ApiError(404, `${resource} not found`);
export const badRequest = (message: string) => new ApiError(400, message);
/** 404: no route for the path (or a path that is not canonical). */
export const noRoute = (method: string, path: string) => new ApiError(404, `Not found: ${method} ${path}`);
/** 405: a known path with another method. */
export const methodNotAllowed = (method: string, allowed: readonly string[]) =>
  new ApiError(405, `Method ${method} not allowed`, { Allow: allowed.join(", ") });
/** 413: a body over the limit. */
export const payloadTooLarge = (maxBytes: number) =>
  new ApiError(413, `Request body must be at most ${maxBytes} bytes`);
/** 415: a body that is not JSON. */
export const unsupportedMediaType = () => new ApiError(415, "Content-Type must be application/json");
/** 500: anything unexpected; the body says nothing about it. */
export const internalError = () => new ApiError(500, "Internal server error");

/** Seconds a client should wait before retrying a request that lost a race or found the database unavailable. */
const retryAfterSeconds = "1";

// RFC 6750 §3: one WWW-Authenticate form per kind of refusal, wherever it is
// decided (before the database, from the token's shape; or after it).
const bearerChallenge = 'Bearer realm="api"';
/** 401: no Authorization header at all. */
export const missingToken = () =>
  new ApiError(401, "Missing API token: send Authorization: Bearer <token>", { "WWW-Authenticate": bearerChallenge });
/** 401: an Authorization header that is not `Bearer <token>`. */
export const invalidAuthorization = () =>
  new ApiError(401, "Invalid Authorization header: expected Bearer <token>", {
    "WWW-Authenticate": `${bearerChallenge}, error="invalid_request"`,
  });
/** 401: a token that is not (or no longer) valid: unknown, malformed, revoked or expired. */
export const invalidToken = (message = "Invalid API token") =>
  new ApiError(401, message, { "WWW-Authenticate": `${bearerChallenge}, error="invalid_token"` });
export const revokedToken = () => invalidToken("API token has been revoked");
export const expiredToken = () => invalidToken("API token has expired");

/** 403: the token is valid but lacks what the operation needs. */
export const lacksPermission = (permission: string) =>
  new ApiError(403, `This API token lacks the ${permission} permission`);

/** 403: GET /api/events with a token that may read none of the resources events are about. */
export const readsNoEvents = () =>
  new ApiError(403, "This API token can read no events: it needs contacts:read, customers:read or addresses:read");

/** 410: a feed cursor older than the events' retention: events after it may be gone. */
export const feedCursorExpired = (days: number) =>
  new ApiError(
    410,
    `This cursor is older than the ${days} days events are kept, so events after it may be gone: resync (list the records again), then read the feed from its start`,
  );

/** 403: a token tried to grant a permission it does not hold itself. */
export const lacksGrantedPermission = () => new ApiError(403, "A token can only grant permissions it holds itself");

/** 400: POST /api/tokens with an Idempotency-Key, which it cannot honour. */
export const idempotencyKeyRefusedForTokens = () =>
  badRequest(
    "Idempotency-Key is not accepted on POST /api/tokens: a token's secret is shown once and never stored, " +
      "so a retry cannot be answered again. List the tokens to see whether the first request created one",
  );

/** 409: another request with the same Idempotency-Key is still in flight. */
export const idempotencyKeyInProgress = () =>
  new ApiError(409, "A request with this Idempotency-Key is still in progress: retry later", {
    "Retry-After": retryAfterSeconds,
  });

/** 422: the Idempotency-Key was used for another request (method, path or body). */
export const idempotencyKeyReused = () =>
  new ApiError(422, "This Idempotency-Key was already used for a different request");

/**
 * 409: the request lost a race with a concurrent change and changed nothing;
 * retrying it will get the answer that is true once that change is done.
 */
export const concurrentChange = () =>
  new ApiError(409, "The request conflicts with a concurrent change: retry it", { "Retry-After": retryAfterSeconds });

/** 412: If-Match named an ETag the record no longer has. */
export const preconditionFailed = (thing: string) =>
  new ApiError(412, `${thing} has changed since the ETag in If-Match: fetch it again`);

// SQLSTATEs the database raises on the worker's behalf (api_require, in the
// migrations), with the refusal each stands for. The message is the worker's own.
export const raisedByRequire = { precondition: "QW412", conflict: "QW409" } as const;

/** SQLSTATEs of a batch's refusals (db/batch.ts): one message line per refused item. */
const batchRefusalStatus: Record<string, ContentfulStatusCode> = { QB400: 400, QB404: 404, QB409: 409 };

/** 4xx naming several problems: the first few in `error`, all of them in `errors`. */
export function manyProblems(status: ContentfulStatusCode, problems: readonly string[]): ApiError {
  const shown = problems.slice(0, 5).join("; ");
  const more = problems.length > 5 ? `; and ${problems.length - 5} more` : "";
  return new ApiError(status, `${shown}${more}`, {}, problems);
}

/**
 * Errors from the database layer: the driver's NeonDbError (raw from db.batch,
 * or as the `cause` of Drizzle's DrizzleQueryError), or whatever fetch threw.
 */
interface DatabaseErrorLike {
  name?: string;
  code?: string;
  cause?: unknown;
}

/** 503: the database could not be reached, timed out or failed; safe to retry. */
export const databaseUnavailable = () =>
  new ApiError(503, "Database temporarily unavailable, please retry", { "Retry-After": retryAfterSeconds });

/** The SQLSTATE of a PostgreSQL error, if the error is one. */
export function sqlState(error: unknown): string | undefined {
  const e = error as DatabaseErrorLike | undefined;
  if (!e || typeof e !== "object") return undefined;
  if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return e.cause ? sqlState(e.cause) : undefined;
}

// SQLSTATE classes that mean "try again later", not "the request is wrong":
// connection exceptions, insufficient resources, operator intervention.
/** The message of the PostgreSQL error, if the error is one. */
function sqlMessage(error: unknown): string {
  const e = error as { message?: unknown; cause?: unknown } | undefined;
  if (!e || typeof e !== "object") return "";
  if (sqlState(e.cause) !== undefined) return sqlMessage(e.cause);
  return typeof e.message === "string" ? e.message : "";
}

// Lost races: a serialization failure or deadlock (class 40) rolled the whole
// transaction back, so the client may retry; it is a conflict, not an outage.
const lostRaceSqlState = /^40/;
const transientSqlState = /^(08|53|57)/;

/**
 * 503 for a write whose answer never came (a timeout, a cut connection): the
 * transaction may have committed after the worker gave up, so the answer says
 * it does not know, and how to find out.
 */
export const writeOutcomeUnknown = () =>
  new ApiError(
    503,
    "No answer from the database: the write may or may not have been applied; retry it with the same Idempotency-Key",
    { "Retry-After": retryAfterSeconds },
  );

/** Maps any error thrown while talking to the database to what the client should see. */
export function databaseError(error: unknown, write = false): ApiError {
  if (error instanceof ApiError) return error;
  const state = sqlState(error);
  if (state === raisedByRequire.precondition) return new ApiError(412, sqlMessage(error));
  const batchStatus = state === undefined ? undefined : batchRefusalStatus[state];
  if (batchStatus) return manyProblems(batchStatus, sqlMessage(error).split("\n"));
  if (state === raisedByRequire.conflict || (state !== undefined && lostRaceSqlState.test(state))) {
    return concurrentChange();
  }
  // No SQLSTATE: the database could not be reached, answered with an HTTP error,
  // timed out, or cut the response short. A read is safe to retry; a write may
  // have committed all the same.
  if (state === undefined) return write ? writeOutcomeUnknown() : databaseUnavailable();
  // The database refused or aborted the transaction: nothing was applied.
  if (transientSqlState.test(state)) return databaseUnavailable();
  // Validation should have caught both; a safety net so that bad input or a race
  // (a record deleted while another links to it) is never answered with a 500.
  if (state.startsWith("22")) return new ApiError(400, "A value in the request is invalid");
  if (state.startsWith("23")) return concurrentChange();
  return internalError();
}

export function errorResponse(c: Context, error: ApiError) {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  const body = error.errors
    ? { success: false as const, error: error.message, errors: error.errors }
    : { success: false as const, error: error.message };
  return c.json(body, error.status);
}
