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

/**
 * A create body's fields as the answer shows them: every one present (an
 * optional field is answered with its stored value or null), with the same rules
 * and descriptions, in the same order.
 */
export function answered<const E extends v.ObjectEntries>(entries: E): { [K in keyof E]: Answered<E[K]> } {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(entries)) {
    out[key] = schema.type === "optional" ? (schema as v.OptionalSchema<v.GenericSchema, unknown>).wrapped : schema;
  }
  return out as { [K in keyof E]: Answered<E[K]> };
}

/** The fields every record ends with. */
export const recordTimestamps = {
  created_at: timestampField("Creation time"),
  updated_at: timestampField("Last change"),
};
