// Building blocks of the objects the API answers with: the response types of
// the serialisers and the OpenAPI document (scripts/openapi.ts) come from them.
// Only types reach the worker bundle (serialize.ts imports them as types).
import * as v from "valibot";

export const idField = (description: string) => v.pipe(v.string(), v.uuid(), v.description(description));
export const timestampField = (description: string) =>
  v.pipe(v.string(), v.isoTimestamp(), v.description(`${description} (ISO 8601, UTC)`));
export const nullableTextField = (description: string) => v.pipe(v.nullable(v.string()), v.description(description));
export const externalIdFields = {
  id_crm: nullableTextField("External CRM ID"),
  id_erp: nullableTextField("External ERP ID"),
  id_accounting: nullableTextField("External accounting ID"),
};
