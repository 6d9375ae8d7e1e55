// The customer object as the API answers it: the serialiser's return type, and the
// OpenAPI document's schema. Imported as a type only by the worker.
import * as v from "valibot";
import { answered, idField, recordTimestamps } from "../http/objects";
import { createCustomer } from "./schemas";

/** The customer object, as every endpoint answers it. */
export const customerObject = v.pipe(
  v.object({
    id: idField("UUID of the customer"),
    workspace_id: idField("Workspace UUID, from the token"),
    ...answered(createCustomer.entries, {
      name: "Display name",
      type: "company or individual",
      segment_id: "Customer segment UUID",
      logo: "Logo URL",
      tax_ids: "Legal identifiers, e.g. VAT FR12345678901; a sent array replaces them all",
    }),
    contact_ids: v.pipe(v.array(idField("Contact UUID")), v.description("The customer's contacts, oldest first")),
    address_ids: v.pipe(v.array(idField("Address UUID")), v.description("The customer's addresses, oldest first")),
    ...recordTimestamps,
  }),
  v.title("Customer"),
);
export type CustomerObject = v.InferOutput<typeof customerObject>;
