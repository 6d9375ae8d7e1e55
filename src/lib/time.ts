/**
 * ISO 8601 in UTC with a `Z`, as Qwoty's examples show: whole seconds print
 * without a fraction (`2026-01-15T10:30:00Z`), others with milliseconds
 * (`2026-01-15T10:30:00.123Z`), which is all the precision stored.
 */
export function isoTimestamp(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}
