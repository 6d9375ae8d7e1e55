// Row → Qwoty's contact object: its columns under their wire names, and the
// ids of its linked addresses (db/wire.ts), typed by the response object.
import { contacts } from "../db/schema";
import { wireObject } from "../db/wire";
import type { ContactObject } from "./object";
import type { selectContact } from "./queries";

export type ContactRow = Awaited<ReturnType<typeof selectContact>>[number];

export const serializeContact = (row: ContactRow) =>
  wireObject(contacts, row, { address_ids: row.addressIds }) as ContactObject;
