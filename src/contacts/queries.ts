// Workspace-scoped queries for contacts. Each returns an unexecuted Drizzle
// query, to be sent with the token check in one batch (see db/scoped.ts).
import { and, eq, getTableColumns, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { addresses, contacts } from "../db/schema";
import type { Scope } from "../db/scoped";

/** A contact's columns plus `address_ids`: the addresses linked to it, oldest first. */
export const contactFields = {
  ...getTableColumns(contacts),
  // Written with explicit qualifiers: Drizzle prints select-list columns of a
  // single-table query unqualified, which inside this subquery would bind to
  // the addresses table.
  addressIds: sql<
    string[]
  >`array(select linked.id from ${addresses} linked where linked.contact_id = ${contacts}.id order by linked.created_at, linked.id)`,
};

export function selectContact(db: Db, scope: Scope, id: string) {
  return db
    .select(contactFields)
    .from(contacts)
    .where(and(eq(contacts.workspaceId, scope.workspaceId), eq(contacts.id, id)));
}
