// Row → address object: its columns under their wire names (db/wire.ts), typed
// by the response object.
import { addresses } from "../db/schema";
import { wireObject } from "../db/wire";
import type { AddressObject } from "./object";
import type { selectAddress } from "./queries";

export type AddressRow = Awaited<ReturnType<typeof selectAddress>>[number];

export const serializeAddress = (row: AddressRow) => wireObject(addresses, row) as AddressObject;
