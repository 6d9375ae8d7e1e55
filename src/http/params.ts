import { parseUuid } from "../lib/uuid";
import { badRequest } from "./errors";

/** The id in a resource path, canonical; 400 in the envelope if PostgreSQL would refuse it as a uuid. */
export function pathId(raw: string, resource: string): string {
  const id = parseUuid(raw);
  if (!id) throw badRequest(`Invalid ${resource} id: expected a UUID`);
  return id;
}
