// Workspace-scoped queries of the change events (recorded by the triggers of
// drizzle/0004_change_events.sql). Each returns an unexecuted Drizzle query,
// sent with the token check in one batch (access/scoped.ts).
import { and, arrayOverlaps, eq, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import { permissionsGranting } from "../access/permissions";
import type { Scope } from "../access/scoped";
import type { Db } from "../db/client";
import { apiTokens, events } from "../db/schema";
import type { FeedPosition } from "./cursor";
import { type EventGroup, groupPermission, retentionDays } from "./types";

/** An event as the API answers it, as compact JSON text built by the database (its data is stored as JSON). */
const eventJson = sql<string>`(select row_to_json(wire) from (select ${events.id} as id, ${events.type} as type,
  ${events.objectId} as object_id, ${events.workspaceId} as workspace_id,
  api_timestamp(${events.occurredAt}) as occurred_at, ${events.data} as data) wire)::text`;

/** Whether the token may read a group's events (its read permission, or the write one). */
const tokenMayRead = (scope: Scope, group: EventGroup) =>
  sql`exists (select 1 from ${apiTokens} where ${and(scope.tokenRow, arrayOverlaps(apiTokens.permissions, permissionsGranting(groupPermission[group])))})`;

/**
 * Every event before this one in (xid, seq) order belongs to a transaction that
 * has ended: xids below the oldest one still running (the snapshot's xmin).
 * Transactions take their xid at their first write and commit in any order, so
 * an event of a running transaction is held back until it and every older one
 * have ended; once a position is read, no event can later appear before it.
 */
const settled = sql`${events.xid} < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint`;

/** One page of the feed: events after `after` of the types asked, that the token may read, in order. */
export function feedPage(
  db: Db,
  scope: Scope,
  page: { after?: FeedPosition | undefined; types: Partial<Record<EventGroup, string[]>>; size: number },
) {
  const wanted = Object.entries(page.types).map(([group, types]) =>
    and(inArray(events.type, types as string[]), tokenMayRead(scope, group as EventGroup)),
  );
  return db
    .select({
      xid: events.xid,
      seq: events.seq,
      at: sql<number>`(extract(epoch from ${events.occurredAt}) * 1000)::bigint`.mapWith(Number),
      json: eventJson,
    })
    .from(events)
    .where(
      and(
        eq(events.workspaceId, scope.workspaceId),
        or(...wanted),
        settled,
        page.after ? sql`(${events.xid}, ${events.seq}) > (${page.after.xid}, ${page.after.seq})` : undefined,
      ),
    )
    .orderBy(events.xid, events.seq)
    .limit(page.size);
}

export function selectEvent(db: Db, scope: Scope, id: string) {
  return db
    .select({ type: events.type, json: eventJson })
    .from(events)
    .where(and(eq(events.workspaceId, scope.workspaceId), eq(events.id, id)));
}

/** The token's permissions, to tell which groups of events it may read (none if it is refused). */
export function tokenPermissions(db: Db, scope: Scope) {
  return db
    .select({ permissions: apiTokens.permissions })
    .from(apiTokens)
    .where(scope.tokenRow as SQL);
}

/**
 * Retention: events older than the 30 days, plus a day, are deleted (cron). The
 * day covers a transaction that ran long: its events carry its start time, and
 * may follow, in the feed, events that occurred later.
 */
export function deleteExpiredEvents(db: Db) {
  return db.delete(events).where(lt(events.occurredAt, sql`now() - make_interval(days => ${retentionDays + 1})`));
}
