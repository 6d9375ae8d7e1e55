// Row → token object: what Qwoty's token list shows, plus permissions and a hint.
import type { Permission } from "../access/permissions";
import { isoTimestamp } from "../lib/time";
import type { TokenObject } from "./object";
import type { selectToken } from "./queries";

export type TokenRow = Awaited<ReturnType<typeof selectToken>>[number];

export function serializeToken(row: TokenRow): TokenObject {
  return {
    id: row.id,
    name: row.name,
    // Only values of the picklist are ever stored (the body schema checks them).
    permissions: row.permissions as Permission[],
    token_hint: row.tokenHint,
    created_at: isoTimestamp(row.createdAt),
    expires_at: row.expiresAt ? isoTimestamp(row.expiresAt) : null,
    last_used_at: row.lastUsedAt ? isoTimestamp(row.lastUsedAt) : null,
  };
}
