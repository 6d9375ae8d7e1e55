// Request schemas for customers.
import * as v from "valibot";
import { customerTypes } from "../db/schema";
import { described, externalIds, httpUrl, requiredText, uuid } from "../http/validation";

// Legal identifiers such as VAT or SIREN numbers; a sent array replaces them all.
const taxIds = v.pipe(
  v.array(v.strictObject({ tax: requiredText(50), tax_value: requiredText(100) })),
  v.maxLength(50),
);

export const createCustomer = v.strictObject({
  name: described(requiredText(200), "Display name"),
  type: described(v.picklist(customerTypes), "company or individual"),
  segment_id: v.optional(described(v.nullable(uuid), "Customer segment UUID")),
  logo: v.optional(described(v.nullable(httpUrl), "Logo URL")),
  tax_ids: v.optional(described(taxIds, "Legal identifiers, e.g. VAT FR12345678901; a sent array replaces them all")),
  ...externalIds,
});

// Every field optional: a PATCH changes only what it sends.
export const updateCustomer = v.partial(createCustomer);

export type CreateCustomer = v.InferOutput<typeof createCustomer>;
export type UpdateCustomer = v.InferOutput<typeof updateCustomer>;
