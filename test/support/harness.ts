// Test helpers that run inside workerd: every test seeds a workspace of its own
// with unique ids (so tests never depend on each other), and calls the worker
// through its real fetch.
import { env, SELF } from "cloudflare:test";
import { asc, eq } from "drizzle-orm";
import { seedWorkspaceFixture, type WorkspaceFixture } from "../../scripts/fixtures";
import { getDb } from "../../src/db/client";
import { addresses, apiTokens, contacts, customers, events, webhookEndpoints } from "../../src/db/schema";
import { checkConformance } from "./openapi-conformance";

export { json } from "./envelope";

export const db = () => getDb(env.DATABASE_URL);

export type TestWorkspace = WorkspaceFixture;

/** A workspace of its own for one test: one customer, one contact, one address linked to it, tokens. */
export const seedWorkspace = (): Promise<TestWorkspace> => seedWorkspaceFixture(db());

export interface ApiRequest {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A request through the worker's fetch, as a client would send it. Its answer
 * is checked against the OpenAPI document on the way (openapi-conformance.ts).
 */
export async function api(path: string, request: ApiRequest = {}): Promise<Response> {
  const headers = new Headers(request.headers);
  if (request.token !== undefined) headers.set("Authorization", `Bearer ${request.token}`);
  let body: string | Uint8Array | undefined;
  if (request.body !== undefined) {
    const raw = typeof request.body === "string" || request.body instanceof Uint8Array;
    body = raw ? (request.body as string | Uint8Array) : JSON.stringify(request.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  const method = request.method ?? "GET";
  const url = `https://api.test${path}`;
  const response = await SELF.fetch(url, { method, headers, body });
  await checkConformance(method, url, response);
  return response;
}

/** A response's headers, without the ones that differ on every request (X-Request-Id). */
export const stableHeaders = (response: Response) =>
  [...response.headers].filter(([name]) => name.toLowerCase() !== "x-request-id");

/** Everything a workspace holds that a request could change, to compare before and after. */
export async function snapshotWorkspace(workspaceId: string) {
  const d = db();
  return d.batch([
    d.select().from(customers).where(eq(customers.workspaceId, workspaceId)).orderBy(asc(customers.id)),
    d.select().from(contacts).where(eq(contacts.workspaceId, workspaceId)).orderBy(asc(contacts.id)),
    d.select().from(addresses).where(eq(addresses.workspaceId, workspaceId)).orderBy(asc(addresses.id)),
    d
      .select({ id: apiTokens.id, revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .where(eq(apiTokens.workspaceId, workspaceId))
      .orderBy(asc(apiTokens.id)),
    d
      .select({ seq: events.seq, type: events.type, objectId: events.objectId })
      .from(events)
      .where(eq(events.workspaceId, workspaceId))
      .orderBy(asc(events.seq)),
    d
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.workspaceId, workspaceId))
      .orderBy(asc(webhookEndpoints.id)),
  ]);
}
