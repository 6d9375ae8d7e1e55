// /api/customers: each operation declared beside its handler (see src/operation.ts).
import * as v from "valibot";
import { answerRecord, writeBatch } from "../access/batch";
import { listRecords } from "../access/list";
import { preparedRead, runScoped } from "../access/scoped";
import { customerTypes } from "../db/schema";
import { ifMatch } from "../http/conditional";
import { notFound } from "../http/errors";
import { pageQuery } from "../http/list";
import { idParams } from "../http/params";
import { deleted, okRecordJson } from "../http/respond";
import { textFilter, updatedSince } from "../http/validation";
import { type Documentation, operation } from "../operation";
import { enqueueEvents, transactionEvents } from "../webhooks/dispatch";
import { batchDocs, batchOperation, upsertDocs, upsertOperation } from "../write-many";
import type { CustomerObject } from "./object";
import { customerBatch, deleteCustomerCascade, listCustomers, lockCustomer, selectCustomer } from "./queries";
import { createCustomer as createBody, updateCustomer as updateBody } from "./schemas";
import { serializeCustomer } from "./serialize";

const tag = "Customers";
const thing = "Customer";
const location = (id: string) => `/api/customers/${id}`;
const params = idParams("customer");

export const listCustomersOperation = operation(
  {
    method: "get",
    path: "/api/customers",
    operationId: "listCustomers",
    tag,
    permission: "customers:read",
    query: v.strictObject({
      id_crm: v.optional(textFilter(255)),
      id_erp: v.optional(textFilter(255)),
      id_accounting: v.optional(textFilter(255)),
      tax_value: v.optional(textFilter(100)),
      type: v.optional(v.picklist(customerTypes)),
      name_prefix: v.optional(textFilter(200)),
      updated_since: v.optional(updatedSince),
      ...pageQuery,
    }),
    success: { status: 200, kind: "list", object: "Customer" },
    refusals: [400, 401, 403, 429, 500, 503],
  },
  async (c) => {
    return listRecords(c, c.get("caller"), {
      permission: "customers:read",
      query: c.req.valid("query"),
      select: listCustomers,
      serialize: serializeCustomer,
    });
  },
);

/** GET's statement, built once per isolate (access/scoped.ts). */
const readCustomer = preparedRead("getCustomer", "customers:read", selectCustomer);

export const getCustomerOperation = operation(
  {
    method: "get",
    path: "/api/customers/:id",
    operationId: "getCustomer",
    tag,
    permission: "customers:read",
    thing,
    params,
    headers: ["If-None-Match"],
    success: { status: 200, kind: "record", object: "Customer" },
    refusals: [400, 401, 403, 404, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const [row] = await readCustomer(c.get("caller"), id);
    if (!row) throw notFound(thing);
    return okRecordJson<CustomerObject>(c, row.json, row.etag);
  },
);

export const createCustomerOperation = operation(
  {
    method: "post",
    path: "/api/customers",
    operationId: "createCustomer",
    tag,
    permission: "customers:write",
    body: createBody,
    headers: ["Idempotency-Key"],
    success: { status: 201, kind: "record", object: "Customer" },
    refusals: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const data = c.req.valid("json");
    const result = await writeBatch(c, c.get("caller"), customerBatch, [{ op: "create", data }], { single: true });
    return answerRecord(c, result, serializeCustomer, location);
  },
);

export const updateCustomerOperation = operation(
  {
    method: "patch",
    path: "/api/customers/:id",
    operationId: "updateCustomer",
    tag,
    permission: "customers:write",
    thing,
    params,
    body: updateBody,
    headers: ["If-Match", "Idempotency-Key"],
    success: { status: 200, kind: "record", object: "Customer" },
    refusals: [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const update = { op: "update" as const, id, data: c.req.valid("json") };
    const result = await writeBatch(c, c.get("caller"), customerBatch, [update], { single: true }, ifMatch(c, thing));
    return answerRecord(c, result, serializeCustomer, location);
  },
);

export const deleteCustomerOperation = operation(
  {
    method: "delete",
    path: "/api/customers/:id",
    operationId: "deleteCustomer",
    tag,
    permission: "customers:write",
    thing,
    params,
    query: v.object({
      cascade: v.optional(
        v.pipe(
          v.string(),
          v.check((value) => value === "true" || value === "false", "must be true or false"),
        ),
      ),
    }),
    headers: ["If-Match"],
    success: { status: 200, kind: "deleted" },
    refusals: [400, 401, 403, 404, 409, 412, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const { cascade } = c.req.valid("query");
    const caller = c.get("caller");
    const condition = ifMatch(c, thing);
    // The customer is locked first: no contact or address can be created under
    // it until the delete commits, so the statements after the lock all see the
    // same children, and the customer's own delete cannot fail after its
    // children's deletes succeeded.
    if (cascade === "true") {
      const { removed, webhookEvents } = await runScoped(
        caller,
        ["customers:write", "contacts:write", "addresses:write"],
        (scope) => ({
          lock: lockCustomer(caller.db, scope, id, condition),
          ...deleteCustomerCascade(caller.db, scope, id),
          webhookEvents: transactionEvents(caller.db, scope.workspaceId),
        }),
      );
      if (removed.length === 0) throw notFound(thing);
      enqueueEvents(c, webhookEvents);
      return deleted(c, thing);
    }
    await writeBatch(c, caller, customerBatch, [{ op: "delete", id }], { single: true }, condition);
    return deleted(c, thing);
  },
);

const writeMany = {
  plural: "customers",
  object: "Customer",
  tag,
  thing,
  createBody,
  updateBody,
  writes: customerBatch,
  serialize: serializeCustomer,
  location,
} as const;
export const upsertCustomerOperation = upsertOperation(writeMany);
export const batchCustomersOperation = batchOperation(writeMany);

export const customerOperations = [
  listCustomersOperation,
  getCustomerOperation,
  createCustomerOperation,
  updateCustomerOperation,
  deleteCustomerOperation,
  upsertCustomerOperation,
  batchCustomersOperation,
] as const;

/**
 * What the API reference says of each operation, by operationId (scripts/openapi.ts).
 * Nothing the worker runs imports it, so it stays out of the bundle.
 */
export const customerDocs: Documentation = {
  listCustomers: {
    summary: "List customers",
    description:
      "Every customer of the workspace, or those matching every filter given, oldest first (created_at, then id), or with `updated_since` least recently changed first (updated_at, then id). Without `limit` or `cursor`, everything is returned, streamed in pages of 1000 past the first; with them, one page and where to continue. A cursor only continues the query that made it.",
    parameters: {
      type: "Only customers of this type",
      id_crm: "Only the customer with this CRM id",
      id_erp: "Only the customer with this ERP id",
      id_accounting: "Only the customer with this accounting id",
      tax_value: "Only customers with this value among their tax_ids, e.g. a VAT number",
      name_prefix: "Only customers whose name starts with this (case-insensitive)",
    },
  },
  getCustomer: {
    summary: "Get customer",
    description: "Retrieve a specific customer by ID. Answers carry a strong ETag; `If-None-Match` with it gives 304.",
  },
  createCustomer: {
    summary: "Create customer",
  },
  updateCustomer: {
    summary: "Update customer",
    description:
      "Only the fields sent change; `null` unsets a nullable field; `tax_ids` sent replaces them all (`[]` clears them).",
  },
  deleteCustomer: {
    summary: "Delete customer",
    description:
      "A customer that still has contacts or addresses is kept (409) unless `cascade=true`, which deletes them with it in one transaction and needs `contacts:write` and `addresses:write` too.",
    parameters: { cascade: "`true` deletes the customer's contacts and addresses with it" },
  },
  upsertCustomer: /* @__PURE__ */ upsertDocs("customer"),
  batchCustomers: /* @__PURE__ */ batchDocs("customers"),
};
