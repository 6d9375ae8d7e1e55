// Reads the bearer token. Everything that can be decided without the database
// is decided here (no token, wrong scheme, impossible token, bad checksum: 401
// with zero round trips); the token itself is checked by the handler's one
// query (src/db/scoped.ts), and only its hash goes further.
import { createMiddleware } from "hono/factory";
import { hashToken, tokenShape } from "../auth/token";
import type { AppEnv } from "../env";
import { ApiError } from "../http/errors";

const unauthorized = (message: string) => new ApiError(401, message, { "WWW-Authenticate": 'Bearer realm="api"' });

export const bearerAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Authorization");
  if (!header) throw unauthorized("Missing API token: send Authorization: Bearer <token>");
  // The scheme is case-insensitive (RFC 9110 §11.1).
  const match = /^bearer +(\S+) *$/i.exec(header);
  if (!match) throw unauthorized("Invalid Authorization header: expected Bearer <token>");
  const token = match[1] as string;
  if (tokenShape(token) === "malformed") throw unauthorized("Invalid API token");
  c.set("tokenHash", await hashToken(token));
  await next();
});
