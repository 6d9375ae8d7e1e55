// Request schemas for contacts: what a body may hold, and the rules each field follows.
import * as v from "valibot";
import { contactRoles } from "../db/schema";
import { email, externalIds, nullableText, requiredText, setOf, uuid } from "../http/validation";

const fields = {
  first_name: requiredText(200),
  last_name: requiredText(200),
  email,
  phone: nullableText(50),
  role: setOf(contactRoles),
};

export const createContact = v.strictObject({
  customer_id: uuid,
  first_name: fields.first_name,
  last_name: fields.last_name,
  email: fields.email,
  phone: v.optional(fields.phone),
  role: v.optional(fields.role),
  ...externalIds,
});

export const updateContact = v.strictObject({
  // Immutable: accepted only when it names the contact's current customer.
  customer_id: v.optional(uuid),
  first_name: v.optional(fields.first_name),
  last_name: v.optional(fields.last_name),
  email: v.optional(fields.email),
  phone: v.optional(fields.phone),
  role: v.optional(fields.role),
  ...externalIds,
});

export type CreateContact = v.InferOutput<typeof createContact>;
export type UpdateContact = v.InferOutput<typeof updateContact>;

/** Wire field → column key, for the fields a body may write. */
export const contactColumns = {
  first_name: "firstName",
  last_name: "lastName",
  email: "email",
  phone: "phone",
  role: "role",
  id_crm: "idCrm",
  id_erp: "idErp",
  id_accounting: "idAccounting",
} as const;
