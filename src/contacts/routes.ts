// /api/contacts: path → validation → one scoped batch → Qwoty's envelope.
import { Hono } from "hono";
import { readScoped, runScoped } from "../db/scoped";
import type { AppEnv } from "../env";
import { readJsonBody } from "../http/body";
import { badRequest, notFound } from "../http/errors";
import { listResponse, readIdFilter, readListParams } from "../http/list";
import { pathId } from "../http/params";
import { deleted, okRecord } from "../http/respond";
import {
  contactChanges,
  deleteContact,
  insertContact,
  listContacts,
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
    const { db, tokenHash } = c.var;
    return listResponse(c, params, {
      async fetchPage(after, size) {
        return readScoped(db, tokenHash, "contacts:read", (scope) =>
          listContacts(db, scope, { customerId, after, size }),
        );
      },
      serialize: serializeContact,
    });
  })

  .get("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "contact");
    const { db, tokenHash } = c.var;
    const [row] = await readScoped(db, tokenHash, "contacts:read", (scope) => selectContact(db, scope, id));
    if (!row) throw notFound("Contact");
    return okRecord(c, serializeContact(row));
  })

  .post("/", async (c) => {
    const input = await readJsonBody(c, createContact);
    const id = crypto.randomUUID();
    const { db, tokenHash } = c.var;
    const [, [row]] = await runScoped(
      db,
      tokenHash,
      "contacts:write",
      (scope) => [insertContact(db, scope, id, input), selectContact(db, scope, id)] as const,
    );
    if (!row) throw badRequest("customer_id: customer not found");
    c.header("Location", `/api/contacts/${id}`);
    return okRecord(c, serializeContact(row), 201);
  })

  .patch("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "contact");
    const input = await readJsonBody(c, updateContactBody);
    const { db, tokenHash } = c.var;
    const changes = Object.keys(contactChanges(input)).length > 0;
    const [row] = changes
      ? (
          await runScoped(
            db,
            tokenHash,
            "contacts:write",
            (scope) => [updateContact(db, scope, id, input), selectContact(db, scope, id)] as const,
          )
        )[1]
      : (await runScoped(db, tokenHash, "contacts:write", (scope) => [selectContact(db, scope, id)] as const))[0];
    if (!row) throw notFound("Contact");
    if (input.customer_id && input.customer_id !== row.customerId) {
      throw badRequest("customer_id cannot be changed: a contact stays with the customer it was created for");
    }
    return okRecord(c, serializeContact(row));
  })

  .delete("/:id", async (c) => {
    const id = pathId(c.req.param("id"), "contact");
    const { db, tokenHash } = c.var;
    const [, removed] = await runScoped(
      db,
      tokenHash,
      "contacts:write",
      (scope) => [unlinkAddresses(db, scope, id), deleteContact(db, scope, id)] as const,
    );
    if (removed.length === 0) throw notFound("Contact");
    return deleted(c, "Contact");
  });
