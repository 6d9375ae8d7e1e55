// The event object as the API answers it: the OpenAPI document's schema, and the
// type of the feed's answers. Imported as a type only by the worker.
import * as v from "valibot";
import { addressObject } from "../addresses/object";
import { contactObject } from "../contacts/object";
import { customerObject } from "../customers/object";
import { idField, timestampField } from "../http/objects";
import { eventGroups, eventKinds } from "./types";

export const eventTypes = eventGroups.flatMap((group) => eventKinds.map((kind) => `${group}.${kind}` as const));

export const eventObject = v.pipe(
  v.strictObject({
    id: idField("UUID of the event (a webhook delivery's webhook-id)"),
    type: v.pipe(v.picklist(eventTypes), v.description("<object>.<change>")),
    object_id: idField("UUID of the record that changed"),
    workspace_id: idField("Workspace UUID"),
    occurred_at: timestampField("When the transaction that made the change began"),
    data: v.pipe(
      v.nullable(v.union([contactObject, customerObject, addressObject])),
      v.description(
        "The record as this change left it, as GET answers it (a later change of the same transaction shows in its own event); null for a deletion",
      ),
    ),
  }),
  v.title("Event"),
);
export type EventObject = v.InferOutput<typeof eventObject>;
