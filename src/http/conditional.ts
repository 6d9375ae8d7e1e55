// Conditional requests (RFC 9110 §13): If-None-Match on reads, If-Match on writes.
import type { Context } from "hono";
import type { IfMatch } from "../db/etag";
import { preconditionFailed } from "./errors";

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and `*` matches any current representation. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * What If-Match asks of a write: undefined (no header, or `*`, which any
 * existing record satisfies: the write's own 404 covers the rest), or the
 * entity tags the record must still have. Weak tags can never match: If-Match
 * uses the strong comparison (RFC 9110 §13.1.1), so they are dropped, and a
 * header of weak tags only asks for a tag no record has.
 */
export function ifMatch(c: Context, thing: string): IfMatch | undefined {
  const header = c.req.header("If-Match");
  if (header === undefined || header.trim() === "*") return undefined;
  const tags = header
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => /^"[\x21\x23-\x7e]*"$/.test(tag));
  return { tags, message: preconditionFailed(thing).message };
}
