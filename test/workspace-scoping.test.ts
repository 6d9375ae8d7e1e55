// One workspace never sees another's data: the workspace comes from the token only.
import { describe, expect, it } from "vitest";
import { api, seedWorkspace } from "./harness";

describe("workspace scoping", () => {
  it("answers a contact of another workspace exactly like one that does not exist", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const foreign = await api(`/api/contacts/${theirs.contactId}`, { token: mine.token });
    const missing = await api(`/api/contacts/${crypto.randomUUID()}`, { token: mine.token });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect([...foreign.headers]).toEqual([...missing.headers]);
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
});
