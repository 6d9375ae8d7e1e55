// A row as the API answers it: each column under its SQL name (the wire names
// are the column names), in the table's order, timestamps in ISO 8601 UTC, and
// the ids a record lists (address_ids, contact_ids) just before its timestamps.
// So a new column appears in the answers without a serialiser to edit.
import { getTableColumns, type SQL, sql, type Table } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { isoTimestamp } from "../lib/time";

/** column key → wire name, in the table's order, computed once per table. */
const wireNames = new WeakMap<Table, [key: string, wire: string][]>();

function namesOf(table: Table): [string, string][] {
  let names = wireNames.get(table);
  if (!names) {
    names = Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name]);
    wireNames.set(table, names);
  }
  return names;
}

export function wireObject(table: Table, row: Record<string, unknown>, listed: Record<string, unknown> = {}) {
  const out: Record<string, unknown> = {};
  for (const [key, wire] of namesOf(table)) {
    if (wire === "created_at") Object.assign(out, listed);
    const value = row[key];
    out[wire] = value instanceof Date ? isoTimestamp(value) : value;
  }
  return out;
}

/**
 * The same object built by the database, as compact JSON text (row_to_json of a
 * row whose columns are the wire fields, in order): what a batch answers for
 * each record, so that the worker neither maps nor re-serialises a thousand
 * rows. Timestamps as isoTimestamp writes them: milliseconds only when not zero.
 */
export function wireJson(table: Table, listed: Record<string, SQL> = {}): SQL<string> {
  const fields: SQL[] = [];
  for (const column of Object.values(getTableColumns(table)) as PgColumn[]) {
    if (column.name === "created_at") {
      for (const [wire, value] of Object.entries(listed)) fields.push(sql`${value} as ${sql.identifier(wire)}`);
    }
    // jsonb prints with spaces (`{"tax": "VAT"}`); json_strip_nulls rewrites it
    // compact, as JSON.stringify does. It also drops null-valued fields, which
    // our jsonb columns never hold (tax_ids: strings only, schemas.ts).
    const value =
      column.columnType === "PgTimestamp"
        ? sql`replace(to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '.000Z', 'Z')`
        : column.columnType === "PgJsonb"
          ? sql`json_strip_nulls(${column}::json)`
          : sql`${column}`;
    fields.push(sql`${value} as ${sql.identifier(column.name)}`);
  }
  return sql<string>`(select row_to_json(wire) from (select ${sql.join(fields, sql`, `)}) wire)::text`;
}
