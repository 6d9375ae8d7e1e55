// Lists. Qwoty's lists return everything, so by default they do too: an
// ordinary list (up to `pageSize` items) costs one round trip; a larger one is
// streamed, fetched `pageSize` rows at a time, so that no list exhausts the
// worker's memory or exceeds Neon's 10 MiB response limit. Clients that sync
// large workspaces should page instead: `?limit=N` (1 to 1000) answers one page
// with `has_more` and `next_cursor`, and `?cursor=…` continues after it.
// Order is stable: oldest first (created_at, then id), or with `updated_since`
// least recently changed first (updated_at, then id). A cursor is bound to the
// query that made it (its filters and order): used with another, it is refused.
import type { Context } from "hono";
import * as v from "valibot";
import type { Cursor, ListOrder } from "../db/pagination";
import { fromBase64Url, toBase64Url } from "../lib/base64url";
import { isoTimestamp } from "../lib/time";
import { parseUuid } from "../lib/uuid";
import { badRequest } from "./errors";

export const pageSize = 1000;
export const maxLimit = 1000;

export interface ListParams {
  limit?: number;
  after?: Cursor;
}

/** A cursor as the query string carries it: a position, and the query it belongs to. */
export interface BoundCursor extends Cursor {
  binding: string;
}

/** What a list is asked: its order, and the filters (by name) that make its binding. */
export interface ListQuery {
  order: ListOrder;
  filters: Record<string, string | undefined>;
}

// FNV-1a, 32 bits: a cursor's binding only has to tell queries apart, not resist forgery
// (a forged binding can only name the query it is used with, which is the caller's own).
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(36);
}

/** The binding of a query: empty for the plain list (so cursors minted before bindings keep working). */
export function bindingOf(query: ListQuery): string {
  const parts = Object.entries(query.filters)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`);
  if (query.order === "created" && parts.length === 0) return "";
  return fnv1a(`${query.order}\n${parts.join("\n")}`);
}

export function encodeCursor(cursor: BoundCursor): string {
  const binding = cursor.binding ? `|${cursor.binding}` : "";
  // A name is written n:<URI-encoded name>, so that it holds no "|" and stays ASCII.
  const key = cursor.at instanceof Date ? isoTimestamp(cursor.at) : `n:${encodeURIComponent(cursor.at)}`;
  return toBase64Url(`${key}|${cursor.id}${binding}`);
}

function decodeCursor(value: string): BoundCursor | undefined {
  const decoded = fromBase64Url(value);
  if (decoded === undefined) return undefined;
  const [at = "", rawId, binding = "", ...rest] = decoded.split("|");
  if (rest.length > 0 || !/^[0-9a-z]{0,7}$/.test(binding)) return undefined;
  const id = parseUuid(rawId ?? "");
  if (!id || value.length > 1200) return undefined;
  if (at.startsWith("n:")) {
    try {
      const name = decodeURIComponent(at.slice(2));
      return name.length <= 200 && name.isWellFormed() && !name.includes("\u0000")
        ? { at: name, id, binding }
        : undefined;
    } catch {
      return undefined;
    }
  }
  // Only what encodeCursor writes: a timestamp PostgreSQL can read back (years 1 to 9999).
  const date = /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z$/.test(at) ? new Date(at) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || value.length > 120) return undefined;
  return { at: date, id, binding };
}

const limitMessage = `must be an integer from 1 to ${maxLimit}`;

/** The query parameters every list takes: `limit` and `cursor` (see the top of this file). */
export const pageQuery = {
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,4}$/, limitMessage),
      v.transform(Number),
      v.minValue(1, limitMessage),
      v.maxValue(maxLimit, limitMessage),
    ),
  ),
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const cursor = decodeCursor(dataset.value);
        if (cursor) return cursor;
        addIssue({ message: "is invalid: pass the next_cursor of a previous page" });
        return NEVER;
      }),
    ),
  ),
};

/** A list query's filters, as its cursor binding reads them. */
export function filtersOf(filter: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(filter)) {
    out[name] = value instanceof Date ? value.toISOString() : value === undefined ? undefined : String(value);
  }
  return out;
}

/** The order a filter asks for: `updated_since` lists by (updated_at, id), `name_prefix` by (name, id). */
export const orderOf = (filter: { updated_since?: Date | undefined; name_prefix?: string | undefined }): ListOrder =>
  filter.updated_since ? "updated" : filter.name_prefix ? "name" : "created";

/**
 * What a list is asked for: everything (no limit), or one page; 400 if the
 * cursor was made for another query (other filters, or another order).
 */
export function listParams(
  page: { limit?: number | undefined; cursor?: BoundCursor | undefined },
  binding = "",
  order: ListOrder = "created",
): ListParams {
  const params: ListParams = {};
  if (page.limit !== undefined) params.limit = page.limit;
  if (page.cursor !== undefined) {
    if (page.cursor.binding !== binding) {
      throw badRequest(
        "cursor belongs to another query (other filters or another order): pass the same filters as the page it came from, or start again without cursor",
      );
    }
    // A crafted cursor could carry a binding that matches and a key of the other kind.
    if ((order === "name") !== (typeof page.cursor.at === "string")) {
      throw badRequest("cursor is invalid: pass the next_cursor of a previous page");
    }
    params.after = { at: page.cursor.at, id: page.cursor.id };
    params.limit ??= pageSize;
  }
  return params;
}

export type ListRow = { id: string; createdAt: Date; updatedAt: Date; sortName?: string };

export interface ListSource<Row extends ListRow> {
  /** One page: rows after `after`, at most `size`, in the list's order. One round trip, token check included. */
  fetchPage(after: Cursor | undefined, size: number): Promise<Row[]>;
  serialize(row: Row): unknown;
  /** The list's order and binding, for its cursors (default: oldest first, unfiltered). */
  order?: ListOrder;
  binding?: string;
}

const positionOf = (row: ListRow, order: ListOrder | undefined): Cursor => ({
  at: order === "name" ? (row.sortName ?? "") : order === "updated" ? row.updatedAt : row.createdAt,
  id: row.id,
});

export async function listResponse<Row extends ListRow>(c: Context, params: ListParams, source: ListSource<Row>) {
  if (params.limit !== undefined) {
    const rows = await source.fetchPage(params.after, params.limit + 1);
    const page = rows.slice(0, params.limit);
    const last = page.at(-1);
    const hasMore = rows.length > params.limit;
    return c.json({
      success: true as const,
      data: page.map(source.serialize),
      has_more: hasMore,
      next_cursor:
        hasMore && last ? encodeCursor({ ...positionOf(last, source.order), binding: source.binding ?? "" }) : null,
    });
  }

  const first = await source.fetchPage(undefined, pageSize + 1);
  if (first.length <= pageSize) return c.json({ success: true as const, data: first.map(source.serialize) });
  return streamAll(c, first, source);
}

/**
 * Everything, written as it is fetched. The status is sent with the first page,
 * so a failure on a later page can only cut the body short (the client sees
 * invalid JSON, never a partial list that parses).
 */
function streamAll<Row extends ListRow>(c: Context, first: Row[], source: ListSource<Row>) {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const write = async (chunk: string) => {
    await writer.ready;
    await writer.write(encoder.encode(chunk));
  };

  const pump = async () => {
    let rows = first;
    let separator = "";
    await write('{"success":true,"data":[');
    for (;;) {
      const more = rows.length > pageSize;
      const page = more ? rows.slice(0, pageSize) : rows;
      if (page.length > 0) {
        await write(separator + page.map((row) => JSON.stringify(source.serialize(row))).join(","));
        separator = ",";
      }
      const last = page.at(-1);
      if (!more || !last) break;
      rows = await source.fetchPage(positionOf(last, source.order), pageSize + 1);
    }
    await write("]}");
    await writer.close();
  };
  c.executionCtx.waitUntil(
    pump().catch(async (error: unknown) => {
      console.error(JSON.stringify({ level: "error", message: "list stream failed", error: String(error) }));
      await writer.abort(error);
    }),
  );
  return c.body(readable, 200, { "Content-Type": "application/json" });
}
