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
    ...answered(createAddress.entries),
    ...recordTimestamps,
  }),
  v.title("Address"),
);
export type AddressObject = v.InferOutput<typeof addressObject>;
