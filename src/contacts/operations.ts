// /api/contacts: each operation declared beside its handler (see src/operation.ts).
import * as v from "valibot";
import { answerRecord, writeBatch } from "../access/batch";
import { listRecords } from "../access/list";
import { preparedRead } from "../access/scoped";
import { contactRoles } from "../db/schema";
import { ifMatch } from "../http/conditional";
import { notFound } from "../http/errors";
import { pageQuery } from "../http/list";
import { idParams } from "../http/params";
import { deleted, okRecordJson } from "../http/respond";
import { textFilter, updatedSince, uuid } from "../http/validation";
import { type Documentation, operation } from "../operation";
import { batchDocs, batchOperation, upsertDocs, upsertOperation } from "../write-many";
import type { ContactObject } from "./object";
import { contactBatch, listContacts, selectContact } from "./queries";
import { createContact as createBody, updateContact as updateBody } from "./schemas";
import { serializeContact } from "./serialize";

const tag = "Contacts";
const thing = "Contact";
const location = (id: string) => `/api/contacts/${id}`;
const params = idParams("contact");

export const listContactsOperation = operation(
  {
    method: "get",
    path: "/api/contacts",
    operationId: "listContacts",
    tag,
    permission: "contacts:read",
    query: v.strictObject({
      customer_id: v.optional(uuid),
      email: v.optional(textFilter(320)),
      id_crm: v.optional(textFilter(255)),
      id_erp: v.optional(textFilter(255)),
      id_accounting: v.optional(textFilter(255)),
      role: v.optional(v.picklist(contactRoles)),
      updated_since: v.optional(updatedSince),
      ...pageQuery,
    }),
    success: { status: 200, kind: "list", object: "Contact" },
    refusals: [400, 401, 403, 429, 500, 503],
  },
  async (c) => {
    return listRecords(c, c.get("caller"), {
      permission: "contacts:read",
      query: c.req.valid("query"),
      select: listContacts,
      serialize: serializeContact,
    });
  },
);

/** GET's statement, built once per isolate (access/scoped.ts). */
const readContact = preparedRead("getContact", "contacts:read", selectContact);

export const getContactOperation = operation(
  {
    method: "get",
    path: "/api/contacts/:id",
    operationId: "getContact",
    tag,
    permission: "contacts:read",
    thing,
    params,
    headers: ["If-None-Match"],
    success: { status: 200, kind: "record", object: "Contact" },
    refusals: [400, 401, 403, 404, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const [row] = await readContact(c.get("caller"), id);
    if (!row) throw notFound(thing);
    return okRecordJson<ContactObject>(c, row.json, row.etag);
  },
);

export const createContactOperation = operation(
  {
    method: "post",
    path: "/api/contacts",
    operationId: "createContact",
    tag,
    permission: "contacts:write",
    body: createBody,
    headers: ["Idempotency-Key"],
    success: { status: 201, kind: "record", object: "Contact" },
    refusals: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const data = c.req.valid("json");
    const result = await writeBatch(c, c.get("caller"), contactBatch, [{ op: "create", data }], { single: true });
    return answerRecord(c, result, serializeContact, location);
  },
);

export const updateContactOperation = operation(
  {
    method: "patch",
    path: "/api/contacts/:id",
    operationId: "updateContact",
    tag,
    permission: "contacts:write",
    thing,
    params,
    body: updateBody,
    headers: ["If-Match", "Idempotency-Key"],
    success: { status: 200, kind: "record", object: "Contact" },
    refusals: [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const update = { op: "update" as const, id, data: c.req.valid("json") };
    const result = await writeBatch(c, c.get("caller"), contactBatch, [update], { single: true }, ifMatch(c, thing));
    return answerRecord(c, result, serializeContact, location);
  },
);

export const deleteContactOperation = operation(
  {
    method: "delete",
    path: "/api/contacts/:id",
    operationId: "deleteContact",
    tag,
    permission: "contacts:write",
    thing,
    params,
    headers: ["If-Match"],
    success: { status: 200, kind: "deleted" },
    refusals: [400, 401, 403, 404, 409, 412, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    // The contact is locked first: an address linked to it concurrently is
    // either linked before (and unlinked here) or refused after.
    await writeBatch(c, c.get("caller"), contactBatch, [{ op: "delete", id }], { single: true }, ifMatch(c, thing));
    return deleted(c, thing);
  },
);

const writeMany = {
  plural: "contacts",
  object: "Contact",
  tag,
  thing,
  createBody,
  updateBody,
  writes: contactBatch,
  serialize: serializeContact,
  location,
} as const;
export const upsertContactOperation = upsertOperation(writeMany);
export const batchContactsOperation = batchOperation(writeMany);

export const contactOperations = [
  listContactsOperation,
  getContactOperation,
  createContactOperation,
  updateContactOperation,
  deleteContactOperation,
  upsertContactOperation,
  batchContactsOperation,
] as const;

/**
 * What the API reference says of each operation, by operationId (scripts/openapi.ts).
 * Nothing the worker runs imports it, so it stays out of the bundle.
 */
export const contactDocs: Documentation = {
  listContacts: {
    summary: "List contacts",
    description:
      "Every contact of the workspace, or those matching every filter given, oldest first (created_at, then id), or with `updated_since` least recently changed first (updated_at, then id). Without `limit` or `cursor`, everything is returned, streamed in pages of 1000 past the first; with them, one page and where to continue. A cursor only continues the query that made it.",
    parameters: {
      customer_id: "Only this customer's contacts",
      role: "Only contacts having this role",
      email: "Only contacts with this email (case-insensitive, exact)",
      id_crm: "Only the contact with this CRM id",
      id_erp: "Only the contact with this ERP id",
      id_accounting: "Only the contact with this accounting id",
    },
  },
  getContact: {
    summary: "Get contact",
    description: "Retrieve a specific contact by ID. Answers carry a strong ETag; `If-None-Match` with it gives 304.",
  },
  createContact: {
    summary: "Create contact",
  },
  updateContact: {
    summary: "Update contact",
    description:
      "Only the fields sent change; `null` unsets a nullable field; an array sent replaces the whole array. `customer_id` is immutable: only the current value is accepted.",
  },
  deleteContact: {
    summary: "Delete contact",
    description: "The addresses linked to it stay, unlinked (`contact_id` becomes null).",
  },
  upsertContact: /* @__PURE__ */ upsertDocs("contact", "`customer_id` is immutable."),
  batchContacts: /* @__PURE__ */ batchDocs("contacts"),
};
