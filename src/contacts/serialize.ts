// Row → Qwoty's contact object: its columns under their wire names, and the
// ids of its linked addresses (db/wire.ts), typed by the response object.
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import { contacts } from "../db/schema";
import { wireObject } from "../db/wire";
import type { ContactObject } from "./object";
import type { contactBatch } from "./queries";

/** A record as a write selects it (its columns, listed ids and ETag); lists select the same columns. */
export type ContactRow = SelectResultFields<(typeof contactBatch)["fields"]>;

export const serializeContact = (row: ContactRow) =>
  wireObject(contacts, row, { address_ids: row.addressIds }) as ContactObject;
