// Row → customer object: its columns under their wire names, and the ids of its
// contacts and addresses (db/wire.ts), typed by the response object.
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import { customers } from "../db/schema";
import { wireObject } from "../db/wire";
import type { CustomerObject } from "./object";
import type { customerBatch } from "./queries";

/** A record as a write selects it (its columns, listed ids and ETag); lists select the same columns. */
export type CustomerRow = SelectResultFields<(typeof customerBatch)["fields"]>;

export const serializeCustomer = (row: CustomerRow) =>
  wireObject(customers, row, { contact_ids: row.contactIds, address_ids: row.addressIds }) as CustomerObject;
