// Lists. Qwoty's lists return everything, so by default they do too: an
// ordinary list (up to `pageSize` items) costs one round trip; a larger one is
// streamed, fetched `pageSize` rows at a time, so that no list exhausts the
// worker's memory or exceeds Neon's 10 MiB response limit. Clients that sync
// large workspaces should page instead: `?limit=N` (1 to 1000) answers one page
// with `has_more` and `next_cursor`, and `?cursor=…` continues after it.
// Order is stable: oldest first (created_at, then id).
import type { Context } from "hono";
import * as v from "valibot";
import type { Cursor } from "../db/pagination";
import { isoTimestamp } from "../lib/time";
import { parseUuid } from "../lib/uuid";

export const pageSize = 1000;
export const maxLimit = 1000;

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

function decodeCursor(value: string): Cursor | undefined {
  let decoded = "";
  try {
    decoded = atob(value.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
  const [at = "", rawId] = decoded.split("|");
  // Only what encodeCursor writes: a timestamp PostgreSQL can read back (years 1 to 9999).
  const createdAt = /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z$/.test(at)
    ? new Date(at)
    : new Date(Number.NaN);
  const id = parseUuid(rawId ?? "");
  if (!id || Number.isNaN(createdAt.getTime()) || value.length > 100) return undefined;
  return { createdAt, id };
}

const limitMessage = `must be an integer from 1 to ${maxLimit}`;

/** The query parameters every list takes: `limit` and `cursor` (see the top of this file). */
export const pageQuery = {
  limit: v.optional(
    v.pipe(
      v.string(),
      v.description(`Page size, 1 to ${maxLimit}: answers one page with has_more and next_cursor`),
      v.regex(/^\d{1,4}$/, limitMessage),
      v.transform(Number),
      v.minValue(1, limitMessage),
      v.maxValue(maxLimit, limitMessage),
    ),
  ),
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.description("The next_cursor of the previous page"),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const cursor = decodeCursor(dataset.value);
        if (cursor) return cursor;
        addIssue({ message: "is invalid: pass the next_cursor of a previous page" });
        return NEVER;
      }),
    ),
  ),
};

/** What a list is asked for: everything (no limit), or one page. */
export function listParams(query: { limit?: number | undefined; cursor?: Cursor | undefined }): ListParams {
  const params: ListParams = {};
  if (query.limit !== undefined) params.limit = query.limit;
  if (query.cursor !== undefined) {
    params.after = query.cursor;
    params.limit ??= pageSize;
  }
  return params;
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
