// Row → address object: its columns under their wire names (db/wire.ts), typed
// by the response object.
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import { addresses } from "../db/schema";
import { wireObject } from "../db/wire";
import type { AddressObject } from "./object";
import type { addressBatch } from "./queries";

/** A record as a write selects it (its columns, listed ids and ETag); lists select the same columns. */
export type AddressRow = SelectResultFields<(typeof addressBatch)["fields"]>;

export const serializeAddress = (row: AddressRow) => wireObject(addresses, row) as AddressObject;
