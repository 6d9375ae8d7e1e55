// /api/tokens: the workspace's API tokens, for tokens holding tokens:admin.
import { Hono } from "hono";
import { hashToken, mintToken, tokenHint } from "../auth/token";
import { readScoped, runScoped } from "../db/scoped";
import type { AppEnv } from "../env";
import { jsonBody } from "../http/body";
import { ApiError, badRequest, concurrentChange, notFound } from "../http/errors";
import { pathId } from "../http/params";
import { deleted } from "../http/respond";
import { isoTimestamp } from "../lib/time";
import { creatorToken, insertToken, listTokens, revokeToken, selectToken } from "./queries";
import { createToken } from "./schemas";
import { serializeToken } from "./serialize";

export const tokenRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const { caller } = c.var;
    const rows = await readScoped(caller, "tokens:admin", (scope) => listTokens(caller.db, scope));
    return c.json({ success: true as const, data: rows.map(serializeToken) });
  })

  .post("/", jsonBody(createToken), async (c) => {
    // A secret is shown once and never stored, so a retry could not be given the
    // same answer: refuse the key rather than mint a second token silently.
    if (c.req.header("Idempotency-Key") !== undefined) {
      throw badRequest(
        "Idempotency-Key is not accepted on POST /api/tokens: a token's secret is shown once and never stored, " +
          "so a retry cannot be answered again. List the tokens to see whether the first request created one",
      );
    }
    const input = c.req.valid("json");
    const { caller } = c.var;
    const secret = mintToken();
    const token = {
      id: crypto.randomUUID(),
      name: input.name,
      tokenHash: await hashToken(secret),
      tokenHint: tokenHint(secret),
      permissions: input.permissions,
      expiresAt: input.expires_at,
    };
    const [[creator], inserted, [row]] = await runScoped(
      caller,
      "tokens:admin",
      (scope) =>
        [
          creatorToken(caller.db, scope),
          insertToken(caller.db, scope, token),
          selectToken(caller.db, scope, token.id),
        ] as const,
    );
    if (inserted.length === 0 || !row) {
      if (!creator) throw concurrentChange();
      if (!token.permissions.every((p) => creator.permissions.includes(p))) {
        throw new ApiError(403, "A token can only grant permissions it holds itself");
      }
      if (
        creator.expiresAt &&
        (token.expiresAt === null || (token.expiresAt ?? creator.expiresAt) > creator.expiresAt)
      ) {
        throw badRequest(
          `expires_at must not be later than this token's own expiry (${isoTimestamp(creator.expiresAt)}): ` +
            "a token cannot outlive the token that creates it",
        );
      }
      throw concurrentChange();
    }
    c.header("Location", `/api/tokens/${row.id}`);
    // The secret, once: only its hash is kept.
    return c.json({ success: true as const, data: { ...serializeToken(row), token: secret } }, 201);
  })

  .delete("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "token");
    const { caller } = c.var;
    const [revoked] = await runScoped(caller, "tokens:admin", (scope) => [revokeToken(caller.db, scope, id)] as const);
    if (revoked.length === 0) throw notFound("API token");
    return deleted(c, "API token");
  });
