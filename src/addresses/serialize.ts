// Row → Qwoty's address object, in the documented order.
import { isoTimestamp } from "../lib/time";
import type { AddressObject } from "./object";
import type { selectAddress } from "./queries";

export type AddressRow = Awaited<ReturnType<typeof selectAddress>>[number];

export function serializeAddress(row: AddressRow): AddressObject {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    customer_id: row.customerId,
    type: row.type,
    name: row.name,
    address_line1: row.addressLine1,
    address_line2: row.addressLine2,
    city: row.city,
    state: row.state,
    postal_code: row.postalCode,
    country: row.country,
    contact_id: row.contactId,
    comment: row.comment,
    id_crm: row.idCrm,
    id_erp: row.idErp,
    id_accounting: row.idAccounting,
    created_at: isoTimestamp(row.createdAt),
    updated_at: isoTimestamp(row.updatedAt),
  };
}
export type Address = ReturnType<typeof serializeAddress>;
