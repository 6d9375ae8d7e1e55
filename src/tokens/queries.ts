// The workspace's API tokens. Only hashes are stored; the secret of a new token
// exists only in the answer to its creation.
import { and, arrayContains, asc, eq, isNull, sql } from "drizzle-orm";
import type { Scope } from "../access/scoped";
import type { Db } from "../db/client";
import { insertSelectFields } from "../db/insert-select";
import { apiTokens } from "../db/schema";

export const tokenFields = {
  id: apiTokens.id,
  name: apiTokens.name,
  permissions: apiTokens.permissions,
  tokenHint: apiTokens.tokenHint,
  createdAt: apiTokens.createdAt,
  expiresAt: apiTokens.expiresAt,
  lastUsedAt: apiTokens.lastUsedAt,
};

const live = (scope: Scope) => and(eq(apiTokens.workspaceId, scope.workspaceId), isNull(apiTokens.revokedAt));

/** The workspace's tokens that have not been revoked, oldest first. */
export function listTokens(db: Db, scope: Scope) {
  return db.select(tokenFields).from(apiTokens).where(live(scope)).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

export function selectToken(db: Db, scope: Scope, id: string) {
  return db
    .select(tokenFields)
    .from(apiTokens)
    .where(and(live(scope), eq(apiTokens.id, id)));
}

export interface NewToken {
  id: string;
  name: string;
  tokenHash: string;
  tokenHint: string;
  permissions: string[];
  /** undefined: expire with the creating token */
  expiresAt: Date | null | undefined;
}

/**
 * Inserts the token into the caller's workspace, its source being the caller's
 * own token row: only if that token may manage tokens, holds every permission it
 * grants, and does not expire before the new token would. Without an expiry of
 * its own, the new token takes the creator's.
 */
export function insertToken(db: Db, scope: Scope, token: NewToken) {
  const { expiresAt, ...values } = token;
  const expiry =
    expiresAt === undefined
      ? apiTokens.expiresAt
      : expiresAt === null
        ? sql`null::timestamptz`
        : sql`${expiresAt.toISOString()}::timestamptz`;
  return db
    .insert(apiTokens)
    .select(
      db
        .select(insertSelectFields(apiTokens, values, { workspaceId: apiTokens.workspaceId, expiresAt: expiry }))
        .from(apiTokens)
        .where(
          and(
            scope.tokenRow,
            arrayContains(apiTokens.permissions, token.permissions),
            sql`(${apiTokens.expiresAt} is null or ${expiry} <= ${apiTokens.expiresAt})`,
          ),
        ) as never,
    )
    .returning({ id: apiTokens.id });
}

/** The creating token's permissions and expiry, to explain a refused creation. */
export function creatorToken(db: Db, scope: Scope) {
  return db
    .select({ permissions: apiTokens.permissions, expiresAt: apiTokens.expiresAt })
    .from(apiTokens)
    .where(scope.tokenRow);
}

/** Revocation takes effect on the token's next request: every request checks revoked_at in SQL. */
export function revokeToken(db: Db, scope: Scope, id: string) {
  return db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(live(scope), eq(apiTokens.id, id)))
    .returning({ id: apiTokens.id });
}
