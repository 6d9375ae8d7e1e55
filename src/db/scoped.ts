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

/** The workspace id of a live token holding `permission`, as a SQL subquery (NULL otherwise). */
export function workspaceOfToken(tokenHash: string, permission: Permission): SQL {
  return sql`(select ${apiTokens.workspaceId} from ${apiTokens} where ${and(
    tokenIsLive(tokenHash),
    arrayOverlaps(apiTokens.permissions, permissionsGranting(permission)),
  )})`;
}

function tokenLookup(db: Db, tokenHash: string) {
  return db
    .select({
      workspaceId: apiTokens.workspaceId,
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

export interface Scope {
  /** The token's workspace, as a SQL subquery for the data queries' WHERE clauses. */
  workspaceId: SQL;
}

/**
 * Runs the token check and `build`'s queries in one request (one transaction),
 * then throws 401/403 if the token may not do `permission`. Resolves to the
 * results of `build`'s queries, in order.
 */
export async function runScoped<T extends readonly [BatchItem<"pg">, ...BatchItem<"pg">[]]>(
  db: Db,
  tokenHash: string,
  permission: Permission,
  build: (scope: Scope) => T,
): Promise<BatchResponse<T>> {
  const queries = build({ workspaceId: workspaceOfToken(tokenHash, permission) });
  let results: unknown[];
  try {
    results = await db.batch([tokenLookup(db, tokenHash), touchToken(db, tokenHash), ...queries]);
  } catch (error) {
    throw databaseError(error);
  }
  const [token] = results[0] as Awaited<ReturnType<typeof tokenLookup>>;
  if (!token) throw new ApiError(401, "Invalid API token", { "WWW-Authenticate": 'Bearer error="invalid_token"' });
  if (token.revoked) {
    throw new ApiError(401, "API token has been revoked", { "WWW-Authenticate": 'Bearer error="invalid_token"' });
  }
  if (token.expired) {
    throw new ApiError(401, "API token has expired", { "WWW-Authenticate": 'Bearer error="invalid_token"' });
  }
  if (!permissionsGranting(permission).some((p) => token.permissions.includes(p))) {
    throw new ApiError(403, `This API token lacks the ${permission} permission`);
  }
  return results.slice(2) as unknown as BatchResponse<T>;
}
