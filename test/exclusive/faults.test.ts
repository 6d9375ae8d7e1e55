// A failing database gives 503 in the envelope, in bounded time, never a hang or a 500.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { FaultMode } from "../../scripts/local-db/control";
import { json, seedWorkspace } from "../support/harness";
import { injectFault } from "../support/local-db";
import { fetchWorker } from "../support/worker";

afterEach(() => injectFault(null));

async function getContact(id: string, token: string) {
  // A short database timeout, so that a hung database is given up quickly.
  return fetchWorker(
    new Request(`https://api.test/api/contacts/${id}`, { headers: { Authorization: `Bearer ${token}` } }),
    { ...env, DB_TIMEOUT_MS: "500" },
  );
}

describe("database faults", () => {
  const modes: FaultMode[] = ["server-error", "postgres-error", "hang", "drop", "refuse"];
  for (const mode of modes) {
    it(`answers 503 with Retry-After when the database fails (${mode})`, async () => {
      const ws = await seedWorkspace();
      await injectFault({ mode, count: 1 });
      const response = await getContact(ws.contactId, ws.token);
      expect(response.status).toBe(503);
      expect(response.headers.get("Retry-After")).toBe("1");
      expect(await json(response)).toEqual({ success: false, error: "Database temporarily unavailable, please retry" });
      // and the next request is served normally
      expect((await getContact(ws.contactId, ws.token)).status).toBe(200);
    });
  }
});
