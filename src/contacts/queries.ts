// Workspace-scoped queries for contacts. Each returns an unexecuted Drizzle
// query, to be sent with the token check in one batch (see access/scoped.ts).
import { and, eq, getTableColumns, gte, type Placeholder, sql } from "drizzle-orm";
import type { BatchResource } from "../access/batch";
import type { Scope } from "../access/scoped";
import type { Db } from "../db/client";
import { etagOf, rowVersion } from "../db/etag";
import { afterCursor, type Cursor, type ListOrder, listOrder } from "../db/pagination";
import { addresses, type ContactRole, contacts, customers } from "../db/schema";
import { wireJson } from "../db/wire";

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

/** The ETag of a contact: its version and the ids of the addresses linked to it. */
export const contactEtag = etagOf([
  ...rowVersion(contacts),
  sql`coalesce((select string_agg(linked.id::text, ',' order by linked.created_at, linked.id) from ${addresses} linked where linked.contact_id = ${contacts}.id), '')`,
]);

/** One contact as a write answers it: its fields and its ETag. */
const contactRecordFields = { ...contactFields, etag: contactEtag.as("etag") };

/** A contact as the API answers it, written by the database as JSON text (db/wire.ts). */
const contactJson = wireJson(contacts, { address_ids: contactFields.addressIds.sql });

/** The record with that id, in the token's workspace (the id may be a prepared statement's placeholder). */
const inScope = (scope: Scope, id: string | Placeholder) =>
  and(eq(contacts.workspaceId, scope.workspaceId), eq(contacts.id, id));

/** GET's read: the record as JSON text, passed through to the answer (no mapping, no re-serialising), and its ETag. */
export function selectContact(db: Db, scope: Scope, id: string | Placeholder) {
  return db
    .select({ id: contacts.id, json: contactJson.as("json"), etag: contactEtag.as("etag") })
    .from(contacts)
    .where(inScope(scope, id));
}

/** What a contact list can be narrowed to (AND): each served by an index of schema.ts. */
export interface ContactFilter {
  customer_id?: string | undefined;
  /** case-insensitive, exact */
  email?: string | undefined;
  id_crm?: string | undefined;
  id_erp?: string | undefined;
  id_accounting?: string | undefined;
  /** contacts having that role */
  role?: ContactRole | undefined;
  /** changed at or after; the list is then in (updated_at, id) order */
  updated_since?: Date | undefined;
}

export function listContacts(
  db: Db,
  scope: Scope,
  page: { filter: ContactFilter; order: ListOrder; after?: Cursor | undefined; size: number },
) {
  const { filter } = page;
  return db
    .select(contactFields)
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, scope.workspaceId),
        filter.customer_id ? eq(contacts.customerId, filter.customer_id) : undefined,
        filter.email ? sql`lower(${contacts.email}) = lower(${filter.email})` : undefined,
        filter.id_crm ? eq(contacts.idCrm, filter.id_crm) : undefined,
        filter.id_erp ? eq(contacts.idErp, filter.id_erp) : undefined,
        filter.id_accounting ? eq(contacts.idAccounting, filter.id_accounting) : undefined,
        filter.role ? sql`${contacts.role} @> array[${filter.role}]::contact_role[]` : undefined,
        filter.updated_since ? gte(contacts.updatedAt, filter.updated_since) : undefined,
        page.after ? afterCursor(contacts, page.order, page.after) : undefined,
      ),
    )
    .orderBy(...listOrder(contacts, page.order))
    .limit(page.size);
}

/** Contacts written in batches (db/batch.ts): under a customer, for good; deleting one unlinks its addresses. */
export const contactBatch = {
  batch: {
    table: contacts,
    thing: "contact",
    etag: contactEtag,
    parent: {
      column: "customer_id",
      table: customers,
      thing: "customer",
      immutable: "customer_id cannot be changed: a contact stays with the customer it was created for",
    },
  },
  permission: "contacts:write",
  fields: contactRecordFields,
  json: contactJson,
  // Like DELETE /api/contacts/{id}: the addresses linked to a deleted contact stay, unlinked.
  deleting: () => ({
    before: sql`, unlinked as (update ${addresses} a set contact_id = null,
      updated_at = greatest(now(), a.updated_at + interval '1 millisecond')
      where a.workspace_id = (select id from ws) and a.contact_id in (select id from locked))`,
  }),
} satisfies BatchResource<typeof contactRecordFields>;
