// The operations that write a resource's records by external id or in bulk,
// declared alike for contacts, customers and addresses:
//   PUT  /api/<resource>/by/{field}/{value}  upsert one record by external id
//   POST /api/<resource>/batch               up to 1000 operations, all or none
// Both run on access/batch.ts (an upsert is a batch of one); what differs per
// resource is its batch declaration (src/<resource>/queries.ts) and its bodies.
import type { SelectedFields } from "drizzle-orm/pg-core";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import { answerBatch, answerRecord, type BatchResource, writeBatch } from "./access/batch";
import type { ExternalIdField } from "./db/external-ids";
import {
  type BatchOperation,
  batchBody,
  batchConflicts,
  maxBatchBodyBytes,
  upsertParams,
  withMatchedValue,
} from "./http/batch";
import { type ObjectName, operation } from "./operation";

type Body = Parameters<typeof batchBody>[0];

interface Resource<P extends string, O extends ObjectName, Fields extends SelectedFields, Out, C extends Body> {
  /** the path segment: "contacts" */
  plural: P;
  object: O;
  tag: string;
  thing: string;
  createBody: C;
  updateBody: Body;
  writes: BatchResource<Fields>;
  serialize: (row: SelectResultFields<Fields>) => Out;
  location: (id: string) => string;
}

/** PUT /api/<resource>/by/{field}/{value}: 201 and Location if it created the record, else 200. */
export function upsertOperation<
  const P extends string,
  const O extends ObjectName,
  Fields extends SelectedFields,
  Out,
  C extends Body,
>(r: Resource<P, O, Fields, Out, C>) {
  return operation(
    {
      method: "put",
      path: `/api/${r.plural}/by/:field/:value` as `/api/${P}/by/:field/:value`,
      operationId: `upsert${r.object}` as `upsert${O}`,
      tag: r.tag,
      permission: r.writes.permission,
      thing: r.thing,
      params: upsertParams,
      body: r.createBody,
      headers: ["Idempotency-Key"],
      success: { status: 201, kind: "upserted", object: r.object },
      refusals: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
    } as const,
    // The casts: inside a function generic over the body, TypeScript cannot
    // resolve the validated inputs' types nor see that the record has its ETag.
    async (c) => {
      const { field, value } = c.req.valid("param") as { field: ExternalIdField; value: string };
      const data = withMatchedValue(c.req.valid("json" as never) as Record<string, unknown>, field, value);
      const result = await writeBatch(c, c.get("caller"), r.writes, [{ op: "upsert", match: field, data }], {
        single: true,
      });
      return answerRecord<{ etag: string }, Out>(c, result as never, r.serialize as never, r.location);
    },
  );
}

/** POST /api/<resource>/batch: one result per operation, in request order. */
export function batchOperation<
  const P extends string,
  const O extends ObjectName,
  Fields extends SelectedFields,
  Out,
  C extends Body,
>(r: Resource<P, O, Fields, Out, C>) {
  return operation(
    {
      method: "post",
      path: `/api/${r.plural}/batch` as `/api/${P}/batch`,
      operationId: `batch${r.plural.charAt(0).toUpperCase()}${r.plural.slice(1)}` as `batch${Capitalize<P>}`,
      tag: r.tag,
      permission: r.writes.permission,
      body: batchBody(r.createBody, r.updateBody),
      bodyLimit: maxBatchBodyBytes,
      across: batchConflicts,
      headers: ["Idempotency-Key"],
      success: { status: 200, kind: "batch", object: r.object },
      refusals: [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    } as const,
    async (c) => {
      const { operations } = c.req.valid("json" as never) as { operations: BatchOperation[] };
      const result = await writeBatch(c, c.get("caller"), r.writes, operations, { single: false });
      return answerBatch<Out>(c, result);
    },
  );
}

/** The API reference's words for a resource's upsert (see Documentation). */
export function upsertDocs(record: string, rules = "") {
  return {
    summary: `Create or update a ${record} by external id`,
    description:
      `The ${record} whose \`field\` (id_crm, id_erp or id_accounting) is \`value\`: created from the body if there is none (201, Location), else updated with the body's fields (200). The body is a create body; it may repeat the value, not contradict it. Concurrent upserts of one value end in one ${record}. ${rules}`.trim(),
  };
}

/** The API reference's words for a resource's batch (see Documentation). */
export function batchDocs(records: string) {
  return {
    summary: `Create, update, upsert and delete ${records} in one request`,
    description:
      "Up to 1000 operations, applied all or none in one transaction (deletes, then updates, upserts, creates); the answer lists each one's outcome in request order. A refused batch changes nothing and names every refused operation in `errors`. Counts as one request for the rate limit.",
  };
}
