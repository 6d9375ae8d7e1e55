// Row → customer object: its columns under their wire names, and the ids of its
// contacts and addresses (db/wire.ts), typed by the response object.
import { customers } from "../db/schema";
import { wireObject } from "../db/wire";
import type { CustomerObject } from "./object";
import type { selectCustomer } from "./queries";

export type CustomerRow = Awaited<ReturnType<typeof selectCustomer>>[number];

export const serializeCustomer = (row: CustomerRow) =>
  wireObject(customers, row, { contact_ids: row.contactIds, address_ids: row.addressIds }) as CustomerObject;
