// Qwoty's envelope, as the tests read it: {"success": true, "data": …} (a page
// adds has_more and next_cursor), or {"success": false, "error": "…"}. Nothing
// here depends on the runtime: the worker tests (inside workerd) and the smoke
// test (Node, over HTTP) both use it.
import { expect } from "vitest";

export interface Envelope<T> {
  success: boolean;
  data: T;
  error?: string;
}

/** A list answered with ?limit or ?cursor. */
export interface Page<T> extends Envelope<T[]> {
  has_more: boolean;
  next_cursor: string | null;
}

/** The JSON body of a response, typed loosely for assertions. */
export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** A timestamp as the API prints it: ISO 8601, UTC with Z, milliseconds only when not zero. */
export const isoUtc = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/;

/** A refusal with `status`, exactly the error envelope, its message `error` (or matching it). */
export async function expectError(response: Response, status: number, error: string | RegExp) {
  expect(response.status).toBe(status);
  const body = await json<{ success: boolean; error: string }>(response);
  expect(Object.keys(body)).toEqual(["success", "error"]);
  expect(body.success).toBe(false);
  if (typeof error === "string") expect(body.error).toBe(error);
  else expect(body.error).toMatch(error);
}
