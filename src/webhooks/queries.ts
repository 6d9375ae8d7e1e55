// The workspace's webhook endpoints and their delivery log. Every statement
// takes its workspace from the token (scope.workspaceId), so another
// workspace's ids match nothing.
import { and, eq, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Scope } from "../access/scoped";
import type { Db } from "../db/client";
import { insertSelectFields } from "../db/insert-select";
import { apiTokens, webhookEndpoints } from "../db/schema";
import type { WebhookDeliveryObject } from "./object";

const w = webhookEndpoints;

/** A time as the API writes it (api_timestamp, drizzle/0004_change_events.sql); null stays null. */
const iso = (column: PgColumn) => sql<string>`api_timestamp(${column})`;

/** The endpoint as the API answers it (object.ts), field for field: rows are answered as they come. */
export const endpointFields = {
  id: w.id,
  url: w.url,
  event_types: w.eventTypes,
  description: w.description,
  enabled: w.enabled,
  disabled_reason: w.disabledReason,
  created_at: iso(w.createdAt),
  updated_at: iso(w.updatedAt),
};

/** With the secret: only for the answers that show it once (create, rotate). */
const withSecret = {
  ...endpointFields,
  secret: w.secret,
  previous_secret_expires_at: sql<string | null>`api_timestamp(${w.previousSecretExpiresAt})`,
};

const inScope = (scope: Scope, id: string) => and(eq(w.workspaceId, scope.workspaceId), eq(w.id, id));

export function listEndpoints(db: Db, scope: Scope) {
  return db.select(endpointFields).from(w).where(eq(w.workspaceId, scope.workspaceId)).orderBy(w.createdAt, w.id);
}

export function selectEndpoint(db: Db, scope: Scope, id: string) {
  return db.select(endpointFields).from(w).where(inScope(scope, id));
}

export interface NewEndpoint {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  secret: string;
}

/** Inserted from the token's own row: nothing if the token is refused. */
export function insertEndpoint(db: Db, scope: Scope, endpoint: NewEndpoint) {
  return db
    .insert(w)
    .select(
      db
        .select(insertSelectFields(w, endpoint, { workspaceId: apiTokens.workspaceId }))
        .from(apiTokens)
        .where(scope.tokenRow) as never,
    )
    .returning(withSecret);
}

export interface EndpointChanges {
  url?: string;
  eventTypes?: string[];
  description?: string | null;
  enabled?: boolean;
}

export function updateEndpoint(db: Db, scope: Scope, id: string, changes: EndpointChanges) {
  return db
    .update(w)
    .set({
      ...changes,
      // Enabling an endpoint clears why it was disabled.
      ...(changes.enabled === true ? { disabledReason: null } : {}),
      updatedAt: sql`now()`,
    })
    .where(inScope(scope, id))
    .returning(endpointFields);
}

export function deleteEndpoint(db: Db, scope: Scope, id: string) {
  return db.delete(w).where(inScope(scope, id)).returning({ id: w.id });
}

/** A new secret; the current one keeps signing for 24 hours (a previous one still valid is dropped). */
export function rotateSecret(db: Db, scope: Scope, id: string, secret: string) {
  return db
    .update(w)
    .set({
      previousSecret: sql`${w.secret}`,
      previousSecretExpiresAt: sql`now() + interval '24 hours'`,
      secret,
      updatedAt: sql`now()`,
    })
    .where(inScope(scope, id))
    .returning(withSecret);
}

/** A delivery as the API answers it, built by the database (webhook_delivery_json, drizzle/0005_webhooks.sql). */
export type DeliveryJson = WebhookDeliveryObject;
type Rows = { rows: { data: DeliveryJson }[] };

/** The endpoint's deliveries, newest first. */
export function listDeliveries(db: Db, scope: Scope, endpointId: string, limit: number) {
  return db.execute<Rows["rows"][number]>(sql`select webhook_delivery_json(d) as data from webhook_deliveries d
    where d.workspace_id = ${scope.workspaceId} and d.endpoint_id = ${endpointId}
    order by d.created_at desc, d.event_id desc limit ${limit}`);
}

/** A ping: a delivery row of its own, due now (the consumer sends it). */
export function insertPing(db: Db, scope: Scope, endpointId: string, pingId: string) {
  return db.execute<Rows["rows"][number]>(sql`insert into webhook_deliveries as d
    (event_id, endpoint_id, workspace_id, event_type, object_id, next_attempt_at)
    select ${pingId}, w.id, w.workspace_id, 'ping', w.id, now() from webhook_endpoints w
    where w.workspace_id = ${scope.workspaceId} and w.id = ${endpointId}
    returning webhook_delivery_json(d) as data`);
}

/**
 * Redelivery: the event's delivery to an enabled endpoint made due again (one
 * more attempt, retried on failure while attempts remain).
 */
export function redeliver(db: Db, scope: Scope, endpointId: string, eventId: string) {
  return db.execute<Rows["rows"][number]>(sql`update webhook_deliveries d set state = 'pending', next_attempt_at = now()
    from webhook_endpoints w where w.id = d.endpoint_id and w.enabled
      and d.workspace_id = ${scope.workspaceId} and d.endpoint_id = ${endpointId} and d.event_id = ${eventId}
    returning webhook_delivery_json(d) as data`);
}
