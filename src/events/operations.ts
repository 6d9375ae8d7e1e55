// /api/events: the feed of change events, and one event; each operation declared
// beside its handler (see src/operation.ts).
import { permissionsGranting, readOnlyPermissions } from "../access/permissions";
import { runScoped } from "../access/scoped";
import { feedCursorExpired, lacksPermission, notFound, readsNoEvents } from "../http/errors";
import { idParams } from "../http/params";
import { jsonText } from "../http/respond";
import { type Documentation, operation } from "../operation";
import { encodeFeedCursor } from "./cursor";
import type { EventObject } from "./object";
import { feedPage, selectEvent, tokenPermissions } from "./queries";
import { feedQuery } from "./schemas";
import { type EventGroup, eventGroups, eventKinds, groupPermission, retentionDays } from "./types";

const tag = "Events";
const thing = "Event";
const defaultLimit = 100;
const everyType = Object.fromEntries(eventGroups.map((g) => [g, eventKinds.map((k) => `${g}.${k}`)]));

/** Whether a token holding `permissions` may read a group's events. */
const mayRead = (permissions: readonly string[], group: EventGroup) =>
  permissionsGranting(groupPermission[group]).some((p) => permissions.includes(p));

export const listEventsOperation = operation(
  {
    method: "get",
    path: "/api/events",
    operationId: "listEvents",
    tag,
    permission: readOnlyPermissions,
    anyPermission: true,
    query: feedQuery,
    success: { status: 200, kind: "feed", object: "Event" },
    refusals: [400, 401, 403, 410, 429, 500, 503],
  },
  async (c) => {
    const { after, type, limit = defaultLimit } = c.req.valid("query");
    if (after && after.at < Date.now() - retentionDays * 86_400_000) throw feedCursorExpired(retentionDays);
    const asked = type && Object.keys(type).length > 0 ? type : undefined;
    const caller = c.get("caller");
    const { page, token } = await runScoped(caller, [], (scope) => ({
      page: feedPage(caller.db, scope, { after, types: asked ?? everyType, size: limit + 1 }),
      token: tokenPermissions(caller.db, scope),
    }));
    const permissions = token[0]?.permissions ?? [];
    const refused = asked && (Object.keys(asked) as EventGroup[]).find((group) => !mayRead(permissions, group));
    if (refused) throw lacksPermission(groupPermission[refused]);
    if (!eventGroups.some((group) => mayRead(permissions, group))) throw readsNoEvents();

    const events = page.slice(0, limit);
    const hasMore = page.length > limit;
    const last = events.at(-1) ?? after;
    // A page that reached the end read everything settled as of now: its cursor
    // carries now, so that a client polling a quiet workspace never ages into 410.
    const next = last ? encodeFeedCursor({ xid: last.xid, seq: last.seq, at: hasMore ? last.at : Date.now() }) : null;
    return jsonText<{ success: true; data: EventObject[]; has_more: boolean; next_cursor: string | null }>(
      c,
      `{"success":true,"data":[${events.map((e) => e.json).join(",")}],"has_more":${hasMore},"next_cursor":${next ? `"${next}"` : "null"}}`,
    );
  },
);

export const getEventOperation = operation(
  {
    method: "get",
    path: "/api/events/:id",
    operationId: "getEvent",
    tag,
    permission: readOnlyPermissions,
    anyPermission: true,
    thing,
    params: idParams("event"),
    success: { status: 200, kind: "object", object: "Event" },
    refusals: [400, 401, 403, 404, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const caller = c.get("caller");
    const { event, token } = await runScoped(caller, [], (scope) => ({
      event: selectEvent(caller.db, scope, id),
      token: tokenPermissions(caller.db, scope),
    }));
    const permissions = token[0]?.permissions ?? [];
    const found = event[0];
    if (!found) {
      if (!eventGroups.some((group) => mayRead(permissions, group))) throw readsNoEvents();
      throw notFound(thing);
    }
    const group = found.type.split(".")[0] as EventGroup;
    if (!mayRead(permissions, group)) throw lacksPermission(groupPermission[group]);
    return jsonText<{ success: true; data: EventObject }>(c, `{"success":true,"data":${found.json}}`);
  },
);

export const eventOperations = [listEventsOperation, getEventOperation] as const;

// Plain literals only: an interpolation would keep this prose in the bundle (esbuild
// cannot prove a template with an imported value free of side effects).
export const eventDocs: Documentation = {
  listEvents: {
    summary: "Read the change feed",
    description: `Every change of the workspace's contacts, customers and addresses, oldest first: \`contact.created\`, \`contact.updated\`, \`contact.deleted\`, and likewise \`customer.*\` and \`address.*\`. An event is recorded in the transaction of its change: a write that is refused, fails, changes nothing or is an Idempotency-Key replay records none; a batch records one per item; a cascade delete records the deletion of every record it removes; linking or unlinking an address records an update of the contact (and a new or deleted contact or address, of the customer) whose list of ids it changed.

Follow it with \`after\`: pass the previous answer's \`next_cursor\`, which is set whenever there was a position to continue from (\`has_more\` tells whether to ask again at once). The order is that of the writing transactions' ids, and an event appears only once every transaction older than its own has ended, so the feed **never skips an event**, even when transactions commit in another order than they began; an event may appear a moment after its change's answer. Replaying the feed from its start and applying each event's \`data\` (or the deletion) rebuilds the workspace's records.

The token sees the events of the resources it may read (\`contacts:read\` or \`contacts:write\` for \`contact.*\`, and so on): naming in \`type\` a group it may not read is 403. Events are kept 30 days: an older cursor answers 410, and the client must resync.`,
    parameters: {
      after: "The `next_cursor` of a previous answer: events after it. Without it, from the oldest event kept",
      type: "Comma-separated event types: `contact.*`, `customer.updated`, …, or `*` (the default: every type the token may read)",
      limit: "Events per answer, 1 to 1000 (default 100)",
    },
  },
  getEvent: {
    summary: "Get an event",
    description: "One event of the feed, by its id (a webhook delivery's `webhook-id`).",
  },
};
