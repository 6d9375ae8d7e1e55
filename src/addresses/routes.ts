// /api/addresses: list, get, create, patch, delete.
import { Hono } from "hono";
import { addresses } from "../db/schema";
import { readScoped, runScoped, runWrite } from "../db/scoped";
import type { AppEnv } from "../env";
import { jsonBody } from "../http/body";
import { ifMatch, ifMatchHeader } from "../http/conditional";
import { badRequest, concurrentChange, notFound } from "../http/errors";
import { idempotentWrite } from "../http/idempotency";
import { listResponse, readIdFilter, readListParams } from "../http/list";
import { pathId } from "../http/params";
import { createdRecord, deleted, okRecord, replayedRecord } from "../http/respond";
import {
  addressChanges,
  deleteAddress,
  insertAddress,
  listAddresses,
  lockAddress,
  lockLinkedContact,
  lockParentCustomer,
  selectAddress,
  updateAddress,
} from "./queries";
import { createAddress, updateAddress as updateAddressBody } from "./schemas";
import { type AddressRow, serializeAddress } from "./serialize";

/** Why a contact_id was refused, given the contact's customer (undefined or null: no such contact here). */
function contactLinkError(contactCustomerId: string | null | undefined, customerId: string) {
  if (!contactCustomerId) return badRequest("contact_id: contact not found");
  if (contactCustomerId !== customerId) return badRequest("contact_id: the contact belongs to another customer");
  return undefined;
}

export const addressRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const customerId = readIdFilter(c, "customer_id");
    const params = readListParams(c);
    const { caller } = c.var;
    return listResponse(c, params, {
      fetchPage: (after, size) =>
        readScoped(caller, "addresses:read", (scope) => listAddresses(caller.db, scope, { customerId, after, size })),
      serialize: serializeAddress,
    });
  })

  .get("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "address");
    const { caller } = c.var;
    const [row] = await readScoped(caller, "addresses:read", (scope) => selectAddress(caller.db, scope, id));
    if (!row) throw notFound("Address");
    return okRecord(c, serializeAddress(row), row.etag);
  })

  .post("/", jsonBody(createAddress), async (c) => {
    const input = c.req.valid("json");
    const id = crypto.randomUUID();
    const contactId = input.contact_id ?? undefined;
    const { caller } = c.var;
    const read = (scope: Parameters<typeof selectAddress>[1]) => selectAddress(caller.db, scope, id);
    // The references are locked first (customer, then contact), so that the
    // insert sees them as the explanation of a refusal does.
    const outcome = await runWrite(
      caller,
      "addresses:write",
      (scope) =>
        [
          lockParentCustomer(caller.db, scope, input.customer_id),
          lockLinkedContact(caller.db, scope, contactId),
          insertAddress(caller.db, scope, id, input),
          read(scope),
        ] as const,
      await idempotentWrite(c, input, { status: 201, table: addresses, id, read }),
    );
    if (outcome.replay) {
      // The record the first request created, not this request's unused id.
      const { row, status } = outcome.replay;
      return replayedRecord(c, serializeAddress(row), row.etag, status, `/api/addresses/${row.id}`);
    }
    const [[customer], [linked], , [row]] = outcome.results;
    if (!row) {
      if (!customer) throw badRequest("customer_id: customer not found");
      if (contactId) throw contactLinkError(linked?.customerId, input.customer_id) ?? concurrentChange();
      // Nothing was inserted, and the locked references allowed it: say so, and nothing else.
      throw concurrentChange();
    }
    return createdRecord(c, serializeAddress(row), row.etag, `/api/addresses/${row.id}`);
  })

  .patch("/:id", ifMatchHeader, jsonBody(updateAddressBody), async (c) => {
    const id = pathId(c.req.param("id"), "address");
    const input = c.req.valid("json");
    const contactId = input.contact_id ?? undefined;
    const { caller } = c.var;
    const condition = ifMatch(c, "Address");
    const read = (scope: Parameters<typeof selectAddress>[1]) => selectAddress(caller.db, scope, id);
    let linked: { customerId: string } | undefined;
    let row: AddressRow | undefined;
    if (Object.keys(addressChanges(input)).length > 0) {
      const outcome = await runWrite(
        caller,
        "addresses:write",
        (scope) =>
          [
            lockAddress(caller.db, scope, id, condition),
            lockLinkedContact(caller.db, scope, contactId),
            updateAddress(caller.db, scope, id, input),
            read(scope),
          ] as const,
        await idempotentWrite(c, input, { status: 200, table: addresses, id, read }),
      );
      if (outcome.replay) {
        const { row, status } = outcome.replay;
        return replayedRecord(c, serializeAddress(row), row.etag, status, `/api/addresses/${id}`);
      }
      [, [linked], , [row]] = outcome.results;
    } else if (condition) {
      [, [row]] = await runScoped(
        caller,
        "addresses:write",
        (scope) => [lockAddress(caller.db, scope, id, condition), read(scope)] as const,
      );
    } else {
      [[row]] = await runScoped(caller, "addresses:write", (scope) => [read(scope)] as const);
    }
    if (!row) throw notFound("Address");
    if (input.customer_id && input.customer_id !== row.customerId) {
      throw badRequest("customer_id cannot be changed: an address stays with the customer it was created for");
    }
    // A contact_id that was refused left the address as it was (the update found nothing to do).
    if (contactId) {
      const refusal = contactLinkError(linked?.customerId, row.customerId);
      if (refusal) throw refusal;
    }
    return okRecord(c, serializeAddress(row), row.etag);
  })

  .delete("/:id", ifMatchHeader, async (c) => {
    const id = pathId(c.req.param("id"), "address");
    const { caller } = c.var;
    const condition = ifMatch(c, "Address");
    const [, removed] = await runScoped(
      caller,
      "addresses:write",
      (scope) => [lockAddress(caller.db, scope, id, condition), deleteAddress(caller.db, scope, id)] as const,
    );
    if (removed.length === 0) throw notFound("Address");
    return deleted(c, "Address");
  });
