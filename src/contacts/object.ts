// The contact object as the API answers it: the serialiser's return type, and the
// OpenAPI document's schema. Imported as a type only by the worker.
import * as v from "valibot";
import { answered, idField, recordTimestamps } from "../http/objects";
import { createContact } from "./schemas";

/** The contact object, as every endpoint answers it (Qwoty's 14 fields, in order). */
export const contactObject = v.pipe(
  v.object({
    id: idField("UUID of the contact"),
    workspace_id: idField("Workspace UUID, from the token"),
    ...answered(createContact.entries, {
      customer_id: "Parent customer UUID; immutable",
      first_name: "First name",
      last_name: "Last name",
      email: "Email address (a shape check; not unique)",
      phone: "Phone number, free-form",
      role: "Assigned roles; a sent array replaces them all",
    }),
    address_ids: v.pipe(
      v.array(idField("Address UUID")),
      v.description(
        "Addresses linked to this contact (their contact_id), oldest first; fetch each with GET /api/addresses/{id}",
      ),
    ),
    ...recordTimestamps,
  }),
  v.title("Contact"),
);
export type ContactObject = v.InferOutput<typeof contactObject>;
