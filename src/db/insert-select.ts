// INSERT … SELECT, so that a write can depend on rows it checks in the same
// statement (the token's workspace, the parent customer): when the check finds
// nothing, nothing is inserted and no error aborts the batch. Drizzle's
// insert().select() wants every column of the table, in order; this builds that
// select list from the given values, the columns computed from the source rows,
// and each remaining column's default.
import { getTableColumns, SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

type InsertValues<T extends PgTable> = { [K in keyof T["$inferInsert"]]?: T["$inferInsert"][K] };

export function insertSelectFields<T extends PgTable>(
  table: T,
  values: InsertValues<T>,
  computed: { [K in keyof T["$inferInsert"]]?: SQL | PgColumn },
): Record<string, SQL | PgColumn> {
  const fields: Record<string, SQL | PgColumn> = {};
  for (const [key, column] of Object.entries(getTableColumns(table)) as [
    keyof T["$inferInsert"] & string,
    PgColumn,
  ][]) {
    const type = sql.raw(column.getSQLType());
    const given = computed[key];
    if (given !== undefined) {
      fields[key] = given;
    } else if (values[key] !== undefined) {
      // Parameters arrive as text: cast to the column's type.
      fields[key] = sql`${sql.param(values[key], column)}::${type}`;
    } else if (column.default instanceof SQL) {
      fields[key] = column.default;
    } else if (column.default !== undefined) {
      fields[key] = sql`${sql.param(column.default, column)}::${type}`;
    } else {
      fields[key] = sql`null::${type}`;
    }
  }
  return fields;
}
