// /api/webhooks: the workspace's webhook endpoints, their signing secrets and
// delivery log, for tokens holding webhooks:admin; each operation declared
// beside its handler (see src/operation.ts), one database round trip each.
// Sending is the queue consumer's (deliver.ts): ping and redelivery only make a
// delivery due and enqueue it once the answer is on its way.
import * as v from "valibot";
import { runScoped } from "../access/scoped";
import type { Bindings } from "../env";
import { ApiError, badRequest, internalError, notFound } from "../http/errors";
import { idParams, pathId } from "../http/params";
import { deleted } from "../http/respond";
import { type Documentation, operation } from "../operation";
import { enqueueDeliveries } from "./dispatch";
import {
  deleteEndpoint,
  insertEndpoint,
  insertPing,
  listDeliveries,
  listEndpoints,
  redeliver,
  rotateSecret,
  selectEndpoint,
  updateEndpoint,
} from "./queries";
import { createWebhook, deliveriesQuery, updateWebhook } from "./schemas";
import { mintSecret } from "./signing";

const tag = "Webhooks";
const thing = "Webhook endpoint";
const permission = "webhooks:admin";
const params = idParams("webhook endpoint");

/** What an operation on one endpoint can refuse. */
const refusals = [400, 401, 403, 404, 429, 500, 503] as const;

const localHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * https anywhere; http only to this machine (localhost, 127.0.0.1, [::1]), and
 * only when the database is the local one (npm run dev, the tests): the same
 * test that points the worker at the local database server (db/client.ts).
 */
function checkUrl(url: string | undefined, env: Bindings) {
  if (url === undefined) return;
  const { protocol, hostname } = new URL(url);
  if (protocol === "https:") return;
  if (localHosts.has(hostname) && localHosts.has(new URL(env.DATABASE_URL).hostname)) return;
  throw badRequest("url must be an https URL (http only to localhost or 127.0.0.1, with the local database)");
}

export const listWebhooksOperation = operation(
  {
    method: "get",
    path: "/api/webhooks",
    operationId: "listWebhooks",
    tag,
    permission,
    success: { status: 200, kind: "list", object: "WebhookEndpoint", pages: false },
    refusals: [401, 403, 429, 500, 503],
  },
  async (c) => {
    const caller = c.get("caller");
    const { rows } = await runScoped(caller, permission, (scope) => ({ rows: listEndpoints(caller.db, scope) }));
    return c.json({ success: true as const, data: rows });
  },
);

export const createWebhookOperation = operation(
  {
    method: "post",
    path: "/api/webhooks",
    operationId: "createWebhook",
    tag,
    permission,
    body: createWebhook,
    success: { status: 201, kind: "object", object: "NewWebhookEndpoint" },
    refusals: [400, 401, 403, 413, 415, 429, 500, 503],
  },
  async (c) => {
    const input = c.req.valid("json");
    checkUrl(input.url, c.env);
    const caller = c.get("caller");
    const endpoint = {
      id: crypto.randomUUID(),
      url: input.url,
      eventTypes: input.event_types,
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      secret: mintSecret(),
    };
    const { inserted } = await runScoped(caller, permission, (scope) => ({
      inserted: insertEndpoint(caller.db, scope, endpoint),
    }));
    const [row] = inserted;
    // runScoped has thrown if the token was refused: the insert found its row.
    if (!row) throw internalError();
    c.header("Location", `/api/webhooks/${row.id}`);
    // The secret, this once (and on rotation): get and list never show it.
    return c.json({ success: true as const, data: row }, 201);
  },
);

export const getWebhookOperation = operation(
  {
    method: "get",
    path: "/api/webhooks/:id",
    operationId: "getWebhook",
    tag,
    permission,
    thing,
    params,
    success: { status: 200, kind: "object", object: "WebhookEndpoint" },
    refusals,
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const caller = c.get("caller");
    const { found } = await runScoped(caller, permission, (scope) => ({ found: selectEndpoint(caller.db, scope, id) }));
    const [row] = found;
    if (!row) throw notFound(thing);
    return c.json({ success: true as const, data: row });
  },
);

export const updateWebhookOperation = operation(
  {
    method: "patch",
    path: "/api/webhooks/:id",
    operationId: "updateWebhook",
    tag,
    permission,
    thing,
    params,
    body: updateWebhook,
    success: { status: 200, kind: "object", object: "WebhookEndpoint" },
    refusals: [400, 401, 403, 404, 413, 415, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    checkUrl(input.url, c.env);
    const caller = c.get("caller");
    const { updated } = await runScoped(caller, permission, (scope) => ({
      updated: updateEndpoint(caller.db, scope, id, {
        url: input.url,
        eventTypes: input.event_types,
        description: input.description,
        enabled: input.enabled,
      }),
    }));
    const [row] = updated;
    if (!row) throw notFound(thing);
    return c.json({ success: true as const, data: row });
  },
);

export const deleteWebhookOperation = operation(
  {
    method: "delete",
    path: "/api/webhooks/:id",
    operationId: "deleteWebhook",
    tag,
    permission,
    thing,
    params,
    success: { status: 200, kind: "deleted" },
    refusals,
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const caller = c.get("caller");
    const { removed } = await runScoped(caller, permission, (scope) => ({
      removed: deleteEndpoint(caller.db, scope, id),
    }));
    if (removed.length === 0) throw notFound(thing);
    return deleted(c, thing);
  },
);

export const rotateWebhookSecretOperation = operation(
  {
    method: "post",
    path: "/api/webhooks/:id/rotate-secret",
    operationId: "rotateWebhookSecret",
    tag,
    permission,
    thing,
    params,
    success: { status: 200, kind: "object", object: "NewWebhookEndpoint" },
    refusals,
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const caller = c.get("caller");
    const secret = mintSecret();
    const { rotated } = await runScoped(caller, permission, (scope) => ({
      rotated: rotateSecret(caller.db, scope, id, secret),
    }));
    const [row] = rotated;
    if (!row) throw notFound(thing);
    return c.json({ success: true as const, data: row });
  },
);

export const testWebhookOperation = operation(
  {
    method: "post",
    path: "/api/webhooks/:id/test",
    operationId: "testWebhook",
    tag,
    permission,
    thing,
    params,
    success: { status: 200, kind: "object", object: "WebhookDelivery" },
    refusals,
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const caller = c.get("caller");
    const { ping } = await runScoped(caller, permission, (scope) => ({
      ping: insertPing(caller.db, scope, id, crypto.randomUUID()),
    }));
    const [row] = ping.rows;
    if (!row) throw notFound(thing);
    enqueueDeliveries(c, [[row.data.event_id, id]]);
    return c.json({ success: true as const, data: row.data });
  },
);

export const listWebhookDeliveriesOperation = operation(
  {
    method: "get",
    path: "/api/webhooks/:id/deliveries",
    operationId: "listWebhookDeliveries",
    tag,
    permission,
    thing,
    params,
    query: deliveriesQuery,
    success: { status: 200, kind: "list", object: "WebhookDelivery", pages: false },
    refusals,
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const { limit } = c.req.valid("query");
    const caller = c.get("caller");
    const { endpoint, deliveries } = await runScoped(caller, permission, (scope) => ({
      endpoint: selectEndpoint(caller.db, scope, id),
      deliveries: listDeliveries(caller.db, scope, id, limit ?? 50),
    }));
    if (endpoint.length === 0) throw notFound(thing);
    return c.json({ success: true as const, data: deliveries.rows.map((row) => row.data) });
  },
);

export const redeliverWebhookEventOperation = operation(
  {
    method: "post",
    path: "/api/webhooks/:id/deliveries/:eventId/redeliver",
    operationId: "redeliverWebhookEvent",
    tag,
    permission,
    thing,
    params: v.object({ id: pathId("webhook endpoint"), eventId: pathId("event") }),
    success: { status: 200, kind: "object", object: "WebhookDelivery" },
    refusals: [400, 401, 403, 404, 409, 429, 500, 503],
  },
  async (c) => {
    const { id, eventId } = c.req.valid("param");
    const caller = c.get("caller");
    const { endpoint, due } = await runScoped(caller, permission, (scope) => ({
      endpoint: selectEndpoint(caller.db, scope, id),
      due: redeliver(caller.db, scope, id, eventId),
    }));
    const [own] = endpoint;
    if (!own) throw notFound(thing);
    if (!own.enabled) throw new ApiError(409, "Webhook endpoint is disabled");
    const [row] = due.rows;
    if (!row) throw notFound("Delivery");
    enqueueDeliveries(c, [[eventId, id]]);
    return c.json({ success: true as const, data: row.data });
  },
);

export const webhookOperations = [
  listWebhooksOperation,
  createWebhookOperation,
  getWebhookOperation,
  updateWebhookOperation,
  deleteWebhookOperation,
  rotateWebhookSecretOperation,
  testWebhookOperation,
  listWebhookDeliveriesOperation,
  redeliverWebhookEventOperation,
] as const;

/**
 * What the API reference says of each operation, by operationId (scripts/openapi.ts).
 * Nothing the worker runs imports it, so it stays out of the bundle.
 */
export const webhookDocs: Documentation = {
  listWebhooks: {
    summary: "List webhook endpoints",
    description: "The workspace's webhook endpoints, oldest first. Signing secrets are never shown again.",
  },
  createWebhook: {
    summary: "Create webhook endpoint",
    description:
      'Registers a URL to which the workspace\'s change events are POSTed: `{"event_type": "contact.updated", "id": "<record id>"}` (thin payloads, as Qwoty sends: fetch the record for its state). Only events that occur after the endpoint is created, and whose type matches one of `event_types`, are delivered. The URL must be https (http is accepted only for localhost/127.0.0.1 with the local development database). The answer holds the signing `secret`, once. Deliveries are signed per [Standard Webhooks](https://www.standardwebhooks.com): headers `webhook-id` (the event id: the same on every retry, use it to drop duplicates), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, keyed with the base64-decoded part of the secret after `whsec_`; several space-separated signatures during a rotation). Any answer other than 2xx within 10 seconds is a failure (redirects are not followed) and is retried with exponential backoff and jitter (seconds, then minutes, then hours: 15 attempts over about 3 days); an endpoint whose every delivery failed for 3 days is disabled, with `disabled_reason`. Deliveries can be duplicated and can arrive in any order.',
  },
  getWebhook: { summary: "Get webhook endpoint", description: "The endpoint, without its signing secret." },
  updateWebhook: {
    summary: "Update webhook endpoint",
    description:
      "Changes the URL, event types, description or `enabled`. Enabling an endpoint clears its `disabled_reason`; a disabled endpoint receives nothing, and events that occur while it is disabled are not delivered later.",
  },
  deleteWebhook: {
    summary: "Delete webhook endpoint",
    description: "Deletes the endpoint and its delivery log; nothing more is sent to it. Irreversible.",
  },
  rotateWebhookSecret: {
    summary: "Rotate signing secret",
    description:
      "Makes a new signing secret, shown in the answer once. The previous secret stays valid for 24 hours: meanwhile every delivery carries both signatures, so a receiver can switch secrets without losing a delivery. Rotating again within those 24 hours drops the older one.",
  },
  testWebhook: {
    summary: "Send a test event",
    description:
      'Sends `{"event_type": "ping", "id": "<endpoint id>"}`, signed like every delivery, to the endpoint (even a disabled one), once, shortly after the answer; the answer is the delivery as it stands (pending). Its outcome shows in the delivery log.',
  },
  listWebhookDeliveries: {
    summary: "List deliveries",
    description:
      "The endpoint's deliveries, newest first, each as its latest attempt left it: at most `limit` (default 50, at most 100); older ones are not paged. Delivery records are kept 30 days.",
    parameters: { limit: "How many deliveries, newest first (1 to 100; default 50)" },
  },
  redeliverWebhookEvent: {
    summary: "Redeliver an event",
    description:
      "Sends the event to the endpoint again, shortly after the answer (one more attempt, retried on failure while attempts remain). The event must have been dispatched to this endpoint (it is in its delivery log); the endpoint must be enabled (409 otherwise).",
  },
};
