// Request schemas for addresses.
import * as v from "valibot";
import { addressTypes } from "../db/schema";
import { countryCode, described, externalIds, nullableText, requiredText, text, uuid } from "../http/validation";

export const createAddress = v.strictObject({
  customer_id: described(uuid, "Parent customer UUID; immutable"),
  type: described(v.picklist(addressTypes), "billing or shipping"),
  name: v.optional(described(nullableText(200), 'Label, e.g. "Head office"')),
  address_line1: described(requiredText(200), "Street"),
  address_line2: v.optional(described(nullableText(200), "Apartment, floor, etc.")),
  city: described(requiredText(100), "City"),
  state: v.optional(described(nullableText(100), "State or region")),
  postal_code: described(requiredText(20), "Postal code"),
  country: described(countryCode, "ISO 3166-1 alpha-2 code, e.g. FR (any case; answered in upper case)"),
  // Only a contact of the same workspace and the same customer.
  contact_id: v.optional(described(v.nullable(uuid), "Linked contact, of the same customer")),
  comment: v.optional(described(v.nullable(text(5000)), "Internal comment")),
  ...externalIds,
});

// Every field optional: a PATCH changes only what it sends. customer_id stays
// immutable: it is accepted only when it names the current customer (operations.ts).
export const updateAddress = v.partial(createAddress);

export type CreateAddress = v.InferOutput<typeof createAddress>;
export type UpdateAddress = v.InferOutput<typeof updateAddress>;
