// The change feed as a client reads it (GET /api/events), for the events tests.
import { expect } from "vitest";
import type { EventObject } from "../../src/events/object";
import { json, type Page } from "./envelope";
import { api, type TestWorkspace } from "./harness";

export type FeedPage = Page<EventObject>;

/** One answer of the feed, checked to be a 200. */
export async function feedPage(token: string, query = ""): Promise<FeedPage> {
  const response = await api(`/api/events${query ? `?${query}` : ""}`, { token });
  expect(response.status, await response.clone().text()).toBe(200);
  return json<FeedPage>(response);
}

/** Every event after `after` (from the start without it), page after page, and the cursor to continue from. */
export async function readFeed(
  token: string,
  options: { after?: string | null; type?: string; limit?: number } = {},
): Promise<{ events: EventObject[]; cursor: string | null }> {
  const events: EventObject[] = [];
  let cursor = options.after ?? null;
  for (;;) {
    const query = new URLSearchParams();
    if (cursor) query.set("after", cursor);
    if (options.type) query.set("type", options.type);
    if (options.limit) query.set("limit", String(options.limit));
    const page = await feedPage(token, query.toString());
    events.push(...page.data);
    cursor = page.next_cursor;
    if (!page.has_more) return { events, cursor };
  }
}

/** The events a change of `ws` recorded: what the feed shows after `before` (a cursor taken before the change). */
export async function eventsOf(ws: TestWorkspace, change: () => Promise<unknown>): Promise<EventObject[]> {
  const { cursor } = await readFeed(ws.token);
  await change();
  return (await readFeed(ws.token, { after: cursor })).events;
}

/** Events as "type object_id", to compare lists of events at a glance. */
export const described = (events: readonly EventObject[]) => events.map((e) => `${e.type} ${e.object_id}`);
