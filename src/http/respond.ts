// The success envelope, built only here: {"success": true, "data": …}.
import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { noneMatch } from "./conditional";

/**
 * One record, with its strong ETag (computed by the database from what the
 * record is made of: db/etag.ts). A GET or HEAD whose If-None-Match holds that
 * tag gets 304 and no body: a client polling for changes pays no transfer and no
 * parsing. The database is still asked, since only it knows whether the record changed.
 */
export function okRecord<T, S extends ContentfulStatusCode = 200>(
  c: Context,
  data: T,
  etag: string,
  status: S = 200 as S,
): TypedResponse<{ success: true; data: T }, S, "json"> {
  const response = unchanged(c, etag) ? c.body(null, 304) : c.json({ success: true, data }, status);
  // The cast tells hono/client the body's type on every path.
  return response as unknown as TypedResponse<{ success: true; data: T }, S, "json">;
}

/**
 * okRecord for a record the database wrote as JSON text (a GET's: db/wire.ts's
 * wireJson), sent as it is: no mapping of the row, no re-serialising. `T` is
 * the record's type, for hono/client.
 */
export function okRecordJson<T>(c: Context, json: string, etag: string) {
  if (unchanged(c, etag)) return c.body(null, 304) as unknown as TypedResponse<{ success: true; data: T }, 200, "json">;
  return jsonText<{ success: true; data: T }>(c, `{"success":true,"data":${json}}`);
}

/** Sets the record's validators; true when a GET or HEAD already holds this version (304). */
function unchanged(c: Context, etag: string): boolean {
  c.header("ETag", etag);
  // Cached copies must be revalidated, and only by the client that fetched them.
  c.header("Cache-Control", "private, no-cache");
  const read = c.req.method === "GET" || c.req.method === "HEAD";
  return read && noneMatch(c.req.header("If-None-Match"), etag);
}

/** Qwoty's documented delete answer: {"success": true, "message": "<Thing> deleted successfully"}. */
export function deleted(c: Context, thing: string) {
  return c.json({ success: true as const, message: `${thing} deleted successfully` });
}

/**
 * A JSON answer whose body is already JSON text (put together from what the
 * database wrote), sent as it is: no parse, no re-serialisation. `T` is the
 * body's type, for hono/client, as c.json would have given it.
 */
export function jsonText<T>(c: Context, body: string) {
  c.header("Content-Type", "application/json");
  return c.body(body, 200) as unknown as TypedResponse<T, 200, "json">;
}
