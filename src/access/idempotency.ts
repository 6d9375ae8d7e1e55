// Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header, in Stripe's
// manner), inside the write's own batch so that it costs no extra round trip:
//
// 1. claim: a transaction-local setting records what this request may do, under
//    a transaction-scoped advisory lock on (workspace, key):
//      'busy'    another request with the key is in flight (the lock is taken) → 409
//      'replay'  a live record of the key exists → its answer is sent again, nothing is written
//      'owner'   this request writes, and records its answer
// 2. every write's workspace condition also requires 'owner' (Scope.workspaceId),
//    so a replay or a concurrent request writes nothing;
// 3. record: the answer (the record as the answer's select returns it) is stored
//    with the request's fingerprint, only if this transaction wrote that record.
import { type AnyColumn, Column, is, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Db } from "../db/client";
import { insertSelectFields } from "../db/insert-select";
import { apiTokens, idempotencyKeys } from "../db/schema";

/** How long a key's answer is kept. */
export const idempotencyWindowHours = 24;

/** The request's right to write, as the claim set it; 'owner' when there is no key. */
const state = sql`coalesce(nullif(current_setting('qwoty.idempotency', true), ''), 'owner')`;

/** Part of every write's workspace condition: only the owner of a key writes. */
export const mayWrite = sql`${state} = 'owner'`;

export type ClaimState = "owner" | "busy" | "replay" | "refused";

export interface IdempotentWrite<Read> {
  key: string;
  /** SHA-256 of method, path and validated body */
  fingerprint: string;
  /** the answer's status: 201 for a create, 200 for an update */
  status: 200 | 201;
  /**
   * The table and id of the record the request writes: the answer is recorded
   * only if this transaction wrote that row. Left out for a batch, whose every
   * refusal rolls the transaction back: its answer is all the rows of `read`.
   */
  table?: { id: AnyColumn } & object;
  id?: string;
  /** the select that answers the request, from which the record's answer is stored */
  read: Read;
}

/** Sets the request's claim on its key. `workspaceId` is the token's workspace without the owner guard. */
export function claimKey(db: Db, workspaceId: SQL, key: string) {
  return db.execute<{ state: ClaimState }>(sql`select set_config('qwoty.idempotency', case
    when ${workspaceId} is null then 'refused'
    when not pg_try_advisory_xact_lock(hashtextextended(${workspaceId}::text || ':' || ${key}, 0)) then 'busy'
    when exists (select 1 from ${idempotencyKeys} k where k.workspace_id = ${workspaceId} and k.key = ${key}
                 and k.expires_at > now()) then 'replay'
    else 'owner' end, true) as state`);
}

/** The live record of the key, if any (read after the claim). */
export function previousAnswer(db: Db, workspaceId: SQL, key: string) {
  return db
    .select({
      fingerprint: idempotencyKeys.fingerprint,
      statusCode: idempotencyKeys.statusCode,
      response: idempotencyKeys.response,
    })
    .from(idempotencyKeys)
    .where(
      sql`${idempotencyKeys.workspaceId} = ${workspaceId} and ${idempotencyKeys.key} = ${key} and ${idempotencyKeys.expiresAt} > now()`,
    );
}

/**
 * Stores the answer for the key, if this transaction wrote the record (its row
 * version carries this transaction's id). An expired record of the key is replaced.
 */
export function recordAnswer(db: Db, tokenRow: SQL, write: IdempotentWrite<SQL.Aliased | object>) {
  const wrote = write.table
    ? sql`exists (select 1 from ${write.table} written where written.id = ${write.id}
    and written.xmin = pg_current_xact_id()::xid)`
    : sql`true`;
  const response = write.table
    ? sql`(select to_jsonb(answer) from (${write.read}) answer)`
    : sql`(select coalesce(jsonb_agg(to_jsonb(answer)), '[]'::jsonb) from (${write.read}) answer)`;
  const fields = insertSelectFields(
    idempotencyKeys,
    { key: write.key, fingerprint: write.fingerprint, statusCode: write.status },
    {
      workspaceId: apiTokens.workspaceId,
      response,
      expiresAt: sql`now() + make_interval(hours => ${idempotencyWindowHours})`,
    },
  );
  return db
    .insert(idempotencyKeys)
    .select(db.select(fields).from(apiTokens).where(sql`${tokenRow} and ${mayWrite} and ${wrote}`) as never)
    .onConflictDoUpdate({
      target: [idempotencyKeys.workspaceId, idempotencyKeys.key],
      set: {
        fingerprint: sql`excluded.fingerprint`,
        statusCode: sql`excluded.status_code`,
        response: sql`excluded.response`,
        createdAt: sql`excluded.created_at`,
        expiresAt: sql`excluded.expires_at`,
      },
      setWhere: sql`${idempotencyKeys.expiresAt} <= now()`,
    });
}

/**
 * A stored answer back into the row type of the select that produced it:
 * to_jsonb keyed the columns by their SQL names, and timestamps became strings.
 */
export function decodeAnswer<Row>(selectedFields: Record<string, unknown>, stored: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(selectedFields)) {
    if (is(field, Column)) {
      const value = stored[(field as PgColumn).name];
      row[key] =
        (field as PgColumn).columnType === "PgTimestamp" && typeof value === "string" ? new Date(value) : value;
    } else {
      row[key] = stored[(field as SQL.Aliased).fieldAlias];
    }
  }
  return row as Row;
}
