// /api/contacts: each operation declared beside its handler (see src/operation.ts).
import * as v from "valibot";
import { answerBatch, answerUpsert, writeBatch } from "../access/batch";
import { listRecords } from "../access/list";
import { readScoped, runScoped } from "../access/scoped";
import { writeRecord } from "../access/write";
import { contactRoles, contacts } from "../db/schema";
import { batchBody, maxBatchBodyBytes, upsertParams, withMatchedValue } from "../http/batch";
import { ifMatch } from "../http/conditional";
import { badRequest, externalIdTaken, notFound } from "../http/errors";
import { pageQuery } from "../http/list";
import { idParams } from "../http/params";
import { deleted, okRecord } from "../http/respond";
import { described, textFilter, updatedSince, uuid } from "../http/validation";
import { operation } from "../operation";
import {
  contactBatch,
  contactChanges,
  contactExternalIdHolder,
  deleteContact,
  insertContact,
  listContacts,
  lockContact,
  selectContact,
  unlinkAddresses,
  updateContact,
} from "./queries";
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
    summary: "List contacts",
    description:
      "Every contact of the workspace, or those matching every filter given, oldest first (created_at, then id), or with `updated_since` least recently changed first (updated_at, then id). Without `limit` or `cursor`, everything is returned, streamed in pages of 1000 past the first; with them, one page and where to continue. A cursor only continues the query that made it.",
    permission: "contacts:read",
    query: v.strictObject({
      customer_id: v.optional(described(uuid, "Only this customer's contacts")),
      email: v.optional(textFilter(320, "Only contacts with this email (case-insensitive, exact)")),
      id_crm: v.optional(textFilter(255, "Only the contact with this CRM id")),
      id_erp: v.optional(textFilter(255, "Only the contact with this ERP id")),
      id_accounting: v.optional(textFilter(255, "Only the contact with this accounting id")),
      role: v.optional(described(v.picklist(contactRoles), "Only contacts having this role")),
      updated_since: v.optional(updatedSince),
      ...pageQuery,
    }),
    success: { status: 200, kind: "list", object: "Contact" },
    refusals: [400, 401, 403, 429, 500, 503],
  },
  async (c) => {
    return listRecords(c, c.var.caller, {
      permission: "contacts:read",
      query: c.req.valid("query"),
      select: listContacts,
      serialize: serializeContact,
    });
  },
);

export const getContactOperation = operation(
  {
    method: "get",
    path: "/api/contacts/:id",
    operationId: "getContact",
    tag,
    summary: "Get contact",
    description: "Retrieve a specific contact by ID. Answers carry a strong ETag; `If-None-Match` with it gives 304.",
    permission: "contacts:read",
    thing,
    params,
    headers: ["If-None-Match"],
    success: { status: 200, kind: "record", object: "Contact" },
    refusals: [400, 401, 403, 404, 429, 500, 503],
  },
  async (c) => {
    const { id } = c.req.valid("param");
    const { caller } = c.var;
    const [row] = await readScoped(caller, "contacts:read", (scope) => selectContact(caller.db, scope, id));
    if (!row) throw notFound(thing);
    return okRecord(c, serializeContact(row), row.etag);
  },
);

export const createContactOperation = operation(
  {
    method: "post",
    path: "/api/contacts",
    operationId: "createContact",
    tag,
    summary: "Create contact",
    permission: "contacts:write",
    body: createBody,
    headers: ["Idempotency-Key"],
    success: { status: 201, kind: "record", object: "Contact" },
    refusals: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const input = c.req.valid("json");
    const id = crypto.randomUUID();
    return writeRecord(c, c.var.caller, {
      permission: "contacts:write",
      input,
      statements: (db, scope) => ({
        holder: contactExternalIdHolder(db, scope, input),
        insert: insertContact(db, scope, id, input),
      }),
      read: (db, scope) => selectContact(db, scope, id),
      idempotency: { table: contacts, id },
      refusal: ({ holder: [holder] }, row) =>
        row
          ? undefined
          : holder
            ? externalIdTaken(holder.field, "contact", holder.id)
            : badRequest("customer_id: customer not found"),
      notFound: () => notFound(thing),
      status: 201,
      serialize: serializeContact,
      location,
    });
  },
);

export const updateContactOperation = operation(
  {
    method: "patch",
    path: "/api/contacts/:id",
    operationId: "updateContact",
    tag,
    summary: "Update contact",
    description:
      "Only the fields sent change; `null` unsets a nullable field; an array sent replaces the whole array. `customer_id` is immutable: only the current value is accepted.",
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
    const input = c.req.valid("json");
    const condition = ifMatch(c, thing);
    const changes = Object.keys(contactChanges(input)).length > 0;
    return writeRecord(c, c.var.caller, {
      permission: "contacts:write",
      input,
      // The contact is locked first (and its ETag checked) only when something
      // may change or a precondition is asked for.
      statements: (db, scope) => ({
        ...(changes || condition ? { lock: lockContact(db, scope, id, condition) } : {}),
        ...(changes
          ? { holder: contactExternalIdHolder(db, scope, input, id), update: updateContact(db, scope, id, input) }
          : {}),
      }),
      read: (db, scope) => selectContact(db, scope, id),
      ...(changes ? { idempotency: { table: contacts, id } } : {}),
      refusal: ({ holder }, row) => {
        if (!row) return undefined;
        if (input.customer_id && input.customer_id !== row.customerId) {
          return badRequest("customer_id cannot be changed: a contact stays with the customer it was created for");
        }
        const [taken] = holder ?? [];
        return taken ? externalIdTaken(taken.field, "contact", taken.id) : undefined;
      },
      notFound: () => notFound(thing),
      status: 200,
      serialize: serializeContact,
      location,
    });
  },
);

export const deleteContactOperation = operation(
  {
    method: "delete",
    path: "/api/contacts/:id",
    operationId: "deleteContact",
    tag,
    summary: "Delete contact",
    description: "The addresses linked to it stay, unlinked (`contact_id` becomes null).",
    permission: "contacts:write",
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
    // The contact is locked first: an address linked to it concurrently is
    // either linked before (and unlinked here) or refused after.
    const { removed } = await runScoped(caller, "contacts:write", (scope) => ({
      lock: lockContact(caller.db, scope, id, condition),
      unlink: unlinkAddresses(caller.db, scope, id),
      removed: deleteContact(caller.db, scope, id),
    }));
    if (removed.length === 0) throw notFound(thing);
    return deleted(c, thing);
  },
);

export const upsertContactOperation = operation(
  {
    method: "put",
    path: "/api/contacts/by/:field/:value",
    operationId: "upsertContact",
    tag,
    summary: "Create or update a contact by external id",
    description:
      "The contact whose `field` (id_crm, id_erp or id_accounting) is `value`: created from the body if there is none (201, Location), else updated with the body's fields (200). The body is a create body; it may repeat the value, not contradict it. Concurrent upserts of one value end in one contact. `customer_id` is immutable.",
    permission: "contacts:write",
    thing,
    params: upsertParams,
    body: createBody,
    headers: ["Idempotency-Key"],
    success: { status: 201, kind: "upserted", object: "Contact" },
    refusals: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const { field, value } = c.req.valid("param");
    const data = withMatchedValue(c.req.valid("json"), field, value);
    const result = await writeBatch(c, c.var.caller, contactBatch, [{ op: "upsert", match: field, data }], {
      single: true,
    });
    return answerUpsert(c, result, serializeContact, location);
  },
);

export const batchContactsOperation = operation(
  {
    method: "post",
    path: "/api/contacts/batch",
    operationId: "batchContacts",
    tag,
    summary: "Create, update, upsert and delete contacts in one request",
    description:
      "Up to 1000 operations, applied all or none in one transaction (deletes, then updates, upserts, creates); the answer lists each one's outcome in request order. A refused batch changes nothing and names every refused operation in `errors`. Counts as one request for the rate limit.",
    permission: "contacts:write",
    body: batchBody(createBody, updateBody),
    bodyLimit: maxBatchBodyBytes,
    listErrors: true,
    headers: ["Idempotency-Key"],
    success: { status: 200, kind: "batch", object: "Contact" },
    refusals: [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
  },
  async (c) => {
    const { operations } = c.req.valid("json");
    const result = await writeBatch(c, c.var.caller, contactBatch, operations, { single: false });
    return answerBatch(c, result, serializeContact);
  },
);

export const contactOperations = [
  listContactsOperation,
  getContactOperation,
  createContactOperation,
  updateContactOperation,
  deleteContactOperation,
  upsertContactOperation,
  batchContactsOperation,
] as const;
