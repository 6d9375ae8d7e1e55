import { type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/** The position after which a page starts: the last row's sort key. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

/** Rows after the cursor in (created_at, id) order: a keyset condition the (workspace_id, created_at, id) index serves. */
export function afterCursor(table: { createdAt: PgColumn; id: PgColumn }, after: Cursor): SQL {
  return sql`(${table.createdAt}, ${table.id}) > (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`;
}
