// The webhook objects as the API answers them: the serialisers' return types,
// and the OpenAPI document's schemas. Imported as types only by the worker.
import * as v from "valibot";
import { idField, timestampField } from "../http/objects";

const nullable = <S extends v.GenericSchema>(schema: S, description: string) =>
  v.pipe(v.nullable(schema), v.description(description));
const nullableTimestamp = (description: string) =>
  nullable(v.pipe(v.string(), v.isoTimestamp()), `${description} (ISO 8601, UTC)`);

const endpointFields = {
  id: idField("UUID of the webhook endpoint"),
  url: v.pipe(v.string(), v.description("Where deliveries are POSTed")),
  event_types: v.pipe(
    v.array(v.string()),
    v.description(
      'Which events it receives: "*", "contact.*", "*.deleted", "customer.updated"… (objects contact, customer, address; changes created, updated, deleted)',
    ),
  ),
  description: nullable(v.string(), "A note to tell endpoints apart"),
  enabled: v.pipe(v.boolean(), v.description("Whether events are delivered to it")),
  disabled_reason: nullable(
    v.string(),
    "Why it was disabled automatically (every delivery failed for 3 days); null unless so. Enabling it clears this",
  ),
  created_at: timestampField("Creation time: only events after it are delivered"),
  updated_at: timestampField("Last change"),
};

/** An endpoint as get and list show it: never its secret. */
export const webhookEndpointObject = v.pipe(v.strictObject(endpointFields), v.title("WebhookEndpoint"));

/** An endpoint as its creation and a rotation answer it: with its signing secret, shown this once. */
export const newWebhookEndpointObject = v.pipe(
  v.strictObject({
    ...endpointFields,
    secret: v.pipe(
      v.string(),
      v.description("The signing secret (whsec_…), shown once: verify deliveries with it (Standard Webhooks)"),
    ),
    previous_secret_expires_at: nullableTimestamp(
      "After a rotation, until when the previous secret still signs deliveries too (24 hours)",
    ),
  }),
  v.title("NewWebhookEndpoint"),
);

/** One event's delivery to one endpoint, as its latest attempt left it. */
export const webhookDeliveryObject = v.pipe(
  v.strictObject({
    event_id: idField("The event's id: the webhook-id header of every attempt"),
    endpoint_id: idField("The webhook endpoint's id"),
    event_type: v.pipe(v.string(), v.description('"contact.updated"…, or "ping" for a test')),
    object_id: idField("The id the payload carries: the record changed (the endpoint, for a ping)"),
    state: v.pipe(
      v.picklist(["pending", "delivered", "failed"]),
      v.description("pending: an attempt is due at next_attempt_at; delivered: a 2xx answer; failed: no attempt left"),
    ),
    attempts: v.pipe(v.number(), v.description("Attempts made so far")),
    created_at: timestampField("When the event was dispatched to the endpoint"),
    last_attempt_at: nullableTimestamp("The latest attempt"),
    status_code: nullable(v.number(), "The latest attempt's HTTP status; null if it got no answer"),
    duration_ms: nullable(v.number(), "The latest attempt's duration, in milliseconds"),
    error: nullable(v.string(), "Why the latest attempt failed (a status, a timeout, a redirect, a network error)"),
    next_attempt_at: nullableTimestamp("When the next attempt is due; null once delivered or failed"),
  }),
  v.title("WebhookDelivery"),
);

/** What Qwoty POSTs: the event's type and the id of the record to fetch. */
export const webhookPayloadObject = v.pipe(
  v.strictObject({
    event_type: v.pipe(v.string(), v.description('"contact.created", "customer.deleted"…, or "ping"')),
    id: idField("The record's id (the endpoint's, for a ping): fetch its latest state from the API"),
  }),
  v.title("WebhookPayload"),
);

export type WebhookEndpointObject = v.InferOutput<typeof webhookEndpointObject>;
export type NewWebhookEndpointObject = v.InferOutput<typeof newWebhookEndpointObject>;
export type WebhookDeliveryObject = v.InferOutput<typeof webhookDeliveryObject>;
