// Failed deliveries: anything but a 2xx within the timeout (redirects are not
// followed) is retried by a delayed queue message, with exponential backoff and
// jitter, for about 3 days; then the delivery has failed, and an endpoint that
// delivered nothing in those 3 days is disabled. No timing is asserted: the
// test makes each retry due itself.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webhookEndpoints } from "../../src/db/schema";
import { backoffSeconds, maxAttempts, retryDelay } from "../../src/webhooks/deliver";
import { api, db, seedWorkspace } from "../support/harness";
import {
  capturingQueue,
  consume,
  createEndpoint,
  deliveryRows,
  makeDue,
  receiverFor,
  updateContact,
  webhookDeliveries,
} from "../support/webhooks";

describe("the backoff schedule", () => {
  it("grows from seconds to minutes to hours, stays within Queues' 12-hour delay, and spans about 3 days", () => {
    expect(backoffSeconds[0]).toBeLessThan(60);
    expect(backoffSeconds.some((s) => s >= 60 && s < 3600)).toBe(true);
    expect(backoffSeconds.some((s) => s >= 3600)).toBe(true);
    for (let i = 1; i < backoffSeconds.length; i++) {
      expect(backoffSeconds[i]).toBeGreaterThanOrEqual(backoffSeconds[i - 1] as number);
    }
    const total = backoffSeconds.reduce((sum, s) => sum + s, 0);
    expect(total).toBeGreaterThan(2.5 * 86400);
    expect(total).toBeLessThan(3.5 * 86400);
    expect(maxAttempts).toBe(backoffSeconds.length + 1);
  });

  it("adds up to ±20% of jitter, never past 12 hours, and has no delay after the last attempt", () => {
    for (const random of [0, 0.5, 0.999]) {
      backoffSeconds.forEach((base, i) => {
        const delay = retryDelay(i + 1, random) as number;
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.min(43200, Math.ceil(base * 1.2)));
      });
    }
    expect(retryDelay(maxAttempts)).toBeUndefined();
  });
});

describe("a receiver that fails, then recovers", () => {
  it("gets the event on the third attempt, each attempt signed, with the same webhook-id", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["contact.*"] });
    await receiver.configure({ secrets: [endpoint.secret], fail: 2 });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Retry" });

    const first = await consume(queue);
    expect(first.map(({ ok, status, error }) => ({ ok, status, error }))).toEqual([
      { ok: false, status: 500, error: "HTTP 500" },
    ]);
    // The retry is a new message, delayed by the first step of the schedule (with jitter).
    const [retry] = queue.messages;
    expect(retry?.body.deliveries).toEqual([[first[0]?.due.event_id, endpoint.id]]);
    expect(retry?.delaySeconds).toBeGreaterThanOrEqual(4);
    expect(retry?.delaySeconds).toBeLessThanOrEqual(6);
    const [pending] = await deliveryRows(endpoint.id);
    expect(pending).toMatchObject({ state: "pending", attempts: 1, statusCode: 500 });
    expect(pending?.nextAttemptAt).toBeInstanceOf(Date);

    // Not due yet: the message finds nothing to send.
    queue.messages.push(...queue.messages);
    expect(await consume(queue)).toEqual([]);
    queue.messages.push(retry as never);

    await makeDue(endpoint.id);
    const second = await consume(queue);
    expect(second.map((o) => o.ok)).toEqual([false]);
    expect(queue.messages[0]?.delaySeconds).toBeGreaterThanOrEqual(24);

    await makeDue(endpoint.id);
    const third = await consume(queue);
    expect(third.map((o) => o.ok)).toEqual([true]);
    expect(queue.messages).toEqual([]);

    const received = await receiver.received();
    expect(received.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(received.map((r) => r.verified)).toEqual([[true], [true], [true]]);
    expect(new Set(received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const [delivered] = await deliveryRows(endpoint.id);
    expect(delivered).toMatchObject({ state: "delivered", attempts: 3, statusCode: 200, error: null });
    expect(delivered?.nextAttemptAt).toBeNull();
  });
});

describe("what counts as a failure", () => {
  it("a receiver that does not answer within the timeout", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor({ mode: "hang" });
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    // A short timeout for the test (WEBHOOK_TIMEOUT_MS; 10 s by default).
    const queue = capturingQueue({ WEBHOOK_TIMEOUT_MS: "300" });
    await updateContact(queue, ws, { first_name: "Slow" });
    const [outcome] = await consume(queue);
    expect(outcome).toMatchObject({ ok: false, status: null, error: "no answer within 0.3 s" });
    expect(await receiver.received()).toHaveLength(1);
    const [row] = await deliveryRows(endpoint.id);
    expect(row).toMatchObject({ state: "pending", attempts: 1, statusCode: null, error: "no answer within 0.3 s" });
  });

  it("a redirect, which is not followed", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor({ mode: "redirect" });
    await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Moved" });
    const [outcome] = await consume(queue);
    expect(outcome).toMatchObject({ ok: false, status: 302, error: "redirect (302) not followed" });
    // The Location was never requested.
    expect((await receiver.received()).map((r) => r.path)).toEqual([new URL(receiver.url).pathname]);
  });

  it("an endpoint no one listens on", async () => {
    const ws = await seedWorkspace();
    await createEndpoint(ws, { url: "http://127.0.0.1:9/nothing", event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Nobody" });
    const [outcome] = await consume(queue);
    expect(outcome?.ok).toBe(false);
    expect(outcome?.status).toBeNull();
    expect(outcome?.error).toMatch(/^request failed: /);
  });
});

describe("after the last attempt", () => {
  it("the delivery has failed, and an endpoint that delivered nothing in 3 days is disabled, with the reason", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor({ fail: 100 });
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Doomed" });
    await consume(queue);
    // Fast-forward to the last attempt.
    await db()
      .update(webhookDeliveries)
      .set({ attempts: maxAttempts - 1 })
      .where(eq(webhookDeliveries.endpointId, endpoint.id));
    await makeDue(endpoint.id);
    const [last] = await consume(queue);
    expect(last).toMatchObject({ ok: false, delay: undefined });
    expect(queue.messages).toEqual([]);
    const [row] = await deliveryRows(endpoint.id);
    expect(row).toMatchObject({ state: "failed", attempts: maxAttempts, nextAttemptAt: null });

    const { data } = (await (await api(`/api/webhooks/${endpoint.id}`, { token: ws.token })).json()) as {
      data: { enabled: boolean; disabled_reason: string };
    };
    expect(data.enabled).toBe(false);
    expect(data.disabled_reason).toBe("Every delivery failed for 3 days (last error: HTTP 500)");

    // Nothing more is sent to it; enabling it clears the reason.
    await updateContact(queue, ws, { first_name: "Ignored" });
    expect(queue.messages).toEqual([]);
  });

  it("an endpoint that delivered something in those 3 days stays enabled", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Fine" });
    await consume(queue);
    await receiver.configure({ fail: 100 });
    await updateContact(queue, ws, { first_name: "Broken" });
    await consume(queue);
    await db()
      .update(webhookDeliveries)
      .set({ attempts: maxAttempts - 1 })
      .where(eq(webhookDeliveries.state, "pending"));
    await makeDue(endpoint.id);
    await consume(queue);
    const [state] = await db()
      .select({ enabled: webhookEndpoints.enabled })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, endpoint.id));
    expect(state?.enabled).toBe(true);
  });

  it("a pending retry of an endpoint disabled meanwhile is not sent", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor({ fail: 1 });
    const endpoint = await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Paused" });
    await consume(queue);
    await api(`/api/webhooks/${endpoint.id}`, { method: "PATCH", token: ws.token, body: { enabled: false } });
    await makeDue(endpoint.id);
    expect(await consume(queue)).toEqual([]);
    expect(await receiver.received()).toHaveLength(1);
  });
});
