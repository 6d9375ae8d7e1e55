// Workspace-scoped queries for addresses (see contacts/queries.ts for the pattern).
import { and, eq, getTableColumns, gte, sql } from "drizzle-orm";
import type { BatchResource } from "../access/batch";
import type { Scope } from "../access/scoped";
import { columnsFrom, differsFrom, nextUpdatedAt, writableColumns } from "../db/changes";
import type { Db } from "../db/client";
import { etagOf, type IfMatch, requireEtag, rowVersion } from "../db/etag";
import { externalIdHolder, externalIdsFree } from "../db/external-ids";
import { insertSelectFields } from "../db/insert-select";
import { afterCursor, type Cursor, type ListOrder, listOrder } from "../db/pagination";
import { type AddressType, addresses, contacts, customers } from "../db/schema";
import type { CreateAddress, UpdateAddress } from "./schemas";

/** The columns a body writes (customer_id is set from the customer row, once). */
const addressColumns = writableColumns(addresses, ["customer_id"]);

export const addressFields = getTableColumns(addresses);

/** The ETag of an address: its version (an address shows no linked ids). */
export const addressEtag = etagOf(rowVersion(addresses));

/** One address as GET answers it: its fields and its ETag. */
const addressRecordFields = { ...addressFields, etag: addressEtag.as("etag") };

const inScope = (scope: Scope, id: string) => and(eq(addresses.workspaceId, scope.workspaceId), eq(addresses.id, id));

export function selectAddress(db: Db, scope: Scope, id: string) {
  return db.select(addressRecordFields).from(addresses).where(inScope(scope, id));
}

/**
 * The first statement of a PATCH or DELETE: locks the address and, with
 * If-Match, aborts the whole batch (412) if its ETag has moved. Writes lock in
 * one order (customer, address, contact) so that they do not deadlock.
 */
export function lockAddress(db: Db, scope: Scope, id: string, ifMatch: IfMatch | undefined) {
  return db
    .select({ id: addresses.id, ok: requireEtag(addressEtag, ifMatch) })
    .from(addresses)
    .where(inScope(scope, id))
    .for("update");
}

/** What an address list can be narrowed to (AND): each served by an index of schema.ts. */
export interface AddressFilter {
  customer_id?: string | undefined;
  contact_id?: string | undefined;
  id_crm?: string | undefined;
  id_erp?: string | undefined;
  id_accounting?: string | undefined;
  type?: AddressType | undefined;
  country?: string | undefined;
  updated_since?: Date | undefined;
}

export function listAddresses(
  db: Db,
  scope: Scope,
  page: { filter: AddressFilter; order: ListOrder; after?: Cursor | undefined; size: number },
) {
  const { filter } = page;
  return db
    .select(addressFields)
    .from(addresses)
    .where(
      and(
        eq(addresses.workspaceId, scope.workspaceId),
        filter.customer_id ? eq(addresses.customerId, filter.customer_id) : undefined,
        filter.contact_id ? eq(addresses.contactId, filter.contact_id) : undefined,
        filter.id_crm ? eq(addresses.idCrm, filter.id_crm) : undefined,
        filter.id_erp ? eq(addresses.idErp, filter.id_erp) : undefined,
        filter.id_accounting ? eq(addresses.idAccounting, filter.id_accounting) : undefined,
        filter.type ? eq(addresses.type, filter.type) : undefined,
        filter.country ? eq(addresses.country, filter.country) : undefined,
        filter.updated_since ? gte(addresses.updatedAt, filter.updated_since) : undefined,
        page.after ? afterCursor(addresses, page.order, page.after) : undefined,
      ),
    )
    .orderBy(...listOrder(addresses, page.order))
    .limit(page.size);
}

/**
 * The customer a new address names, if it is in the token's workspace, locked
 * FOR KEY SHARE: it cannot be deleted until the insert commits.
 */
export function lockParentCustomer(db: Db, scope: Scope, customerId: string) {
  return db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.workspaceId, scope.workspaceId), eq(customers.id, customerId)))
    .for("key share");
}

/**
 * The customer of the contact an address is to be linked to, if that contact is
 * in the token's workspace (no row otherwise, or when no contact is named),
 * locked FOR KEY SHARE: a concurrent delete of the contact either finished
 * before (no row: 400) or waits until the link is committed (and then unlinks it).
 */
export function lockLinkedContact(db: Db, scope: Scope, contactId: string | undefined) {
  return db
    .select({ customerId: contacts.customerId })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, scope.workspaceId), contactId ? eq(contacts.id, contactId) : sql`false`))
    .for("key share");
}

// A contact the address may link to: same workspace, same customer. Written
// with explicit qualifiers, as Drizzle may print the outer columns unqualified.
const linkableFromCustomer = (contactId: string) =>
  sql`exists (select 1 from ${contacts} k where k.id = ${contactId} and k.workspace_id = ${customers}.workspace_id and k.customer_id = ${customers}.id)`;
const linkableFromAddress = (contactId: string) =>
  sql`exists (select 1 from ${contacts} k where k.id = ${contactId} and k.workspace_id = ${addresses}.workspace_id and k.customer_id = ${addresses}.customer_id)`;

/** Inserts the address only if its customer (and contact, if any) are in the token's workspace. */
export function insertAddress(db: Db, scope: Scope, id: string, input: CreateAddress) {
  const values = { ...columnsFrom(input, addressColumns), id };
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
            externalIdsFree(db, addresses, scope.workspaceId, input),
          ),
        ) as never,
    )
    .returning({ id: addresses.id });
}

export const addressChanges = (input: UpdateAddress) => columnsFrom(input, addressColumns);

/**
 * Updates the sent fields if any differs from the stored value, unless
 * customer_id differs or contact_id names a contact it may not link to.
 */
export function updateAddress(db: Db, scope: Scope, id: string, input: UpdateAddress) {
  const changes = addressChanges(input);
  return db
    .update(addresses)
    .set({ ...changes, updatedAt: nextUpdatedAt(addresses.updatedAt) })
    .where(
      and(
        inScope(scope, id),
        input.customer_id ? eq(addresses.customerId, input.customer_id) : undefined,
        input.contact_id ? linkableFromAddress(input.contact_id) : undefined,
        differsFrom(addresses, changes),
        externalIdsFree(db, addresses, scope.workspaceId, input, id),
      ),
    )
    .returning({ id: addresses.id });
}

export function deleteAddress(db: Db, scope: Scope, id: string) {
  return db.delete(addresses).where(inScope(scope, id)).returning({ id: addresses.id });
}

/** The address of the workspace (other than `self`) holding an external id the body sets. */
export const addressExternalIdHolder = (db: Db, scope: Scope, input: UpdateAddress, self?: string) =>
  externalIdHolder(db, addresses, scope.workspaceId, input, self);

/** Addresses written in batches (db/batch.ts): under a customer, for good, and linked to one of its contacts, or none. */
export const addressBatch = {
  batch: {
    table: addresses,
    thing: "address",
    parent: {
      column: "customer_id",
      table: customers,
      thing: "customer",
      immutable: "customer_id cannot be changed: an address stays with the customer it was created for",
    },
    link: { column: "contact_id", table: contacts, thing: "contact" },
  },
  permission: "addresses:write",
  fields: addressRecordFields,
} satisfies BatchResource<typeof addressRecordFields>;
