// Request schemas for addresses.
import * as v from "valibot";
import { addressTypes } from "../db/schema";
import { countryCode, externalIds, nullableText, requiredText, text, uuid } from "../http/validation";

const fields = {
  type: v.picklist(addressTypes),
  name: nullableText(200),
  address_line1: requiredText(200),
  address_line2: nullableText(200),
  city: requiredText(100),
  state: nullableText(100),
  postal_code: requiredText(20),
  country: countryCode,
  // Only a contact of the same workspace and the same customer.
  contact_id: v.nullable(uuid),
  comment: v.nullable(text(5000)),
};

export const createAddress = v.strictObject({
  customer_id: uuid,
  type: fields.type,
  name: v.optional(fields.name),
  address_line1: fields.address_line1,
  address_line2: v.optional(fields.address_line2),
  city: fields.city,
  state: v.optional(fields.state),
  postal_code: fields.postal_code,
  country: fields.country,
  contact_id: v.optional(fields.contact_id),
  comment: v.optional(fields.comment),
  ...externalIds,
});

export const updateAddress = v.strictObject({
  // Immutable: accepted only when it names the address's current customer.
  customer_id: v.optional(uuid),
  type: v.optional(fields.type),
  name: v.optional(fields.name),
  address_line1: v.optional(fields.address_line1),
  address_line2: v.optional(fields.address_line2),
  city: v.optional(fields.city),
  state: v.optional(fields.state),
  postal_code: v.optional(fields.postal_code),
  country: v.optional(fields.country),
  contact_id: v.optional(fields.contact_id),
  comment: v.optional(fields.comment),
  ...externalIds,
});

export type CreateAddress = v.InferOutput<typeof createAddress>;
export type UpdateAddress = v.InferOutput<typeof updateAddress>;

export const addressColumns = {
  type: "type",
  name: "name",
  address_line1: "addressLine1",
  address_line2: "addressLine2",
  city: "city",
  state: "state",
  postal_code: "postalCode",
  country: "country",
  contact_id: "contactId",
  comment: "comment",
  id_crm: "idCrm",
  id_erp: "idErp",
  id_accounting: "idAccounting",
} as const;
