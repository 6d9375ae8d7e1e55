// Workspace-scoped queries for customers (see contacts/queries.ts for the pattern).
import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { columnsFrom, nextUpdatedAt } from "../db/changes";
import type { Db } from "../db/client";
import { insertSelectFields } from "../db/insert-select";
import { afterCursor } from "../db/pagination";
import { addresses, apiTokens, contacts, customers } from "../db/schema";
import type { Scope } from "../db/scoped";
import type { Cursor } from "../http/list";
import { type CreateCustomer, customerColumns, type UpdateCustomer } from "./schemas";

type CustomerInsert = typeof customers.$inferInsert;

/** A customer's columns plus the ids of its contacts and addresses, oldest first. */
export const customerFields = {
  ...getTableColumns(customers),
  // Explicit qualifiers: see contactFields.
  contactIds: sql<
    string[]
  >`array(select child.id from ${contacts} child where child.workspace_id = ${customers}.workspace_id and child.customer_id = ${customers}.id order by child.created_at, child.id)`.as(
    "contact_ids",
  ),
  addressIds: sql<
    string[]
  >`array(select child.id from ${addresses} child where child.workspace_id = ${customers}.workspace_id and child.customer_id = ${customers}.id order by child.created_at, child.id)`.as(
    "address_ids",
  ),
};

const inScope = (scope: Scope, id: string) => and(eq(customers.workspaceId, scope.workspaceId), eq(customers.id, id));

export function selectCustomer(db: Db, scope: Scope, id: string) {
  return db.select(customerFields).from(customers).where(inScope(scope, id));
}

export function listCustomers(db: Db, scope: Scope, page: { after?: Cursor | undefined; size: number }) {
  return db
    .select(customerFields)
    .from(customers)
    .where(
      and(eq(customers.workspaceId, scope.workspaceId), page.after ? afterCursor(customers, page.after) : undefined),
    )
    .orderBy(customers.createdAt, customers.id)
    .limit(page.size);
}

/** Inserts the customer into the token's workspace: the token row is the source, so a refused token inserts nothing. */
export function insertCustomer(db: Db, scope: Scope, id: string, input: CreateCustomer) {
  const values = { ...columnsFrom<CustomerInsert>(input, customerColumns), id };
  return db
    .insert(customers)
    .select(
      db
        .select(insertSelectFields(customers, values, { workspaceId: apiTokens.workspaceId }))
        .from(apiTokens)
        .where(scope.tokenRow) as never,
    )
    .returning({ id: customers.id });
}

export const customerChanges = (input: UpdateCustomer) => columnsFrom<CustomerInsert>(input, customerColumns);

export function updateCustomer(db: Db, scope: Scope, id: string, input: UpdateCustomer) {
  return db
    .update(customers)
    .set({ ...customerChanges(input), updatedAt: nextUpdatedAt(customers.updatedAt) })
    .where(inScope(scope, id))
    .returning({ id: customers.id });
}

/** How many contacts and addresses still hang off the customer (no row if it does not exist). */
export function customerDependents(db: Db, scope: Scope, id: string) {
  return db
    .select({
      contacts: sql<number>`(select count(*) from ${contacts} child where child.workspace_id = ${customers}.workspace_id and child.customer_id = ${customers}.id)::int`,
      addresses: sql<number>`(select count(*) from ${addresses} child where child.workspace_id = ${customers}.workspace_id and child.customer_id = ${customers}.id)::int`,
    })
    .from(customers)
    .where(inScope(scope, id));
}

/** Deletes the customer only if nothing hangs off it any more. */
export function deleteCustomer(db: Db, scope: Scope, id: string) {
  return db
    .delete(customers)
    .where(
      and(
        inScope(scope, id),
        sql`not exists (select 1 from ${contacts} child where child.workspace_id = ${customers}.workspace_id and child.customer_id = ${customers}.id)`,
        sql`not exists (select 1 from ${addresses} child where child.workspace_id = ${customers}.workspace_id and child.customer_id = ${customers}.id)`,
      ),
    )
    .returning({ id: customers.id });
}

/** For ?cascade=true: the customer's addresses and contacts go first, in the same transaction. */
export function deleteCustomerChildren(db: Db, scope: Scope, id: string) {
  return [
    db.delete(addresses).where(and(eq(addresses.workspaceId, scope.workspaceId), eq(addresses.customerId, id))),
    db.delete(contacts).where(and(eq(contacts.workspaceId, scope.workspaceId), eq(contacts.customerId, id))),
  ] as const;
}
