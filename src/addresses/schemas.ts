// Request schemas for addresses.
import * as v from "valibot";
import { addressTypes } from "../db/schema";
import { countryCode, externalIds, nullableText, requiredText, text, uuid } from "../http/validation";

export const createAddress = v.strictObject({
  customer_id: uuid,
  type: v.picklist(addressTypes),
  name: v.optional(nullableText(200)),
  address_line1: requiredText(200),
  address_line2: v.optional(nullableText(200)),
  city: requiredText(100),
  state: v.optional(nullableText(100)),
  postal_code: requiredText(20),
  country: countryCode,
  // Only a contact of the same workspace and the same customer.
  contact_id: v.optional(v.nullable(uuid)),
  comment: v.optional(v.nullable(text(5000))),
  ...externalIds,
});

// Every field optional: a PATCH changes only what it sends. customer_id stays
// immutable: it is accepted only when it names the current customer (operations.ts).
export const updateAddress = v.partial(createAddress);

export type CreateAddress = v.InferOutput<typeof createAddress>;
export type UpdateAddress = v.InferOutput<typeof updateAddress>;
