// The contact object as the API answers it: the serialiser's return type, and the
// OpenAPI document's schema. Imported as a type only by the worker.
import * as v from "valibot";
import { contactRoles } from "../db/schema";
import { externalIdFields, idField, nullableTextField, timestampField } from "../http/objects";

/** The contact object, as every endpoint answers it (Qwoty's 14 fields, in order). */
export const contactObject = v.pipe(
  v.object({
    id: idField("UUID of the contact"),
    workspace_id: idField("Workspace UUID, from the token"),
    customer_id: idField("Parent customer UUID; immutable"),
    first_name: v.pipe(v.string(), v.description("First name")),
    last_name: v.pipe(v.string(), v.description("Last name")),
    email: v.pipe(v.string(), v.description("Email address")),
    phone: nullableTextField("Phone number, free-form"),
    role: v.pipe(v.array(v.picklist(contactRoles)), v.description("Assigned roles")),
    ...externalIdFields,
    address_ids: v.pipe(
      v.array(idField("Address UUID")),
      v.description(
        "Addresses linked to this contact (their contact_id), oldest first; fetch each with GET /api/addresses/{id}",
      ),
    ),
    created_at: timestampField("Creation time"),
    updated_at: timestampField("Last change"),
  }),
  v.title("Contact"),
);
export type ContactObject = v.InferOutput<typeof contactObject>;
