// /api/contacts: path → validation → one scoped batch → Qwoty's envelope.
import { Hono } from "hono";
import { runScoped } from "../db/scoped";
import type { AppEnv } from "../env";
import { badRequest, notFound } from "../http/errors";
import { ok } from "../http/respond";
import { parseUuid } from "../lib/uuid";
import { selectContact } from "./queries";
import { serializeContact } from "./serialize";

function contactId(raw: string): string {
  const id = parseUuid(raw);
  if (!id) throw badRequest("Invalid contact id: expected a UUID");
  return id;
}

export const contactRoutes = new Hono<AppEnv>().get("/:id", async (c) => {
  const id = contactId(c.req.param("id"));
  const { db, tokenHash } = c.var;
  const [[row]] = await runScoped(db, tokenHash, "contacts:read", (scope) => [selectContact(db, scope, id)] as const);
  if (!row) throw notFound("Contact");
  return ok(c, serializeContact(row));
});
