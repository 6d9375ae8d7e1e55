// The token object as the API answers it: the serialiser's return type, and the
// OpenAPI document's schema. Imported as a type only by the worker.
import * as v from "valibot";
import { permissions } from "../access/permissions";
import { idField, timestampField } from "../http/objects";

const nullableTimestamp = (description: string) =>
  v.pipe(v.nullable(v.pipe(v.string(), v.isoTimestamp())), v.description(`${description} (ISO 8601, UTC)`));

const tokenFields = {
  id: idField("UUID of the token"),
  name: v.pipe(v.string(), v.description("A name to tell tokens apart")),
  permissions: v.pipe(v.array(v.picklist(permissions)), v.description("What the token may do")),
  token_hint: v.pipe(v.string(), v.description("The first characters of the secret, to tell tokens apart")),
  created_at: timestampField("Creation time"),
  expires_at: nullableTimestamp("When the token stops working; null: never"),
  last_used_at: nullableTimestamp("Last use, to the minute"),
};

/** A token as lists show it: never its secret. */
export const tokenObject = v.pipe(v.strictObject(tokenFields), v.title("Token"));

/** A token as its creation answers it: with its secret, shown this once. */
export const newTokenObject = v.pipe(
  v.strictObject({
    ...tokenFields,
    token: v.pipe(v.string(), v.description("The secret: shown once, only its SHA-256 is kept")),
  }),
  v.title("NewToken"),
);

export type TokenObject = v.InferOutput<typeof tokenObject>;
export type NewTokenObject = v.InferOutput<typeof newTokenObject>;
