// Strong ETags computed by the database from what an answer is made of: the
// record's id and updated_at (which moves on every change of its columns) and,
// for records that show linked ids, those ids in order. Two answers with the
// same ETag are byte-identical, as a strong validator requires, and the check
// of If-Match happens in SQL, in the write's own transaction, with no window
// between the check and the write. The worker hashes nothing.
import { type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

// Bumped when the serialised form of a record changes (a field added, a format
// changed), so that no client keeps a validator of the old representation.
const representation = "v1";

/**
 * `"<22 base64url characters>"`: MD5 (a validator, not a secret) of the parts.
 * Each part is text; NULL parts are not allowed (coalesce them).
 */
export function etagOf(parts: SQL[]): SQL<string> {
  const joined = sql.join([sql.raw(`'${representation}'`), ...parts], sql`, `);
  return sql<string>`'"' || translate(encode(decode(md5(concat_ws(':', ${joined})), 'hex'), 'base64'), '+/=', '-_') || '"'`;
}

/** The version of a row: its id and updated_at, to the microsecond. */
export const rowVersion = (table: { id: PgColumn; updatedAt: PgColumn }): SQL[] => [
  sql`${table.id}::text`,
  sql`extract(epoch from ${table.updatedAt})::text`,
];

/** What If-Match asks of a write: the tags the record must still have, and the refusal's message. */
export interface IfMatch {
  tags: readonly string[];
  message: string;
}

/**
 * The If-Match check of a write, for the select list of the statement that
 * locks the target row: `api_require` raises QW412 if the row's ETag is not one
 * of the tags. The raise aborts the whole batch, so nothing of the write
 * happens; when the row does not exist (or is not in scope) nothing is raised
 * and the write's own statements find nothing: 404. Without If-Match: true.
 */
export function requireEtag(etag: SQL, ifMatch: IfMatch | undefined): SQL<boolean> {
  if (!ifMatch) return sql<boolean>`true`;
  return sql<boolean>`api_require(${etag} = any(${sql.param(ifMatch.tags)}::text[]), 'QW412', ${ifMatch.message})`;
}
