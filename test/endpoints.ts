// Every endpoint of the API, described once, so that cross-cutting tests
// (workspace isolation, round trips, authorisation) run over all of them.

import type { WorkspaceFixture as TestWorkspace } from "../scripts/fixtures";
import type { Permission } from "../src/auth/permissions";

export interface Endpoint {
  name: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
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

export const endpoints: Endpoint[] = [
  {
    name: "list contacts",
    method: "GET",
    path: () => "/api/contacts",
    permission: "contacts:read",
    status: 200,
    foreign: 200,
  },
  {
    name: "list a customer's contacts",
    method: "GET",
    path: (t) => `/api/contacts?customer_id=${t.customerId}`,
    permission: "contacts:read",
    status: 200,
    foreign: 200,
  },
  {
    name: "get contact",
    method: "GET",
    path: (t) => `/api/contacts/${t.contactId}`,
    permission: "contacts:read",
    status: 200,
    foreign: 404,
  },
  {
    name: "create contact",
    method: "POST",
    path: () => "/api/contacts",
    body: (t) => ({ customer_id: t.customerId, first_name: "New", last_name: "Contact", email: "new@example.com" }),
    permission: "contacts:write",
    status: 201,
    foreign: 400,
  },
  {
    name: "update contact",
    method: "PATCH",
    path: (t) => `/api/contacts/${t.contactId}`,
    body: () => ({ first_name: "Changed", role: ["admin"] }),
    permission: "contacts:write",
    status: 200,
    foreign: 404,
  },
  {
    name: "delete contact",
    method: "DELETE",
    path: (t) => `/api/contacts/${t.contactId}`,
    permission: "contacts:write",
    status: 200,
    foreign: 404,
  },
  {
    name: "list customers",
    method: "GET",
    path: () => "/api/customers",
    permission: "customers:read",
    status: 200,
    foreign: 200,
  },
  {
    name: "get customer",
    method: "GET",
    path: (t) => `/api/customers/${t.customerId}`,
    permission: "customers:read",
    status: 200,
    foreign: 404,
  },
  {
    name: "create customer",
    method: "POST",
    path: () => "/api/customers",
    body: () => ({ name: "New Customer", type: "individual" }),
    permission: "customers:write",
    status: 201,
    foreign: 201,
  },
  {
    name: "update customer",
    method: "PATCH",
    path: (t) => `/api/customers/${t.customerId}`,
    body: () => ({ name: "Changed", tax_ids: [{ tax: "VAT", tax_value: "X" }] }),
    permission: "customers:write",
    status: 200,
    foreign: 404,
  },
  {
    name: "delete customer (has children)",
    method: "DELETE",
    path: (t) => `/api/customers/${t.customerId}`,
    permission: "customers:write",
    status: 409,
    foreign: 404,
  },
  {
    name: "delete customer with cascade",
    method: "DELETE",
    path: (t) => `/api/customers/${t.customerId}?cascade=true`,
    permission: "customers:write",
    status: 200,
    foreign: 404,
  },
  {
    name: "list addresses",
    method: "GET",
    path: () => "/api/addresses",
    permission: "addresses:read",
    status: 200,
    foreign: 200,
  },
  {
    name: "list a customer's addresses",
    method: "GET",
    path: (t) => `/api/addresses?customer_id=${t.customerId}`,
    permission: "addresses:read",
    status: 200,
    foreign: 200,
  },
  {
    name: "get address",
    method: "GET",
    path: (t) => `/api/addresses/${t.addressId}`,
    permission: "addresses:read",
    status: 200,
    foreign: 404,
  },
  {
    name: "create address",
    method: "POST",
    path: () => "/api/addresses",
    body: (t) => ({
      customer_id: t.customerId,
      contact_id: t.contactId,
      type: "shipping",
      address_line1: "2 Side Street",
      city: "Lyon",
      postal_code: "69001",
      country: "FR",
    }),
    permission: "addresses:write",
    status: 201,
    foreign: 400,
  },
  {
    name: "update address",
    method: "PATCH",
    path: (t) => `/api/addresses/${t.addressId}`,
    body: (t) => ({ city: "Changed", contact_id: t.contactId }),
    permission: "addresses:write",
    status: 200,
    foreign: 404,
  },
  {
    name: "delete address",
    method: "DELETE",
    path: (t) => `/api/addresses/${t.addressId}`,
    permission: "addresses:write",
    status: 200,
    foreign: 404,
  },
];
