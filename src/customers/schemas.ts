// Request schemas for customers.
import * as v from "valibot";
import { customerTypes } from "../db/schema";
import { externalIds, httpUrl, requiredText, uuid } from "../http/validation";

// Legal identifiers such as VAT or SIREN numbers; a sent array replaces them all.
const taxIds = v.pipe(
  v.array(v.strictObject({ tax: requiredText(50), tax_value: requiredText(100) })),
  v.maxLength(50),
);

const fields = {
  name: requiredText(200),
  type: v.picklist(customerTypes),
  segment_id: v.nullable(uuid),
  logo: v.nullable(httpUrl),
  tax_ids: taxIds,
};

export const createCustomer = v.strictObject({
  name: fields.name,
  type: fields.type,
  segment_id: v.optional(fields.segment_id),
  logo: v.optional(fields.logo),
  tax_ids: v.optional(fields.tax_ids),
  ...externalIds,
});

export const updateCustomer = v.strictObject({
  name: v.optional(fields.name),
  type: v.optional(fields.type),
  segment_id: v.optional(fields.segment_id),
  logo: v.optional(fields.logo),
  tax_ids: v.optional(fields.tax_ids),
  ...externalIds,
});

export type CreateCustomer = v.InferOutput<typeof createCustomer>;
export type UpdateCustomer = v.InferOutput<typeof updateCustomer>;

export const customerColumns = {
  name: "name",
  type: "type",
  segment_id: "segmentId",
  logo: "logo",
  tax_ids: "taxIds",
  id_crm: "idCrm",
  id_erp: "idErp",
  id_accounting: "idAccounting",
} as const;
