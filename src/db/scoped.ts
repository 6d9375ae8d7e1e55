// Authentication folded into the data queries, so that a request costs one
// database round trip, token check included. Every batch starts with the token
// lookup (which tells 401 from 403) and the throttled last-used update; every
// data query then takes its workspace from the token row inside SQL, so a
// refused token reads and writes nothing even though its queries still run.
import { and, arrayOverlaps, eq, gt, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
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

function tokenLookup(db: Db, tokenHash: string) {
  return db
    .select({
      permissions: apiTokens.permissions,
      revoked: sql<boolean>`${apiTokens.revokedAt} is not null`,
      expired: sql<boolean>`coalesce(${apiTokens.expiresAt} <= now(), false)`,
    })
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, tokenHash));
}

// last_used_at is kept to the minute: writing it on every request would make
// concurrent requests of one token queue on its row lock.
function touchToken(db: Db, tokenHash: string) {
  return db
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        tokenIsLive(tokenHash),
        or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
      ),
    );
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
    results = await db.batch([tokenLookup(db, tokenHash), touchToken(db, tokenHash), ...queries]);
  } catch (error) {
    throw databaseError(error);
  }
  const [token] = results[0] as Awaited<ReturnType<typeof tokenLookup>>;
  if (!token) throw invalidToken("Invalid API token");
  if (token.revoked) throw invalidToken("API token has been revoked");
  if (token.expired) throw invalidToken("API token has expired");
  const missing = permissions.find(
    (p) => !permissionsGranting(p).some((granted) => token.permissions.includes(granted)),
  );
  if (missing) throw new ApiError(403, `This API token lacks the ${missing} permission`);
  return results.slice(2) as unknown as BatchResponse<T>;
}
