// /api/contacts: path → validation → one scoped query or batch → Qwoty's envelope.
import { Hono } from "hono";
import { contacts } from "../db/schema";
import { readScoped, runScoped, runWrite } from "../db/scoped";
import type { AppEnv } from "../env";
import { jsonBody } from "../http/body";
import { ifMatch, ifMatchHeader } from "../http/conditional";
import { badRequest, notFound } from "../http/errors";
import { idempotentWrite } from "../http/idempotency";
import { listResponse, readIdFilter, readListParams } from "../http/list";
import { pathId } from "../http/params";
import { createdRecord, deleted, okRecord, replayedRecord } from "../http/respond";
import {
  contactChanges,
  deleteContact,
  insertContact,
  listContacts,
  lockContact,
  selectContact,
  unlinkAddresses,
  updateContact,
} from "./queries";
import { createContact, updateContact as updateContactBody } from "./schemas";
import { serializeContact } from "./serialize";

export const contactRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const customerId = readIdFilter(c, "customer_id");
    const params = readListParams(c);
    const { caller } = c.var;
    return listResponse(c, params, {
      fetchPage: (after, size) =>
        readScoped(caller, "contacts:read", (scope) => listContacts(caller.db, scope, { customerId, after, size })),
      serialize: serializeContact,
    });
  })

  .get("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "contact");
    const { caller } = c.var;
    const [row] = await readScoped(caller, "contacts:read", (scope) => selectContact(caller.db, scope, id));
    if (!row) throw notFound("Contact");
    return okRecord(c, serializeContact(row), row.etag);
  })

  .post("/", jsonBody(createContact), async (c) => {
    const input = c.req.valid("json");
    const id = crypto.randomUUID();
    const { caller } = c.var;
    const read = (scope: Parameters<typeof selectContact>[1]) => selectContact(caller.db, scope, id);
    const outcome = await runWrite(
      caller,
      "contacts:write",
      (scope) => [insertContact(caller.db, scope, id, input), read(scope)] as const,
      await idempotentWrite(c, input, { status: 201, table: contacts, id, read }),
    );
    if (outcome.replay) {
      // The record the first request created, not this request's unused id.
      const { row, status } = outcome.replay;
      return replayedRecord(c, serializeContact(row), row.etag, status, `/api/contacts/${row.id}`);
    }
    const [, [row]] = outcome.results;
    if (!row) throw badRequest("customer_id: customer not found");
    return createdRecord(c, serializeContact(row), row.etag, `/api/contacts/${row.id}`);
  })

  .patch("/:id", ifMatchHeader, jsonBody(updateContactBody), async (c) => {
    const id = pathId(c.req.param("id"), "contact");
    const input = c.req.valid("json");
    const { caller } = c.var;
    const condition = ifMatch(c, "Contact");
    const read = (scope: Parameters<typeof selectContact>[1]) => selectContact(caller.db, scope, id);
    let row: Awaited<ReturnType<typeof read>>[number] | undefined;
    if (Object.keys(contactChanges(input)).length > 0) {
      const outcome = await runWrite(
        caller,
        "contacts:write",
        (scope) =>
          [
            lockContact(caller.db, scope, id, condition),
            updateContact(caller.db, scope, id, input),
            read(scope),
          ] as const,
        await idempotentWrite(c, input, { status: 200, table: contacts, id, read }),
      );
      if (outcome.replay) {
        const { row, status } = outcome.replay;
        return replayedRecord(c, serializeContact(row), row.etag, status, `/api/contacts/${id}`);
      }
      [, , [row]] = outcome.results;
    } else if (condition) {
      // Nothing to change, but the precondition is still checked (412 if the ETag moved).
      [, [row]] = await runScoped(
        caller,
        "contacts:write",
        (scope) => [lockContact(caller.db, scope, id, condition), read(scope)] as const,
      );
    } else {
      [[row]] = await runScoped(caller, "contacts:write", (scope) => [read(scope)] as const);
    }
    if (!row) throw notFound("Contact");
    if (input.customer_id && input.customer_id !== row.customerId) {
      throw badRequest("customer_id cannot be changed: a contact stays with the customer it was created for");
    }
    return okRecord(c, serializeContact(row), row.etag);
  })

  .delete("/:id", ifMatchHeader, async (c) => {
    const id = pathId(c.req.param("id"), "contact");
    const { caller } = c.var;
    const condition = ifMatch(c, "Contact");
    // The contact is locked first: an address linked to it concurrently is
    // either linked before (and unlinked here) or refused after.
    const [, , removed] = await runScoped(
      caller,
      "contacts:write",
      (scope) =>
        [
          lockContact(caller.db, scope, id, condition),
          unlinkAddresses(caller.db, scope, id),
          deleteContact(caller.db, scope, id),
        ] as const,
    );
    if (removed.length === 0) throw notFound("Contact");
    return deleted(c, "Contact");
  });
