// Demo data: the seed example of Qwoty's "Get Contact" page, reproduced exactly
// (same ids, names, phone, roles, address link and timestamps), plus a second
// workspace to show that a token never sees another workspace's data.
// Idempotent: rerunning puts the demo rows back as they were and mints fresh
// demo tokens (the secrets exist only in the output of the run that made them).
import { and, getTableColumns, inArray, sql } from "drizzle-orm";
import type { PgTable, PgUpdateSetSource } from "drizzle-orm/pg-core";
import { fullAccessPermissions, type Permission, readOnlyPermissions } from "../src/access/permissions.ts";
import { hashToken, mintToken, tokenHint } from "../src/access/token.ts";
import type { Db } from "../src/db/client.ts";
import { addresses, apiTokens, contacts, customers, workspaces } from "../src/db/schema.ts";

export const demo = {
  workspaceId: "706eb564-6c4a-4e18-841c-bdd79be6bca7",
  customerId: "550e8400-e29b-41d4-a716-446655440000",
  contactId: "660e8400-e29b-41d4-a716-446655440001",
  addressId: "c3d4e5f6-a7b8-9012-cdef-123456789012",
  otherWorkspaceId: "9b2f4c1e-3d5a-4f6b-8c7d-0e1f2a3b4c5d",
  otherCustomerId: "770e8400-e29b-41d4-a716-446655440002",
  otherContactId: "770e8400-e29b-41d4-a716-446655440003",
} as const;

const seededAt = new Date("2026-01-15T10:30:00Z");

// The records of Qwoty's "Get Contact" example, as rows: written by seedDemo,
// and serialised into the OpenAPI document's examples (scripts/openapi.ts).
export const acmeCustomer: typeof customers.$inferSelect = {
  id: demo.customerId,
  workspaceId: demo.workspaceId,
  name: "Acme Corporation",
  type: "company",
  segmentId: null,
  logo: null,
  taxIds: [{ tax: "VAT", tax_value: "FR12345678901" }],
  idCrm: null,
  idErp: null,
  idAccounting: null,
  createdAt: seededAt,
  updatedAt: seededAt,
};

export const jeanDupont: typeof contacts.$inferSelect = {
  id: demo.contactId,
  workspaceId: demo.workspaceId,
  customerId: demo.customerId,
  firstName: "Jean",
  lastName: "Dupont",
  email: "jean.dupont@acme.com",
  phone: "+33 6 12 34 56 78",
  role: ["buyer", "signer"],
  idCrm: null,
  idErp: null,
  idAccounting: null,
  createdAt: seededAt,
  updatedAt: seededAt,
};

export const siegeSocial: typeof addresses.$inferSelect = {
  id: demo.addressId,
  workspaceId: demo.workspaceId,
  customerId: demo.customerId,
  type: "billing",
  name: "Siège social",
  addressLine1: "12 Rue de la Paix",
  addressLine2: null,
  city: "Paris",
  state: null,
  postalCode: "75002",
  country: "FR",
  contactId: demo.contactId,
  comment: null,
  idCrm: null,
  idErp: null,
  idAccounting: null,
  createdAt: seededAt,
  updatedAt: seededAt,
};

export interface DemoTokens {
  full: string;
  readOnly: string;
  otherWorkspace: string;
}

/** ON CONFLICT … DO UPDATE SET every column = the proposed row's: the demo row wins. */
function restore<T extends PgTable>(table: T): { target: T["_"]["columns"]["id"]; set: PgUpdateSetSource<T> } {
  const columns = getTableColumns(table);
  const set = Object.fromEntries(
    Object.entries(columns).map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]),
  );
  return { target: columns.id as T["_"]["columns"]["id"], set: set as PgUpdateSetSource<T> };
}

export async function seedDemo(db: Db): Promise<DemoTokens> {
  const tokens: DemoTokens = { full: mintToken(), readOnly: mintToken(), otherWorkspace: mintToken() };
  const tokenRow = async (workspaceId: string, name: string, token: string, permissions: Permission[]) => ({
    workspaceId,
    name,
    tokenHash: await hashToken(token),
    tokenHint: tokenHint(token),
    permissions,
  });
  const demoTokenRows = [
    await tokenRow(demo.workspaceId, "Demo full access", tokens.full, [
      ...fullAccessPermissions,
      "tokens:admin",
      "webhooks:admin",
    ]),
    await tokenRow(demo.workspaceId, "Demo read-only", tokens.readOnly, readOnlyPermissions),
    await tokenRow(demo.otherWorkspaceId, "Globex full access", tokens.otherWorkspace, fullAccessPermissions),
  ];

  await db.batch([
    db
      .insert(workspaces)
      .values([
        { id: demo.workspaceId, name: "Acme Demo", createdAt: seededAt },
        { id: demo.otherWorkspaceId, name: "Globex Demo", createdAt: seededAt },
      ])
      .onConflictDoUpdate(restore(workspaces)),
    db
      .insert(customers)
      .values([
        acmeCustomer,
        {
          id: demo.otherCustomerId,
          workspaceId: demo.otherWorkspaceId,
          name: "Globex Corporation",
          type: "company",
          segmentId: null,
          logo: null,
          taxIds: [],
          idCrm: null,
          idErp: null,
          idAccounting: null,
          createdAt: seededAt,
          updatedAt: seededAt,
        },
      ])
      .onConflictDoUpdate(restore(customers)),
    db
      .insert(contacts)
      .values([
        jeanDupont,
        {
          id: demo.otherContactId,
          workspaceId: demo.otherWorkspaceId,
          customerId: demo.otherCustomerId,
          firstName: "Hank",
          lastName: "Scorpio",
          email: "hank@globex.example",
          phone: null,
          role: ["admin"],
          idCrm: null,
          idErp: null,
          idAccounting: null,
          createdAt: seededAt,
          updatedAt: seededAt,
        },
      ])
      .onConflictDoUpdate(restore(contacts)),
    db.insert(addresses).values(siegeSocial).onConflictDoUpdate(restore(addresses)),
    db.delete(apiTokens).where(
      and(
        inArray(apiTokens.workspaceId, [demo.workspaceId, demo.otherWorkspaceId]),
        inArray(
          apiTokens.name,
          demoTokenRows.map((t) => t.name),
        ),
      ),
    ),
    db.insert(apiTokens).values(demoTokenRows),
  ]);
  return tokens;
}
