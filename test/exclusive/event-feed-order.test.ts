// The change feed never skips an event, even when two transactions commit in
// the opposite order of their xids: the one that began writing first is held
// open (the local server's "hold" fault) while the other commits, and the feed
// is read in between. A feed ordered by a sequence or a timestamp alone would
// hand out a position past the second transaction's events, and skip the first
// one's when it commits. Needs real concurrency: PostgreSQL only (PGlite runs one
// transaction at a time, so the second write would wait for the first).
import { env } from "cloudflare:test";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { ContactObject } from "../../src/contacts/object";
import { type Envelope, json } from "../support/envelope";
import { described, readFeed } from "../support/events";
import { seedWorkspace, type TestWorkspace } from "../support/harness";
import { injectFault } from "../support/local-db";
import { fetchWorker } from "../support/worker";

afterEach(() => injectFault(null));

const postContact = async (ws: TestWorkspace, first_name: string) => {
  const response = await fetchWorker(
    new Request("https://api.test/api/contacts", {
      method: "POST",
      headers: { Authorization: `Bearer ${ws.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ customer_id: ws.customerId, first_name, last_name: "Order", email: "o@example.com" }),
    }),
    // the held transaction answers after the hold: well within this timeout
    { ...env, DB_TIMEOUT_MS: "10000" },
  );
  expect(response.status).toBe(201);
  return (await json<Envelope<ContactObject>>(response)).data;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the feed under transactions that commit out of order", () => {
  it.skipIf(inject("backend") !== "postgres")(
    "holds back a later transaction's events until the earlier one has ended, then serves both, in xid order",
    async () => {
      const ws = await seedWorkspace();
      const start = (await readFeed(ws.token)).cursor;

      // A writes first (and so takes the smaller xid), then stays open for 2 s.
      await injectFault({ mode: "hold", ms: 2000, count: 1 });
      const first = postContact(ws, "Alpha");
      await sleep(500);
      // B writes and commits while A is still open.
      const second = await postContact(ws, "Beta");

      // B is committed, but its events must not be served yet: a position past
      // them would be past A's, which are not visible until A commits.
      const during = await readFeed(ws.token, { after: start });
      expect(described(during.events)).toEqual([]);

      const alpha = await first;
      const after = await readFeed(ws.token, { after: during.cursor ?? start });
      expect(described(after.events)).toEqual([
        `contact.created ${alpha.id}`,
        `customer.updated ${ws.customerId}`,
        `contact.created ${second.id}`,
        `customer.updated ${ws.customerId}`,
      ]);
      // Read again from the start: the same events, nothing more.
      expect((await readFeed(ws.token, { after: start })).events).toEqual(after.events);
    },
  );
});
