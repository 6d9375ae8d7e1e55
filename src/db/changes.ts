// Shared pieces of writes: wire fields → columns, and updated_at.
import { type AnyColumn, getTableColumns, type SQL, sql, type Table } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/** Wire name → column key of a table, for the fields a body may write. */
export type WritableColumns<T extends Table> = Readonly<Record<string, keyof T["$inferInsert"]>>;

/**
 * The columns a request body writes, derived from the table: a body's wire
 * names are the columns' SQL names (first_name → firstName). The server's own
 * columns are never written from a body, nor those named in `fixed` (set once,
 * from elsewhere: a contact's customer_id comes from the customer row).
 */
export function writableColumns<T extends Table>(table: T, fixed: readonly string[] = []): WritableColumns<T> {
  const serverOwned = new Set(["id", "workspace_id", "created_at", "updated_at", ...fixed]);
  const columns: Record<string, keyof T["$inferInsert"]> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (!serverOwned.has(column.name)) columns[column.name] = key as keyof T["$inferInsert"];
  }
  return columns;
}

/**
 * The columns to write for the wire fields present in `input`. Absent fields
 * are left out, so a PATCH changes only what it sent; `null` is kept (it unsets).
 */
export function columnsFrom<T extends Table>(input: object, columns: WritableColumns<T>): Partial<T["$inferInsert"]> {
  const out: Partial<T["$inferInsert"]> = {};
  for (const [field, value] of Object.entries(input)) {
    const column = columns[field];
    if (column !== undefined && value !== undefined) out[column] = value as T["$inferInsert"][typeof column];
  }
  return out;
}

/** The new updated_at of a changed row: now, and always later than before (even within one millisecond). */
export const nextUpdatedAt = (column: AnyColumn): SQL => sql`greatest(now(), ${column} + interval '1 millisecond')`;

/**
 * True when the update would change the row: some column differs from the
 * value it would be set to. An update whose values all equal the stored ones
 * changes nothing (updated_at and the ETag stay as they are).
 */
export function differsFrom(table: object, changes: object): SQL {
  const columns = table as Record<string, PgColumn>;
  const tests = Object.entries(changes).map(([key, value]) => {
    const column = columns[key] as PgColumn;
    const type = sql.raw(column.getSQLType());
    const next = value === null ? sql`null::${type}` : sql`${sql.param(value, column)}::${type}`;
    return sql`${column} is distinct from ${next}`;
  });
  return tests.length === 0 ? sql`false` : sql`(${sql.join(tests, sql` or `)})`;
}
