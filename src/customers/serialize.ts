// Row → Qwoty's customer object, in the documented order.
import { isoTimestamp } from "../lib/time";
import type { CustomerObject } from "./object";
import type { selectCustomer } from "./queries";

export type CustomerRow = Awaited<ReturnType<typeof selectCustomer>>[number];

export function serializeCustomer(row: CustomerRow): CustomerObject {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    name: row.name,
    type: row.type,
    segment_id: row.segmentId,
    logo: row.logo,
    tax_ids: row.taxIds,
    id_crm: row.idCrm,
    id_erp: row.idErp,
    id_accounting: row.idAccounting,
    contact_ids: row.contactIds,
    address_ids: row.addressIds,
    created_at: isoTimestamp(row.createdAt),
    updated_at: isoTimestamp(row.updatedAt),
  };
}
export type Customer = ReturnType<typeof serializeCustomer>;
