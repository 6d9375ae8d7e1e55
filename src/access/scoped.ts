// Authentication folded into the data queries, so that a request costs one
// database round trip, token check included. The token lookup (which tells 401
// from 403, and records when the token was used) travels with the data queries;
// those take their workspace from the token row inside SQL, so a refused token
// reads and writes nothing even though its queries still run.
import { and, arrayOverlaps, eq, gt, isNull, lt, or, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Db } from "../db/client";
import { type ListOrder, nameKey } from "../db/pagination";
import { apiTokens } from "../db/schema";
import {
  databaseError,
  expiredToken,
  idempotencyKeyInProgress,
  idempotencyKeyReused,
  invalidToken,
  lacksPermission,
  revokedToken,
} from "../http/errors";
import {
  type ClaimState,
  claimKey,
  decodeAnswer,
  type IdempotentWrite,
  mayWrite,
  previousAnswer,
  recordAnswer,
} from "./idempotency";
import { type Permission, permissionsGranting } from "./permissions";
import type { WorkspaceRateLimit } from "./rate-limit";

/** Who is asking: what the request's token check and rate limit need. */
export interface Caller {
  db: Db;
  /** SHA-256 of the bearer token: the only form in which the token travels further. */
  tokenHash: string;
  rateLimit: WorkspaceRateLimit | undefined;
  /** Filled in as the request goes, for its log line: */
  workspaceId?: string;
  /** time spent waiting for the database, ms */
  dbMs: number;
  roundTrips: number;
}

export interface Scope {
  /**
   * The workspace of the token, as a SQL subquery for the data queries' WHERE
   * clauses: NULL (so no row matches) unless the token is live and holds every
   * needed permission (and, for a write with an Idempotency-Key, owns the key).
   */
  workspaceId: SQL;
  /** The same condition on api_tokens, for an INSERT … SELECT whose source is the token row. */
  tokenRow: SQL;
}

const tokenIsLive = (tokenHash: string | Placeholder) =>
  and(
    eq(apiTokens.tokenHash, tokenHash),
    isNull(apiTokens.revokedAt),
    or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
  );

function scopeOf(tokenHash: string | Placeholder, needed: readonly Permission[], guard?: SQL): Scope {
  const tokenRow = and(
    tokenIsLive(tokenHash),
    ...needed.map((permission) => arrayOverlaps(apiTokens.permissions, permissionsGranting(permission))),
    guard,
  ) as SQL;
  return { tokenRow, workspaceId: sql`(select ${apiTokens.workspaceId} from ${apiTokens} where ${tokenRow})` };
}

// Records when the token was last used, to the minute (writing it on every
// request would make concurrent requests of one token queue on its row lock),
// as a data-modifying CTE of the token lookup: no statement of its own.
function touchToken(db: Db, tokenHash: string | Placeholder) {
  return db.$with("touch").as(touchUpdate(db, tokenHash).returning({ id: apiTokens.id }));
}

/**
 * The update that records the token's use, at most once a minute, and never
 * waits for it: while a write holds the token row (FOR SHARE, until it commits),
 * the touch is skipped (SKIP LOCKED) rather than making the request queue
 * behind that write. last_used_at is to the minute anyway.
 */
function touchUpdate(db: Db, tokenHash: string | Placeholder) {
  return db
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        tokenIsLive(tokenHash),
        or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
        sql`${apiTokens.id} in (select free.id from ${apiTokens} free where free.token_hash = ${tokenHash}
          for no key update skip locked)`,
      ),
    );
}

/**
 * What tells 401 from 403: the token's state, looked up by hash. Read on every
 * request, so only what is used, in the cheapest form for the driver to parse:
 * the permissions as JSON (JSON.parse) rather than a PostgreSQL array (parsed
 * in JavaScript), the expiry as a boolean rather than a timestamp.
 */
const tokenState = {
  workspaceId: apiTokens.workspaceId,
  permissions: sql<string[]>`to_json(${apiTokens.permissions})`,
  revoked: sql<boolean>`${apiTokens.revokedAt} is not null`,
  expired: sql<boolean>`coalesce(${apiTokens.expiresAt} <= now(), false)`,
};
export type TokenState = {
  workspaceId: string;
  permissions: string[];
  revoked: boolean;
  expired: boolean;
};

/**
 * The token lookup of a write's batch, as two statements: the touch first, then
 * the token row read FOR SHARE. The share lock holds the token as it was found
 * until the write commits: a revocation (an UPDATE of the row) waits for it, so
 * the token cannot be live for the check and revoked for the write's later
 * statements. (The lock cannot go in the touch's statement: a row updated by a
 * CTE of the same statement is skipped by the lock, and the token would look unknown.)
 */
function lockedTokenLookup(db: Db, tokenHash: string) {
  return [
    touchUpdate(db, tokenHash),
    db.select(tokenState).from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).for("share"),
  ] as const;
}

/**
 * Throws the 401 or 403 the token deserves for `needed`, if any; then counts the
 * request against the workspace's rate limit if it was not counted before.
 */
async function admit(
  caller: Caller,
  token: TokenState | undefined,
  needed: readonly Permission[],
  counted: boolean,
  refusable: boolean,
) {
  const refusal = !token ? invalidToken() : token.revoked ? revokedToken() : token.expired ? expiredToken() : undefined;
  if (refusal || !token) {
    caller.rateLimit?.forget(caller.tokenHash);
    throw refusal;
  }
  caller.workspaceId = token.workspaceId;
  await caller.rateLimit?.afterQuery(caller.tokenHash, token.workspaceId, counted, refusable);
  const missing = needed.find((p) => !permissionsGranting(p).some((granted) => token.permissions.includes(granted)));
  if (missing) throw lacksPermission(missing);
}

async function send<T>(caller: Caller, query: Promise<T>, write = false): Promise<T> {
  const started = Date.now();
  caller.roundTrips++;
  try {
    return await query;
  } catch (error) {
    throw databaseError(error, write);
  } finally {
    caller.dbMs += Date.now() - started;
  }
}

/** A batch's statements, by name: their results come back under the same names. */
export type Statements = Record<string, BatchItem<"pg">>;
export type Results<S extends Statements> = { [K in keyof S]: Awaited<S[K]> };

/** Runs the token lookup, then the named statements, in one db.batch: one round trip, one transaction. */
async function runBatch<S extends Statements>(
  caller: Caller,
  before: BatchItem<"pg">[],
  statements: S,
  after: BatchItem<"pg">[],
) {
  const { db, tokenHash } = caller;
  const names = Object.keys(statements);
  const all = await send(
    caller,
    db.batch([
      ...lockedTokenLookup(db, tokenHash),
      ...before,
      ...(Object.values(statements) as BatchItem<"pg">[]),
      ...after,
    ] as [BatchItem<"pg">, ...BatchItem<"pg">[]]),
    true,
  );
  const token = (all[1] as TokenState[])[0];
  const offset = 2 + before.length;
  const results = Object.fromEntries(names.map((name, i) => [name, all[offset + i]])) as Results<S>;
  return { token, before: all.slice(2, offset), results, after: all.slice(offset + names.length) };
}

/**
 * Runs the token check and `build`'s named statements in one request (one
 * transaction), then throws 401/403/429 if the token may not do what `needed`
 * names. Resolves to the statements' results, by name. The token row stays
 * locked (FOR SHARE) from the check to the commit, so every statement sees it
 * as the check did.
 */
export async function runScoped<S extends Statements>(
  caller: Caller,
  needed: Permission | readonly Permission[],
  build: (scope: Scope) => S,
): Promise<Results<S>> {
  const permissions = typeof needed === "string" ? [needed] : needed;
  const counted = (await caller.rateLimit?.beforeQuery(caller.tokenHash)) ?? false;
  const { token, results } = await runBatch(caller, [], build(scopeOf(caller.tokenHash, permissions)), []);
  await admit(caller, token, permissions, counted, false);
  return results;
}

/** What a write that may carry an Idempotency-Key came to. */
export type WriteOutcome<S extends Statements, Row> =
  | { results: Results<S>; replay?: undefined }
  | { replay: { status: 200 | 201; rows: Row[] } };

type Readable = { _: { selectedFields: Record<string, unknown> } } & PromiseLike<unknown[]>;

/**
 * A write that may carry an Idempotency-Key, still in one round trip: the claim
 * on the key and the previous answer are read before the write, and the new
 * answer is recorded after it, in the same transaction (see idempotency.ts).
 * Resolves to the write's results, or to the answer to replay; throws 409 while
 * another request with the key is in flight, 422 if the key was used for
 * another request.
 */
export async function runWrite<S extends Statements, R extends Readable>(
  caller: Caller,
  needed: Permission | readonly Permission[],
  build: (scope: Scope) => S,
  write: IdempotentWrite<(scope: Scope) => R> | undefined,
): Promise<WriteOutcome<S, Awaited<R>[number]>> {
  if (!write) return { results: await runScoped(caller, needed, build) };
  const permissions = typeof needed === "string" ? [needed] : needed;
  const { db, tokenHash } = caller;
  const open = scopeOf(tokenHash, permissions);
  const guarded = scopeOf(tokenHash, permissions, mayWrite);
  const counted = (await caller.rateLimit?.beforeQuery(tokenHash)) ?? false;
  const read = write.read(guarded);
  const { token, before, results } = await runBatch(
    caller,
    [claimKey(db, open.workspaceId, write.key), previousAnswer(db, open.workspaceId, write.key)],
    build(guarded),
    [recordAnswer(db, guarded.tokenRow, { ...write, read: read as unknown as object })],
  );
  await admit(caller, token, permissions, counted, false);
  const [claim, previousRows] = before as [
    { rows: { state: ClaimState }[] },
    { fingerprint: string; statusCode: number; response: Record<string, unknown> }[],
  ];
  const state = claim.rows[0]?.state ?? "refused";
  if (state === "busy") throw idempotencyKeyInProgress();
  if (state === "replay") {
    const [previous] = previousRows;
    if (!previous || previous.fingerprint !== write.fingerprint) throw idempotencyKeyReused();
    // A batch's answer is its rows, in order; a single write's, its record.
    const stored = Array.isArray(previous.response) ? previous.response : [previous.response];
    const rows = stored.map((answer) => decodeAnswer<Awaited<R>[number]>(read._.selectedFields, answer));
    return { replay: { status: previous.statusCode as 200 | 201, rows } };
  }
  return { results };
}

/** A select scopedRead can run. */
type AnySelect = PromiseLike<object[]> & {
  _: { selectedFields: Record<string, unknown> };
  as(alias: string): unknown;
};

/** A select readScoped can run: rows with their sort keys (created_at or updated_at, and id). */
type ScopedSelect = AnySelect & PromiseLike<{ createdAt: Date; updatedAt?: Date; id: string }[]>;

type ScopedRow = TokenState & { row: Record<string, unknown> | null };

/**
 * The single statement of a read: the token row, with the data query joined to
 * it laterally (and the touch of last_used_at as a CTE). Cheaper than a batch
 * (no transaction, one statement instead of three): reads are most of the
 * traffic. Rows come back in the list's order: (created_at, id), or (updated_at, id);
 * a single record's read ("record") needs none.
 */
function scopedRead(
  db: Db,
  tokenHash: string | Placeholder,
  permission: Permission,
  build: (scope: Scope) => AnySelect,
  order: ListOrder | "record",
) {
  const query = build(scopeOf(tokenHash, [permission]));
  // The subquery's columns, as the outer select refers to them ("data"."id", …).
  const data = query.as("data") as unknown as Record<string, PgColumn>;
  const row: Record<string, PgColumn> = {};
  for (const key of Object.keys(query._.selectedFields)) row[key] = data[key] as PgColumn;
  const read = db
    .with(touchToken(db, tokenHash))
    .select({ ...tokenState, row })
    .from(apiTokens)
    .leftJoinLateral(data as never, sql`true`)
    .where(eq(apiTokens.tokenHash, tokenHash));
  if (order === "record") return read;
  return read.orderBy(
    order === "name"
      ? nameKey(data.sortName as PgColumn)
      : ((order === "updated" ? data.updatedAt : data.createdAt) as PgColumn),
    data.id as PgColumn,
  );
}

/** The token check, then the rows: throws 401/403/429 if the token may not read. */
async function admitRows<Q extends AnySelect>(
  caller: Caller,
  permission: Permission,
  counted: boolean,
  rows: ScopedRow[],
): Promise<Awaited<Q>> {
  await admit(caller, rows[0], [permission], counted, true);
  return rows.flatMap((r) => (r.row ? [r.row] : [])) as Awaited<Q>;
}

/** A read in a single statement, token check included (see scopedRead). */
export async function readScoped<Q extends ScopedSelect>(
  caller: Caller,
  permission: Permission,
  build: (scope: Scope) => Q,
  order: ListOrder = "created",
): Promise<Awaited<Q>> {
  const counted = (await caller.rateLimit?.beforeQuery(caller.tokenHash)) ?? false;
  const statement = scopedRead(caller.db, caller.tokenHash, permission, build, order);
  const rows = (await send(caller, statement)) as ScopedRow[];
  return admitRows<Q>(caller, permission, counted, rows);
}

/**
 * A read whose statement never changes shape (a record by id): built once per
 * isolate, with placeholders for the token hash and the id, so that a request
 * only fills in its values. Building a Drizzle query costs more worker CPU than
 * the rest of a GET (docs/performance.md).
 */
export function preparedRead<Q extends AnySelect>(
  name: string,
  permission: Permission,
  build: (db: Db, scope: Scope, id: Placeholder<"id">) => Q,
) {
  const prepared = new WeakMap<Db, { execute(values: Record<string, unknown>): Promise<unknown> }>();
  return async (caller: Caller, id: string): Promise<Awaited<Q>> => {
    const { db, tokenHash } = caller;
    let statement = prepared.get(db);
    if (!statement) {
      const read = (scope: Scope) => build(db, scope, sql.placeholder("id"));
      statement = scopedRead(db, sql.placeholder("tokenHash"), permission, read, "record").prepare(name);
      prepared.set(db, statement);
    }
    const counted = (await caller.rateLimit?.beforeQuery(tokenHash)) ?? false;
    const rows = (await send(caller, statement.execute({ tokenHash, id }))) as ScopedRow[];
    return admitRows<Q>(caller, permission, counted, rows);
  };
}
