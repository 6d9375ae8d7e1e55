// DELETE /api/customers/{id}?cascade=true while a contact is created for that
// customer: either the delete wins (and takes every contact and address with
// it, the new one too), or the create wins and the delete changes nothing.
import { and, eq } from "drizzle-orm";
import { it } from "vitest";
import { addresses, contacts, customers } from "../../src/db/schema";
import { db, type TestWorkspace } from "../support/harness";
import {
  type Answer,
  type Fail,
  pairTimeout,
  racerContact,
  raceSuite,
  runPair,
  seedRaceWorkspace,
  send,
} from "../support/race";

async function customerRows(ws: TestWorkspace) {
  const d = db();
  const [customer, children, linked, racers] = await d.batch([
    d.select({ id: customers.id }).from(customers).where(eq(customers.id, ws.customerId)),
    d.select({ id: contacts.id }).from(contacts).where(eq(contacts.customerId, ws.customerId)),
    d.select({ id: addresses.id }).from(addresses).where(eq(addresses.customerId, ws.customerId)),
    d
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, ws.workspaceId), eq(contacts.firstName, "Racer"))),
  ]);
  return {
    customer: customer.length > 0,
    contactIds: children.map((r) => r.id),
    addressIds: linked.map((r) => r.id),
    racers,
  };
}

async function check(ws: TestWorkspace, remove: Answer, create: Answer, fail: Fail) {
  const rows = await customerRows(ws);
  const newId = create.body?.data?.id;

  if (![200, 409].includes(remove.status)) fail("DELETE must answer 200 or 409: the customer existed");
  if (remove.status === 200) {
    if (rows.customer) fail("DELETE 200 but the customer is still there");
    if (rows.contactIds.length > 0) fail(`DELETE 200 but ${rows.contactIds.length} of its contacts are still there`);
    if (rows.addressIds.length > 0) fail(`DELETE 200 but ${rows.addressIds.length} of its addresses are still there`);
  }
  if (remove.status === 409) {
    if (!rows.customer) fail("DELETE 409 but the customer is gone");
    if (!rows.contactIds.includes(ws.contactId)) fail("DELETE 409 but the customer's contact is gone");
    if (!rows.addressIds.includes(ws.addressId)) fail("DELETE 409 but the customer's address is gone");
  }

  if (create.status === 201) {
    if (!newId) fail("POST 201 without the contact's id");
    else if (remove.status !== 200 && !rows.contactIds.includes(newId)) fail("POST 201 but the contact is not there");
    else if (remove.status === 200 && rows.racers.length > 0) fail("POST 201, DELETE 200, yet the contact outlived it");
  } else if (create.status === 400) {
    if (create.body?.error !== "customer_id: customer not found") fail("POST 400 with an unexpected error");
    if (remove.status !== 200) fail("POST said customer not found, but the DELETE did not delete it");
    if (rows.racers.length > 0) fail("POST 400 but a contact was created");
  } else if (create.status === 409) {
    if (rows.racers.length > 0) fail("POST 409 but a contact was created");
  } else {
    fail("POST must answer 201, 400 (customer not found) or 409");
  }
}

raceSuite("race: deleting a customer with cascade while a contact is created for it", () => {
  it(
    "answers agree with the database: the delete takes everything, or changes nothing",
    async () => {
      await runPair({
        name: "DELETE /api/customers/{id}?cascade=true vs POST /api/contacts",
        setup: () => seedRaceWorkspace(),
        first: (ws) =>
          send("DELETE", `/api/customers/${ws.customerId}?cascade=true`, { method: "DELETE", token: ws.token }),
        second: (ws) => send("POST", "/api/contacts", { method: "POST", token: ws.token, body: racerContact(ws) }),
        check,
      });
    },
    pairTimeout,
  );
});
