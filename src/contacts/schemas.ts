// Request schemas for contacts: what a body may hold, and the rules each field follows.
import * as v from "valibot";
import { contactRoles } from "../db/schema";
import { described, email, externalIds, nullableText, requiredText, setOf, uuid } from "../http/validation";

export const createContact = v.strictObject({
  customer_id: described(uuid, "Parent customer UUID; immutable"),
  first_name: described(requiredText(200), "First name"),
  last_name: described(requiredText(200), "Last name"),
  email: described(email, "Email address (a shape check; not unique)"),
  phone: v.optional(described(nullableText(50), "Phone number, free-form")),
  role: v.optional(described(setOf(contactRoles), "Assigned roles; a sent array replaces them all")),
  ...externalIds,
});

// Every field optional: a PATCH changes only what it sends. customer_id stays
// immutable: it is accepted only when it names the current customer (operations.ts).
export const updateContact = v.partial(createContact);

export type CreateContact = v.InferOutput<typeof createContact>;
export type UpdateContact = v.InferOutput<typeof updateContact>;
