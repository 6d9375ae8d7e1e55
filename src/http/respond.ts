// The success envelope, built only here: {"success": true, "data": …}.
import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * One record, with a strong ETag (a hash of the exact body). A GET whose
 * If-None-Match holds that tag gets 304 and no body: a client polling for
 * changes pays no transfer and no parsing. The database is still asked, since
 * only it knows whether the record changed.
 */
export async function okRecord<T, S extends ContentfulStatusCode = 200>(
  c: Context,
  data: T,
  status: S = 200 as S,
): Promise<TypedResponse<{ success: true; data: T }, S, "json">> {
  const body = JSON.stringify({ success: true as const, data });
  const etag = await strongEtag(body);
  c.header("ETag", etag);
  // Cached copies must be revalidated, and only by the client that fetched them.
  c.header("Cache-Control", "private, no-cache");
  // The body is serialised here, once, for its hash; the cast tells hono/client its type.
  const response =
    c.req.method === "GET" && noneMatch(c.req.header("If-None-Match"), etag)
      ? c.body(null, 304)
      : c.body(body, status, { "Content-Type": "application/json" });
  return response as unknown as TypedResponse<{ success: true; data: T }, S, "json">;
}

/** The stored answer to a retried request with the same Idempotency-Key. */
export function replayedRecord<T>(c: Context, data: T, status: 200 | 201) {
  c.header("Idempotent-Replayed", "true");
  return okRecord(c, data, status);
}

/** Qwoty's documented delete answer: {"success": true, "message": "<Thing> deleted successfully"}. */
export function deleted(c: Context, thing: string) {
  return c.json({ success: true as const, message: `${thing} deleted successfully` });
}

async function strongEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  const tag = btoa(String.fromCharCode(...digest.subarray(0, 16)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
  return `"${tag}"`;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and `*` matches any current representation. */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
