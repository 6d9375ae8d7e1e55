// No request state in module scope: many requests of different workspaces in
// flight at once in one isolate each get their own workspace's data only.
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../src/addresses/object";
import type { ContactObject } from "../src/contacts/object";
import type { Envelope } from "./support/envelope";
import { api, json, seedWorkspace } from "./support/harness";

describe("requests in flight together", () => {
  it("gives each of 60 concurrent requests of 30 workspaces only its own data", async () => {
    const workspaces = await Promise.all(Array.from({ length: 30 }, () => seedWorkspace()));
    const requests = workspaces.flatMap((ws) => [
      api(`/api/contacts/${ws.contactId}`, { token: ws.token }).then((r) => ({ ws, kind: "get", r })),
      api("/api/addresses", { token: ws.token }).then((r) => ({ ws, kind: "list", r })),
    ]);
    const answers = await Promise.all(requests);
    expect(answers).toHaveLength(60);
    for (const { ws, kind, r } of answers) {
      expect(r.status).toBe(200);
      if (kind === "get") {
        const body = await json<Envelope<ContactObject>>(r);
        expect(body.data).toMatchObject({ id: ws.contactId, workspace_id: ws.workspaceId });
      } else {
        const body = await json<Envelope<AddressObject[]>>(r);
        expect(body.data.map((a) => [a.id, a.workspace_id])).toEqual([[ws.addressId, ws.workspaceId]]);
      }
    }
  });

  it("keeps 50 concurrent writes of 50 workspaces each in its own workspace", async () => {
    const workspaces = await Promise.all(Array.from({ length: 50 }, () => seedWorkspace()));
    const answers = await Promise.all(
      workspaces.map((ws, i) =>
        api("/api/contacts", {
          method: "POST",
          token: ws.token,
          body: {
            customer_id: ws.customerId,
            first_name: `Parallel ${i}`,
            last_name: "Write",
            email: `p${i}@example.com`,
          },
        }),
      ),
    );
    for (const [i, r] of answers.entries()) {
      const ws = workspaces[i];
      expect(r.status).toBe(201);
      const body = await json<Envelope<ContactObject>>(r);
      expect(body.data).toMatchObject({
        workspace_id: ws?.workspaceId,
        customer_id: ws?.customerId,
        first_name: `Parallel ${i}`,
      });
    }
  });
});
