// Request schemas for customers.
import * as v from "valibot";
import { customerTypes } from "../db/schema";
import { externalIds, httpUrl, requiredText, uuid } from "../http/validation";

// Legal identifiers such as VAT or SIREN numbers; a sent array replaces them all.
const taxIds = v.pipe(
  v.array(v.strictObject({ tax: requiredText(50), tax_value: requiredText(100) })),
  v.maxLength(50),
);

export const createCustomer = v.strictObject({
  name: requiredText(200),
  type: v.picklist(customerTypes),
  segment_id: v.optional(v.nullable(uuid)),
  logo: v.optional(v.nullable(httpUrl)),
  tax_ids: v.optional(taxIds),
  ...externalIds,
});

// Every field optional: a PATCH changes only what it sends.
export const updateCustomer = v.partial(createCustomer);

export type CreateCustomer = v.InferOutput<typeof createCustomer>;
export type UpdateCustomer = v.InferOutput<typeof updateCustomer>;
