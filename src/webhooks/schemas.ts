// Request schemas of /api/webhooks: where to POST, which events, a description,
// whether it is on. Whether a URL may be http (only to this machine, with the
// local database) is decided by the handler, which knows the environment.
import * as v from "valibot";
import { nullableText } from "../http/validation";
import { eventPattern } from "./patterns";

export const webhookUrl = v.pipe(
  v.string(),
  v.maxLength(2048),
  v.check((s) => {
    try {
      const url = new URL(s);
      return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password && !url.hash;
    } catch {
      return false;
    }
  }, "must be an https URL"),
);

export const eventTypes = v.pipe(
  v.array(
    v.pipe(
      v.string(),
      v.regex(
        eventPattern,
        "must be *, <object>.*, *.<change> or <object>.<change> (contact, customer, address; created, updated, deleted)",
      ),
    ),
  ),
  v.minLength(1, "must name at least one event type, or *"),
  v.maxLength(20),
  v.transform((items) => [...new Set(items)]),
);

export const createWebhook = v.strictObject({
  url: webhookUrl,
  event_types: eventTypes,
  description: v.optional(nullableText(500)),
  enabled: v.optional(v.boolean("must be true or false")),
});

export const updateWebhook = v.partial(createWebhook);

export type CreateWebhook = v.InferOutput<typeof createWebhook>;
export type UpdateWebhook = v.InferOutput<typeof updateWebhook>;

/** GET …/deliveries?limit= */
export const deliveriesQuery = v.object({
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^(100|[1-9]\d?)$/, "must be an integer from 1 to 100"), v.transform(Number)),
  ),
});
