// Path parameters: record ids, in any spelling PostgreSQL accepts.
import * as v from "valibot";
import { parseUuid } from "../lib/uuid";

/** The id in a resource path, canonical; its refusal is the whole error message. */
export const pathId = (thing: string) =>
  v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const id = parseUuid(dataset.value);
      if (id) return id;
      addIssue({ message: `Invalid ${thing} id: expected a UUID` });
      return NEVER;
    }),
  );

/** `{id}` of a record's path. */
export const idParams = (thing: string) => v.object({ id: pathId(thing) });
