// Safe retries: Idempotency-Key on POST and PATCH (IETF draft, Stripe's practice).
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { ContactObject } from "../src/contacts/object";
import { contacts, idempotencyKeys } from "../src/db/schema";
import worker from "../src/index";
import type { Envelope } from "./support/envelope";
import { api, db, json, seedWorkspace, stableHeaders, type TestWorkspace } from "./support/harness";

const newContact = (ws: TestWorkspace, firstName = "Retry") => ({
  customer_id: ws.customerId,
  first_name: firstName,
  last_name: "Safe",
  email: "retry@example.com",
});

const post = (ws: TestWorkspace, key: string, body: unknown, path = "/api/contacts") =>
  api(path, { method: "POST", token: ws.token, body, headers: { "Idempotency-Key": key } });

async function contactIds(ws: TestWorkspace) {
  const rows = await db().select({ id: contacts.id }).from(contacts).where(eq(contacts.workspaceId, ws.workspaceId));
  return rows.map((r) => r.id);
}

describe("Idempotency-Key", () => {
  it("replays the first answer to a retry with the same key and body, without writing again", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const first = await post(ws, key, newContact(ws));
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const firstBody = await first.text();

    const retry = await post(ws, key, newContact(ws));
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await retry.text()).toBe(firstBody);
    expect(retry.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(await contactIds(ws)).toHaveLength(2);
  });

  it("replays the answer as it was, even after the record changed", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const first = await json<Envelope<ContactObject>>(await post(ws, key, newContact(ws)));
    await api(`/api/contacts/${first.data.id}`, { method: "PATCH", token: ws.token, body: { first_name: "Changed" } });
    const retry = await json(await post(ws, key, newContact(ws)));
    expect(retry).toEqual(first);
  });

  it("accepts the key as a structured-field string, quoted", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    expect((await post(ws, `"${key}"`, newContact(ws))).status).toBe(201);
    const retry = await post(ws, key, newContact(ws));
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
  });

  it("refuses the same key with another body, or on another endpoint, with 422, and writes nothing", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    expect((await post(ws, key, newContact(ws, "One"))).status).toBe(201);
    const other = await post(ws, key, newContact(ws, "Two"));
    expect(other.status).toBe(422);
    expect(await json(other)).toEqual({
      success: false,
      error: "This Idempotency-Key was already used for a different request",
    });
    const elsewhere = await post(ws, key, { name: "Acme", type: "company" }, "/api/customers");
    expect(elsewhere.status).toBe(422);
    expect(await contactIds(ws)).toHaveLength(2);
  });

  it("scopes keys to the workspace", async () => {
    const [a, b] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const key = crypto.randomUUID();
    expect((await post(a, key, newContact(a))).status).toBe(201);
    const inB = await post(b, key, newContact(b));
    expect(inB.status).toBe(201);
    expect(inB.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await contactIds(b)).toHaveLength(2);
  });

  it("creates exactly one record for 20 simultaneous requests with one key", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(ws, key, newContact(ws))));
    const created = (await contactIds(ws)).filter((id) => id !== ws.contactId);
    expect(created).toHaveLength(1);
    for (const answer of answers) {
      expect([201, 409]).toContain(answer.status);
      if (answer.status === 201) {
        expect((await json<Envelope<ContactObject>>(answer)).data.id).toBe(created[0]);
      } else {
        expect(answer.headers.get("Retry-After")).toBe("1");
      }
    }
  });

  it("does not keep a refused request's key: a corrected retry goes through", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const refused = await post(ws, key, { ...newContact(ws), customer_id: crypto.randomUUID() });
    expect(refused.status).toBe(400);
    expect((await post(ws, key, newContact(ws))).status).toBe(201);
  });

  it("replays a PATCH without changing the record again", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const patch = () =>
      api(`/api/contacts/${ws.contactId}`, {
        method: "PATCH",
        token: ws.token,
        body: { role: ["legal"] },
        headers: { "Idempotency-Key": key },
      });
    const first = await patch();
    expect(first.status).toBe(200);
    const firstBody = await first.text();
    const retry = await patch();
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await retry.text()).toBe(firstBody);
    const current = await api(`/api/contacts/${ws.contactId}`, { token: ws.token });
    expect(await current.text()).toBe(firstBody);
    expect(stableHeaders(retry).find(([name]) => name === "etag")).toEqual(
      stableHeaders(current).find(([name]) => name === "etag"),
    );
  });

  it("treats a key whose 24-hour window has passed as new", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    expect((await post(ws, key, newContact(ws))).status).toBe(201);
    await db()
      .update(idempotencyKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(idempotencyKeys.workspaceId, ws.workspaceId));
    const again = await post(ws, key, newContact(ws));
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await contactIds(ws)).toHaveLength(3);
  });

  it("deletes expired keys in the scheduled cleanup", async () => {
    const ws = await seedWorkspace();
    await post(ws, crypto.randomUUID(), newContact(ws));
    await post(ws, crypto.randomUUID(), newContact(ws));
    await db()
      .update(idempotencyKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(idempotencyKeys.workspaceId, ws.workspaceId));
    const live = await post(ws, crypto.randomUUID(), newContact(ws));
    expect(live.status).toBe(201);
    const ctx = createExecutionContext();
    await worker.scheduled({ cron: "23 * * * *", scheduledTime: Date.now(), noRetry() {} } as ScheduledController, env);
    await waitOnExecutionContext(ctx);
    const left = await db().select().from(idempotencyKeys).where(eq(idempotencyKeys.workspaceId, ws.workspaceId));
    expect(left).toHaveLength(1);
  });

  it("refuses a key that is not 1 to 255 printable ASCII characters", async () => {
    const ws = await seedWorkspace();
    for (const key of ["", "x".repeat(256), "clé"]) {
      const response = await post(ws, key, newContact(ws));
      expect(response.status, JSON.stringify(key)).toBe(400);
      expect(await json(response)).toEqual({
        success: false,
        error: "Idempotency-Key must be 1 to 255 printable ASCII characters",
      });
    }
  });
});
