// The customer object as the API answers it: the serialiser's return type, and the
// OpenAPI document's schema. Imported as a type only by the worker.
import * as v from "valibot";
import { customerTypes } from "../db/schema";
import { externalIdFields, idField, nullableTextField, timestampField } from "../http/objects";

/** The customer object, as every endpoint answers it. */
export const customerObject = v.pipe(
  v.object({
    id: idField("UUID of the customer"),
    workspace_id: idField("Workspace UUID, from the token"),
    name: v.pipe(v.string(), v.description("Display name")),
    type: v.pipe(v.picklist(customerTypes), v.description("company or individual")),
    segment_id: v.pipe(v.nullable(v.pipe(v.string(), v.uuid())), v.description("Customer segment UUID")),
    logo: nullableTextField("Logo URL"),
    tax_ids: v.pipe(
      v.array(v.object({ tax: v.string(), tax_value: v.string() })),
      v.description("Legal identifiers, e.g. VAT FR12345678901"),
    ),
    ...externalIdFields,
    contact_ids: v.pipe(v.array(idField("Contact UUID")), v.description("The customer's contacts, oldest first")),
    address_ids: v.pipe(v.array(idField("Address UUID")), v.description("The customer's addresses, oldest first")),
    created_at: timestampField("Creation time"),
    updated_at: timestampField("Last change"),
  }),
  v.title("Customer"),
);
export type CustomerObject = v.InferOutput<typeof customerObject>;
