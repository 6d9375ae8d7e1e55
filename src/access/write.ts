// The choreography every write of a record shares, once: the token check and the
// write's named statements in one batch (with the Idempotency-Key's claim and
// record when the request carries one), then the replay, the refusal the
// results explain, 404, and the answer with the record as GET shows it.
import type { AnyColumn } from "drizzle-orm";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Db } from "../db/client";
import type { ApiError } from "../http/errors";
import { okRecord, replayedRecord } from "../http/respond";
import { idempotentWrite } from "./idempotency-key";
import type { Permission } from "./permissions";
import { type Caller, type Results, runWrite, type Scope, type Statements } from "./scoped";

/** The select that answers a write: the record as GET shows it, with its ETag. */
type RecordSelect<Row> = PromiseLike<Row[]> & { _: { selectedFields: Record<string, unknown> } };

export interface RecordWrite<S extends Statements, Row extends { id: string; etag: string }, Out, Status> {
  permission: Permission | readonly Permission[];
  /** The validated body: with an Idempotency-Key, part of the request's fingerprint. */
  input: unknown;
  /** The write's statements, by name (their results come back by the same names). */
  statements: (db: Db, scope: Scope) => S;
  /** The record, read after the statements in the same transaction. */
  read: (db: Db, scope: Scope) => RecordSelect<Row>;
  /**
   * Honour an Idempotency-Key: the table and id of the record written. Left out
   * for a request that writes nothing (a PATCH with nothing to change).
   */
  idempotency?: { table: { id: AnyColumn } & object; id: string };
  /** Why nothing was written, told from the results (undefined: the record, or 404). */
  refusal?: (results: Results<S>, row: Row | undefined) => ApiError | undefined;
  notFound: () => ApiError;
  status: Status;
  serialize: (row: Row) => Out;
  /** The record's URL, for the Location of a 201. */
  location: (id: string) => string;
}

export async function writeRecord<
  S extends Statements,
  Row extends { id: string; etag: string },
  Out,
  Status extends 200 | (201 & ContentfulStatusCode),
>(c: Context, caller: Caller, w: RecordWrite<S, Row, Out, Status>) {
  const { db } = caller;
  const read = (scope: Scope) => w.read(db, scope);
  const key = w.idempotency
    ? await idempotentWrite(c, w.input, { status: w.status, ...w.idempotency, read })
    : undefined;
  const outcome = await runWrite(
    caller,
    w.permission,
    (scope) => ({ ...w.statements(db, scope), record: read(scope) }),
    key,
  );
  if (outcome.replay) {
    const { rows, status } = outcome.replay;
    const [row] = rows as [Row];
    return replayedRecord(c, w.serialize(row), row.etag, status as Status, w.location(row.id));
  }
  const { results } = outcome;
  const [row] = results.record as Row[];
  const refusal = w.refusal?.(results, row);
  if (refusal) throw refusal;
  if (!row) throw w.notFound();
  if (w.status === 201) c.header("Location", w.location(row.id));
  return okRecord(c, w.serialize(row), row.etag, w.status);
}
