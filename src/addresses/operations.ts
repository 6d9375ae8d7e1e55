// /api/addresses: each operation declared beside its handler (see src/operation.ts).
import * as v from "valibot";
import { answerBatch, answerUpsert, writeBatch } from "../access/batch";
import { listRecords } from "../access/list";
import { readScoped, runScoped } from "../access/scoped";
import { writeRecord } from "../access/write";
import { addresses, addressTypes } from "../db/schema";
import { batchBody, maxBatchBodyBytes, upsertParams, withMatchedValue } from "../http/batch";
import { ifMatch } from "../http/conditional";
import { badRequest, concurrentChange, externalIdTaken, notFound } from "../http/errors";
import { pageQuery } from "../http/list";
import { idParams } from "../http/params";
import { deleted, okRecord } from "../http/respond";
import { countryCode, described, textFilter, updatedSince, uuid } from "../http/validation";
import { operation } from "../operation";
import {
  addressBatch,
  addressChanges,
  addressExternalIdHolder,
  deleteAddress,
  insertAddress,
  listAddresses,
  lockAddress,
  lockLinkedContact,
  lockParentCustomer,
  selectAddress,
  updateAddress,
} from "./queries";
import { createAddress as createBody, updateAddress as updateBody } from "./schemas";
import { serializeAddress } from "./serialize";

const tag = "Addresses";
const thing = "Address";
const location = (id: string) => `/api/addresses/${id}`;
const params = idParams("address");

/** Why a contact_id was refused, given the contact's customer (undefined: no such contact here). */
function contactLinkError(contactCustomerId: string | undefined, customerId: string) {
  if (!contactCustomerId) return badRequest("contact_id: contact not found");
  if (contactCustomerId !== customerId) return badRequest("contact_id: the contact belongs to another customer");
  return undefined;
}

export const listAddressesOperation = operation(
  {
    method: "get",
    path: "/api/addresses",
    operationId: "listAddresses",
    tag,
    summary: "List addresses",
    description:
      "Every address of the workspace, or those matching every filter given, oldest first (created_at, then id), or with `updated_since` least recently changed first (updated_at, then id). Without `limit` or `cursor`, everything is returned, streamed in pages of 1000 past the first; with them, one page and where to continue. A cursor only continues the query that made it.",
    permission: "addresses:read",
    query: v.strictObject({
      customer_id: v.optional(described(uuid, "Only this customer's addresses")),
      contact_id: v.optional(described(uuid, "Only the addresses linked to this contact")),
      id_crm: v.optional(textFilter(255, "Only the address with this CRM id")),
      id_erp: v.optional(textFilter(255, "Only the address with this ERP id")),
      id_accounting: v.optional(textFilter(255, "Only the address with this accounting id")),
      type: v.optional(described(v.picklist(addressTypes), "Only addresses of this type")),
      country: v.optional(described(countryCode, "Only addresses in this country (ISO 3166-1 alpha-2, any case)")),
      updated_since: v.optional(updatedSince),
      ...pageQuery,
    }),
    success: { status: 200, kind: "list", object: "Address" },
    refusals: [400, 401, 403, 429, 500, 503],
  },
  async (c) => {
    return listRecords(c, c.var.caller, {
      permission: "addresses:read",
      query: c.req.valid("query"),
      select: listAddresses,
      serialize: serializeAddress,
    });
  },
);

export const getAddressOperation = operation(
  {
    method: "get",
    path: "/api/addresses/:id",
    operationId: "getAddress",
    tag,
    summary: "Get address",
    description: "Retrieve a specific address by ID. Answers carry a strong ETag; `If-None-Match` with it gives 304.",
    permission: "addresses:read",
    thing,
    params,
    headers: ["If-None-Match"],
    success: { status: 200, kind: "record", object: "Address" },
    refusals: [400, 401, 403, 404, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const { caller } = c.var;
    const [row] = await readScoped(caller, "addresses:read", (scope) => selectAddress(caller.db, scope, id));
    if (!row) throw notFound(thing);
    return okRecord(c, serializeAddress(row), row.etag);
  },
);

export const createAddressOperation = operation(
  {
    method: "post",
    path: "/api/addresses",
    operationId: "createAddress",
    tag,
    summary: "Create address",
    description: "`contact_id`, if any, must name a contact of the same customer.",
    permission: "addresses:write",
    body: createBody,
    headers: ["Idempotency-Key"],
    success: { status: 201, kind: "record", object: "Address" },
    refusals: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const input = c.req.valid("json");
    const id = crypto.randomUUID();
    const contactId = input.contact_id ?? undefined;
    return writeRecord(c, c.var.caller, {
      permission: "addresses:write",
      input,
      // The references are locked first (customer, then contact), so that the
      // insert sees them as the explanation of a refusal does.
      statements: (db, scope) => ({
        customer: lockParentCustomer(db, scope, input.customer_id),
        contact: lockLinkedContact(db, scope, contactId),
        holder: addressExternalIdHolder(db, scope, input),
        insert: insertAddress(db, scope, id, input),
      }),
      read: (db, scope) => selectAddress(db, scope, id),
      idempotency: { table: addresses, id },
      refusal: ({ customer: [customer], contact: [linked], holder: [holder] }, row) => {
        if (row) return undefined;
        if (!customer) return badRequest("customer_id: customer not found");
        if (holder) return externalIdTaken(holder.field, "address", holder.id);
        // Nothing was inserted although the locked references allowed it: say so, and nothing else.
        return (contactId && contactLinkError(linked?.customerId, input.customer_id)) || concurrentChange();
      },
      notFound: () => notFound(thing),
      status: 201,
      serialize: serializeAddress,
      location,
    });
  },
);

export const updateAddressOperation = operation(
  {
    method: "patch",
    path: "/api/addresses/:id",
    operationId: "updateAddress",
    tag,
    summary: "Update address",
    description:
      "Only the fields sent change; `null` unsets a nullable field (`contact_id: null` unlinks the contact). `customer_id` is immutable: only the current value is accepted.",
    permission: "addresses:write",
    thing,
    params,
    body: updateBody,
    headers: ["If-Match", "Idempotency-Key"],
    success: { status: 200, kind: "record", object: "Address" },
    refusals: [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const contactId = input.contact_id ?? undefined;
    const condition = ifMatch(c, thing);
    const changes = Object.keys(addressChanges(input)).length > 0;
    return writeRecord(c, c.var.caller, {
      permission: "addresses:write",
      input,
      // Locks in the order every write takes: the address, then the contact.
      statements: (db, scope) => ({
        ...(changes || condition ? { lock: lockAddress(db, scope, id, condition) } : {}),
        ...(changes
          ? {
              contact: lockLinkedContact(db, scope, contactId),
              holder: addressExternalIdHolder(db, scope, input, id),
              update: updateAddress(db, scope, id, input),
            }
          : {}),
      }),
      read: (db, scope) => selectAddress(db, scope, id),
      ...(changes ? { idempotency: { table: addresses, id } } : {}),
      refusal: ({ contact, holder }, row) => {
        if (!row) return undefined;
        if (input.customer_id && input.customer_id !== row.customerId) {
          return badRequest("customer_id cannot be changed: an address stays with the customer it was created for");
        }
        const [taken] = holder ?? [];
        if (taken) return externalIdTaken(taken.field, "address", taken.id);
        // A contact_id that was refused left the address as it was (the update found nothing to do).
        return contactId ? contactLinkError(contact?.[0]?.customerId, row.customerId) : undefined;
      },
      notFound: () => notFound(thing),
      status: 200,
      serialize: serializeAddress,
      location,
    });
  },
);

export const deleteAddressOperation = operation(
  {
    method: "delete",
    path: "/api/addresses/:id",
    operationId: "deleteAddress",
    tag,
    summary: "Delete address",
    permission: "addresses:write",
    thing,
    params,
    headers: ["If-Match"],
    success: { status: 200, kind: "deleted" },
    refusals: [400, 401, 403, 404, 409, 412, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const { caller } = c.var;
    const condition = ifMatch(c, thing);
    const { removed } = await runScoped(caller, "addresses:write", (scope) => ({
      lock: lockAddress(caller.db, scope, id, condition),
      removed: deleteAddress(caller.db, scope, id),
    }));
    if (removed.length === 0) throw notFound(thing);
    return deleted(c, thing);
  },
);

export const upsertAddressOperation = operation(
  {
    method: "put",
    path: "/api/addresses/by/:field/:value",
    operationId: "upsertAddress",
    tag,
    summary: "Create or update an address by external id",
    description:
      "The address whose `field` (id_crm, id_erp or id_accounting) is `value`: created from the body if there is none (201, Location), else updated with the body's fields (200). The body is a create body; it may repeat the value, not contradict it. Concurrent upserts of one value end in one address. `customer_id` is immutable; `contact_id` must name a contact of the same customer.",
    permission: "addresses:write",
    thing,
    params: upsertParams,
    body: createBody,
    headers: ["Idempotency-Key"],
    success: { status: 201, kind: "upserted", object: "Address" },
    refusals: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const { field, value } = c.req.valid("param");
    const data = withMatchedValue(c.req.valid("json"), field, value);
    const result = await writeBatch(c, c.var.caller, addressBatch, [{ op: "upsert", match: field, data }], {
      single: true,
    });
    return answerUpsert(c, result, serializeAddress, location);
  },
);

export const batchAddressesOperation = operation(
  {
    method: "post",
    path: "/api/addresses/batch",
    operationId: "batchAddresses",
    tag,
    summary: "Create, update, upsert and delete addresses in one request",
    description:
      "Up to 1000 operations, applied all or none in one transaction (deletes, then updates, upserts, creates); the answer lists each one's outcome in request order. A refused batch changes nothing and names every refused operation in `errors`. Counts as one request for the rate limit.",
    permission: "addresses:write",
    body: batchBody(createBody, updateBody),
    bodyLimit: maxBatchBodyBytes,
    listErrors: true,
    headers: ["Idempotency-Key"],
    success: { status: 200, kind: "batch", object: "Address" },
    refusals: [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const { operations } = c.req.valid("json");
    const result = await writeBatch(c, c.var.caller, addressBatch, operations, { single: false });
    return answerBatch(c, result, serializeAddress);
  },
);

export const addressOperations = [
  listAddressesOperation,
  getAddressOperation,
  createAddressOperation,
  updateAddressOperation,
  deleteAddressOperation,
  upsertAddressOperation,
  batchAddressesOperation,
] as const;
