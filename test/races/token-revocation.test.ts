// A token's writes while an admin revokes it: the write either happened before
// the revocation (201, and the row is there) or is refused as revoked (401,
// and nothing was written). Never a refusal that blames the request itself
// (400 customer not found, 403) or a 5xx.
import { and, eq } from "drizzle-orm";
import { it } from "vitest";
import { fullAccessPermissions } from "../../src/access/permissions";
import { apiTokens, contacts, customers } from "../../src/db/schema";
import { db, type TestWorkspace } from "../support/harness";
import {
  type Answer,
  type Fail,
  pairTimeout,
  racerContact,
  raceSuite,
  runPair,
  seedRaceWorkspace,
  send,
  tokensWithIds,
} from "../support/race";
import { adminPermissions } from "../support/resources";

interface Round {
  ws: TestWorkspace;
  /** revokes */
  adminToken: string;
  /** writes, and is revoked */
  token: { id: string; secret: string };
}

async function setup(permissions: string[]): Promise<Round> {
  const ws = await seedRaceWorkspace();
  const [adminToken, token] = await tokensWithIds(ws, adminPermissions, permissions);
  return { ws, adminToken: (adminToken as { secret: string }).secret, token: token as Round["token"] };
}

const revoke = ({ adminToken, token }: Round) =>
  send("DELETE", `/api/tokens/${token.id}`, { method: "DELETE", token: adminToken });

/** What the revoked token's write may have left: the rows it would have created. */
async function written(ws: TestWorkspace, tokenId: string) {
  const d = db();
  const [revoked, newCustomers, newContacts, newTokens] = await d.batch([
    d.select({ revokedAt: apiTokens.revokedAt }).from(apiTokens).where(eq(apiTokens.id, tokenId)),
    d
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.workspaceId, ws.workspaceId), eq(customers.name, "Racer Ltd"))),
    d
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, ws.workspaceId), eq(contacts.firstName, "Racer"))),
    d
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(and(eq(apiTokens.workspaceId, ws.workspaceId), eq(apiTokens.name, "Racer child"))),
  ]);
  return {
    revoked: revoked[0]?.revokedAt != null,
    ids: [...newCustomers, ...newContacts, ...newTokens].map((r) => r.id),
  };
}

async function check(round: Round, write: Answer, revocation: Answer, fail: Fail) {
  const state = await written(round.ws, round.token.id);
  if (revocation.status !== 200) fail("the admin's DELETE /api/tokens/{id} must answer 200");
  if (!state.revoked) fail("the token is not revoked");
  if (write.status === 201) {
    const id = write.body?.data?.id;
    if (!id || !state.ids.includes(id)) fail("the write answered 201 but its row is not there");
    if (state.ids.length !== 1) fail(`the write answered 201 but ${state.ids.length} rows were written`);
  } else if (write.status === 401) {
    if (write.body?.error !== "API token has been revoked") fail("401 with an unexpected error");
    if (state.ids.length > 0) fail("the write answered 401 but its row was written");
  } else if (write.status === 400 && write.body?.error === "customer_id: customer not found") {
    fail("400 customer not found, yet the customer exists: the token's revocation was taken for a missing customer");
  } else if (write.status === 403) {
    fail("403, yet the token holds the permission: its revocation was taken for a missing permission");
  } else {
    fail("the write must answer 201 or 401 (revoked)");
  }
}

raceSuite("race: a token's writes while it is revoked", () => {
  const writes = [
    {
      what: "POST /api/customers",
      permissions: fullAccessPermissions,
      send: ({ token }: Round) =>
        send("POST", "/api/customers", {
          method: "POST",
          token: token.secret,
          body: { name: "Racer Ltd", type: "company" },
        }),
    },
    {
      what: "POST /api/contacts",
      permissions: fullAccessPermissions,
      send: ({ ws, token }: Round) =>
        send("POST", "/api/contacts", { method: "POST", token: token.secret, body: racerContact(ws) }),
    },
    {
      what: "POST /api/tokens",
      permissions: adminPermissions,
      send: ({ token }: Round) =>
        send("POST", "/api/tokens", {
          method: "POST",
          token: token.secret,
          body: { name: "Racer child", permissions: ["contacts:read"] },
        }),
    },
  ];
  for (const write of writes) {
    it(
      `${write.what} by the token vs DELETE /api/tokens/{its id}: 201 and written, or 401 and nothing written`,
      async () => {
        await runPair<Round>({
          name: `${write.what} by token T vs DELETE /api/tokens/{T}`,
          setup: () => setup(write.permissions),
          first: write.send,
          second: revoke,
          check,
        });
      },
      pairTimeout,
    );
  }
});
