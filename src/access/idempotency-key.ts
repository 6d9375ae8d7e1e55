// Reading the Idempotency-Key header of a POST or PATCH (see idempotency.ts
// for how a key is honoured).
import type { Context } from "hono";
import { badRequest } from "../http/errors";
import { sha256Hex } from "../lib/hash";
import type { IdempotentWrite } from "./idempotency";

// draft-ietf-httpapi-idempotency-key-header: a structured-field string, so
// printable ASCII; at most 255 characters.
const printableAscii = /^[\x20-\x7e]{1,255}$/;

/** The request's Idempotency-Key, unquoted (400 if malformed), or undefined if it has none. */
export function readIdempotencyKey(c: Context): string | undefined {
  const header = c.req.header("Idempotency-Key");
  if (header === undefined) return undefined;
  // The draft defines the key as a structured-field string ("…"); a bare token is accepted too.
  const key = header.trim().replace(/^"(.*)"$/, "$1");
  if (!printableAscii.test(key)) throw badRequest("Idempotency-Key must be 1 to 255 printable ASCII characters");
  return key;
}

/**
 * The request's idempotent write, if it carries a key. The fingerprint covers
 * method, path and the validated body, so the same key with another request is
 * told apart (422) from a retry (replayed).
 */
export async function idempotentWrite<Read>(
  c: Context,
  input: unknown,
  write: Omit<IdempotentWrite<Read>, "key" | "fingerprint">,
): Promise<IdempotentWrite<Read> | undefined> {
  const key = readIdempotencyKey(c);
  if (key === undefined) return undefined;
  const fingerprint = await sha256Hex(`${c.req.method} ${c.req.path}\n${JSON.stringify(input)}`);
  return { ...write, key, fingerprint };
}
