// Keyset pagination: a page starts after the last row of the previous one, by
// the list's sort key, which an index of (workspace_id, <sort column>, id) serves.
import { type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/**
 * How a list is sorted: oldest first; least recently changed first (for
 * `updated_since`); or by name (for `name_prefix`, whose index is in name order).
 */
export type ListOrder = "created" | "updated" | "name";

/** The position after which a page starts: the last row's sort key (a time, or a lower-cased name) and id. */
export interface Cursor {
  at: Date | string;
  id: string;
}

/** The rows a list sorts: with a created_at, an updated_at and an id. */
export interface Sortable {
  createdAt: PgColumn;
  updatedAt: PgColumn;
  id: PgColumn;
  name?: PgColumn;
}

/** A name as the name order sorts it: lower-cased, in code-point order whatever the collation. */
export const nameKey = (name: PgColumn | SQL): SQL<string> => sql<string>`lower(${name}) collate "C"`;

const sortKey = (table: Sortable, order: ListOrder): SQL | PgColumn => {
  if (order === "name") {
    if (!table.name) throw new Error("a list in name order needs a name column");
    return nameKey(table.name);
  }
  return order === "updated" ? table.updatedAt : table.createdAt;
};

/** The ORDER BY of a list. */
export const listOrder = (table: Sortable, order: ListOrder) => [sortKey(table, order), table.id] as const;

/** Rows after the cursor, in the list's order. */
export function afterCursor(table: Sortable, order: ListOrder, after: Cursor): SQL {
  const key =
    after.at instanceof Date ? sql`${after.at.toISOString()}::timestamptz` : sql`${after.at}::text collate "C"`;
  return sql`(${sortKey(table, order)}, ${table.id}) > (${key}, ${after.id}::uuid)`;
}
