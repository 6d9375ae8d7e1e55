// External ids (id_crm, id_erp, id_accounting) are keys: unique per workspace
// and resource when set (partial unique indexes in schema.ts). Writes refuse an
// id another record holds, naming that record, and upserts match on them
// (db/batch.ts).
export const externalIdFields = ["id_crm", "id_erp", "id_accounting"] as const;
export type ExternalIdField = (typeof externalIdFields)[number];
