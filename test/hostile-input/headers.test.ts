// Hostile headers: random Authorization, Idempotency-Key and X-Request-Id
// values on every endpoint. The generators and the checks every answer must
// pass: test/support/hostile-input.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tokenShape } from "../../src/access/token";
import {
  bearer,
  clip,
  headerValue,
  jsonType,
  recordEndpoints,
  runs,
  send,
  withBody,
  workspace,
} from "../support/hostile-input";

describe("hostile input", () => {
  it("random Authorization headers never authenticate", { timeout: 120_000 }, async () => {
    const [ws, other] = [await workspace(), await workspace()];
    const revoked = await ws.newToken({ revokedAt: new Date() });
    const expired = await ws.newToken({ expiresAt: new Date(Date.now() - 60_000) });
    const b64token = fc.string({
      unit: fc.constantFrom(..."ABCabcxyz0189-._~+/".split("")),
      minLength: 1,
      maxLength: 60,
    });
    const tokens = fc.oneof(
      headerValue(),
      b64token,
      b64token.map((t) => `${t}==`),
      fc.constantFrom(ws.token, ws.readOnlyToken, other.token, revoked, expired),
      fc.constantFrom(ws.token.slice(0, -1), `${ws.token}x`, ws.token.toUpperCase(), `${ws.token},${ws.token}`),
      fc
        .string({ unit: fc.constantFrom(..."0123456789ABCDEFabcdef".split("")), minLength: 49, maxLength: 49 })
        .map((s) => `qwt_prod_${s}`),
      fc.constantFrom(257, 1000, 10_000).map((n) => "a".repeat(n)),
      fc.constantFrom(10_000).map((n) => `qwt_prod_${"A".repeat(n)}`),
    );
    const schemes = fc.constantFrom(
      "Bearer",
      "bearer",
      "BEARER",
      "Basic",
      "Token",
      "Digest",
      "",
      "Bearer:",
      "Bear",
      "Bearerx",
    );
    const authorization = fc.oneof(
      fc
        .tuple(schemes, fc.constantFrom(" ", "  ", "\t", ""), tokens, fc.constantFrom("", " ", "\t", " x"))
        .map(([scheme, gap, token, tail]) => `${scheme}${gap}${token}${tail}`),
      headerValue(200),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...recordEndpoints),
        fc.option(authorization, { nil: undefined }),
        async (endpoint, auth) => {
          const target = endpoint.method === "DELETE" ? await workspace() : ws;
          const headers: Record<string, string> = endpoint.body ? { ...jsonType } : {};
          if (auth !== undefined) headers.Authorization = auth;
          const { status, headers: answered } = await send({
            method: endpoint.method,
            path: endpoint.path(target),
            headers,
            body: endpoint.body ? JSON.stringify(endpoint.body(target)) : undefined,
          });
          // Only a live token of the workspace (with the needed permission) gets past authentication.
          const token = /^bearer +(\S+) *$/i.exec(new Headers(headers).get("Authorization") ?? "")?.[1];
          const live = [target.token, ws.token, other.token, endpoint.method === "GET" ? ws.readOnlyToken : ""];
          if (status < 300) expect(live, `authenticated with ${clip(String(auth), 100)}`).toContain(token);
          if (!live.includes(token ?? "") && token !== ws.readOnlyToken) {
            expect(status, clip(String(auth), 100)).toBe(401);
            expect(answered.get("WWW-Authenticate") ?? "").toMatch(/^Bearer /);
          }
          if (token === ws.token && target !== ws) expect(status).toBe(404);
          if (token !== undefined && tokenShape(token) === "malformed") expect(status).toBe(401);
        },
      ),
      { numRuns: runs.auth },
    );
  });

  it("random Idempotency-Key headers", { timeout: 120_000 }, async () => {
    const ws = await workspace();
    const keys = fc.oneof(
      headerValue(),
      fc.uuid(),
      fc.uuid().map((u) => `"${u}"`),
      fc.constantFrom("", " ", '""', '"', "a b", "\t", "k".repeat(255), "k".repeat(256), "x".repeat(5000), "é", "ключ"),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withBody), keys, fc.boolean(), async (endpoint, key, twice) => {
        const request = {
          method: endpoint.method,
          path: endpoint.path(ws),
          headers: { ...bearer(ws.token), ...jsonType, "Idempotency-Key": key },
          body: JSON.stringify(endpoint.body?.(ws)),
        };
        const first = await send(request);
        const normalized =
          new Headers({ k: key })
            .get("k")
            ?.trim()
            .replace(/^"(.*)"$/, "$1") ?? "";
        if (!/^[\x20-\x7e]{1,255}$/.test(normalized)) expect(first.status, clip(key, 80)).toBe(400);
        if (!twice) return;
        const again = await send(request);
        if (first.status < 300) {
          // A retry is answered with the first answer.
          expect(again.status).toBe(first.status);
          expect((again.body.data as { id: string }).id).toBe((first.body.data as { id: string }).id);
        }
      }),
      { numRuns: runs.idempotency },
    );
  });

  it("random X-Request-Id headers are echoed only when sane", { timeout: 120_000 }, async () => {
    const ws = await workspace();
    const ids = fc.oneof(
      headerValue(),
      fc.string({ unit: fc.constantFrom(..."abcXYZ019_-=".split("")), minLength: 1, maxLength: 140 }),
      fc.constantFrom("", "a".repeat(128), "a".repeat(129), "x".repeat(5000), "<script>", "a\tb", "id; drop"),
    );
    const readOrWrite = recordEndpoints.filter((e) => e.method !== "DELETE");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...readOrWrite), ids, async (endpoint, id) => {
        const headers: Record<string, string> = { ...bearer(ws.token), "X-Request-Id": id };
        if (endpoint.body) headers["Content-Type"] = "application/json";
        const answer = await send({
          method: endpoint.method,
          path: endpoint.path(ws),
          headers,
          body: endpoint.body ? JSON.stringify(endpoint.body(ws)) : undefined,
        });
        const echoed = answer.headers.get("X-Request-Id") ?? "";
        expect(echoed).toMatch(/^[\w\-=]{1,128}$/);
        const sent = new Headers(headers).get("X-Request-Id") ?? "";
        if (/^[\w\-=]{1,128}$/.test(sent)) expect(echoed).toBe(sent);
      }),
      { numRuns: runs.requestId },
    );
  });
});
