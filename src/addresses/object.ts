// The address object as the API answers it: the serialiser's return type, and the
// OpenAPI document's schema. Imported as a type only by the worker.
import * as v from "valibot";
import { answered, idField, recordTimestamps } from "../http/objects";
import { createAddress } from "./schemas";

/** The address object, as every endpoint answers it. */
export const addressObject = v.pipe(
  v.object({
    id: idField("UUID of the address"),
    workspace_id: idField("Workspace UUID, from the token"),
    ...answered(createAddress.entries, {
      customer_id: "Parent customer UUID; immutable",
      type: "billing or shipping",
      name: 'Label, e.g. "Head office"',
      address_line1: "Street",
      address_line2: "Apartment, floor, etc.",
      city: "City",
      state: "State or region",
      postal_code: "Postal code",
      country: "ISO 3166-1 alpha-2 code, e.g. FR (any case; answered in upper case)",
      contact_id: "Linked contact, of the same customer",
      comment: "Internal comment",
    }),
    ...recordTimestamps,
  }),
  v.title("Address"),
);
export type AddressObject = v.InferOutput<typeof addressObject>;
