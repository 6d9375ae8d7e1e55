// Upserts by external id at once: two PUTs of the same value, and two batches whose
// upserts overlap. Whichever goes first, each value ends with exactly one record,
// nothing answers 5xx, and every answer is true of what the database holds.
import { and, eq } from "drizzle-orm";
import { it } from "vitest";
import { contacts, customers } from "../../src/db/schema";
import { db, type TestWorkspace } from "../support/harness";
import { type Answer, type Fail, pairTimeout, raceSuite, runPair, seedRaceWorkspace, send } from "../support/race";

const contactRows = (ws: TestWorkspace) =>
  db()
    .select({ id: contacts.id, idCrm: contacts.idCrm, firstName: contacts.firstName })
    .from(contacts)
    .where(eq(contacts.workspaceId, ws.workspaceId));

const customerRows = (ws: TestWorkspace, idErp: string) =>
  db()
    .select({ id: customers.id, name: customers.name })
    .from(customers)
    .where(and(eq(customers.workspaceId, ws.workspaceId), eq(customers.idErp, idErp)));

const contactOf = (ws: TestWorkspace, firstName: string) => ({
  customer_id: ws.customerId,
  first_name: firstName,
  last_name: "Racer",
  email: "racer@example.com",
});

/**
 * Two PUTs of one value that both succeeded: one created the record (201), the other
 * found it (200) and was applied last, so the record holds what the 200 sent.
 */
function checkTwoPuts(rows: { id: string; name: string }[], answers: [Answer, string][], fail: Fail): void {
  if (rows.length !== 1) {
    fail(`${rows.length} records hold the value, not exactly 1`);
    return;
  }
  const [row] = rows as [{ id: string; name: string }];
  const ok = answers.filter(([a]) => a.status === 200 || a.status === 201);
  for (const [answer, name] of ok) {
    if (answer.body?.data?.id !== row.id)
      fail(`${answer.label} ${answer.status} answered another id than the record's`);
    const sent = answer.body?.data?.first_name ?? answer.body?.data?.name;
    if (sent !== name) fail(`${answer.label} ${answer.status} answered another name than it sent`);
  }
  for (const [answer] of answers) {
    if (![200, 201, 409].includes(answer.status)) fail(`${answer.label} must answer 201, 200 or 409 (a lost race)`);
  }
  const created = ok.filter(([a]) => a.status === 201);
  if (created.length !== 1) fail(`${created.length} answers say they created the record, not exactly 1`);
  const found = ok.filter(([a]) => a.status === 200);
  if (found.length === 1 && created.length === 1 && row.name !== found[0]?.[1]) {
    fail(`the record holds ${row.name}, not what the later request (200) sent`);
  }
  if (ok.length === 1 && row.name !== ok[0]?.[1]) fail(`the record holds ${row.name}, not what the only success sent`);
}

interface BatchRound {
  ws: TestWorkspace;
}

/** The batch each side sends: it upserts its own value and the shared one, in opposite orders. */
const sideA = (ws: TestWorkspace) => [
  { op: "upsert", match: "id_crm", data: { ...contactOf(ws, "A"), id_crm: "ONLY-A" } },
  { op: "upsert", match: "id_crm", data: { ...contactOf(ws, "A"), id_crm: "SHARED" } },
];
const sideB = (ws: TestWorkspace) => [
  { op: "upsert", match: "id_crm", data: { ...contactOf(ws, "B"), id_crm: "SHARED" } },
  { op: "upsert", match: "id_crm", data: { ...contactOf(ws, "B"), id_crm: "ONLY-B" } },
];

type Result = { op: string; status: number; id: string; data?: { first_name?: string; id_crm?: string } };

async function checkBatches({ ws }: BatchRound, a: Answer, b: Answer, fail: Fail) {
  const rows = await contactRows(ws);
  const byValue = (value: string) => rows.filter((row) => row.idCrm === value);
  for (const value of ["SHARED", "ONLY-A", "ONLY-B"]) {
    if (byValue(value).length > 1) fail(`${byValue(value).length} contacts hold ${value}`);
  }
  const sides: [Answer, string, string][] = [
    [a, "A", "ONLY-A"],
    [b, "B", "ONLY-B"],
  ];
  const sharedStatuses: number[] = [];
  for (const [answer, name, own] of sides) {
    if (answer.status === 200) {
      const results = answer.body?.data as unknown as Result[] | undefined;
      if (!Array.isArray(results) || results.length !== 2) {
        fail(`batch ${name} 200 without two results`);
        continue;
      }
      for (const result of results) {
        const [row] = byValue(result.data?.id_crm ?? "");
        if (!row) fail(`batch ${name} answered ${result.data?.id_crm}, which no contact holds`);
        else if (row.id !== result.id) fail(`batch ${name} answered another id for ${result.data?.id_crm}`);
        if (result.data?.first_name !== name) fail(`batch ${name} answered a record it did not write`);
        if (result.data?.id_crm === "SHARED") sharedStatuses.push(result.status);
        if (result.data?.id_crm === own && result.status !== 201) fail(`batch ${name}: its own value was not created`);
      }
    } else if (answer.status === 409) {
      if (byValue(own).length > 0) fail(`batch ${name} 409 but its own value was written`);
    } else {
      fail(`batch ${name} must answer 200 or 409 (a lost race)`);
    }
  }
  const succeeded = sides.filter(([answer]) => answer.status === 200);
  if (succeeded.length > 0 && byValue("SHARED").length !== 1) fail("no contact holds SHARED after a success");
  if (succeeded.length === 0 && rows.length !== 1) fail("both batches refused, yet contacts were written");
  if (succeeded.length === 2) {
    const sorted = [...sharedStatuses].sort();
    if (sorted[0] !== 200 || sorted[1] !== 201)
      fail("SHARED must be created by one batch (201) and found by the other (200)");
    // The batch that found SHARED was applied last: the contact holds its name.
    const later = sides.find(([answer]) =>
      ((answer.body?.data as unknown as Result[]) ?? []).some((r) => r.data?.id_crm === "SHARED" && r.status === 200),
    );
    if (later && byValue("SHARED")[0]?.firstName !== later[1]) fail("SHARED does not hold what the later batch sent");
  }
  if (succeeded.length === 1) {
    const [[, name]] = succeeded as [[Answer, string, string]];
    if (byValue("SHARED")[0]?.firstName !== name) fail("SHARED does not hold what the only successful batch sent");
  }
}

raceSuite("race: upserts of the same external id", () => {
  it(
    "two PUT /api/contacts/by/id_crm/{value} at once: exactly one contact holds the value",
    async () => {
      await runPair<TestWorkspace>({
        name: "PUT /api/contacts/by/id_crm/V (Alice) vs PUT /api/contacts/by/id_crm/V (Bob)",
        setup: seedRaceWorkspace,
        first: (ws) =>
          send("PUT Alice", "/api/contacts/by/id_crm/V", {
            method: "PUT",
            token: ws.token,
            body: contactOf(ws, "Alice"),
          }),
        second: (ws) =>
          send("PUT Bob", "/api/contacts/by/id_crm/V", { method: "PUT", token: ws.token, body: contactOf(ws, "Bob") }),
        check: async (ws, alice, bob, fail) => {
          const rows = (await contactRows(ws))
            .filter((row) => row.idCrm === "V")
            .map((row) => ({ id: row.id, name: row.firstName }));
          checkTwoPuts(
            rows,
            [
              [alice, "Alice"],
              [bob, "Bob"],
            ],
            fail,
          );
        },
      });
    },
    pairTimeout,
  );

  it(
    "two PUT /api/customers/by/id_erp/{value} at once: exactly one customer holds the value",
    async () => {
      await runPair<TestWorkspace>({
        name: "PUT /api/customers/by/id_erp/V (Alice) vs PUT /api/customers/by/id_erp/V (Bob)",
        setup: seedRaceWorkspace,
        first: (ws) =>
          send("PUT Alice", "/api/customers/by/id_erp/V", {
            method: "PUT",
            token: ws.token,
            body: { name: "Alice", type: "company" },
          }),
        second: (ws) =>
          send("PUT Bob", "/api/customers/by/id_erp/V", {
            method: "PUT",
            token: ws.token,
            body: { name: "Bob", type: "company" },
          }),
        check: async (ws, alice, bob, fail) => {
          checkTwoPuts(
            await customerRows(ws, "V"),
            [
              [alice, "Alice"],
              [bob, "Bob"],
            ],
            fail,
          );
        },
      });
    },
    pairTimeout,
  );

  it(
    "two POST /api/contacts/batch upserting overlapping external ids: one contact per value, each answer true",
    async () => {
      await runPair<BatchRound>({
        name: "POST /api/contacts/batch [ONLY-A, SHARED] vs POST /api/contacts/batch [SHARED, ONLY-B]",
        setup: async () => ({ ws: await seedRaceWorkspace() }),
        first: ({ ws }) =>
          send("batch A", "/api/contacts/batch", { method: "POST", token: ws.token, body: { operations: sideA(ws) } }),
        second: ({ ws }) =>
          send("batch B", "/api/contacts/batch", { method: "POST", token: ws.token, body: { operations: sideB(ws) } }),
        check: checkBatches,
      });
    },
    pairTimeout,
  );

  it(
    "a PUT and a batch upserting the same external id: exactly one contact holds it",
    async () => {
      await runPair<TestWorkspace>({
        name: "PUT /api/contacts/by/id_crm/SHARED (Alice) vs POST /api/contacts/batch [SHARED (Bob)]",
        setup: seedRaceWorkspace,
        first: (ws) =>
          send("PUT Alice", "/api/contacts/by/id_crm/SHARED", {
            method: "PUT",
            token: ws.token,
            body: contactOf(ws, "Alice"),
          }),
        second: (ws) =>
          send("batch Bob", "/api/contacts/batch", {
            method: "POST",
            token: ws.token,
            body: {
              operations: [{ op: "upsert", match: "id_crm", data: { ...contactOf(ws, "Bob"), id_crm: "SHARED" } }],
            },
          }),
        check: async (ws, put, batch, fail) => {
          const rows = (await contactRows(ws))
            .filter((row) => row.idCrm === "SHARED")
            .map((row) => ({ id: row.id, name: row.firstName }));
          // The batch's one result, seen as the answer of a single upsert.
          const [result] = (batch.body?.data as unknown as Result[] | undefined) ?? [];
          const asSingle: Answer =
            batch.status === 200 && result
              ? { ...batch, status: result.status, body: { success: true, data: { ...result.data, id: result.id } } }
              : batch;
          checkTwoPuts(
            rows,
            [
              [put, "Alice"],
              [asSingle, "Bob"],
            ],
            fail,
          );
        },
      });
    },
    pairTimeout,
  );
});
