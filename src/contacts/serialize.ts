// Row → Qwoty's contact object: its 14 fields, in the documented order.
import { isoTimestamp } from "../lib/time";
import type { ContactObject } from "./object";
import type { selectContact } from "./queries";

export type ContactRow = Awaited<ReturnType<typeof selectContact>>[number];

export function serializeContact(row: ContactRow): ContactObject {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    customer_id: row.customerId,
    first_name: row.firstName,
    last_name: row.lastName,
    email: row.email,
    phone: row.phone,
    role: row.role,
    id_crm: row.idCrm,
    id_erp: row.idErp,
    id_accounting: row.idAccounting,
    address_ids: row.addressIds,
    created_at: isoTimestamp(row.createdAt),
    updated_at: isoTimestamp(row.updatedAt),
  };
}
export type Contact = ReturnType<typeof serializeContact>;
