// The success envelope, built only here: {"success": true, "data": …}.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export function ok<T>(c: Context, data: T, status: ContentfulStatusCode = 200) {
  return c.json({ success: true as const, data }, status);
}

/** Qwoty's documented delete answer: {"success": true, "message": "<Thing> deleted successfully"}. */
export function deleted(c: Context, thing: string) {
  return c.json({ success: true as const, message: `${thing} deleted successfully` });
}
