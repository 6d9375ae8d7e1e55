// The address object as the API answers it: the serialiser's return type, and the
// OpenAPI document's schema. Imported as a type only by the worker.
import * as v from "valibot";
import { addressTypes } from "../db/schema";
import { externalIdFields, idField, nullableTextField, timestampField } from "../http/objects";

/** The address object, as every endpoint answers it. */
export const addressObject = v.pipe(
  v.object({
    id: idField("UUID of the address"),
    workspace_id: idField("Workspace UUID, from the token"),
    customer_id: idField("Parent customer UUID; immutable"),
    type: v.pipe(v.picklist(addressTypes), v.description("billing or shipping")),
    name: nullableTextField('Label, e.g. "Head office"'),
    address_line1: v.pipe(v.string(), v.description("Street")),
    address_line2: nullableTextField("Apartment, floor, etc."),
    city: v.pipe(v.string(), v.description("City")),
    state: nullableTextField("State or region"),
    postal_code: v.pipe(v.string(), v.description("Postal code")),
    country: v.pipe(v.string(), v.regex(/^[A-Z]{2}$/), v.description("ISO 3166-1 alpha-2 code, e.g. FR")),
    contact_id: v.pipe(v.nullable(v.pipe(v.string(), v.uuid())), v.description("Linked contact, of the same customer")),
    comment: nullableTextField("Internal comment"),
    ...externalIdFields,
    created_at: timestampField("Creation time"),
    updated_at: timestampField("Last change"),
  }),
  v.title("Address"),
);
export type AddressObject = v.InferOutput<typeof addressObject>;
