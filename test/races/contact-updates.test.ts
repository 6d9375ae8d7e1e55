// Two writes of one contact at once: a PATCH and a DELETE, and two PATCHes
// that both carry the same If-Match (only one of them may win).
import { eq } from "drizzle-orm";
import { it } from "vitest";
import { addresses, contacts } from "../../src/db/schema";
import { api, db, type TestWorkspace } from "../support/harness";
import { type Answer, type Fail, pairTimeout, raceSuite, runPair, seedRaceWorkspace, send } from "../support/race";

async function rowsOf(ws: TestWorkspace) {
  const d = db();
  const [[contact], [address]] = await d.batch([
    d.select({ firstName: contacts.firstName }).from(contacts).where(eq(contacts.id, ws.contactId)),
    d.select({ contactId: addresses.contactId }).from(addresses).where(eq(addresses.id, ws.addressId)),
  ]);
  return { contact, address };
}

async function checkPatchDelete(ws: TestWorkspace, patch: Answer, remove: Answer, fail: Fail) {
  const { contact, address } = await rowsOf(ws);
  if (!address) fail("the contact's address was deleted");
  if (![200, 409].includes(remove.status)) fail("DELETE must answer 200 (or 409, a lost race): the contact existed");
  if (remove.status === 200) {
    if (contact) fail("DELETE 200 but the contact is still there");
    if (address && address.contactId !== null) fail("DELETE 200 but its address still links to it");
  }
  if (remove.status === 409 && !contact) fail("DELETE 409 but the contact is gone");
  if (patch.status === 200) {
    if (patch.body?.data?.first_name !== "Patched") fail("PATCH 200 answered another first_name");
    if (contact && contact.firstName !== "Patched") fail("PATCH 200 but the contact is not patched");
  } else if (patch.status === 404) {
    if (remove.status !== 200) fail("PATCH 404 but the DELETE did not delete the contact");
  } else if (patch.status === 409) {
    if (contact && contact.firstName !== "Ada") fail("PATCH 409 but the contact was patched");
  } else {
    fail("PATCH must answer 200, 404 (deleted first) or 409");
  }
}

interface Round {
  ws: TestWorkspace;
  etag: string;
}

const precondition = "Contact has changed since the ETag in If-Match: fetch it again";

async function checkTwoPatches(round: Round, alice: Answer, bob: Answer, fail: Fail) {
  const { contact } = await rowsOf(round.ws);
  const statuses = [alice.status, bob.status].sort();
  if (statuses[0] !== 200 || statuses[1] !== 412) return fail("exactly one PATCH must answer 200, the other 412");
  const [winner, loser] = alice.status === 200 ? [alice, bob] : [bob, alice];
  const name = winner === alice ? "Alice" : "Bob";
  if (winner.body?.data?.first_name !== name) fail("the 200 answered another first_name than it sent");
  if (contact?.firstName !== name) fail(`the database holds ${contact?.firstName}, not the winner's ${name}`);
  if (loser.body?.error !== precondition) fail(`412 message is not "${precondition}"`);
}

const patchWithIfMatch = ({ ws, etag }: Round, firstName: string, label: string) =>
  send(label, `/api/contacts/${ws.contactId}`, {
    method: "PATCH",
    token: ws.token,
    headers: { "If-Match": etag },
    body: { first_name: firstName },
  });

raceSuite("race: two writes of one contact", () => {
  it(
    "PATCH vs DELETE of one contact: the PATCH lands before the delete, or finds it gone",
    async () => {
      await runPair<TestWorkspace>({
        name: "PATCH /api/contacts/{id} vs DELETE /api/contacts/{id}",
        setup: seedRaceWorkspace,
        first: (ws) =>
          send("PATCH", `/api/contacts/${ws.contactId}`, {
            method: "PATCH",
            token: ws.token,
            body: { first_name: "Patched" },
          }),
        second: (ws) => send("DELETE", `/api/contacts/${ws.contactId}`, { method: "DELETE", token: ws.token }),
        check: checkPatchDelete,
      });
    },
    pairTimeout,
  );

  it(
    "two PATCHes with the same If-Match: exactly one wins (200), the other gets 412",
    async () => {
      await runPair<Round>({
        name: "PATCH If-Match vs PATCH If-Match (same ETag)",
        setup: async () => {
          const ws = await seedRaceWorkspace();
          const current = await api(`/api/contacts/${ws.contactId}`, { token: ws.token });
          return { ws, etag: current.headers.get("ETag") as string };
        },
        first: (round) => patchWithIfMatch(round, "Alice", "PATCH Alice"),
        second: (round) => patchWithIfMatch(round, "Bob", "PATCH Bob"),
        check: checkTwoPatches,
      });
    },
    pairTimeout,
  );
});
