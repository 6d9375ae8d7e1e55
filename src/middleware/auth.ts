// Reads the bearer token. Everything that can be decided without the database
// is decided here (no token, wrong scheme, impossible token, bad checksum: 401
// with zero round trips); the token itself is checked by the handler's one
// query (src/access/scoped.ts), and only its hash goes further.
import type { Context } from "hono";
import { hashToken, tokenShape } from "../access/token";
import type { AppEnv } from "../env";
import { invalidAuthorization, invalidToken, missingToken } from "../http/errors";

/** The SHA-256 of the request's bearer token, or a 401 thrown. */
export async function bearerTokenHash(c: Context<AppEnv>): Promise<string> {
  const header = c.req.header("Authorization");
  if (!header) throw missingToken();
  // The scheme is case-insensitive (RFC 9110 §11.1).
  const match = /^bearer +(\S+) *$/i.exec(header);
  if (!match) throw invalidAuthorization();
  const token = match[1] as string;
  if (tokenShape(token) === "malformed") throw invalidToken();
  return hashToken(token);
}
