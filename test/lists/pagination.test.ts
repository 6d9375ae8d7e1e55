// Lists: everything by default (as Qwoty does), streamed past one page; opt-in
// cursor pagination with a stable order.
import { describe, expect, it } from "vitest";
import type { ContactObject } from "../../src/contacts/object";
import { contacts } from "../../src/db/schema";
import { maxLimit, pageSize } from "../../src/http/list";
import type { Envelope } from "../support/envelope";
import { api, db, json, seedWorkspace } from "../support/harness";

/** A list of contacts: has_more and next_cursor come only with ?limit or ?cursor. */
type Page = Envelope<ContactObject[]> & { has_more?: boolean; next_cursor?: string | null };

/** Adds `count` contacts to the workspace's customer, in one statement. */
async function addContacts(workspaceId: string, customerId: string, count: number) {
  const rows = Array.from({ length: count }, (_, i) => ({
    workspaceId,
    customerId,
    firstName: `First ${i}`,
    lastName: `Last ${i}`,
    email: `person${i}@example.com`,
  }));
  for (let i = 0; i < rows.length; i += 2000)
    await db()
      .insert(contacts)
      .values(rows.slice(i, i + 2000));
}

const byCreationThenId = (a: ContactObject, b: ContactObject) =>
  a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : Date.parse(a.created_at) - Date.parse(b.created_at);

describe("lists", () => {
  it(`returns everything without pagination parameters, even past ${pageSize} items, as one valid JSON body`, async () => {
    const ws = await seedWorkspace();
    await addContacts(ws.workspaceId, ws.customerId, 2 * pageSize + 100);
    const response = await api("/api/contacts", { token: ws.token });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = await json<Page>(response);
    expect(Object.keys(body)).toEqual(["success", "data"]);
    expect(body.data).toHaveLength(2 * pageSize + 101);
    expect(new Set(body.data.map((c) => c.id)).size).toBe(body.data.length);
    expect([...body.data].sort(byCreationThenId)).toEqual(body.data);
  });

  it("pages with limit and cursor: stable order, no duplicates, no gaps", async () => {
    const ws = await seedWorkspace();
    await addContacts(ws.workspaceId, ws.customerId, 24);
    const all = (await json<Page>(await api("/api/contacts", { token: ws.token }))).data.map((c) => c.id);
    expect(all).toHaveLength(25);

    const walked: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const query = cursor ? `limit=10&cursor=${cursor}` : "limit=10";
      const page = await json<Page>(await api(`/api/contacts?${query}`, { token: ws.token }));
      expect(Object.keys(page)).toEqual(["success", "data", "has_more", "next_cursor"]);
      expect(page.data.length).toBeLessThanOrEqual(10);
      walked.push(...page.data.map((c) => c.id));
      expect(page.has_more).toBe(page.next_cursor !== null);
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(walked).toEqual(all);
  });

  it("pages a filtered list, and a cursor alone continues with full pages", async () => {
    const ws = await seedWorkspace();
    await addContacts(ws.workspaceId, ws.customerId, 4);
    const first = await json<Page>(
      await api(`/api/contacts?customer_id=${ws.customerId}&limit=2`, { token: ws.token }),
    );
    expect(first.data).toHaveLength(2);
    const rest = await json<Page>(
      await api(`/api/contacts?customer_id=${ws.customerId}&cursor=${first.next_cursor}`, { token: ws.token }),
    );
    expect(rest.data).toHaveLength(3);
    expect(rest.has_more).toBe(false);
    expect(rest.next_cursor).toBeNull();
  });

  it("answers an empty page for an empty workspace list", async () => {
    const ws = await seedWorkspace();
    const page = await json<Page>(
      await api(`/api/contacts?customer_id=${crypto.randomUUID()}&limit=5`, { token: ws.token }),
    );
    expect(page).toEqual({ success: true, data: [], has_more: false, next_cursor: null });
  });

  it("refuses a bad limit or cursor with 400", async () => {
    const ws = await seedWorkspace();
    const cases: [string, string][] = [
      ["limit=0", `limit must be an integer from 1 to ${maxLimit}`],
      [`limit=${maxLimit + 1}`, `limit must be an integer from 1 to ${maxLimit}`],
      ["limit=abc", `limit must be an integer from 1 to ${maxLimit}`],
      ["limit=-1", `limit must be an integer from 1 to ${maxLimit}`],
      ["limit=1.5", `limit must be an integer from 1 to ${maxLimit}`],
      ["cursor=garbage", "cursor is invalid: pass the next_cursor of a previous page"],
      [
        `cursor=${btoa("2026-01-01T00:00:00Z|not-a-uuid")}`,
        "cursor is invalid: pass the next_cursor of a previous page",
      ],
    ];
    for (const [query, error] of cases) {
      for (const resource of ["contacts", "customers", "addresses"]) {
        const response = await api(`/api/${resource}?${query}`, { token: ws.token });
        expect(response.status, `${resource}?${query}`).toBe(400);
        expect(await json(response)).toEqual({ success: false, error });
      }
    }
  });

  it("refuses unknown query parameters on a list, naming them (a typo must not return everything)", async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/contacts?sort=name&page=2", { token: ws.token });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({
      success: false,
      error: "sort is not a known query parameter",
    });
  });
});
