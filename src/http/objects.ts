// Building blocks of the objects the API answers with: the response types of
// the serialisers and the OpenAPI document (scripts/openapi.ts) come from them.
// A record's writable fields are declared once, in its body schema
// (src/<resource>/schemas.ts): the response object takes them from there, so a
// new field is one declaration. Only types reach the worker bundle
// (serialize.ts imports the objects as types).
import * as v from "valibot";

export const idField = (description: string) => v.pipe(v.string(), v.uuid(), v.description(description));
export const timestampField = (description: string) =>
  v.pipe(v.string(), v.isoTimestamp(), v.description(`${description} (ISO 8601, UTC)`));

type Answered<S> = S extends v.OptionalSchema<infer Wrapped, infer _Default> ? Wrapped : S;

/** What the reference says of the external ids, the same for every record. */
export const externalIdDescriptions = {
  id_crm: "External CRM ID",
  id_erp: "External ERP ID",
  id_accounting: "External accounting ID",
};

/**
 * A create body's fields as the answer shows them: every one present (an
 * optional field is answered with its stored value or null), with the same rules,
 * in the same order, and the description of each. The descriptions are written
 * here rather than in the body schemas, which the worker bundles: the OpenAPI
 * document gives a body's fields the descriptions of the object's (scripts/openapi.ts).
 */
export function answered<const E extends v.ObjectEntries>(
  entries: E,
  descriptions: { [K in Exclude<keyof E, keyof typeof externalIdDescriptions>]: string },
): { [K in keyof E]: Answered<E[K]> } {
  const all: Record<string, string> = { ...externalIdDescriptions, ...descriptions };
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(entries)) {
    const answer = schema.type === "optional" ? (schema as v.OptionalSchema<v.GenericSchema, unknown>).wrapped : schema;
    out[key] = all[key] ? v.pipe(answer as v.GenericSchema, v.description(all[key])) : answer;
  }
  return out as { [K in keyof E]: Answered<E[K]> };
}

/** The fields every record ends with. */
export const recordTimestamps = {
  created_at: timestampField("Creation time"),
  updated_at: timestampField("Last change"),
};
