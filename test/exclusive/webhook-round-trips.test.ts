// Webhooks add no round trip to a write: the events it recorded come back in
// its own batch. The consumer costs two per batch of messages, however many
// deliveries it holds; the sweep one. Counted by the local server.
import { createScheduledController } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { seedWorkspace } from "../support/harness";
import { countRoundTrips } from "../support/local-db";
import { capturingQueue, consume, createEndpoint, receiverFor, send, updateContact } from "../support/webhooks";

describe("webhook round trips", () => {
  it("a write to a workspace with an enabled endpoint still costs one, and enqueues its events", async () => {
    const ws = await seedWorkspace();
    const receiver = await receiverFor();
    await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    const writes: [string, string, unknown][] = [
      ["PATCH", `/api/contacts/${ws.contactId}`, { first_name: "Counted" }],
      ["POST", "/api/customers", { name: "Counted", type: "company" }],
      ["POST", "/api/customers/batch", { operations: [{ op: "create", data: { name: "B", type: "individual" } }] }],
      ["DELETE", `/api/customers/${ws.customerId}?cascade=true`, undefined],
    ];
    for (const [method, path, body] of writes) {
      let status = 0;
      const trips = await countRoundTrips(async () => {
        status = (await send(queue, path, { method, token: ws.token, body })).status;
      });
      expect(status, path).toBeLessThan(300);
      expect(trips, `${method} ${path}`).toBe(1);
      expect(queue.take().length, `${method} ${path} enqueued`).toBe(1);
    }
  });

  it("the consumer costs two per batch, for any number of deliveries; the sweep one", async () => {
    const ws = await seedWorkspace();
    const receivers = await Promise.all([receiverFor(), receiverFor(), receiverFor()]);
    for (const receiver of receivers) await createEndpoint(ws, { url: receiver.url, event_types: ["*"] });
    const queue = capturingQueue();
    await updateContact(queue, ws, { first_name: "Fanned" });
    let sent = 0;
    expect(
      await countRoundTrips(async () => {
        sent = (await consume(queue)).length;
      }),
    ).toBe(2);
    expect(sent).toBe(3);
    const controller = createScheduledController({ cron: "* * * * *" });
    expect(await countRoundTrips(() => worker.scheduled(controller, queue.env))).toBe(1);
  });
});
