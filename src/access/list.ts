// The choreography every list shares, once: its filters make its order and its
// cursors' binding; each page is one scoped read (token check included), in
// that order; the answer is everything (streamed) or one page (http/list.ts).
import type { Context } from "hono";
import type { Db } from "../db/client";
import type { Cursor, ListOrder } from "../db/pagination";
import { type BoundCursor, bindingOf, filtersOf, type ListRow, listParams, listResponse, orderOf } from "../http/list";
import type { Permission } from "./permissions";
import { type Caller, readScoped, type Scope } from "./scoped";

/** What a list's select is asked for: its filters, order, where to start and how many rows. */
export interface PageRequest<F> {
  filter: F;
  order: ListOrder;
  after?: Cursor | undefined;
  size: number;
}

type PageSelect<Row> = PromiseLike<Row[]> & {
  _: { selectedFields: Record<string, unknown> };
  as(alias: string): unknown;
};

export function listRecords<
  F extends { updated_since?: Date | undefined; name_prefix?: string | undefined },
  Row extends ListRow,
>(
  c: Context,
  caller: Caller,
  list: {
    permission: Permission;
    /** the validated query string: the page's limit and cursor, and the filters */
    query: F & { limit?: number | undefined; cursor?: BoundCursor | undefined };
    select: (db: Db, scope: Scope, page: PageRequest<F>) => PageSelect<Row>;
    /**
     * The record's serialiser. Typed loosely on purpose: list rows carry no ETag
     * (only single records are answered with one), which serialisers never read.
     */
    serialize: (row: never) => unknown;
  },
) {
  const { limit, cursor, ...rest } = list.query;
  const filter = rest as unknown as F;
  const order = orderOf(filter);
  const binding = bindingOf({ order, filters: filtersOf(rest) });
  return listResponse(c, listParams({ limit, cursor }, binding, order), {
    fetchPage: (after, size) =>
      readScoped(
        caller,
        list.permission,
        (scope) => list.select(caller.db, scope, { filter, order, after, size }),
        order,
      ),
    serialize: (row) => list.serialize(row as never),
    order,
    binding,
  });
}
