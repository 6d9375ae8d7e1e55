// Shared pieces of writes: wire fields → columns, and updated_at.
import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/**
 * The columns to write for the wire fields present in `input`, renamed through
 * `columns` (wire name → column key). Absent fields are left out, so a PATCH
 * changes only what it sent; `null` is kept (it unsets).
 */
export function columnsFrom<Row>(input: object, columns: Readonly<Record<string, keyof Row>>): Partial<Row> {
  const out: Partial<Row> = {};
  for (const [field, value] of Object.entries(input)) {
    const column = columns[field];
    if (column !== undefined && value !== undefined) out[column] = value as Row[keyof Row];
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
