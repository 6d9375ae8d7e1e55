// /api/customers: list, get, create, patch, delete.
import { Hono } from "hono";
import { readScoped, runScoped } from "../db/scoped";
import type { AppEnv } from "../env";
import { readJsonBody } from "../http/body";
import { ApiError, badRequest, notFound } from "../http/errors";
import { listResponse, readListParams } from "../http/list";
import { pathId } from "../http/params";
import { deleted, okRecord } from "../http/respond";
import {
  customerChanges,
  customerDependents,
  deleteCustomer,
  deleteCustomerChildren,
  insertCustomer,
  listCustomers,
  selectCustomer,
  updateCustomer,
} from "./queries";
import { createCustomer, updateCustomer as updateCustomerBody } from "./schemas";
import { serializeCustomer } from "./serialize";

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const customerRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const params = readListParams(c);
    const { db, tokenHash } = c.var;
    return listResponse(c, params, {
      async fetchPage(after, size) {
        return readScoped(db, tokenHash, "customers:read", (scope) => listCustomers(db, scope, { after, size }));
      },
      serialize: serializeCustomer,
    });
  })

  .get("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "customer");
    const { db, tokenHash } = c.var;
    const [[row]] = await runScoped(
      db,
      tokenHash,
      "customers:read",
      (scope) => [selectCustomer(db, scope, id)] as const,
    );
    if (!row) throw notFound("Customer");
    return okRecord(c, serializeCustomer(row));
  })

  .post("/", async (c) => {
    const input = await readJsonBody(c, createCustomer);
    const id = crypto.randomUUID();
    const { db, tokenHash } = c.var;
    const [, [row]] = await runScoped(
      db,
      tokenHash,
      "customers:write",
      (scope) => [insertCustomer(db, scope, id, input), selectCustomer(db, scope, id)] as const,
    );
    // The token check passed, so the insert did too; a missing row would be a bug.
    if (!row) throw new Error("customer insert returned no row");
    c.header("Location", `/api/customers/${id}`);
    return okRecord(c, serializeCustomer(row), 201);
  })

  .patch("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "customer");
    const input = await readJsonBody(c, updateCustomerBody);
    const { db, tokenHash } = c.var;
    const [row] =
      Object.keys(customerChanges(input)).length > 0
        ? (
            await runScoped(
              db,
              tokenHash,
              "customers:write",
              (scope) => [updateCustomer(db, scope, id, input), selectCustomer(db, scope, id)] as const,
            )
          )[1]
        : (await runScoped(db, tokenHash, "customers:write", (scope) => [selectCustomer(db, scope, id)] as const))[0];
    if (!row) throw notFound("Customer");
    return okRecord(c, serializeCustomer(row));
  })

  // A customer with contacts or addresses is kept (409) unless ?cascade=true,
  // which deletes them with it in one transaction and needs the write
  // permissions of all three resources. Nothing is ever left dangling.
  .delete("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "customer");
    const cascade = c.req.query("cascade");
    if (cascade !== undefined && cascade !== "true" && cascade !== "false") {
      throw badRequest("cascade must be true or false");
    }
    const { db, tokenHash } = c.var;
    if (cascade === "true") {
      const [, , removed] = await runScoped(
        db,
        tokenHash,
        ["customers:write", "contacts:write", "addresses:write"],
        (scope) => [...deleteCustomerChildren(db, scope, id), deleteCustomer(db, scope, id)] as const,
      );
      if (removed.length === 0) throw notFound("Customer");
      return deleted(c, "Customer");
    }
    const [[dependents], removed] = await runScoped(
      db,
      tokenHash,
      "customers:write",
      (scope) => [customerDependents(db, scope, id), deleteCustomer(db, scope, id)] as const,
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
