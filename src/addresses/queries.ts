// Workspace-scoped queries for addresses (see contacts/queries.ts for the pattern).
import { and, eq, getTableColumns, gte, type Placeholder } from "drizzle-orm";
import type { BatchResource } from "../access/batch";
import type { Scope } from "../access/scoped";
import type { Db } from "../db/client";
import { etagOf, rowVersion } from "../db/etag";
import { afterCursor, type Cursor, type ListOrder, listOrder } from "../db/pagination";
import { type AddressType, addresses, contacts, customers } from "../db/schema";
import { wireJson } from "../db/wire";

export const addressFields = getTableColumns(addresses);

/** The ETag of an address: its version (an address shows no linked ids). */
export const addressEtag = etagOf(rowVersion(addresses));

/** One address as GET answers it: its fields and its ETag. */
const addressRecordFields = { ...addressFields, etag: addressEtag.as("etag") };

/** An address as the API answers it, written by the database as JSON text (db/wire.ts). */
const addressJson = wireJson(addresses, {});

/** The record with that id, in the token's workspace (the id may be a prepared statement's placeholder). */
const inScope = (scope: Scope, id: string | Placeholder) =>
  and(eq(addresses.workspaceId, scope.workspaceId), eq(addresses.id, id));

/** GET's read: the record as JSON text, passed through to the answer (no mapping, no re-serialising), and its ETag. */
export function selectAddress(db: Db, scope: Scope, id: string | Placeholder) {
  return db
    .select({ id: addresses.id, json: addressJson.as("json"), etag: addressEtag.as("etag") })
    .from(addresses)
    .where(inScope(scope, id));
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

/** Addresses written in batches (db/batch.ts): under a customer, for good, and linked to one of its contacts, or none. */
export const addressBatch = {
  batch: {
    table: addresses,
    thing: "address",
    etag: addressEtag,
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
  json: addressJson,
} satisfies BatchResource<typeof addressRecordFields>;
