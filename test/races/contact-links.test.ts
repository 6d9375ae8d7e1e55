// Linking an address to a contact (PATCH or POST /api/addresses) while that
// contact is deleted. The delete unlinks the contact's addresses; whichever
// request goes first, no address is left pointing at a deleted contact, and
// every answer says what happened.
import { and, eq } from "drizzle-orm";
import { it } from "vitest";
import { addresses, contacts } from "../../src/db/schema";
import { db, type TestWorkspace } from "../support/harness";
import { type Answer, type Fail, pairTimeout, raceSuite, runPair, seedRaceWorkspace, send } from "../support/race";
import { insertAddress } from "../support/resources";

interface Round {
  ws: TestWorkspace;
  /** the address to link (PATCH), created unlinked; undefined when the address is created (POST) */
  addressId?: string;
}

/** A workspace whose customer also has an address linked to no contact. */
async function withUnlinkedAddress(): Promise<Round> {
  const ws = await seedRaceWorkspace();
  return { ws, addressId: await insertAddress(ws, ws.customerId) };
}

const newAddress = (ws: TestWorkspace) => ({
  customer_id: ws.customerId,
  contact_id: ws.contactId,
  type: "shipping",
  address_line1: "3 Race Road",
  city: "Lyon",
  postal_code: "69001",
  country: "FR",
});

async function rowsOf(ws: TestWorkspace) {
  const d = db();
  const [contact, all] = await d.batch([
    d.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, ws.contactId)),
    d
      .select({ id: addresses.id, contactId: addresses.contactId, line1: addresses.addressLine1 })
      .from(addresses)
      .where(and(eq(addresses.workspaceId, ws.workspaceId))),
  ]);
  return { contactExists: contact.length > 0, addresses: all };
}

/** The rules on the DELETE /api/contacts/{C} side, common to both pairs. */
function checkDelete(rows: Awaited<ReturnType<typeof rowsOf>>, ws: TestWorkspace, remove: Answer, fail: Fail) {
  if (![200, 409].includes(remove.status)) fail("DELETE must answer 200 or 409: the contact existed");
  const linked = rows.addresses.filter((a) => a.contactId === ws.contactId);
  if (remove.status === 200) {
    if (rows.contactExists) fail("DELETE 200 but the contact is still there");
    if (linked.length > 0) fail(`DELETE 200 but ${linked.length} address(es) still link to the deleted contact`);
    if (!rows.addresses.some((a) => a.id === ws.addressId)) fail("DELETE 200 removed the contact's address");
  }
  if (remove.status === 409) {
    if (!rows.contactExists) fail("DELETE 409 but the contact is gone");
    if (!linked.some((a) => a.id === ws.addressId)) fail("DELETE 409 but the contact's address was unlinked");
  }
}

async function checkPatch(round: Round, patch: Answer, remove: Answer, fail: Fail) {
  const { ws } = round;
  const rows = await rowsOf(ws);
  checkDelete(rows, ws, remove, fail);
  const address = rows.addresses.find((a) => a.id === round.addressId);
  if (!address) return fail("the address was deleted");
  if (patch.status === 200) {
    if (patch.body?.data?.contact_id !== ws.contactId) fail("PATCH 200 answered another contact_id");
    if (remove.status === 200 && address.contactId !== null) fail("PATCH 200, DELETE 200: the address is not unlinked");
    if (remove.status !== 200 && address.contactId !== ws.contactId) fail("PATCH 200 but the address is not linked");
  } else if (patch.status === 400) {
    if (patch.body?.error !== "contact_id: contact not found") fail("PATCH 400 with an unexpected error");
    if (remove.status !== 200) fail("PATCH said contact not found, but the DELETE did not delete it");
    if (address.contactId !== null) fail("PATCH 400 but the address is linked");
  } else if (patch.status === 409) {
    if (address.contactId !== null) fail("PATCH 409 but the address is linked");
  } else {
    fail("PATCH must answer 200, 400 (contact not found) or 409");
  }
}

async function checkPost(round: Round, post: Answer, remove: Answer, fail: Fail) {
  const { ws } = round;
  const rows = await rowsOf(ws);
  checkDelete(rows, ws, remove, fail);
  const created = rows.addresses.filter((a) => a.line1 === "3 Race Road");
  if (post.status === 201) {
    const address = rows.addresses.find((a) => a.id === post.body?.data?.id);
    if (post.body?.data?.contact_id !== ws.contactId) fail("POST 201 answered another contact_id");
    if (!address) fail("POST 201 but the address is not there");
    else if (remove.status === 200 && address.contactId !== null) fail("POST 201, DELETE 200: the address is linked");
    else if (remove.status !== 200 && address.contactId !== ws.contactId) fail("POST 201 but the address is unlinked");
  } else if (post.status === 400) {
    if (post.body?.error !== "contact_id: contact not found") fail("POST 400 with an unexpected error");
    if (remove.status !== 200) fail("POST said contact not found, but the DELETE did not delete it");
    if (created.length > 0) fail("POST 400 but an address was created");
  } else if (post.status === 409) {
    if (created.length > 0) fail("POST 409 but an address was created");
  } else {
    fail("POST must answer 201, 400 (contact not found) or 409");
  }
}

const deleteContact = ({ ws }: Round) =>
  send("DELETE", `/api/contacts/${ws.contactId}`, { method: "DELETE", token: ws.token });

raceSuite("race: linking an address to a contact while the contact is deleted", () => {
  it(
    "PATCH /api/addresses/{id} {contact_id} vs DELETE /api/contacts/{contact_id}: no address links to a deleted contact",
    async () => {
      await runPair<Round>({
        name: "PATCH /api/addresses/{id} {contact_id: C} vs DELETE /api/contacts/{C}",
        setup: withUnlinkedAddress,
        first: ({ ws, addressId }) =>
          send("PATCH", `/api/addresses/${addressId}`, {
            method: "PATCH",
            token: ws.token,
            body: { contact_id: ws.contactId },
          }),
        second: deleteContact,
        check: checkPatch,
      });
    },
    pairTimeout,
  );

  it(
    "POST /api/addresses {contact_id} vs DELETE /api/contacts/{contact_id}: no address links to a deleted contact",
    async () => {
      await runPair<Round>({
        name: "POST /api/addresses {contact_id: C} vs DELETE /api/contacts/{C}",
        setup: async () => ({ ws: await seedRaceWorkspace() }),
        first: ({ ws }) => send("POST", "/api/addresses", { method: "POST", token: ws.token, body: newAddress(ws) }),
        second: deleteContact,
        check: checkPost,
      });
    },
    pairTimeout,
  );
});
