// /api/tokens: the workspace's API tokens, for tokens holding tokens:admin.
import { Hono } from "hono";
import { hashToken, mintToken, tokenHint } from "../auth/token";
import { readScoped, runScoped } from "../db/scoped";
import type { AppEnv } from "../env";
import { jsonBody } from "../http/body";
import { ApiError, notFound } from "../http/errors";
import { pathId } from "../http/params";
import { deleted } from "../http/respond";
import { insertToken, listTokens, revokeToken, selectToken } from "./queries";
import { createToken } from "./schemas";
import { serializeToken } from "./serialize";

export const tokenRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const { caller } = c.var;
    const rows = await readScoped(caller, "tokens:admin", (scope) => listTokens(caller.db, scope));
    return c.json({ success: true as const, data: rows.map(serializeToken) });
  })

  .post("/", jsonBody(createToken), async (c) => {
    const input = c.req.valid("json");
    const { caller } = c.var;
    const secret = mintToken();
    const token = {
      id: crypto.randomUUID(),
      name: input.name,
      tokenHash: await hashToken(secret),
      tokenHint: tokenHint(secret),
      permissions: input.permissions,
      expiresAt: input.expires_at ?? null,
    };
    const [inserted, [row]] = await runScoped(
      caller,
      "tokens:admin",
      (scope) => [insertToken(caller.db, scope, token), selectToken(caller.db, scope, token.id)] as const,
    );
    if (inserted.length === 0 || !row) {
      throw new ApiError(403, "A token can only grant permissions it holds itself");
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
