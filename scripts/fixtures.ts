// A throw-away workspace with unique ids: one customer, one contact, one address
// linked to that contact, a disabled webhook endpoint with one delivery in its
// log, a full-access (and webhooks:admin) and a read-only token. Used by the tests
// (inside workerd) and the benchmark (in Node), through the worker's own client.
import { fullAccessPermissions, type Permission, readOnlyPermissions } from "../src/access/permissions.ts";
import { hashToken, mintToken, tokenHint } from "../src/access/token.ts";
import type { Db } from "../src/db/client.ts";
import {
  addresses,
  apiTokens,
  contacts,
  customers,
  webhookDeliveriesTable,
  webhookEndpoints,
  workspaces,
} from "../src/db/schema.ts";

export interface TokenOptions {
  permissions?: Permission[];
  expiresAt?: Date | null;
  revokedAt?: Date | null;
}

export interface WorkspaceFixture {
  workspaceId: string;
  customerId: string;
  contactId: string;
  addressId: string;
  /** a webhook endpoint, disabled (nothing is sent to it), with a failed delivery of event `webhookEventId` */
  webhookId: string;
  webhookEventId: string;
  /** full access to contacts, customers and addresses, and webhooks:admin */
  token: string;
  readOnlyToken: string;
  /** mints another token of this workspace */
  newToken(options?: TokenOptions): Promise<string>;
}

/** The fixture's full-access token also manages webhooks (full access does not include it). */
const fixturePermissions: Permission[] = [...fullAccessPermissions, "webhooks:admin"];

async function tokenRow(workspaceId: string, token: string, options: TokenOptions = {}) {
  return {
    workspaceId,
    name: "test token",
    tokenHash: await hashToken(token),
    tokenHint: tokenHint(token),
    permissions: options.permissions ?? fixturePermissions,
    expiresAt: options.expiresAt ?? null,
    revokedAt: options.revokedAt ?? null,
  };
}

export async function seedWorkspaceFixture(db: Db): Promise<WorkspaceFixture> {
  const workspaceId = crypto.randomUUID();
  const customerId = crypto.randomUUID();
  const contactId = crypto.randomUUID();
  const addressId = crypto.randomUUID();
  const webhookId = crypto.randomUUID();
  const webhookEventId = crypto.randomUUID();
  const [token, readOnlyToken] = [mintToken(), mintToken()];
  await db.batch([
    db.insert(workspaces).values({ id: workspaceId, name: `Test ${workspaceId.slice(0, 8)}` }),
    db.insert(customers).values({ id: customerId, workspaceId, name: "Test Customer", type: "company" }),
    db.insert(contacts).values({
      id: contactId,
      workspaceId,
      customerId,
      firstName: "Ada",
      lastName: "Lovelace",
      email: "ada@example.com",
      role: ["buyer"],
    }),
    db.insert(addresses).values({
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
    db.insert(webhookEndpoints).values({
      id: webhookId,
      workspaceId,
      // Nothing listens there: a ping (the one thing sent to a disabled endpoint) fails at once.
      url: "https://127.0.0.1:9/hook",
      eventTypes: ["*"],
      enabled: false,
      secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    }),
    db.insert(webhookDeliveriesTable()).values({
      eventId: webhookEventId,
      endpointId: webhookId,
      workspaceId,
      eventType: "contact.updated",
      objectId: contactId,
      state: "failed",
      attempts: 1,
      error: "HTTP 500",
      statusCode: 500,
    }),
    db
      .insert(apiTokens)
      .values([
        await tokenRow(workspaceId, token),
        await tokenRow(workspaceId, readOnlyToken, { permissions: readOnlyPermissions }),
      ]),
  ]);
  return {
    workspaceId,
    customerId,
    contactId,
    addressId,
    webhookId,
    webhookEventId,
    token,
    readOnlyToken,
    async newToken(options) {
      const value = mintToken();
      await db.insert(apiTokens).values(await tokenRow(workspaceId, value, options));
      return value;
    },
  };
}
