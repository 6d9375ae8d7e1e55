// /api/addresses: each operation declared beside its handler (see src/operation.ts).
import * as v from "valibot";
import { answerRecord, writeBatch } from "../access/batch";
import { listRecords } from "../access/list";
import { preparedRead } from "../access/scoped";
import { addressTypes } from "../db/schema";
import { ifMatch } from "../http/conditional";
import { notFound } from "../http/errors";
import { pageQuery } from "../http/list";
import { idParams } from "../http/params";
import { deleted, okRecordJson } from "../http/respond";
import { countryCode, textFilter, updatedSince, uuid } from "../http/validation";
import { type Documentation, operation } from "../operation";
import { batchDocs, batchOperation, upsertDocs, upsertOperation } from "../write-many";
import type { AddressObject } from "./object";
import { addressBatch, listAddresses, selectAddress } from "./queries";
import { createAddress as createBody, updateAddress as updateBody } from "./schemas";
import { serializeAddress } from "./serialize";

const tag = "Addresses";
const thing = "Address";
const location = (id: string) => `/api/addresses/${id}`;
const params = idParams("address");

export const listAddressesOperation = operation(
  {
    method: "get",
    path: "/api/addresses",
    operationId: "listAddresses",
    tag,
    permission: "addresses:read",
    query: v.strictObject({
      customer_id: v.optional(uuid),
      contact_id: v.optional(uuid),
      id_crm: v.optional(textFilter(255)),
      id_erp: v.optional(textFilter(255)),
      id_accounting: v.optional(textFilter(255)),
      type: v.optional(v.picklist(addressTypes)),
      country: v.optional(countryCode),
      updated_since: v.optional(updatedSince),
      ...pageQuery,
    }),
    success: { status: 200, kind: "list", object: "Address" },
    refusals: [400, 401, 403, 429, 500, 503],
  },
  async (c) => {
    return listRecords(c, c.get("caller"), {
      permission: "addresses:read",
      query: c.req.valid("query"),
      select: listAddresses,
      serialize: serializeAddress,
    });
  },
);

/** GET's statement, built once per isolate (access/scoped.ts). */
const readAddress = preparedRead("getAddress", "addresses:read", selectAddress);

export const getAddressOperation = operation(
  {
    method: "get",
    path: "/api/addresses/:id",
    operationId: "getAddress",
    tag,
    permission: "addresses:read",
    thing,
    params,
    headers: ["If-None-Match"],
    success: { status: 200, kind: "record", object: "Address" },
    refusals: [400, 401, 403, 404, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const [row] = await readAddress(c.get("caller"), id);
    if (!row) throw notFound(thing);
    return okRecordJson<AddressObject>(c, row.json, row.etag);
  },
);

export const createAddressOperation = operation(
  {
    method: "post",
    path: "/api/addresses",
    operationId: "createAddress",
    tag,
    permission: "addresses:write",
    body: createBody,
    headers: ["Idempotency-Key"],
    success: { status: 201, kind: "record", object: "Address" },
    refusals: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const data = c.req.valid("json");
    const result = await writeBatch(c, c.get("caller"), addressBatch, [{ op: "create", data }], { single: true });
    return answerRecord(c, result, serializeAddress, location);
  },
);

export const updateAddressOperation = operation(
  {
    method: "patch",
    path: "/api/addresses/:id",
    operationId: "updateAddress",
    tag,
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
    const update = { op: "update" as const, id, data: c.req.valid("json") };
    const result = await writeBatch(c, c.get("caller"), addressBatch, [update], { single: true }, ifMatch(c, thing));
    return answerRecord(c, result, serializeAddress, location);
  },
);

export const deleteAddressOperation = operation(
  {
    method: "delete",
    path: "/api/addresses/:id",
    operationId: "deleteAddress",
    tag,
    permission: "addresses:write",
    thing,
    params,
    headers: ["If-Match"],
    success: { status: 200, kind: "deleted" },
    refusals: [400, 401, 403, 404, 409, 412, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    await writeBatch(c, c.get("caller"), addressBatch, [{ op: "delete", id }], { single: true }, ifMatch(c, thing));
    return deleted(c, thing);
  },
);

const writeMany = {
  plural: "addresses",
  object: "Address",
  tag,
  thing,
  createBody,
  updateBody,
  writes: addressBatch,
  serialize: serializeAddress,
  location,
} as const;
export const upsertAddressOperation = upsertOperation(writeMany);
export const batchAddressesOperation = batchOperation(writeMany);

export const addressOperations = [
  listAddressesOperation,
  getAddressOperation,
  createAddressOperation,
  updateAddressOperation,
  deleteAddressOperation,
  upsertAddressOperation,
  batchAddressesOperation,
] as const;

/**
 * What the API reference says of each operation, by operationId (scripts/openapi.ts).
 * Nothing the worker runs imports it, so it stays out of the bundle.
 */
export const addressDocs: Documentation = {
  listAddresses: {
    summary: "List addresses",
    description:
      "Every address of the workspace, or those matching every filter given, oldest first (created_at, then id), or with `updated_since` least recently changed first (updated_at, then id). Without `limit` or `cursor`, everything is returned, streamed in pages of 1000 past the first; with them, one page and where to continue. A cursor only continues the query that made it.",
    parameters: {
      customer_id: "Only this customer's addresses",
      contact_id: "Only the addresses linked to this contact",
      type: "Only addresses of this type",
      country: "Only addresses in this country (ISO 3166-1 alpha-2, any case)",
      id_crm: "Only the address with this CRM id",
      id_erp: "Only the address with this ERP id",
      id_accounting: "Only the address with this accounting id",
    },
  },
  getAddress: {
    summary: "Get address",
    description: "Retrieve a specific address by ID. Answers carry a strong ETag; `If-None-Match` with it gives 304.",
  },
  createAddress: {
    summary: "Create address",
    description: "`contact_id`, if any, must name a contact of the same customer.",
  },
  updateAddress: {
    summary: "Update address",
    description:
      "Only the fields sent change; `null` unsets a nullable field (`contact_id: null` unlinks the contact). `customer_id` is immutable: only the current value is accepted.",
  },
  deleteAddress: {
    summary: "Delete address",
  },
  upsertAddress: /* @__PURE__ */ upsertDocs(
    "address",
    "`customer_id` is immutable; `contact_id` must name a contact of the same customer.",
  ),
  batchAddresses: /* @__PURE__ */ batchDocs("addresses"),
};
