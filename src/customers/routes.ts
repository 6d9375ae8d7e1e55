// /api/customers: list, get, create, patch, delete.
import { Hono } from "hono";
import { customers } from "../db/schema";
import { readScoped, runScoped, runWrite } from "../db/scoped";
import type { AppEnv } from "../env";
import { jsonBody } from "../http/body";
import { ifMatch, ifMatchHeader } from "../http/conditional";
import { ApiError, badRequest, concurrentChange, notFound } from "../http/errors";
import { idempotentWrite } from "../http/idempotency";
import { listResponse, readListParams } from "../http/list";
import { pathId } from "../http/params";
import { createdRecord, deleted, okRecord, replayedRecord } from "../http/respond";
import {
  customerChanges,
  customerDependents,
  deleteCustomer,
  deleteCustomerCascade,
  insertCustomer,
  listCustomers,
  lockCustomer,
  selectCustomer,
  updateCustomer,
} from "./queries";
import { createCustomer, updateCustomer as updateCustomerBody } from "./schemas";
import { serializeCustomer } from "./serialize";

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const customerRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const params = readListParams(c);
    const { caller } = c.var;
    return listResponse(c, params, {
      fetchPage: (after, size) =>
        readScoped(caller, "customers:read", (scope) => listCustomers(caller.db, scope, { after, size })),
      serialize: serializeCustomer,
    });
  })

  .get("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "customer");
    const { caller } = c.var;
    const [row] = await readScoped(caller, "customers:read", (scope) => selectCustomer(caller.db, scope, id));
    if (!row) throw notFound("Customer");
    return okRecord(c, serializeCustomer(row), row.etag);
  })

  .post("/", jsonBody(createCustomer), async (c) => {
    const input = c.req.valid("json");
    const id = crypto.randomUUID();
    const { caller } = c.var;
    const read = (scope: Parameters<typeof selectCustomer>[1]) => selectCustomer(caller.db, scope, id);
    const outcome = await runWrite(
      caller,
      "customers:write",
      (scope) => [insertCustomer(caller.db, scope, id, input), read(scope)] as const,
      await idempotentWrite(c, input, { status: 201, table: customers, id, read }),
    );
    if (outcome.replay) {
      // The record the first request created, not this request's unused id.
      const { row, status } = outcome.replay;
      return replayedRecord(c, serializeCustomer(row), row.etag, status, `/api/customers/${row.id}`);
    }
    const [, [row]] = outcome.results;
    // The token check passed and its row stayed locked, so the insert (whose
    // source is the token row) did too; if not, nothing was written.
    if (!row) throw concurrentChange();
    return createdRecord(c, serializeCustomer(row), row.etag, `/api/customers/${row.id}`);
  })

  .patch("/:id", ifMatchHeader, jsonBody(updateCustomerBody), async (c) => {
    const id = pathId(c.req.param("id"), "customer");
    const input = c.req.valid("json");
    const { caller } = c.var;
    const condition = ifMatch(c, "Customer");
    const read = (scope: Parameters<typeof selectCustomer>[1]) => selectCustomer(caller.db, scope, id);
    let row: Awaited<ReturnType<typeof read>>[number] | undefined;
    if (Object.keys(customerChanges(input)).length > 0) {
      const outcome = await runWrite(
        caller,
        "customers:write",
        (scope) =>
          [
            lockCustomer(caller.db, scope, id, condition),
            updateCustomer(caller.db, scope, id, input),
            read(scope),
          ] as const,
        await idempotentWrite(c, input, { status: 200, table: customers, id, read }),
      );
      if (outcome.replay) {
        const { row, status } = outcome.replay;
        return replayedRecord(c, serializeCustomer(row), row.etag, status, `/api/customers/${id}`);
      }
      [, , [row]] = outcome.results;
    } else if (condition) {
      [, [row]] = await runScoped(
        caller,
        "customers:write",
        (scope) => [lockCustomer(caller.db, scope, id, condition), read(scope)] as const,
      );
    } else {
      [[row]] = await runScoped(caller, "customers:write", (scope) => [read(scope)] as const);
    }
    if (!row) throw notFound("Customer");
    return okRecord(c, serializeCustomer(row), row.etag);
  })

  // A customer with contacts or addresses is kept (409) unless ?cascade=true,
  // which deletes them with it in one transaction and needs the write
  // permissions of all three resources. Nothing is ever left dangling.
  .delete("/:id", ifMatchHeader, async (c) => {
    const id = pathId(c.req.param("id"), "customer");
    const cascade = c.req.query("cascade");
    if (cascade !== undefined && cascade !== "true" && cascade !== "false") {
      throw badRequest("cascade must be true or false");
    }
    const { caller } = c.var;
    const condition = ifMatch(c, "Customer");
    // The customer is locked first: no contact or address can be created under
    // it until the delete commits, so the statements after the lock all see the
    // same children, and the customer's own delete cannot fail after its
    // children's deletes succeeded.
    if (cascade === "true") {
      const [, , , removed] = await runScoped(
        caller,
        ["customers:write", "contacts:write", "addresses:write"],
        (scope) =>
          [lockCustomer(caller.db, scope, id, condition), ...deleteCustomerCascade(caller.db, scope, id)] as const,
      );
      if (removed.length === 0) throw notFound("Customer");
      return deleted(c, "Customer");
    }
    const [, [dependents], removed] = await runScoped(
      caller,
      "customers:write",
      (scope) =>
        [
          lockCustomer(caller.db, scope, id, condition),
          customerDependents(caller.db, scope, id),
          deleteCustomer(caller.db, scope, id),
        ] as const,
    );
    if (!dependents) throw notFound("Customer");
    if (removed.length === 0) {
      throw new ApiError(
        409,
        `Customer still has ${count(dependents.contacts, "contact", "contacts")} and ` +
          `${count(dependents.addresses, "address", "addresses")}: ` +
          "delete them first, or delete with ?cascade=true",
      );
    }
    return deleted(c, "Customer");
  });
