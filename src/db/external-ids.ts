// External ids (id_crm, id_erp, id_accounting) are keys: unique per workspace
// and resource when set (partial unique indexes in schema.ts). A write that
// would take one another record holds is refused with that record named; the
// check travels in the write's batch, and the write itself is guarded by it.
import { and, eq, ne, or, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "./client";

export const externalIdFields = ["id_crm", "id_erp", "id_accounting"] as const;
export type ExternalIdField = (typeof externalIdFields)[number];

interface Keyed {
  id: PgColumn;
  workspaceId: PgColumn;
  idCrm: PgColumn;
  idErp: PgColumn;
  idAccounting: PgColumn;
}

type Values = {
  id_crm?: string | null | undefined;
  id_erp?: string | null | undefined;
  id_accounting?: string | null | undefined;
};

const columnOf = (table: Keyed, field: ExternalIdField) =>
  field === "id_crm" ? table.idCrm : field === "id_erp" ? table.idErp : table.idAccounting;

/** The external ids the write sets (null unsets: it takes nothing). */
const setIn = (values: Values) =>
  externalIdFields.flatMap((field) => {
    const value = values[field];
    return typeof value === "string" ? [[field, value] as const] : [];
  });

/**
 * Rows of the workspace (other than `self`) that hold one of the external ids
 * the write sets; undefined when it sets none.
 */
function holdersWhere(table: Keyed, workspaceId: SQL | PgColumn, values: Values, self?: string): SQL | undefined {
  const set = setIn(values);
  if (set.length === 0) return undefined;
  return and(
    eq(table.workspaceId, workspaceId),
    self ? ne(table.id, self) : undefined,
    or(...set.map(([field, value]) => eq(columnOf(table, field), value))),
  );
}

/** Guards a write: true when none of its external ids is held by another record of the workspace. */
export function externalIdsFree(
  db: Db,
  table: Keyed & object,
  workspaceId: SQL | PgColumn,
  values: Values,
  self?: string,
) {
  const where = holdersWhere(table, workspaceId, values, self);
  return where
    ? sql`not exists (${db
        .select({ one: sql`1` })
        .from(table as unknown as PgTable)
        .where(where)})`
    : undefined;
}

/** The record of the workspace that holds an external id the write sets, and which one (none: no row). */
export function externalIdHolder(db: Db, table: Keyed & object, workspaceId: SQL, values: Values, self?: string) {
  const set = setIn(values);
  const where = holdersWhere(table, workspaceId, values, self) ?? sql`false`;
  const which = set.length
    ? sql<ExternalIdField>`case ${sql.join(
        set.map(([field, value]) => sql`when ${columnOf(table, field)} = ${value} then ${field}`),
        sql` `,
      )} end`
    : sql<ExternalIdField>`null`;
  return db
    .select({ id: sql<string>`${table.id}`, field: which })
    .from(table as unknown as PgTable)
    .where(where)
    .limit(1);
}
