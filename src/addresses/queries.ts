// Workspace-scoped queries for addresses (see contacts/queries.ts for the pattern).
import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { columnsFrom, nextUpdatedAt } from "../db/changes";
import type { Db } from "../db/client";
import { insertSelectFields } from "../db/insert-select";
import { afterCursor } from "../db/pagination";
import { addresses, contacts, customers } from "../db/schema";
import type { Scope } from "../db/scoped";
import type { Cursor } from "../http/list";
import { addressColumns, type CreateAddress, type UpdateAddress } from "./schemas";

type AddressInsert = typeof addresses.$inferInsert;

export const addressFields = getTableColumns(addresses);

const inScope = (scope: Scope, id: string) => and(eq(addresses.workspaceId, scope.workspaceId), eq(addresses.id, id));

export function selectAddress(db: Db, scope: Scope, id: string) {
  return db.select(addressFields).from(addresses).where(inScope(scope, id));
}

export function listAddresses(
  db: Db,
  scope: Scope,
  filter: { customerId?: string | undefined; after?: Cursor | undefined; size: number },
) {
  return db
    .select(addressFields)
    .from(addresses)
    .where(
      and(
        eq(addresses.workspaceId, scope.workspaceId),
        filter.customerId ? eq(addresses.customerId, filter.customerId) : undefined,
        filter.after ? afterCursor(addresses, filter.after) : undefined,
      ),
    )
    .orderBy(addresses.createdAt, addresses.id)
    .limit(filter.size);
}

/**
 * What the references of a new address point at, to explain a refusal: no row
 * if the customer is not in the token's workspace; otherwise the customer of the
 * contact to link (null if there is no such contact in the workspace).
 */
export function newAddressReferences(db: Db, scope: Scope, customerId: string, contactId: string | undefined) {
  return db
    .select({ contactCustomerId: contacts.customerId })
    .from(customers)
    .leftJoin(
      contacts,
      and(eq(contacts.workspaceId, customers.workspaceId), contactId ? eq(contacts.id, contactId) : sql`false`),
    )
    .where(and(eq(customers.workspaceId, scope.workspaceId), eq(customers.id, customerId)));
}

/** The customer of a contact of the token's workspace (no row if there is none, or no contact is named). */
export function contactOwner(db: Db, scope: Scope, contactId: string | undefined) {
  return db
    .select({ customerId: contacts.customerId })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, scope.workspaceId), contactId ? eq(contacts.id, contactId) : sql`false`));
}

// A contact the address may link to: same workspace, same customer. Written
// with explicit qualifiers, as Drizzle may print the outer columns unqualified.
const linkableFromCustomer = (contactId: string) =>
  sql`exists (select 1 from ${contacts} k where k.id = ${contactId} and k.workspace_id = ${customers}.workspace_id and k.customer_id = ${customers}.id)`;
const linkableFromAddress = (contactId: string) =>
  sql`exists (select 1 from ${contacts} k where k.id = ${contactId} and k.workspace_id = ${addresses}.workspace_id and k.customer_id = ${addresses}.customer_id)`;

/** Inserts the address only if its customer (and contact, if any) are in the token's workspace. */
export function insertAddress(db: Db, scope: Scope, id: string, input: CreateAddress) {
  const values = { ...columnsFrom<AddressInsert>(input, addressColumns), id };
  return db
    .insert(addresses)
    .select(
      db
        .select(insertSelectFields(addresses, values, { workspaceId: customers.workspaceId, customerId: customers.id }))
        .from(customers)
        .where(
          and(
            eq(customers.workspaceId, scope.workspaceId),
            eq(customers.id, input.customer_id),
            input.contact_id ? linkableFromCustomer(input.contact_id) : undefined,
          ),
        ) as never,
    )
    .returning({ id: addresses.id });
}

export const addressChanges = (input: UpdateAddress) => columnsFrom<AddressInsert>(input, addressColumns);

/** Updates the sent fields, unless customer_id differs or contact_id names a contact it may not link to. */
export function updateAddress(db: Db, scope: Scope, id: string, input: UpdateAddress) {
  return db
    .update(addresses)
    .set({ ...addressChanges(input), updatedAt: nextUpdatedAt(addresses.updatedAt) })
    .where(
      and(
        inScope(scope, id),
        input.customer_id ? eq(addresses.customerId, input.customer_id) : undefined,
        input.contact_id ? linkableFromAddress(input.contact_id) : undefined,
      ),
    )
    .returning({ id: addresses.id });
}

export function deleteAddress(db: Db, scope: Scope, id: string) {
  return db.delete(addresses).where(inScope(scope, id)).returning({ id: addresses.id });
}
