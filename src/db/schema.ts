// The whole database schema, in one place. drizzle-kit reads this file to
// generate the SQL migrations in drizzle/; the worker reads it to build queries.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  json,
  jsonb,
  type PgColumn,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

declare global {
  /** Defined as true when wrangler bundles the worker (wrangler.toml [define]). */
  var WORKER_BUNDLE: boolean | undefined;
}

// Indexes, keys and checks are for migrations: drizzle-kit reads them here, the
// worker never does. In the worker's bundle `globalThis.WORKER_BUNDLE` is the
// constant true, so each table's list below folds to [] and the drizzle-orm
// modules that build them drop out: about 1 KiB gzip off every cold start. (The
// test is written out in each table: esbuild folds it only there.)
export const contactRoles = ["buyer", "signer", "billing", "shipping", "legal", "admin"] as const;
export type ContactRole = (typeof contactRoles)[number];
export const addressTypes = ["billing", "shipping"] as const;
export type AddressType = (typeof addressTypes)[number];
export const customerTypes = ["company", "individual"] as const;
export type CustomerType = (typeof customerTypes)[number];

export const contactRole = pgEnum("contact_role", contactRoles);
export const addressType = pgEnum("address_type", addressTypes);
export const customerType = pgEnum("customer_type", customerTypes);

// The keys integrators hold: an external id is unique in its workspace, per
// resource, when it is set (a deliberate difference from Qwoty, which documents
// no uniqueness): lookups by it are index lookups, and upserts can match on it.
const externalIdKeys = (
  table: string,
  t: { workspaceId: PgColumn; idCrm: PgColumn; idErp: PgColumn; idAccounting: PgColumn },
) =>
  (["idCrm", "idErp", "idAccounting"] as const).map((key) => {
    const column = t[key];
    return uniqueIndex(`${table}_workspace_${column.name}_key`)
      .on(t.workspaceId, column)
      .where(sql`${column} is not null`);
  });

/** (workspace_id, updated_at, id): what changed since a moment, in order. */
const changedSince = (table: string, t: { workspaceId: PgColumn; updatedAt: PgColumn; id: PgColumn }) =>
  index(`${table}_workspace_changes_idx`).on(t.workspaceId, t.updatedAt, t.id);

// Millisecond precision: enough for `updated_at` to move on every change, and
// what JavaScript's Date can carry without loss.
const createdAt = () => timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow();

export const workspaces = pgTable("workspaces", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // SHA-256 of the whole secret, lowercase hex. The secret itself is never stored.
    tokenHash: text("token_hash").notNull().unique(),
    // The first characters of the secret, shown in lists so that a person can tell tokens apart.
    tokenHint: text("token_hint").notNull(),
    permissions: text("permissions").array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, precision: 3 }),
  },
  (t) => (globalThis.WORKER_BUNDLE ? [] : [index("api_tokens_workspace_idx").on(t.workspaceId, t.createdAt)]),
);

export const customers = pgTable(
  "customers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: customerType("type").notNull(),
    segmentId: uuid("segment_id"),
    logo: text("logo"),
    taxIds: jsonb("tax_ids").$type<{ tax: string; tax_value: string }[]>().notNull().default([]),
    idCrm: text("id_crm"),
    idErp: text("id_erp"),
    idAccounting: text("id_accounting"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) =>
    globalThis.WORKER_BUNDLE
      ? []
      : [
          // Target of the composite foreign keys below: a child row can only point
          // at a customer of its own workspace.
          unique("customers_workspace_id_key").on(t.workspaceId, t.id),
          index("customers_workspace_order_idx").on(t.workspaceId, t.createdAt, t.id),
          ...externalIdKeys("customers", t),
          changedSince("customers", t),
          index("customers_workspace_type_idx").on(t.workspaceId, t.type, t.createdAt, t.id),
          // name_prefix: a case-insensitive prefix, listed in name order (code-point order
          // whatever the database's collation): a range of this index, read in order.
          index("customers_workspace_name_idx").on(t.workspaceId, sql`lower(${t.name}) collate "C"`, t.id),
          // tax_value: any of the customer's tax_ids values (jsonb containment).
          index("customers_tax_ids_idx").using("gin", sql`${t.taxIds} jsonb_path_ops`),
        ],
);

export const contacts = pgTable(
  "contacts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id").notNull(),
    customerId: uuid("customer_id").notNull(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    email: text("email").notNull(),
    phone: text("phone"),
    role: contactRole("role").array().notNull().default(sql`'{}'::contact_role[]`),
    idCrm: text("id_crm"),
    idErp: text("id_erp"),
    idAccounting: text("id_accounting"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) =>
    globalThis.WORKER_BUNDLE
      ? []
      : [
          foreignKey({
            name: "contacts_customer_fk",
            columns: [t.workspaceId, t.customerId],
            foreignColumns: [customers.workspaceId, customers.id],
          }),
          unique("contacts_workspace_customer_id_key").on(t.workspaceId, t.customerId, t.id),
          index("contacts_workspace_order_idx").on(t.workspaceId, t.createdAt, t.id),
          index("contacts_workspace_customer_idx").on(t.workspaceId, t.customerId, t.createdAt, t.id),
          ...externalIdKeys("contacts", t),
          changedSince("contacts", t),
          index("contacts_workspace_email_idx").on(t.workspaceId, sql`lower(${t.email})`),
          index("contacts_role_idx").using("gin", t.role),
        ],
);

export const addresses = pgTable(
  "addresses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id").notNull(),
    customerId: uuid("customer_id").notNull(),
    type: addressType("type").notNull(),
    name: text("name"),
    addressLine1: text("address_line1").notNull(),
    addressLine2: text("address_line2"),
    city: text("city").notNull(),
    state: text("state"),
    postalCode: text("postal_code").notNull(),
    country: text("country").notNull(),
    contactId: uuid("contact_id"),
    comment: text("comment"),
    idCrm: text("id_crm"),
    idErp: text("id_erp"),
    idAccounting: text("id_accounting"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) =>
    globalThis.WORKER_BUNDLE
      ? []
      : [
          foreignKey({
            name: "addresses_customer_fk",
            columns: [t.workspaceId, t.customerId],
            foreignColumns: [customers.workspaceId, customers.id],
          }),
          // The linked contact must belong to the same workspace and customer. With
          // contact_id NULL the key is not checked (MATCH SIMPLE): the link is optional.
          foreignKey({
            name: "addresses_contact_fk",
            columns: [t.workspaceId, t.customerId, t.contactId],
            foreignColumns: [contacts.workspaceId, contacts.customerId, contacts.id],
          }),
          check("addresses_country_check", sql`${t.country} ~ '^[A-Z]{2}$'`),
          index("addresses_workspace_order_idx").on(t.workspaceId, t.createdAt, t.id),
          index("addresses_workspace_customer_idx").on(t.workspaceId, t.customerId, t.createdAt, t.id),
          index("addresses_contact_idx").on(t.contactId),
          ...externalIdKeys("addresses", t),
          changedSince("addresses", t),
          index("addresses_workspace_type_idx").on(t.workspaceId, t.type, t.createdAt, t.id),
          index("addresses_workspace_country_idx").on(t.workspaceId, t.country, t.createdAt, t.id),
        ],
);

// Idempotency-Key records: the first successful answer to a POST or PATCH, kept
// for 24 hours so that a retry with the same key gets it again instead of
// writing twice. `response` is the record as the answer's select returned it.
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    // SHA-256 of method, path and validated body: the same key with another request is refused.
    fingerprint: text("fingerprint").notNull(),
    statusCode: integer("status_code").notNull(),
    response: jsonb("response").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) =>
    globalThis.WORKER_BUNDLE
      ? []
      : [primaryKey({ columns: [t.workspaceId, t.key] }), index("idempotency_keys_expires_idx").on(t.expiresAt)],
);

// Change events: one row per record created, updated or deleted, written by the
// triggers of drizzle/0004_change_events.sql in the transaction of the change
// (so a rolled-back write leaves none, and a cascade or a link change is
// recorded whatever statement made it). `xid` is the writing transaction's id:
// the feed serves events in (xid, seq) order, and only those of transactions
// older than every transaction still running, so that no event can appear
// behind a position a client has already read (src/events/queries.ts).
export const events = pgTable(
  "events",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    id: uuid("id").notNull().defaultRandom(),
    xid: bigint("xid", { mode: "number" }).notNull().default(sql`(pg_current_xact_id()::text)::bigint`),
    workspaceId: uuid("workspace_id").notNull(),
    /** "contact.created", "address.deleted", … */
    type: text("type").notNull(),
    objectId: uuid("object_id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** The object as the change left it, as the API answers it (json keeps its field order); none for a deletion. */
    data: json("data"),
  },
  (t) =>
    globalThis.WORKER_BUNDLE
      ? []
      : [
          uniqueIndex("events_id_key").on(t.id),
          index("events_feed_idx").on(t.workspaceId, t.xid, t.seq),
          index("events_occurred_at_idx").on(t.occurredAt),
        ],
);

// Webhook endpoints (src/webhooks): where a workspace's change events are
// POSTed, signed per Standard Webhooks. The signing secret must be stored as it
// is (it signs every delivery); it is shown in the API only when it is made.
// After a rotation the previous secret signs too, until previous_secret_expires_at.
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    /** "contact.*", "customer.updated", "*"… */
    eventTypes: text("event_types").array().notNull(),
    description: text("description"),
    enabled: boolean("enabled").notNull().default(true),
    /** Why the endpoint was disabled automatically (every delivery failed for 3 days); null otherwise. */
    disabledReason: text("disabled_reason"),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => (globalThis.WORKER_BUNDLE ? [] : [index("webhook_endpoints_workspace_idx").on(t.workspaceId, t.createdAt)]),
);

// One row per (event, endpoint) once the event has been dispatched to it: the
// sweep (src/webhooks/sweep.ts) looks for events of the last 3 days that an
// endpoint should have and has no row for. The row holds the latest attempt;
// a ping (POST /api/webhooks/{id}/test) is a row of its own, of type "ping".
// The worker reads and writes it only through SQL (drizzle/0005_webhooks.sql's
// functions, src/webhooks/queries.ts): its bundle leaves the table object out,
// as it does the indexes (the table is for migrations and scripts; tests, whose
// worker is built like the bundle, make it with webhookDeliveriesTable()).
export const webhookDeliveriesTable = () =>
  pgTable(
    "webhook_deliveries",
    {
      eventId: uuid("event_id").notNull(),
      endpointId: uuid("endpoint_id")
        .notNull()
        .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
      workspaceId: uuid("workspace_id").notNull(),
      eventType: text("event_type").notNull(),
      objectId: uuid("object_id").notNull(),
      /** pending (an attempt is due at next_attempt_at), delivered, failed (no attempt left) */
      state: text("state").notNull().default("pending"),
      attempts: integer("attempts").notNull().default(0),
      createdAt: createdAt(),
      lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true, precision: 3 }),
      nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, precision: 3 }),
      statusCode: integer("status_code"),
      durationMs: integer("duration_ms"),
      error: text("error"),
    },
    (t) =>
      globalThis.WORKER_BUNDLE
        ? []
        : [
            primaryKey({ columns: [t.eventId, t.endpointId] }),
            index("webhook_deliveries_log_idx").on(t.endpointId, t.createdAt),
            index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.state} = 'pending'`),
          ],
  );
export const webhookDeliveries = (globalThis.WORKER_BUNDLE ? undefined : webhookDeliveriesTable()) as ReturnType<
  typeof webhookDeliveriesTable
>;
