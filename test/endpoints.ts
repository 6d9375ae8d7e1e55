// Every endpoint of the directory, derived from the operations' declarations
// (src/<resource>/operations.ts): method, path and permission come from there;
// this file adds only what a test needs to call each one, a sample aimed at a
// workspace's records, and what that sample must answer. Cross-cutting tests
// (workspace isolation, round trips, the authorisation matrix, hostile input)
// run over all of them. An operation without samples fails at load: a new
// operation cannot be left out of those tests by accident.

import type { WorkspaceFixture as TestWorkspace } from "../scripts/fixtures";
import type { Permission } from "../src/access/permissions";
import { operations } from "../src/app";
import type { OperationSpec } from "../src/operation";

export interface Endpoint {
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** the path, aimed at the records of `target` */
  path(target: TestWorkspace): string;
  /** a valid body that refers to `target`'s records */
  body?(target: TestWorkspace): unknown;
  permission: Permission;
  /** what it answers when every id it names exists in the token's workspace */
  status: number;
  /** what it answers when the ids it names belong to another workspace: as if they did not exist */
  foreign: number;
}

interface Sample {
  name: string;
  /** path parameters other than `:id` (PUT …/by/:field/:value) */
  params?(target: TestWorkspace): Record<string, string>;
  /** a query string, aimed at `target`'s records */
  query?(target: TestWorkspace): string;
  body?(target: TestWorkspace): unknown;
  status: number;
  foreign: number;
}

/** Which of the workspace's records a resource path's `:id` names. */
const idOf: Record<string, (t: TestWorkspace) => string> = {
  contacts: (t) => t.contactId,
  customers: (t) => t.customerId,
  addresses: (t) => t.addressId,
  webhooks: (t) => t.webhookId,
};

/**
 * Tested elsewhere, with tokens and monitors of their own (tokens.test.ts,
 * protocol.test.ts), or with ids the fixture does not hold (an event's: test/events).
 */
const notInTable = new Set(["listTokens", "createToken", "deleteToken", "health", "getEvent"]);

const samples: Record<string, Sample[]> = {
  listContacts: [
    { name: "list contacts", status: 200, foreign: 200 },
    { name: "list a customer's contacts", query: (t) => `customer_id=${t.customerId}`, status: 200, foreign: 200 },
    {
      name: "find contacts by filters",
      query: () => "email=ada%40example.com&role=buyer&id_crm=CRM-1&updated_since=2000-01-01T00:00:00Z",
      status: 200,
      foreign: 200,
    },
  ],
  getContact: [{ name: "get contact", status: 200, foreign: 404 }],
  listEvents: [
    { name: "read the change feed", status: 200, foreign: 200 },
    { name: "read the contact events of the feed", query: () => "type=contact.*&limit=10", status: 200, foreign: 200 },
  ],
  createContact: [
    {
      name: "create contact",
      body: (t) => ({ customer_id: t.customerId, first_name: "New", last_name: "Contact", email: "new@example.com" }),
      status: 201,
      foreign: 400,
    },
  ],
  updateContact: [
    { name: "update contact", body: () => ({ first_name: "Changed", role: ["admin"] }), status: 200, foreign: 404 },
  ],
  deleteContact: [{ name: "delete contact", status: 200, foreign: 404 }],
  upsertContact: [
    {
      name: "upsert contact",
      params: () => ({ field: "id_crm", value: "UPSERT-CRM-1" }),
      body: (t) => ({
        customer_id: t.customerId,
        first_name: "Upserted",
        last_name: "Contact",
        email: "up@example.com",
      }),
      status: 201,
      foreign: 400,
    },
  ],
  batchContacts: [
    {
      // The update comes first: another workspace's contact makes it the first failing item (404).
      name: "batch contacts",
      body: (t) => ({
        operations: [
          { op: "update", id: t.contactId, data: { first_name: "Batched" } },
          {
            op: "create",
            data: { customer_id: t.customerId, first_name: "New", last_name: "Batched", email: "nb@example.com" },
          },
          {
            op: "upsert",
            match: "id_erp",
            data: {
              customer_id: t.customerId,
              first_name: "Up",
              last_name: "Batched",
              email: "ub@example.com",
              id_erp: "BATCH-ERP-1",
            },
          },
        ],
      }),
      status: 200,
      foreign: 404,
    },
  ],
  listCustomers: [
    { name: "list customers", status: 200, foreign: 200 },
    {
      name: "find customers by filters",
      query: () => "type=company&name_prefix=ac&tax_value=FR1&id_erp=E-1&updated_since=2000-01-01T00:00:00Z",
      status: 200,
      foreign: 200,
    },
  ],
  getCustomer: [{ name: "get customer", status: 200, foreign: 404 }],
  createCustomer: [
    { name: "create customer", body: () => ({ name: "New Customer", type: "individual" }), status: 201, foreign: 201 },
  ],
  updateCustomer: [
    {
      name: "update customer",
      body: () => ({ name: "Changed", tax_ids: [{ tax: "VAT", tax_value: "X" }] }),
      status: 200,
      foreign: 404,
    },
  ],
  deleteCustomer: [
    { name: "delete customer (has children)", status: 409, foreign: 404 },
    { name: "delete customer with cascade", query: () => "cascade=true", status: 200, foreign: 404 },
  ],
  upsertCustomer: [
    {
      name: "upsert customer",
      // A value no customer holds yet, on every call: it names no record, so every call creates one (201).
      params: () => ({ field: "id_erp", value: `UPSERT-ERP-${crypto.randomUUID()}` }),
      body: () => ({ name: "Upserted Customer", type: "company" }),
      status: 201,
      foreign: 201,
    },
  ],
  batchCustomers: [
    {
      name: "batch customers",
      body: (t) => ({
        operations: [
          { op: "update", id: t.customerId, data: { name: "Batched" } },
          { op: "create", data: { name: "New Batched", type: "individual" } },
          { op: "upsert", match: "id_crm", data: { name: "Up Batched", type: "company", id_crm: "BATCH-CRM-1" } },
        ],
      }),
      status: 200,
      foreign: 404,
    },
  ],
  listAddresses: [
    { name: "list addresses", status: 200, foreign: 200 },
    { name: "list a customer's addresses", query: (t) => `customer_id=${t.customerId}`, status: 200, foreign: 200 },
    {
      name: "find addresses by filters",
      query: (t) => `contact_id=${t.contactId}&type=billing&country=gb&updated_since=2000-01-01T00:00:00Z`,
      status: 200,
      foreign: 200,
    },
  ],
  getAddress: [{ name: "get address", status: 200, foreign: 404 }],
  createAddress: [
    {
      name: "create address",
      body: (t) => ({
        customer_id: t.customerId,
        contact_id: t.contactId,
        type: "shipping",
        address_line1: "2 Side Street",
        city: "Lyon",
        postal_code: "69001",
        country: "FR",
      }),
      status: 201,
      foreign: 400,
    },
  ],
  updateAddress: [
    {
      name: "update address",
      body: (t) => ({ city: "Changed", contact_id: t.contactId }),
      status: 200,
      foreign: 404,
    },
  ],
  deleteAddress: [{ name: "delete address", status: 200, foreign: 404 }],
  upsertAddress: [
    {
      name: "upsert address",
      params: () => ({ field: "id_accounting", value: "UPSERT-ACC-1" }),
      body: (t) => ({
        customer_id: t.customerId,
        contact_id: t.contactId,
        type: "billing",
        address_line1: "3 Upsert Road",
        city: "Nantes",
        postal_code: "44000",
        country: "FR",
      }),
      status: 201,
      foreign: 400,
    },
  ],
  batchAddresses: [
    {
      name: "batch addresses",
      body: (t) => ({
        operations: [
          { op: "update", id: t.addressId, data: { city: "Batched", contact_id: t.contactId } },
          {
            op: "create",
            data: {
              customer_id: t.customerId,
              contact_id: t.contactId,
              type: "shipping",
              address_line1: "4 Batch Lane",
              city: "Lille",
              postal_code: "59000",
              country: "FR",
            },
          },
          {
            op: "upsert",
            match: "id_crm",
            data: {
              customer_id: t.customerId,
              type: "billing",
              address_line1: "5 Batch Lane",
              city: "Lille",
              postal_code: "59000",
              country: "FR",
              id_crm: "BATCH-CRM-1",
            },
          },
        ],
      }),
      status: 200,
      foreign: 404,
    },
  ],
  listWebhooks: [{ name: "list webhook endpoints", status: 200, foreign: 200 }],
  createWebhook: [
    {
      // Disabled: the matrix's workspaces keep writing, and nothing is to be sent anywhere.
      name: "create webhook endpoint",
      body: () => ({ url: "https://hooks.example/qwoty", event_types: ["contact.*"], enabled: false }),
      status: 201,
      foreign: 201,
    },
  ],
  getWebhook: [{ name: "get webhook endpoint", status: 200, foreign: 404 }],
  updateWebhook: [
    { name: "update webhook endpoint", body: () => ({ description: "Changed" }), status: 200, foreign: 404 },
  ],
  deleteWebhook: [{ name: "delete webhook endpoint", status: 200, foreign: 404 }],
  rotateWebhookSecret: [{ name: "rotate webhook secret", status: 200, foreign: 404 }],
  testWebhook: [{ name: "send a test event", status: 200, foreign: 404 }],
  listWebhookDeliveries: [{ name: "list webhook deliveries", query: () => "limit=10", status: 200, foreign: 404 }],
  redeliverWebhookEvent: [
    {
      // The fixture's endpoint is disabled: a redelivery is refused (409) there, and 404 elsewhere.
      name: "redeliver a webhook event",
      params: (t) => ({ eventId: t.webhookEventId }),
      status: 409,
      foreign: 404,
    },
  ],
};

export const endpoints: Endpoint[] = (operations as readonly { spec: OperationSpec }[])
  .filter(({ spec }) => !notInTable.has(spec.operationId))
  .flatMap(({ spec }) => {
    const list = samples[spec.operationId];
    if (!list) throw new Error(`test/endpoints.ts: no sample for the operation ${spec.operationId}`);
    const resource = spec.path.split("/")[2] ?? "";
    const permission = [spec.permission].flat()[0] as Permission;
    return list.map(
      (sample): Endpoint => ({
        name: sample.name,
        method: spec.method.toUpperCase() as Endpoint["method"],
        path: (t) => {
          const path = spec.path.replace(/:(\w+)/g, (_, name: string) =>
            name === "id"
              ? (idOf[resource] as (t: TestWorkspace) => string)(t)
              : encodeURIComponent(sample.params?.(t)[name] ?? ""),
          );
          return sample.query ? `${path}?${sample.query(t)}` : path;
        },
        ...(sample.body ? { body: sample.body } : {}),
        permission,
        status: sample.status,
        foreign: sample.foreign,
      }),
    );
  });
