// Lists. Qwoty's lists return everything, so by default they do too: an
// ordinary list (up to `pageSize` items) costs one round trip; a larger one is
// streamed, fetched `pageSize` rows at a time, so that no list exhausts the
// worker's memory or exceeds Neon's 10 MiB response limit. Clients that sync
// large workspaces should page instead: `?limit=N` (1 to 1000) answers one page
// with `has_more` and `next_cursor`, and `?cursor=…` continues after it.
// Order is stable: oldest first (created_at, then id).
import type { Context } from "hono";
import { isoTimestamp } from "../lib/time";
import { parseUuid } from "../lib/uuid";
import { badRequest } from "./errors";

export const pageSize = 1000;
export const maxLimit = 1000;

/** The position after which a page starts: the last row's sort key. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export interface ListParams {
  limit?: number;
  after?: Cursor;
}

export function encodeCursor(row: Cursor): string {
  return btoa(`${isoTimestamp(row.createdAt)}|${row.id}`)
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replaceAll("=", "");
}

function decodeCursor(value: string): Cursor {
  let decoded = "";
  try {
    decoded = atob(value.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    // reported below
  }
  const [at = "", rawId] = decoded.split("|");
  // Only what encodeCursor writes: a timestamp PostgreSQL can read back (years 1 to 9999).
  const createdAt = /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z$/.test(at)
    ? new Date(at)
    : new Date(Number.NaN);
  const id = parseUuid(rawId ?? "");
  if (!id || Number.isNaN(createdAt.getTime()) || value.length > 100) {
    throw badRequest("cursor is invalid: pass the next_cursor of a previous page");
  }
  return { createdAt, id };
}

export function readListParams(c: Context): ListParams {
  const params: ListParams = {};
  const limit = c.req.query("limit");
  if (limit !== undefined) {
    if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > maxLimit) {
      throw badRequest(`limit must be an integer from 1 to ${maxLimit}`);
    }
    params.limit = Number(limit);
  }
  const cursor = c.req.query("cursor");
  if (cursor !== undefined) {
    params.after = decodeCursor(cursor);
    params.limit ??= pageSize;
  }
  return params;
}

/** An optional uuid filter from the query string (e.g. `customer_id`). */
export function readIdFilter(c: Context, name: string): string | undefined {
  const value = c.req.query(name);
  if (value === undefined) return undefined;
  const id = parseUuid(value);
  if (!id) throw badRequest(`${name} must be a UUID`);
  return id;
}

export interface ListSource<Row extends Cursor> {
  /** One page: rows after `after`, at most `size`, oldest first. One round trip, token check included. */
  fetchPage(after: Cursor | undefined, size: number): Promise<Row[]>;
  serialize(row: Row): unknown;
}

export async function listResponse<Row extends Cursor>(c: Context, params: ListParams, source: ListSource<Row>) {
  if (params.limit !== undefined) {
    const rows = await source.fetchPage(params.after, params.limit + 1);
    const page = rows.slice(0, params.limit);
    const last = page.at(-1);
    const hasMore = rows.length > params.limit;
    return c.json({
      success: true as const,
      data: page.map(source.serialize),
      has_more: hasMore,
      next_cursor: hasMore && last ? encodeCursor(last) : null,
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
function streamAll<Row extends Cursor>(c: Context, first: Row[], source: ListSource<Row>) {
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
      rows = await source.fetchPage(last, pageSize + 1);
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
