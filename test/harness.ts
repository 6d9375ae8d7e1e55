// Test helpers that run inside workerd: every test seeds a workspace of its own
// with unique ids (so tests never depend on each other), and calls the worker
// through its real fetch.
import { env, SELF } from "cloudflare:test";
import { fullAccessPermissions, type Permission, readOnlyPermissions } from "../src/auth/permissions";
import { hashToken, mintToken, tokenHint } from "../src/auth/token";
import { getDb } from "../src/db/client";
import { addresses, apiTokens, contacts, customers, workspaces } from "../src/db/schema";

export const db = () => getDb(env.DATABASE_URL);

export interface TokenOptions {
  permissions?: Permission[];
  expiresAt?: Date | null;
  revokedAt?: Date | null;
}

export interface TestWorkspace {
  workspaceId: string;
  customerId: string;
  contactId: string;
  addressId: string;
  /** full access to contacts, customers and addresses */
  token: string;
  readOnlyToken: string;
  /** mints another token of this workspace */
  newToken(options?: TokenOptions): Promise<string>;
}

async function insertToken(workspaceId: string, options: TokenOptions = {}): Promise<string> {
  const token = mintToken();
  await db()
    .insert(apiTokens)
    .values({
      workspaceId,
      name: "test token",
      tokenHash: await hashToken(token),
      tokenHint: tokenHint(token),
      permissions: options.permissions ?? fullAccessPermissions,
      expiresAt: options.expiresAt ?? null,
      revokedAt: options.revokedAt ?? null,
    });
  return token;
}

/** A workspace with one customer, one contact and one address linked to that contact. */
export async function seedWorkspace(): Promise<TestWorkspace> {
  const workspaceId = crypto.randomUUID();
  const customerId = crypto.randomUUID();
  const contactId = crypto.randomUUID();
  const addressId = crypto.randomUUID();
  const [token, readOnlyToken] = [mintToken(), mintToken()];
  const tokenRow = async (value: string, permissions: Permission[]) => ({
    workspaceId,
    name: "test token",
    tokenHash: await hashToken(value),
    tokenHint: tokenHint(value),
    permissions,
  });
  const d = db();
  await d.batch([
    d.insert(workspaces).values({ id: workspaceId, name: `Test ${workspaceId.slice(0, 8)}` }),
    d.insert(customers).values({ id: customerId, workspaceId, name: "Test Customer", type: "company" }),
    d.insert(contacts).values({
      id: contactId,
      workspaceId,
      customerId,
      firstName: "Ada",
      lastName: "Lovelace",
      email: "ada@example.com",
      role: ["buyer"],
    }),
    d.insert(addresses).values({
      id: addressId,
      workspaceId,
      customerId,
      type: "billing",
      addressLine1: "1 Main Street",
      city: "London",
      postalCode: "N1 9GU",
      country: "GB",
      contactId,
    }),
    d
      .insert(apiTokens)
      .values([await tokenRow(token, fullAccessPermissions), await tokenRow(readOnlyToken, readOnlyPermissions)]),
  ]);
  return {
    workspaceId,
    customerId,
    contactId,
    addressId,
    token,
    readOnlyToken,
    newToken: (options) => insertToken(workspaceId, options),
  };
}

export interface ApiRequest {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A request through the worker's fetch, as a client would send it. */
export function api(path: string, request: ApiRequest = {}): Promise<Response> {
  const headers = new Headers(request.headers);
  if (request.token !== undefined) headers.set("Authorization", `Bearer ${request.token}`);
  let body: string | Uint8Array | undefined;
  if (request.body !== undefined) {
    const raw = typeof request.body === "string" || request.body instanceof Uint8Array;
    body = raw ? (request.body as string | Uint8Array) : JSON.stringify(request.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  return SELF.fetch(`https://api.test${path}`, { method: request.method ?? "GET", headers, body });
}

/** The JSON body of a response, typed loosely for assertions. */
export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
