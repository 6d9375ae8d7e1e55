// Row → token object: what Qwoty's token list shows, plus permissions and a hint.
import { isoTimestamp } from "../lib/time";
import type { selectToken } from "./queries";

export type TokenRow = Awaited<ReturnType<typeof selectToken>>[number];

export function serializeToken(row: TokenRow) {
  return {
    id: row.id,
    name: row.name,
    permissions: row.permissions,
    token_hint: row.tokenHint,
    created_at: isoTimestamp(row.createdAt),
    expires_at: row.expiresAt ? isoTimestamp(row.expiresAt) : null,
    last_used_at: row.lastUsedAt ? isoTimestamp(row.lastUsedAt) : null,
  };
}
