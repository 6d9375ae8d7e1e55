// Ids are PostgreSQL `uuid` values. The API accepts exactly what PostgreSQL's
// uuid input accepts (any version or variant, upper case, braces, hyphens after
// any group of four digits) and answers with the canonical lowercase form, so
// a bad id is a clear 400 here rather than a database error later.
export const pgUuidInput = /^(?:\{[0-9a-f]{4}(?:-?[0-9a-f]{4}){7}\}|[0-9a-f]{4}(?:-?[0-9a-f]{4}){7})$/i;

/** The canonical form of a uuid as PostgreSQL would print it, or undefined if PostgreSQL would refuse it. */
export function parseUuid(input: string): string | undefined {
  if (!pgUuidInput.test(input)) return undefined;
  const hex = input.replace(/[{}-]/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
