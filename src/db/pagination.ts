// Keyset pagination: a page starts after the last row of the previous one, by
// the list's sort key, which an index of (workspace_id, <sort column>, id) serves.
import { type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/** How a list is sorted: oldest first, or (for `updated_since`) least recently changed first. */
export type ListOrder = "created" | "updated";

/** The position after which a page starts: the last row's sort key. */
export interface Cursor {
  at: Date;
  id: string;
}

/** The rows a list sorts: with a created_at, an updated_at and an id. */
export interface Sortable {
  createdAt: PgColumn;
  updatedAt: PgColumn;
  id: PgColumn;
}

const sortColumn = (table: Sortable, order: ListOrder) => (order === "updated" ? table.updatedAt : table.createdAt);

/** The ORDER BY of a list. */
export const listOrder = (table: Sortable, order: ListOrder) => [sortColumn(table, order), table.id] as const;

/** Rows after the cursor, in the list's order. */
export function afterCursor(table: Sortable, order: ListOrder, after: Cursor): SQL {
  return sql`(${sortColumn(table, order)}, ${table.id}) > (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`;
}
