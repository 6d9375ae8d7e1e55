// One workspace never sees another's data: the workspace comes from the token only.
import { describe, expect, it } from "vitest";
import { endpoints } from "./endpoints";
import { api, seedWorkspace, snapshotWorkspace, stableHeaders } from "./support/harness";

describe("workspace scoping", () => {
  it("answers a contact of another workspace exactly like one that does not exist", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const foreign = await api(`/api/contacts/${theirs.contactId}`, { token: mine.token });
    const missing = await api(`/api/contacts/${crypto.randomUUID()}`, { token: mine.token });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(stableHeaders(foreign)).toEqual(stableHeaders(missing));
    expect(await foreign.text()).toBe(await missing.text());
  });

  it("ignores any workspace the request names itself", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const response = await api(`/api/contacts/${theirs.contactId}?workspace_id=${theirs.workspaceId}`, {
      token: mine.token,
      headers: { "X-Workspace-Id": theirs.workspaceId },
    });
    expect(response.status).toBe(404);
  });

  it("lets no endpoint read or change another workspace's records through their ids", async () => {
    const [victim, attacker] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const before = await snapshotWorkspace(victim.workspaceId);
    const victimIds = [victim.workspaceId, victim.customerId, victim.contactId, victim.addressId];

    for (const endpoint of endpoints) {
      const response = await api(endpoint.path(victim), {
        method: endpoint.method,
        token: attacker.token,
        body: endpoint.body?.(victim),
      });
      const text = await response.text();
      for (const id of victimIds) expect(text, `${endpoint.name} leaked ${id}`).not.toContain(id);
      expect(response.status, endpoint.name).toBe(endpoint.foreign);
      const body = JSON.parse(text) as { data?: unknown };
      if (endpoint.path(victim).includes("?customer_id=")) {
        expect(body.data, endpoint.name).toEqual([]);
      }
    }

    expect(await snapshotWorkspace(victim.workspaceId)).toEqual(before);
  });
});
