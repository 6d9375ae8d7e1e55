// A row as the API answers it: each column under its SQL name (the wire names
// are the column names), in the table's order, timestamps in ISO 8601 UTC, and
// the ids a record lists (address_ids, contact_ids) just before its timestamps.
// So a new column appears in the answers without a serialiser to edit.
import { getTableColumns, type Table } from "drizzle-orm";
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
