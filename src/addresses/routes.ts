// /api/addresses: list, get, create, patch, delete.
import { Hono } from "hono";
import { addresses } from "../db/schema";
import { readScoped, runScoped, runWrite } from "../db/scoped";
import type { AppEnv } from "../env";
import { jsonBody } from "../http/body";
import { badRequest, notFound } from "../http/errors";
import { idempotentWrite } from "../http/idempotency";
import { listResponse, readIdFilter, readListParams } from "../http/list";
import { pathId } from "../http/params";
import { deleted, okRecord, replayedRecord } from "../http/respond";
import {
  addressChanges,
  contactOwner,
  deleteAddress,
  insertAddress,
  listAddresses,
  newAddressReferences,
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
    return okRecord(c, serializeAddress(row));
  })

  .post("/", jsonBody(createAddress), async (c) => {
    const input = c.req.valid("json");
    const id = crypto.randomUUID();
    const contactId = input.contact_id ?? undefined;
    const { caller } = c.var;
    const read = (scope: Parameters<typeof selectAddress>[1]) => selectAddress(caller.db, scope, id);
    // The reference check travels with the insert, only to explain a refusal.
    const outcome = await runWrite(
      caller,
      "addresses:write",
      (scope) =>
        [
          newAddressReferences(caller.db, scope, input.customer_id, contactId),
          insertAddress(caller.db, scope, id, input),
          read(scope),
        ] as const,
      await idempotentWrite(c, input, { status: 201, table: addresses, id, read }),
    );
    if (outcome.replay) return replayedRecord(c, serializeAddress(outcome.replay.row), outcome.replay.status);
    const [[references], , [row]] = outcome.results;
    if (!row) {
      if (!references) throw badRequest("customer_id: customer not found");
      throw contactLinkError(references.contactCustomerId, input.customer_id) ?? new Error("address insert refused");
    }
    c.header("Location", `/api/addresses/${row.id}`);
    return okRecord(c, serializeAddress(row), 201);
  })

  .patch("/:id", jsonBody(updateAddressBody), async (c) => {
    const id = pathId(c.req.param("id"), "address");
    const input = c.req.valid("json");
    const contactId = input.contact_id ?? undefined;
    const { caller } = c.var;
    const read = (scope: Parameters<typeof selectAddress>[1]) => selectAddress(caller.db, scope, id);
    let owner: { customerId: string } | undefined;
    let updated = true;
    let row: AddressRow | undefined;
    if (Object.keys(addressChanges(input)).length > 0) {
      const outcome = await runWrite(
        caller,
        "addresses:write",
        (scope) =>
          [contactOwner(caller.db, scope, contactId), updateAddress(caller.db, scope, id, input), read(scope)] as const,
        await idempotentWrite(c, input, { status: 200, table: addresses, id, read }),
      );
      if (outcome.replay) return replayedRecord(c, serializeAddress(outcome.replay.row), outcome.replay.status);
      let changed: { id: string }[];
      [[owner], changed, [row]] = outcome.results;
      updated = changed.length > 0;
    } else {
      [[row]] = await runScoped(caller, "addresses:write", (scope) => [read(scope)] as const);
    }
    if (!row) throw notFound("Address");
    if (input.customer_id && input.customer_id !== row.customerId) {
      throw badRequest("customer_id cannot be changed: an address stays with the customer it was created for");
    }
    if (!updated) throw contactLinkError(owner?.customerId, row.customerId) ?? new Error("address update refused");
    return okRecord(c, serializeAddress(row));
  })

  .delete("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "address");
    const { caller } = c.var;
    const [removed] = await runScoped(
      caller,
      "addresses:write",
      (scope) => [deleteAddress(caller.db, scope, id)] as const,
    );
    if (removed.length === 0) throw notFound("Address");
    return deleted(c, "Address");
  });
