// A failing database never leaves a write half-applied, and the API answers 503
// in bounded time. Each fault is injected into the local database server's next
// request; the rows are checked afterwards.
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { FaultMode } from "../../scripts/local-db/control";
import { addresses, contacts, customers, events } from "../../src/db/schema";
import { db, json, seedWorkspace, type TestWorkspace } from "../support/harness";
import { injectFault, localDbStatus } from "../support/local-db";
import { fetchWorker } from "../support/worker";

afterEach(() => injectFault(null));

async function call(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
  dbTimeoutMs = "500",
) {
  return fetchWorker(
    new Request(`https://api.test${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    // a short database timeout, so that a hung database is given up quickly
    { ...env, DB_TIMEOUT_MS: dbTimeoutMs },
  );
}

/**
 * Everything of the workspace, to tell "nothing applied" from "all applied":
 * its records, and the change events recorded (a rolled-back write leaves none).
 */
async function rowsOf(ws: TestWorkspace) {
  const d = db();
  const [c, k, a, e] = await d.batch([
    d.select().from(customers).where(eq(customers.workspaceId, ws.workspaceId)),
    d.select().from(contacts).where(eq(contacts.workspaceId, ws.workspaceId)),
    d.select().from(addresses).where(eq(addresses.workspaceId, ws.workspaceId)),
    d.select().from(events).where(eq(events.workspaceId, ws.workspaceId)).orderBy(events.seq),
  ]);
  return { customers: c, contacts: k, addresses: a, events: e };
}

interface WriteCase {
  name: string;
  send(ws: TestWorkspace): Promise<Response>;
  /** the workspace's rows once the write is fully applied */
  applied(ws: TestWorkspace, rows: Awaited<ReturnType<typeof rowsOf>>): boolean;
}

const writes: WriteCase[] = [
  {
    name: "create contact",
    send: (ws) =>
      call("POST", "/api/contacts", ws.token, {
        customer_id: ws.customerId,
        first_name: "Fault",
        last_name: "Test",
        email: "f@example.com",
      }),
    applied: (_ws, rows) => rows.contacts.length === 2,
  },
  {
    name: "delete contact (unlinks its address, deletes the contact)",
    send: (ws) => call("DELETE", `/api/contacts/${ws.contactId}`, ws.token),
    applied: (_ws, rows) => rows.contacts.length === 0 && rows.addresses[0]?.contactId === null,
  },
  {
    name: "delete customer with cascade (addresses, contacts, customer)",
    send: (ws) => call("DELETE", `/api/customers/${ws.customerId}?cascade=true`, ws.token),
    applied: (_ws, rows) => rows.customers.length + rows.contacts.length + rows.addresses.length === 0,
  },
];

/** A write is all or nothing: compare with the rows before, and with the applied state. */
function isAllOrNothing(
  before: Awaited<ReturnType<typeof rowsOf>>,
  after: Awaited<ReturnType<typeof rowsOf>>,
  applied: boolean,
) {
  return applied || JSON.stringify(after) === JSON.stringify(before);
}

/** The 503 of a write whose answer never came (db timeout, connection refused or cut, HTTP error). */
const outcomeUnknown =
  "No answer from the database: the write may or may not have been applied; retry it with the same Idempotency-Key";
/** Faults in which PostgreSQL itself answers with an error: its transaction was rolled back. */
const answeredByDatabase = new Set<FaultMode>(["postgres-error", "abort-batch"]);

describe("writes under database faults", () => {
  const failures: FaultMode[] = ["server-error", "postgres-error", "hang", "refuse", "abort-batch"];
  for (const write of writes) {
    for (const mode of failures) {
      it(`${write.name}: ${mode} answers 503 and applies nothing`, async () => {
        const ws = await seedWorkspace();
        const before = await rowsOf(ws);
        await injectFault({ mode, count: 1 });
        const response = await write.send(ws);
        expect(response.status).toBe(503);
        expect(response.headers.get("Retry-After")).toBe("1");
        // With a PostgreSQL error the transaction was rolled back: nothing was applied, and
        // the answer says so. Without an answer from the database, the worker cannot know.
        expect(await json(response)).toEqual({
          success: false,
          error: answeredByDatabase.has(mode) ? "Database temporarily unavailable, please retry" : outcomeUnknown,
        });
        expect(await rowsOf(ws)).toEqual(before);
      });
    }

    it(`${write.name}: a connection cut after the commit answers 503, and the write is whole`, async () => {
      const ws = await seedWorkspace();
      const before = await rowsOf(ws);
      await injectFault({ mode: "drop", count: 1 });
      const response = await write.send(ws);
      expect(response.status).toBe(503);
      // The write committed although its answer was lost: the answer does not say otherwise.
      expect(await json(response)).toEqual({ success: false, error: outcomeUnknown });
      const after = await rowsOf(ws);
      expect(write.applied(ws, after)).toBe(true);
      expect(isAllOrNothing(before, after, write.applied(ws, after))).toBe(true);
    });
  }

  it("a retry with the Idempotency-Key after a cut connection gets the answer, and writes once", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const body = { customer_id: ws.customerId, first_name: "Once", last_name: "Only", email: "once@example.com" };
    await injectFault({ mode: "drop", count: 1 });
    expect((await call("POST", "/api/contacts", ws.token, body, { "Idempotency-Key": key })).status).toBe(503);
    const retry = await call("POST", "/api/contacts", ws.token, body, { "Idempotency-Key": key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect((await rowsOf(ws)).contacts).toHaveLength(2);
  });
});

describe("Idempotency-Key while the first request is in flight", () => {
  it("answers 409 to the retry (PostgreSQL), or makes it wait for the first (PGlite, one session): never two writes", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const body = { customer_id: ws.customerId, first_name: "In", last_name: "Flight", email: "inflight@example.com" };
    // A first use of the token records last_used_at, whose row lock would make
    // the retry wait for the first request whatever its key: use the token once.
    expect((await call("GET", "/api/contacts", ws.token)).status).toBe(200);
    // The first request's transaction stays open for 800 ms, holding the key.
    await injectFault({ mode: "hold", ms: 800, count: 1 });
    const first = call("POST", "/api/contacts", ws.token, body, { "Idempotency-Key": key }, "5000");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const retry = await call("POST", "/api/contacts", ws.token, body, { "Idempotency-Key": key }, "5000");
    expect((await first).status).toBe(201);
    if ((await localDbStatus()).backend === "postgres") {
      expect(retry.status).toBe(409);
      expect(retry.headers.get("Retry-After")).toBe("1");
      expect((await json(retry)).error).toBe("A request with this Idempotency-Key is still in progress: retry later");
    } else {
      expect(retry.status).toBe(201);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    }
    expect((await rowsOf(ws)).contacts).toHaveLength(2);
  });
});
