// The request side of batch writes and upserts: the body of POST /api/<resource>/batch,
// built from the resource's create and update bodies, the checks across its
// items that no item's schema can make, and the path of PUT …/by/{field}/{value}.
import * as v from "valibot";
import { type ExternalIdField, externalIdFields } from "../db/external-ids";
import { badRequest } from "./errors";
import { uuid } from "./validation";

/** At most this many operations in one batch. */
export const maxBatchOperations = 1000;
/** A batch body may be this large (a single write's body: 64 KiB). */
export const maxBatchBodyBytes = 1024 * 1024;

type Body = v.ObjectSchema<v.ObjectEntries, undefined> | v.StrictObjectSchema<v.ObjectEntries, undefined>;

const matchField = v.picklist(externalIdFields);

/** The body of POST /api/<resource>/batch. */
export function batchBody<C extends Body, U extends Body>(create: C, update: U) {
  const operation = v.variant("op", [
    v.strictObject({ op: v.literal("create"), data: create }),
    v.strictObject({ op: v.literal("update"), id: uuid, data: update }),
    v.strictObject({ op: v.literal("upsert"), match: matchField, data: create }),
    v.strictObject({ op: v.literal("delete"), id: uuid }),
  ]);
  return v.strictObject({
    operations: v.pipe(v.array(operation), v.minLength(1), v.maxLength(maxBatchOperations)),
  });
}

/** One operation of a validated batch, whatever the resource. */
export type BatchOperation =
  | { op: "create"; data: Record<string, unknown> }
  | { op: "update"; id: string; data: Record<string, unknown> }
  | { op: "upsert"; match: ExternalIdField; data: Record<string, unknown> }
  | { op: "delete"; id: string };

/**
 * What no item's schema can see: an upsert without the value it matches on, and
 * two operations about one record (one id, one external id value), whose
 * outcome would depend on the order they are applied in. One message per item.
 * Runs on the validated body, or on the raw one when some item is invalid (so
 * that a refusal names every problem at once): it reads only what is well formed.
 */
export function batchConflicts(body: unknown): string[] {
  const operations = (body as { operations?: unknown } | null)?.operations;
  if (!Array.isArray(operations)) return [];
  const problems: string[] = [];
  const byId = new Map<string, number>();
  const byExternalId = new Map<string, number>();
  operations.forEach((operation: unknown, index) => {
    if (typeof operation !== "object" || operation === null) return;
    const { op, id, match, data } = operation as Record<string, unknown>;
    const at = `operations[${index}]`;
    if ((op === "update" || op === "delete") && typeof id === "string") {
      const first = byId.get(id.toLowerCase());
      if (first === undefined) byId.set(id.toLowerCase(), index);
      else
        problems.push(`${at}.id: operations[${first}] is about the same record: a record may appear once in a batch`);
    }
    if (op === "delete" || typeof data !== "object" || data === null) return;
    const fields = data as Record<string, unknown>;
    // Absent or null; a value of another type is the schema's to name.
    const matched = externalIdFields.includes(match as ExternalIdField) ? fields[match as string] : "";
    if (op === "upsert" && (matched === undefined || matched === null)) {
      problems.push(`${at}.data.${match} is required: the upsert matches on it`);
    }
    for (const field of externalIdFields) {
      const value = fields[field];
      if (typeof value !== "string") continue;
      const key = `${field}\u0000${value.trim()}`;
      const first = byExternalId.get(key);
      if (first === undefined) byExternalId.set(key, index);
      else
        problems.push(
          `${at}.data.${field}: operations[${first}] sets the same value: an external id identifies one record`,
        );
    }
  });
  return problems;
}

/** Path parameters of PUT /api/<resource>/by/{field}/{value}. */
export const upsertParams = v.object({
  field: v.pipe(v.string(), v.picklist(externalIdFields, "Invalid field: expected id_crm, id_erp or id_accounting")),
  value: v.pipe(
    v.string(),
    v.minLength(1, "Invalid value: expected 1 to 255 characters"),
    v.maxLength(255, "Invalid value: expected 1 to 255 characters"),
  ),
});

/**
 * The body of an upsert with the path's external id in it: the body may repeat
 * the value, not contradict it (a record cannot be matched on one value and
 * given another).
 */
export function withMatchedValue<T extends Record<string, unknown>>(body: T, field: ExternalIdField, value: string): T {
  const sent = body[field];
  if (sent !== undefined && sent !== value) {
    throw badRequest(`${field}: must equal the value in the path (${value}) or be left out`);
  }
  return { ...body, [field]: value };
}
