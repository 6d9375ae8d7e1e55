// Request schemas for contacts: what a body may hold, and the rules each field follows.
import * as v from "valibot";
import { contactRoles } from "../db/schema";
import { email, externalIds, nullableText, requiredText, setOf, uuid } from "../http/validation";

export const createContact = v.strictObject({
  customer_id: uuid,
  first_name: requiredText(200),
  last_name: requiredText(200),
  email: email,
  phone: v.optional(nullableText(50)),
  role: v.optional(setOf(contactRoles)),
  ...externalIds,
});

// Every field optional: a PATCH changes only what it sends. customer_id stays
// immutable: it is accepted only when it names the current customer (operations.ts).
export const updateContact = v.partial(createContact);

export type CreateContact = v.InferOutput<typeof createContact>;
export type UpdateContact = v.InferOutput<typeof updateContact>;
