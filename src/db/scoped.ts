// Authentication folded into the data queries, so that a request costs one
// database round trip, token check included. Every batch starts with the token
// lookup (which tells 401 from 403, and records when the token was used); every
// data query then takes its workspace from the token row inside SQL, so a
// refused token reads and writes nothing even though its queries still run.
import { and, arrayOverlaps, eq, gt, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { PgColumn } from "drizzle-orm/pg-core";
import { type Permission, permissionsGranting } from "../auth/permissions";
import { ApiError, databaseError } from "../http/errors";
import type { Db } from "./client";
import { apiTokens } from "./schema";

const tokenIsLive = (tokenHash: string) =>
  and(
    eq(apiTokens.tokenHash, tokenHash),
    isNull(apiTokens.revokedAt),
    or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
  );

export interface Scope {
  /**
   * The workspace of the token, as a SQL subquery for the data queries' WHERE
   * clauses: NULL (so no row matches) unless the token is live and holds every
   * needed permission.
   */
  workspaceId: SQL;
  /** The same condition on api_tokens, for an INSERT … SELECT whose source is the token row. */
  tokenRow: SQL;
}

function scopeOf(tokenHash: string, needed: readonly Permission[]): Scope {
  const tokenRow = and(
    tokenIsLive(tokenHash),
    ...needed.map((permission) => arrayOverlaps(apiTokens.permissions, permissionsGranting(permission))),
  ) as SQL;
  return {
    tokenRow,
    workspaceId: sql`(select ${apiTokens.workspaceId} from ${apiTokens} where ${tokenRow})`,
  };
}

// Records when the token was last used, to the minute (writing it on every
// request would make concurrent requests of one token queue on its row lock),
// as a data-modifying CTE of the token lookup: no statement of its own.
function touchToken(db: Db, tokenHash: string) {
  return db.$with("touch").as(
    db
      .update(apiTokens)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          tokenIsLive(tokenHash),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
        ),
      )
      .returning({ id: apiTokens.id }),
  );
}

/** What tells 401 from 403: the token's permissions and state, looked up by hash. */
const tokenState = {
  permissions: apiTokens.permissions,
  revoked: sql<boolean>`${apiTokens.revokedAt} is not null`,
  expired: sql<boolean>`coalesce(${apiTokens.expiresAt} <= now(), false)`,
};

function tokenLookup(db: Db, tokenHash: string) {
  return db
    .with(touchToken(db, tokenHash))
    .select(tokenState)
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, tokenHash));
}

/** Throws the 401 or 403 a token deserves for `needed`, if any. */
function checkToken(
  token: { permissions: string[]; revoked: boolean; expired: boolean } | undefined,
  needed: readonly Permission[],
) {
  if (!token) throw invalidToken("Invalid API token");
  if (token.revoked) throw invalidToken("API token has been revoked");
  if (token.expired) throw invalidToken("API token has expired");
  const missing = needed.find((p) => !permissionsGranting(p).some((granted) => token.permissions.includes(granted)));
  if (missing) throw new ApiError(403, `This API token lacks the ${missing} permission`);
}

const invalidToken = (message: string) =>
  new ApiError(401, message, { "WWW-Authenticate": 'Bearer error="invalid_token"' });

/**
 * Runs the token check and `build`'s queries in one request (one transaction),
 * then throws 401/403 if the token may not do what `needed` names. Resolves to
 * the results of `build`'s queries, in order.
 */
export async function runScoped<T extends readonly [BatchItem<"pg">, ...BatchItem<"pg">[]]>(
  db: Db,
  tokenHash: string,
  needed: Permission | readonly Permission[],
  build: (scope: Scope) => T,
): Promise<BatchResponse<T>> {
  const permissions = typeof needed === "string" ? [needed] : needed;
  const queries = build(scopeOf(tokenHash, permissions));
  let results: unknown[];
  try {
    results = await db.batch([tokenLookup(db, tokenHash), ...queries]);
  } catch (error) {
    throw databaseError(error);
  }
  checkToken((results[0] as Awaited<ReturnType<typeof tokenLookup>>)[0], permissions);
  return results.slice(1) as unknown as BatchResponse<T>;
}

/** A select readScoped can run: rows with a created_at and an id, by which they are ordered. */
type ScopedSelect = PromiseLike<{ createdAt: Date; id: string }[]> & {
  _: { selectedFields: Record<string, unknown> };
  as(alias: string): unknown;
};

/**
 * A read in a single statement, token check included: the token row, with the
 * data query joined to it laterally. Cheaper than a batch (no transaction, one
 * statement instead of three): reads are most of the traffic. Rows come back in
 * (created_at, id) order, as every list is sorted.
 */
export async function readScoped<Q extends ScopedSelect>(
  db: Db,
  tokenHash: string,
  permission: Permission,
  build: (scope: Scope) => Q,
): Promise<Awaited<Q>> {
  const query = build(scopeOf(tokenHash, [permission]));
  // The subquery's columns, as the outer select refers to them ("data"."id", …).
  const data = query.as("data") as unknown as Record<string, PgColumn>;
  const row: Record<string, PgColumn> = {};
  for (const key of Object.keys(query._.selectedFields)) row[key] = data[key] as PgColumn;
  let rows: { permissions: string[]; revoked: boolean; expired: boolean; row: Record<string, unknown> | null }[];
  try {
    rows = await db
      .with(touchToken(db, tokenHash))
      .select({ ...tokenState, row })
      .from(apiTokens)
      .leftJoinLateral(data as never, sql`true`)
      .where(eq(apiTokens.tokenHash, tokenHash))
      .orderBy(data.createdAt as PgColumn, data.id as PgColumn);
  } catch (error) {
    throw databaseError(error);
  }
  checkToken(rows[0], [permission]);
  return rows.flatMap((r) => (r.row ? [r.row] : [])) as Awaited<Q>;
}
