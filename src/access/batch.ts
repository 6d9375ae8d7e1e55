// Batch writes and upserts of one resource, in one round trip: the token check,
// one set-based statement per kind of operation (db/batch.ts), and the read of
// every outcome, in one transaction; with an Idempotency-Key, its claim and the
// recorded answer too. Shared by POST /api/<resource>/batch and
// PUT /api/<resource>/by/{field}/{value} (a batch of one upsert).
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { PgColumn, SelectedFields } from "drizzle-orm/pg-core";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import type { Context } from "hono";
import {
  type BatchTable,
  createStatement,
  deleteStatement,
  type Paths,
  raiseRefusals,
  updateStatement,
  upsertStatements,
} from "../db/batch";
import type { Db } from "../db/client";
import type { IfMatch } from "../db/etag";
import type { ExternalIdField } from "../db/external-ids";
import type { BatchOperation } from "../http/batch";
import { ApiError } from "../http/errors";
import { jsonText, okRecord } from "../http/respond";
import { enqueueEvents, transactionEvents } from "../webhooks/dispatch";
import { idempotentWrite } from "./idempotency-key";
import type { Permission } from "./permissions";
import { type Caller, runWrite, type Scope, type Statements } from "./scoped";

/** The columns an outcome's record is found by (its external ids are named in SQL: db/batch.ts). */
interface Keyed {
  id: PgColumn;
  workspaceId: PgColumn;
}

/** A resource written in batches: its table's batch declaration, and how it reads and shows a record. */
export interface BatchResource<Fields extends SelectedFields> {
  batch: BatchTable & { table: Keyed };
  permission: Permission;
  /** The record's fields as a single write answers them (a select list, ETag included). */
  fields: Fields;
  /** The record as a batch answers it: its JSON, built by the database (db/wire.ts wireJson). */
  json: SQL<string>;
  /** What a delete needs besides removing the rows (contacts: unlink their addresses). */
  deleting?: (scope: Scope, p: Paths) => { before?: SQL; refusals?: SQL; deletable?: SQL };
}

/**
 * What an operation came to: its status and the record as the batch left it
 * (none for a delete), as a row (a single write) or as JSON text (a batch).
 */
export interface Outcome<Row> {
  op: BatchOperation["op"];
  status: 200 | 201;
  id: string;
  row?: Row | undefined;
  json?: string | null;
}

/** Items of each kind, numbered by their place in the request. */
function itemsByKind(operations: readonly BatchOperation[]) {
  const deletes: { ord: number; id: string }[] = [];
  const updates: { ord: number; id: string; data: object }[] = [];
  const creates: { ord: number; id: string; data: object }[] = [];
  const upserts = new Map<ExternalIdField, { ord: number; id: string; value: string; data: object }[]>();
  const read: { ord: number; op: string; id: string; field?: string; value?: string }[] = [];
  operations.forEach((operation, ord) => {
    switch (operation.op) {
      case "delete":
        deletes.push({ ord, id: operation.id });
        read.push({ ord, op: "delete", id: operation.id });
        break;
      case "update":
        updates.push({ ord, id: operation.id, data: operation.data });
        read.push({ ord, op: "update", id: operation.id });
        break;
      case "create": {
        const id = crypto.randomUUID();
        creates.push({ ord, id, data: operation.data });
        read.push({ ord, op: "create", id });
        break;
      }
      case "upsert": {
        // The id the record gets if the upsert creates it: an outcome whose record has it was created.
        const id = crypto.randomUUID();
        const value = operation.data[operation.match] as string;
        const items = upserts.get(operation.match) ?? [];
        items.push({ ord, id, value, data: operation.data });
        upserts.set(operation.match, items);
        read.push({ ord, op: "upsert", id, field: operation.match, value });
        break;
      }
    }
  });
  return { deletes, updates, creates, upserts, read };
}

/**
 * Every operation's outcome, in request order: the record created, updated or
 * upserted (found by id, or by the external id an upsert matched), and its status.
 */
function outcomes<Fields extends SelectedFields>(
  db: Db,
  resource: BatchResource<Fields>,
  scope: Scope,
  items: ReturnType<typeof itemsByKind>["read"],
  p: Paths,
) {
  const t = resource.batch.table;
  // The record of each item, by an equality on its id (an index lookup whatever
  // the statistics say): an upsert's is found first by the value it matched on.
  const matched = (field: ExternalIdField) =>
    sql`when ${field} then (select x.id from ${t} x where x.workspace_id = ${scope.workspaceId} and x.${sql.raw(field)} = i.value)`;
  const recordId = sql`case when i.op in ('create', 'update') then i.id else case i.field
    ${matched("id_crm")} ${matched("id_erp")} ${matched("id_accounting")} end end`;
  return (
    db
      .select({
        // A batch's records as JSON text, passed through to the answer: mapping a
        // thousand rows field by field was the largest part of a batch's CPU.
        ...(p.single
          ? resource.fields
          : { recordId: sql<string | null>`${t.id}`.as("record_id"), json: resource.json.as("record_json") }),
        ord: sql<number>`i.ord`.as("ord"),
        itemId: sql<string>`i.id`.as("item_id"),
        status: sql<
          200 | 201
        >`case when i.op = 'create' or (i.op = 'upsert' and ${t.id} = i.id) then 201 else 200 end`.as("outcome_status"),
      })
      .from(
        sql`jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as i(ord int, op text, id uuid, field text, value text)`,
      )
      // `= any(array[…])`, not `=`: a join condition no hash join can use, so each
      // item's record is a primary-key lookup even when the statistics think the
      // table small (a hash join would read the whole workspace).
      .leftJoin(t as never, and(eq(t.workspaceId, scope.workspaceId), sql`${t.id} = any(array[${recordId}])`))
      .orderBy(sql`i.ord`)
  );
}

/**
 * Applies the operations all or none, in one round trip; throws the refusal
 * (401/403/429, 400/404/409 naming every refused item, 409/422 for the
 * Idempotency-Key). Resolves to one outcome per operation, in request order,
 * and whether the answer is a replay.
 */
export async function writeBatch<Fields extends SelectedFields>(
  c: Context,
  caller: Caller,
  resource: BatchResource<Fields>,
  operations: readonly BatchOperation[],
  p: Paths,
  /** A single PATCH's or DELETE's If-Match */
  condition?: IfMatch,
): Promise<{ outcomes: Outcome<SelectResultFields<Fields>>[]; replayed: boolean }> {
  type Row = SelectResultFields<Fields> & { id: string | null };
  const { db } = caller;
  const t = resource.batch;
  const items = itemsByKind(operations);
  const read = (scope: Scope) => outcomes(db, resource, scope, items.read, p);
  const key = await idempotentWrite(c, operations, { status: 200, read });
  // Applied in this order: deletes, updates, upserts, creates (docs/api.md).
  const statements = (scope: Scope): Statements => {
    const w = scope.workspaceId;
    const s: Statements = {};
    if (items.deletes.length) {
      s.deletes = db.execute(deleteStatement(t, w, items.deletes, p, resource.deleting?.(scope, p), condition));
    }
    if (items.updates.length) s.updates = db.execute(updateStatement(t, w, items.updates, p, condition));
    for (const [field, upserts] of items.upserts) {
      const [insert, update] = upsertStatements(t, w, field, upserts, p);
      s[`upserts_${field}_new`] = db.execute(insert);
      s[`upserts_${field}_found`] = db.execute(update);
    }
    if (items.creates.length) s.creates = db.execute(createStatement(t, w, items.creates, p));
    s.refusals = db.execute(raiseRefusals());
    // The events this write recorded, for the webhooks (only if the workspace has an enabled endpoint).
    s.webhookEvents = transactionEvents(db, w);
    return s;
  };
  const outcome = await runWrite(
    caller,
    resource.permission,
    (scope) => ({ ...statements(scope), outcomes: read(scope) }),
    key,
  ).catch((error: unknown) => {
    // A single write answers its refusal as the other single writes do: one message, no list.
    if (p.single && error instanceof ApiError && error.errors) {
      throw new ApiError(error.status, error.errors[0] ?? error.message, error.headers);
    }
    throw error;
  });
  if (!outcome.replay) enqueueEvents(c, (outcome.results as Record<string, unknown>).webhookEvents);
  const rows = (outcome.replay ? outcome.replay.rows : outcome.results.outcomes) as unknown as (Row & {
    ord: number;
    itemId: string;
    status: 200 | 201;
    recordId?: string | null;
    json?: string | null;
  })[];
  return {
    replayed: outcome.replay !== undefined,
    outcomes: rows.map((row) => {
      const op = operations[row.ord]?.op ?? "delete";
      if (op === "delete") return { op, status: 200 as const, id: row.itemId };
      const id = (p.single ? row.id : row.recordId) ?? row.itemId;
      return p.single
        ? { op, status: row.status, id, row: row as SelectResultFields<Fields> }
        : { op, status: row.status, id, json: row.json ?? null };
    }),
  };
}

/** One result of a batch, as the answer shows it. */
export type BatchResult<Out> =
  | { op: "create" | "update" | "upsert"; status: 200 | 201; id: string; data: Out }
  | { op: "delete"; status: 200; id: string; deleted: true };

/**
 * POST …/batch: 200 and one result per operation, in request order. The body is
 * put together from the records' JSON as the database wrote it (ids and ops are
 * uuids and fixed words, which need no escaping).
 */
export function answerBatch<Out>(c: Context, result: { outcomes: Outcome<unknown>[]; replayed: boolean }) {
  if (result.replayed) c.header("Idempotent-Replayed", "true");
  const data = result.outcomes.map(({ op, status, id, json }) => {
    if (op === "delete") return `{"op":"delete","status":200,"id":"${id}","deleted":true}`;
    if (!json) throw new Error(`a batch's ${op} has no record`);
    return `{"op":"${op}","status":${status},"id":"${id}","data":${json}}`;
  });
  return jsonText<{ success: true; data: BatchResult<Out>[] }>(c, `{"success":true,"data":[${data.join(",")}]}`);
}

/** A single write (POST, PATCH, PUT …/by/…): 201 with Location when it created the record, else 200; with its ETag. */
export function answerRecord<Row extends { etag: string }, Out>(
  c: Context,
  result: { outcomes: Outcome<Row>[]; replayed: boolean },
  serialize: (row: Row) => Out,
  location: (id: string) => string,
) {
  const [outcome] = result.outcomes;
  if (!outcome?.row) throw new Error("a single write's outcome has no record");
  if (result.replayed) c.header("Idempotent-Replayed", "true");
  if (outcome.status === 201) c.header("Location", location(outcome.id));
  return okRecord(c, serialize(outcome.row), outcome.row.etag, outcome.status);
}
