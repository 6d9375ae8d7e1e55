// /api/tokens: the workspace's API tokens, for tokens holding tokens:admin;
// each operation declared beside its handler (see src/operation.ts).
import { readScoped, runScoped } from "../access/scoped";
import { hashToken, mintToken, tokenHint } from "../access/token";
import {
  badRequest,
  concurrentChange,
  idempotencyKeyRefusedForTokens,
  lacksGrantedPermission,
  notFound,
} from "../http/errors";
import { idParams } from "../http/params";
import { deleted } from "../http/respond";
import { isoTimestamp } from "../lib/time";
import { type Documentation, operation } from "../operation";
import { creatorToken, insertToken, listTokens, revokeToken, selectToken } from "./queries";
import { createToken as createBody } from "./schemas";
import { serializeToken } from "./serialize";

const tag = "Tokens";
const thing = "API token";

export const listTokensOperation = operation(
  {
    method: "get",
    path: "/api/tokens",
    operationId: "listTokens",
    tag,
    permission: "tokens:admin",
    success: { status: 200, kind: "list", object: "Token", pages: false },
    refusals: [401, 403, 429, 500, 503],
  },
  async (c) => {
    const caller = c.get("caller");
    const rows = await readScoped(caller, "tokens:admin", (scope) => listTokens(caller.db, scope));
    return c.json({ success: true as const, data: rows.map(serializeToken) });
  },
);

export const createTokenOperation = operation(
  {
    method: "post",
    path: "/api/tokens",
    operationId: "createToken",
    tag,
    permission: "tokens:admin",
    body: createBody,
    success: { status: 201, kind: "object", object: "NewToken" },
    refusals: [400, 401, 403, 409, 413, 415, 429, 500, 503],
  },
  async (c) => {
    if (c.req.header("Idempotency-Key") !== undefined) throw idempotencyKeyRefusedForTokens();
    const input = c.req.valid("json");
    const caller = c.get("caller");
    const secret = mintToken();
    const token = {
      id: crypto.randomUUID(),
      name: input.name,
      tokenHash: await hashToken(secret),
      tokenHint: tokenHint(secret),
      permissions: input.permissions,
      expiresAt: input.expires_at,
    };
    const { creator, inserted, record } = await runScoped(caller, "tokens:admin", (scope) => ({
      creator: creatorToken(caller.db, scope),
      inserted: insertToken(caller.db, scope, token),
      record: selectToken(caller.db, scope, token.id),
    }));
    const [row] = record;
    if (inserted.length === 0 || !row) {
      const [own] = creator;
      if (!own) throw concurrentChange();
      if (!token.permissions.every((p) => own.permissions.includes(p))) throw lacksGrantedPermission();
      if (own.expiresAt && (token.expiresAt === null || (token.expiresAt ?? own.expiresAt) > own.expiresAt)) {
        throw badRequest(
          `expires_at must not be later than this token's own expiry (${isoTimestamp(own.expiresAt)}): ` +
            "a token cannot outlive the token that creates it",
        );
      }
      throw concurrentChange();
    }
    c.header("Location", `/api/tokens/${row.id}`);
    // The secret, once: only its hash is kept.
    return c.json({ success: true as const, data: { ...serializeToken(row), token: secret } }, 201);
  },
);

export const deleteTokenOperation = operation(
  {
    method: "delete",
    path: "/api/tokens/:id",
    operationId: "deleteToken",
    tag,
    permission: "tokens:admin",
    thing,
    params: idParams("token"),
    success: { status: 200, kind: "deleted" },
    refusals: [400, 401, 403, 404, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const caller = c.get("caller");
    const { revoked } = await runScoped(caller, "tokens:admin", (scope) => ({
      revoked: revokeToken(caller.db, scope, id),
    }));
    if (revoked.length === 0) throw notFound(thing);
    return deleted(c, thing);
  },
);

export const tokenOperations = [listTokensOperation, createTokenOperation, deleteTokenOperation] as const;

/**
 * What the API reference says of each operation, by operationId (scripts/openapi.ts).
 * Nothing the worker runs imports it, so it stays out of the bundle.
 */
export const tokenDocs: Documentation = {
  listTokens: {
    summary: "List API tokens",
    description: "The workspace's tokens that have not been revoked, oldest first. Secrets are never shown again.",
  },
  createToken: {
    summary: "Create API token",
    description:
      "The answer holds the secret `token`, once: only its SHA-256 is stored. A token can only grant permissions it holds itself (at least one), and cannot outlive the token that creates it: without `expires_at` it expires when its creator does. `Idempotency-Key` is refused here (400): the secret is never stored, so a retry could not be answered again.",
  },
  deleteToken: {
    summary: "Delete API token",
    description: "Revokes the token: it is refused from its next request on. Irreversible.",
  },
};
