// Workspace-scoped queries for customers (see contacts/queries.ts for the pattern).
import { and, eq, getTableColumns, gte, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { BatchResource } from "../access/batch";
import type { Scope } from "../access/scoped";
import { batchRefusal, paths, refusalRank } from "../db/batch";
import type { Db } from "../db/client";
import { etagOf, type IfMatch, requireEtag, rowVersion } from "../db/etag";
import { afterCursor, type Cursor, type ListOrder, listOrder, nameKey } from "../db/pagination";
import { addresses, type CustomerType, contacts, customers } from "../db/schema";
import { wireJson } from "../db/wire";

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

/** The ETag of a customer: its version and the ids of its contacts and addresses. */
const childIds = (table: typeof contacts | typeof addresses) =>
  sql`coalesce((select string_agg(child.id::text, ',' order by child.created_at, child.id) from ${table} child where child.workspace_id = ${customers}.workspace_id and child.customer_id = ${customers}.id), '')`;
export const customerEtag = etagOf([...rowVersion(customers), childIds(contacts), childIds(addresses)]);

/** One customer as GET answers it: its fields and its ETag. */
const customerRecordFields = { ...customerFields, etag: customerEtag.as("etag") };

/** A customer as the API answers it, written by the database as JSON text (db/wire.ts). */
const customerJson = wireJson(customers, {
  contact_ids: customerFields.contactIds.sql,
  address_ids: customerFields.addressIds.sql,
});

/** The record with that id, in the token's workspace (the id may be a prepared statement's placeholder). */
const inScope = (scope: Scope, id: string | Placeholder) =>
  and(eq(customers.workspaceId, scope.workspaceId), eq(customers.id, id));

/** GET's read: the record as JSON text, passed through to the answer (no mapping, no re-serialising), and its ETag. */
export function selectCustomer(db: Db, scope: Scope, id: string | Placeholder) {
  return db
    .select({ id: customers.id, json: customerJson.as("json"), etag: customerEtag.as("etag") })
    .from(customers)
    .where(inScope(scope, id));
}

/**
 * The first statement of a PATCH or DELETE: locks the customer (FOR UPDATE: no
 * contact or address can be created under it until the write commits) and,
 * with If-Match, aborts the whole batch (412) if its ETag has moved.
 */
export function lockCustomer(db: Db, scope: Scope, id: string, ifMatch: IfMatch | undefined) {
  return db
    .select({ id: customers.id, ok: requireEtag(customerEtag, ifMatch) })
    .from(customers)
    .where(inScope(scope, id))
    .for("update");
}

/** What a customer list can be narrowed to (AND): each served by an index of schema.ts. */
export interface CustomerFilter {
  id_crm?: string | undefined;
  id_erp?: string | undefined;
  id_accounting?: string | undefined;
  /** any of its tax_ids values, exact (e.g. a VAT number) */
  tax_value?: string | undefined;
  type?: CustomerType | undefined;
  /** case-insensitive */
  name_prefix?: string | undefined;
  updated_since?: Date | undefined;
}

/** A LIKE pattern matching what starts with `prefix`, its own wildcards escaped. */
const startsWith = (prefix: string) => `${prefix.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`;

export function listCustomers(
  db: Db,
  scope: Scope,
  page: { filter: CustomerFilter; order: ListOrder; after?: Cursor | undefined; size: number },
) {
  const { filter } = page;
  // In name order, the sort key travels with the rows: the next page's cursor is made of it.
  const fields =
    page.order === "name" ? { ...customerFields, sortName: nameKey(customers.name).as("sort_name") } : customerFields;
  return db
    .select(fields)
    .from(customers)
    .where(
      and(
        eq(customers.workspaceId, scope.workspaceId),
        filter.id_crm ? eq(customers.idCrm, filter.id_crm) : undefined,
        filter.id_erp ? eq(customers.idErp, filter.id_erp) : undefined,
        filter.id_accounting ? eq(customers.idAccounting, filter.id_accounting) : undefined,
        // A constant jsonb (not built per row): the GIN index serves it, and the filter stays cheap.
        filter.tax_value
          ? sql`${customers.taxIds} @> ${JSON.stringify([{ tax_value: filter.tax_value }])}::jsonb`
          : undefined,
        filter.type ? eq(customers.type, filter.type) : undefined,
        // In code-point order (collate "C"), as the index is: the prefix is a range of it.
        filter.name_prefix ? sql`${nameKey(customers.name)} like ${startsWith(filter.name_prefix)}` : undefined,
        filter.updated_since ? gte(customers.updatedAt, filter.updated_since) : undefined,
        page.after ? afterCursor(customers, page.order, page.after) : undefined,
      ),
    )
    .orderBy(...listOrder(customers, page.order))
    .limit(page.size);
}

/**
 * For ?cascade=true: the customer's addresses and contacts, and the customer, in
 * one statement, after the customer was locked. One statement, so that the
 * triggers recording change events (drizzle/0004) find the customer and its
 * contacts gone, and record their deletions only, not an update of each list of
 * ids on the way. No "no children left" guard: the foreign keys are checked at
 * the end of the statement, and a child left would fail it and roll the whole
 * batch back, never leave it half done.
 */
export function deleteCustomerCascade(db: Db, scope: Scope, id: string) {
  const ofCustomer = <T extends typeof addresses | typeof contacts>(table: T) =>
    and(eq(table.workspaceId, scope.workspaceId), eq(table.customerId, id));
  const addressesGone = db
    .$with("addresses_gone")
    .as(db.delete(addresses).where(ofCustomer(addresses)).returning({ id: addresses.id }));
  const contactsGone = db
    .$with("contacts_gone")
    .as(db.delete(contacts).where(ofCustomer(contacts)).returning({ id: contacts.id }));
  return {
    removed: db
      .with(addressesGone, contactsGone)
      .delete(customers)
      .where(inScope(scope, id))
      .returning({ id: customers.id }),
  };
}

/** "1 contact and 2 addresses", from counts in SQL. */
const dependentsText = (contactCount: SQL, addressCount: SQL) =>
  sql`case ${contactCount} when 1 then '1 contact' else ${contactCount} || ' contacts' end || ' and ' ||
    case ${addressCount} when 1 then '1 address' else ${addressCount} || ' addresses' end`;

/**
 * Customers written in batches (db/batch.ts). A batch never deletes a customer
 * that still has contacts or addresses (DELETE …?cascade=true does): it is
 * locked first, so none can be added under it until the batch commits.
 */
export const customerBatch = {
  batch: { table: customers, thing: "customer", etag: customerEtag },
  permission: "customers:write",
  fields: customerRecordFields,
  json: customerJson,
  deleting: (_scope, p) => ({
    before: sql`, dependents as (select l.id,
        (select count(*) from ${contacts} k where k.workspace_id = (select id from ws) and k.customer_id = l.id)::int as contacts,
        (select count(*) from ${addresses} a where a.workspace_id = (select id from ws) and a.customer_id = l.id)::int as addresses
      from locked l)`,
    // Worded as DELETE /api/customers/{id} words it, or naming the batch's operation.
    refusals: sql` union all select i.ord, ${refusalRank.dependents}, ${batchRefusal.conflict}, ${
      p.single
        ? sql`'Customer still has ' || ${dependentsText(sql`d.contacts`, sql`d.addresses`)} || ': delete them first, or delete with ?cascade=true'`
        : sql`${paths.item(p)} || 'id: customer still has ' || ${dependentsText(sql`d.contacts`, sql`d.addresses`)} || ': delete them first, or use DELETE /api/customers/{id}?cascade=true'`
    } from items i join dependents d on d.id = i.id where d.contacts + d.addresses > 0`,
    deletable: sql`select id from dependents where contacts = 0 and addresses = 0`,
  }),
} satisfies BatchResource<typeof customerRecordFields>;
