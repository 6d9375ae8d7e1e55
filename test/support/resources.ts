// Factories and typed requests per resource, for the worker tests: valid
// bodies, requests that answer the API's own object types (src/*/object.ts),
// and rows written straight to the database when a test needs what the API
// cannot do (a chosen created_at, a thousand rows at once).
//
// Naming: `xBody` is a valid request body; `postX`/`patchX` send a request and
// hand back the answer, whatever it is; `createX`/`getX`/`listX` expect the
// request to succeed (201/200) and hand back the object; `insertX` writes rows.

import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { fullAccessPermissions, type Permission } from "../../src/access/permissions";
import type { AddressObject } from "../../src/addresses/object";
import type { ContactObject } from "../../src/contacts/object";
import type { CustomerObject } from "../../src/customers/object";
import { addresses, contacts, customers } from "../../src/db/schema";
import type { TokenObject as ApiTokenObject } from "../../src/tokens/object";
import type { Envelope, Page } from "./envelope";
import { api, db, json, type TestWorkspace } from "./harness";

// ---------------------------------------------------------------------------
// Contacts

/** A valid body for a new contact of the workspace's customer; `fields` replace or add fields. */
export const contactBody = (ws: TestWorkspace, fields: Record<string, unknown> = {}) => ({
  customer_id: ws.customerId,
  first_name: "Grace",
  last_name: "Hopper",
  email: "grace@example.com",
  ...fields,
});

/** POST /api/contacts: the answer and its body. */
export async function postContact(token: string, body: Record<string, unknown>) {
  const response = await api("/api/contacts", { method: "POST", token, body });
  return { response, body: await json<Envelope<ContactObject>>(response) };
}

/** A new contact of the workspace (`contactBody` with `fields`), through the API. */
export async function createContact(ws: TestWorkspace, fields: Record<string, unknown> = {}): Promise<ContactObject> {
  const response = await api("/api/contacts", { method: "POST", token: ws.token, body: contactBody(ws, fields) });
  expect(response.status).toBe(201);
  return (await json<Envelope<ContactObject>>(response)).data;
}

/** GET /api/contacts/{id}: the body, whatever the status. */
export async function getContact(token: string, id: string) {
  return json<Envelope<ContactObject>>(await api(`/api/contacts/${id}`, { token }));
}

/** Inserts a contact of `customerId` directly, created at `createdAt` if given. */
export async function insertContact(ws: TestWorkspace, customerId: string, createdAt?: Date): Promise<string> {
  const id = crypto.randomUUID();
  await db()
    .insert(contacts)
    .values({
      id,
      workspaceId: ws.workspaceId,
      customerId,
      firstName: "Grace",
      lastName: "Hopper",
      email: "grace@example.com",
      ...(createdAt ? { createdAt, updatedAt: createdAt } : {}),
    });
  return id;
}

// ---------------------------------------------------------------------------
// Customers

/** The documented customer object, keys in the documented order. */
export const customerKeys = [
  "id",
  "workspace_id",
  "name",
  "type",
  "segment_id",
  "logo",
  "tax_ids",
  "id_crm",
  "id_erp",
  "id_accounting",
  "contact_ids",
  "address_ids",
  "created_at",
  "updated_at",
];

/** A customer with every optional field set. */
export const fullCustomer = {
  name: "Acme Corporation",
  type: "company",
  segment_id: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  logo: "https://cdn.example.com/acme.png",
  tax_ids: [
    { tax: "VAT", tax_value: "FR12345678901" },
    { tax: "SIREN", tax_value: "123456789" },
  ],
  id_crm: "crm-1",
  id_erp: "erp-1",
  id_accounting: "acc-1",
};

/** POST /api/customers. */
export async function postCustomer(ws: TestWorkspace, body: unknown, token = ws.token) {
  return api("/api/customers", { method: "POST", token, body });
}

/** A new customer of the workspace ("Acme", a company, unless `body` says otherwise), through the API. */
export async function createCustomer(ws: TestWorkspace, body: Record<string, unknown> = {}): Promise<CustomerObject> {
  const response = await postCustomer(ws, { name: "Acme", type: "company", ...body });
  expect(response.status).toBe(201);
  return (await json<Envelope<CustomerObject>>(response)).data;
}

/** GET /api/customers/{id}, which must answer 200. */
export async function getCustomer(ws: TestWorkspace, id: string): Promise<CustomerObject> {
  const response = await api(`/api/customers/${id}`, { token: ws.token });
  expect(response.status).toBe(200);
  return (await json<Envelope<CustomerObject>>(response)).data;
}

/** PATCH /api/customers/{id}. */
export async function patchCustomer(ws: TestWorkspace, id: string, body: unknown, token = ws.token) {
  return api(`/api/customers/${id}`, { method: "PATCH", token, body });
}

/** GET /api/customers with `query`, which must answer 200. */
export async function listCustomers(ws: TestWorkspace, query = ""): Promise<CustomerObject[]> {
  const response = await api(`/api/customers${query}`, { token: ws.token });
  expect(response.status).toBe(200);
  return (await json<Envelope<CustomerObject[]>>(response)).data;
}

/** The workspace's customer rows, straight from the database. */
export async function customerRows(workspaceId: string) {
  return db().select().from(customers).where(eq(customers.workspaceId, workspaceId)).orderBy(customers.id);
}

/** Inserts customers directly, with the given creation times. */
export async function insertCustomers(ws: TestWorkspace, createdAt: Date[]): Promise<string[]> {
  const rows = createdAt.map((at, i) => ({
    id: crypto.randomUUID(),
    workspaceId: ws.workspaceId,
    name: `Customer ${i}`,
    type: "company" as const,
    createdAt: at,
    updatedAt: at,
  }));
  await db().insert(customers).values(rows);
  return rows.map((row) => row.id);
}

// ---------------------------------------------------------------------------
// Addresses

/** The address object's fields, in the documented order. */
export const addressKeys = [
  "id",
  "workspace_id",
  "customer_id",
  "type",
  "name",
  "address_line1",
  "address_line2",
  "city",
  "state",
  "postal_code",
  "country",
  "contact_id",
  "comment",
  "id_crm",
  "id_erp",
  "id_accounting",
  "created_at",
  "updated_at",
];

/** The smallest valid body for a new address of the workspace's customer; `fields` replace or add fields. */
export const addressBody = (ws: TestWorkspace, fields: Record<string, unknown> = {}) => ({
  customer_id: ws.customerId,
  type: "shipping",
  address_line1: "2 Rue de Rivoli",
  city: "Paris",
  postal_code: "75001",
  country: "FR",
  ...fields,
});

/** POST /api/addresses: the answer and its body. */
export async function postAddress(token: string, body: unknown) {
  const response = await api("/api/addresses", { method: "POST", token, body });
  return { response, body: await json<Envelope<AddressObject>>(response) };
}

/** PATCH /api/addresses/{id}: the answer and its body. */
export async function patchAddress(token: string, id: string, body: unknown) {
  const response = await api(`/api/addresses/${id}`, { method: "PATCH", token, body });
  return { response, body: await json<Envelope<AddressObject>>(response) };
}

/** GET /api/addresses/{id}: the body, whatever the status. */
export async function getAddress(token: string, id: string) {
  return json<Envelope<AddressObject>>(await api(`/api/addresses/${id}`, { token }));
}

/** GET /api/addresses with `query`, which must answer 200. */
export async function listAddresses(token: string, query = "") {
  const response = await api(`/api/addresses${query}`, { token });
  expect(response.status, query).toBe(200);
  return json<Page<AddressObject>>(response);
}

/** The ids GET /api/addresses lists with `query`. */
export async function listedIds(token: string, query = "") {
  return (await listAddresses(token, query)).data.map((a) => a.id);
}

/** Inserts a shipping address of `customerId` directly, linked to no contact, created at `createdAt` if given. */
export async function insertAddress(ws: TestWorkspace, customerId: string, createdAt?: Date): Promise<string> {
  const id = crypto.randomUUID();
  await db()
    .insert(addresses)
    .values({
      id,
      workspaceId: ws.workspaceId,
      customerId,
      type: "shipping",
      addressLine1: "2 Side Street",
      city: "Paris",
      postalCode: "75001",
      country: "FR",
      ...(createdAt ? { createdAt, updatedAt: createdAt } : {}),
    });
  return id;
}

/** An address of the workspace's customer with a chosen created_at, written directly: lets a test fix the order of a list. */
export async function insertAddressAt(ws: TestWorkspace, createdAt: string, id: string = crypto.randomUUID()) {
  await db()
    .insert(addresses)
    .values({
      id,
      workspaceId: ws.workspaceId,
      customerId: ws.customerId,
      type: "shipping",
      addressLine1: `Inserted at ${createdAt}`,
      city: "Berlin",
      postalCode: "10115",
      country: "DE",
      createdAt: new Date(createdAt),
      updatedAt: new Date(createdAt),
    });
  return id;
}

// ---------------------------------------------------------------------------
// Tokens

/** A token as /api/tokens answers it; `token`, the secret, only in the answer to its creation. */
export type TokenObject = ApiTokenObject & { token?: string };

/** Every permission: the full-access ones and tokens:admin. */
export const adminPermissions: Permission[] = [...fullAccessPermissions, "tokens:admin"];

/** A token that manages the workspace's tokens (and holds every other permission), without expiry. */
export const adminToken = (ws: TestWorkspace) => ws.newToken({ permissions: adminPermissions });

/** An instant `ms` from now, in whole seconds, as the API prints it (ISO 8601, UTC, no fraction). */
export const isoIn = (ms: number) =>
  new Date(Math.floor((Date.now() + ms) / 1000) * 1000).toISOString().replace(".000Z", "Z");
