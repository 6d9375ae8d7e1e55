// Workspace-scoped queries for contacts. Each returns an unexecuted Drizzle
// query, to be sent with the token check in one batch (see db/scoped.ts).
import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { columnsFrom, nextUpdatedAt } from "../db/changes";
import type { Db } from "../db/client";
import { insertSelectFields } from "../db/insert-select";
import { afterCursor } from "../db/pagination";
import { addresses, contacts, customers } from "../db/schema";
import type { Scope } from "../db/scoped";
import type { Cursor } from "../http/list";
import { type CreateContact, contactColumns, type UpdateContact } from "./schemas";

type ContactInsert = typeof contacts.$inferInsert;

/** A contact's columns plus `address_ids`: the addresses linked to it, oldest first. */
export const contactFields = {
  ...getTableColumns(contacts),
  // Written with explicit qualifiers: Drizzle prints select-list columns of a
  // single-table query unqualified, which inside this subquery would bind to
  // the addresses table.
  addressIds: sql<
    string[]
  >`array(select linked.id from ${addresses} linked where linked.contact_id = ${contacts}.id order by linked.created_at, linked.id)`.as(
    "address_ids",
  ),
};

const inScope = (scope: Scope, id: string) => and(eq(contacts.workspaceId, scope.workspaceId), eq(contacts.id, id));

export function selectContact(db: Db, scope: Scope, id: string) {
  return db.select(contactFields).from(contacts).where(inScope(scope, id));
}

export function listContacts(
  db: Db,
  scope: Scope,
  filter: { customerId?: string | undefined; after?: Cursor | undefined; size: number },
) {
  return db
    .select(contactFields)
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, scope.workspaceId),
        filter.customerId ? eq(contacts.customerId, filter.customerId) : undefined,
        filter.after ? afterCursor(contacts, filter.after) : undefined,
      ),
    )
    .orderBy(contacts.createdAt, contacts.id)
    .limit(filter.size);
}

/** Inserts the contact only if its customer is in the token's workspace; returns no row otherwise. */
export function insertContact(db: Db, scope: Scope, id: string, input: CreateContact) {
  const values = { ...columnsFrom<ContactInsert>(input, contactColumns), id };
  return db
    .insert(contacts)
    .select(
      db
        .select(insertSelectFields(contacts, values, { workspaceId: customers.workspaceId, customerId: customers.id }))
        .from(customers)
        .where(and(eq(customers.workspaceId, scope.workspaceId), eq(customers.id, input.customer_id))) as never,
    )
    .returning({ id: contacts.id });
}

/** The columns a PATCH body changes (none for `{}` or a body with only an unchanged customer_id). */
export const contactChanges = (input: UpdateContact) => columnsFrom<ContactInsert>(input, contactColumns);

/** Updates the sent fields; with `customer_id`, only if it is the contact's customer. Returns the id if updated. */
export function updateContact(db: Db, scope: Scope, id: string, input: UpdateContact) {
  return db
    .update(contacts)
    .set({ ...contactChanges(input), updatedAt: nextUpdatedAt(contacts.updatedAt) })
    .where(and(inScope(scope, id), input.customer_id ? eq(contacts.customerId, input.customer_id) : undefined))
    .returning({ id: contacts.id });
}

/** The addresses linked to a deleted contact stay, unlinked. */
export function unlinkAddresses(db: Db, scope: Scope, contactId: string) {
  return db
    .update(addresses)
    .set({ contactId: null, updatedAt: nextUpdatedAt(addresses.updatedAt) })
    .where(and(eq(addresses.workspaceId, scope.workspaceId), eq(addresses.contactId, contactId)));
}

export function deleteContact(db: Db, scope: Scope, id: string) {
  return db.delete(contacts).where(inScope(scope, id)).returning({ id: contacts.id });
}
