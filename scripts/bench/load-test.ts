// `npm run loadtest`: a bounded load test against `wrangler dev` on 127.0.0.1.
// 10,000 mixed requests (reads, lists, creates, updates, deletes) from 50
// concurrent clients over two workspaces; then checks that no answer was a 5xx,
// that no answer or row crossed workspaces, and that every acknowledged write is
// in the database. Options: LOADTEST_REQUESTS (10000), LOADTEST_CLIENTS (50),
// LOADTEST_SECONDS (180, a hard stop), LOCAL_POSTGRES_URL (else PGlite).
import { eq, inArray, sql } from "drizzle-orm";
import { getDb } from "../../src/db/client.ts";
import { addresses, contacts, customers } from "../../src/db/schema.ts";
import { openTestBackend as openBenchDatabase } from "../../test/support/node/test-backend.ts";
import { startDevWorker } from "../dev-worker.ts";
import { seedWorkspaceFixture, type WorkspaceFixture } from "../fixtures.ts";
import { migrationsFolder } from "../local-db/open.ts";
import { startLocalDbServer } from "../local-db/server.ts";
import { type Call, send } from "./load.ts";
import { fmt, quantile } from "./stats.ts";

const total = Number(process.env.LOADTEST_REQUESTS ?? 10_000);
const clients = Number(process.env.LOADTEST_CLIENTS ?? 50);
const maxSeconds = Number(process.env.LOADTEST_SECONDS ?? 180);

const { backend, dispose } = await openBenchDatabase();
await backend.migrate(migrationsFolder);
const server = await startLocalDbServer({ backend });
const db = getDb(server.databaseUrl);
const workspaces = [await seedWorkspaceFixture(db), await seedWorkspaceFixture(db)];
const worker = await startDevWorker(server.databaseUrl, undefined, "bench");

type Json = { success: boolean; data?: unknown; error?: string };
const statuses = new Map<number, number>();
const latencies: number[] = [];
const crossings: string[] = [];
/** acknowledged writes, to find in the database afterwards */
const created = new Map<string, string>(); // contact id → workspace id
const createdAddresses = new Map<string, string>();
const deleted = new Set<string>();
const lastPatch = new Map<string, string>(); // contact id → first_name acknowledged last
let issued = 0;
const started = performance.now();

async function client(index: number) {
  const ws = workspaces[index % 2] as WorkspaceFixture;
  const mine: string[] = []; // contacts this client created and has not deleted
  while (issued < total && performance.now() - started < maxSeconds * 1000) {
    const n = issued++;
    const roll = n % 20;
    let call: Call;
    let kind: string;
    if (roll < 8) {
      kind = "get";
      call = { method: "GET", path: `/api/contacts/${mine.at(-1) ?? ws.contactId}`, token: ws.token };
    } else if (roll < 12) {
      kind = "list";
      call = { method: "GET", path: `/api/addresses?customer_id=${ws.customerId}&limit=50`, token: ws.token };
    } else if (roll < 15) {
      kind = "create";
      call = {
        method: "POST",
        path: "/api/contacts",
        token: ws.token,
        body: { customer_id: ws.customerId, first_name: `Load ${n}`, last_name: "Test", email: `load${n}@example.com` },
      };
    } else if (roll < 17 && mine.length > 0) {
      kind = "patch";
      call = {
        method: "PATCH",
        path: `/api/contacts/${mine.at(-1)}`,
        token: ws.token,
        body: { first_name: `Patched ${n}` },
      };
    } else if (roll < 18 && mine.length > 1) {
      kind = "delete";
      call = { method: "DELETE", path: `/api/contacts/${mine.shift()}`, token: ws.token };
    } else if (roll < 19) {
      kind = "address";
      call = {
        method: "POST",
        path: "/api/addresses",
        token: ws.token,
        body: {
          customer_id: ws.customerId,
          type: "shipping",
          address_line1: `${n} Load Street`,
          city: "Lyon",
          postal_code: "69001",
          country: "FR",
        },
      };
    } else {
      kind = "customer";
      call = { method: "GET", path: `/api/customers/${ws.customerId}`, token: ws.token };
    }
    const t0 = performance.now();
    let answer: Awaited<ReturnType<typeof send>>;
    try {
      answer = await send(worker.origin, call);
    } catch {
      statuses.set(0, (statuses.get(0) ?? 0) + 1);
      continue;
    }
    latencies.push(performance.now() - t0);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const body = JSON.parse(answer.body) as Json;
    // Every record in every answer must be of the client's workspace.
    const records = Array.isArray(body.data) ? body.data : body.data ? [body.data] : [];
    for (const record of records as { workspace_id?: string }[]) {
      if (record.workspace_id !== ws.workspaceId) crossings.push(`${kind} ${call.path}`);
    }
    const data = body.data as { id: string; first_name?: string } | undefined;
    if (kind === "create" && answer.status === 201 && data) {
      created.set(data.id, ws.workspaceId);
      mine.push(data.id);
    } else if (kind === "address" && answer.status === 201 && data) {
      createdAddresses.set(data.id, ws.workspaceId);
    } else if (kind === "patch" && answer.status === 200 && data?.first_name) {
      lastPatch.set(data.id, data.first_name);
    } else if (kind === "delete" && answer.status === 200) {
      deleted.add(call.path.split("/").pop() as string);
    }
  }
}

try {
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  const seconds = (performance.now() - started) / 1000;

  // Every acknowledged write is there, in its workspace; every acknowledged delete is gone.
  const ids = [...created.keys()];
  const rows = ids.length
    ? await db
        .select({ id: contacts.id, workspaceId: contacts.workspaceId, firstName: contacts.firstName })
        .from(contacts)
        .where(inArray(contacts.id, ids))
    : [];
  const found = new Map(rows.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !deleted.has(id) && !found.has(id));
  const notDeleted = [...deleted].filter((id) => found.has(id));
  const wrongWorkspace = rows.filter((r) => r.workspaceId !== created.get(r.id));
  const lostPatches = [...lastPatch].filter(([id, name]) => !deleted.has(id) && found.get(id)?.firstName !== name);
  const addressRows = createdAddresses.size
    ? await db
        .select({ id: addresses.id, workspaceId: addresses.workspaceId })
        .from(addresses)
        .where(inArray(addresses.id, [...createdAddresses.keys()]))
    : [];
  const missingAddresses = createdAddresses.size - addressRows.length;
  // No row points at another workspace's customer (the composite keys forbid it; counted anyway).
  const [crossRows] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(sql`${customers.workspaceId} <> ${contacts.workspaceId}`);
  const crossRowCount = crossRows?.n ?? 0;

  const fiveXX = [...statuses].filter(([s]) => s >= 500 || s === 0).reduce((n, [, c]) => n + c, 0);
  console.log(
    `\nLoad test, ${new Date().toISOString()}: ${latencies.length} requests, ${clients} clients, 2 workspaces, database ${backend.kind === "pglite" ? "PGlite" : "PostgreSQL"}, no injected delay`,
  );
  console.log("| Measure | Value |\n|---|---|");
  console.log(`| Duration, throughput | ${fmt(seconds, 1)} s, ${fmt(latencies.length / seconds, 0)} req/s |`);
  console.log(`| Latency | p50 ${fmt(quantile(latencies, 0.5), 1)} ms, p99 ${fmt(quantile(latencies, 0.99), 1)} ms |`);
  console.log(
    `| Statuses | ${[...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, c]) => `${s || "network error"}: ${c}`)
      .join(", ")} |`,
  );
  console.log(`| 5xx or network errors | ${fiveXX} |`);
  console.log(`| Answers holding another workspace's record | ${crossings.length} |`);
  console.log(`| Rows across workspaces | ${crossRowCount} |`);
  console.log(`| Acknowledged creates (contacts, addresses) | ${created.size}, ${createdAddresses.size} |`);
  console.log(`| … missing from the database | ${missing.length + missingAddresses} |`);
  console.log(`| Acknowledged deletes still present | ${notDeleted.length} |`);
  console.log(`| Acknowledged updates not in the database | ${lostPatches.length} |`);
  console.log(`| Created rows in the wrong workspace | ${wrongWorkspace.length} |`);
  const ok =
    fiveXX === 0 &&
    crossings.length === 0 &&
    crossRowCount === 0 &&
    missing.length + missingAddresses === 0 &&
    notDeleted.length === 0 &&
    lostPatches.length === 0 &&
    wrongWorkspace.length === 0;
  console.log(ok ? "\nAll checks passed." : "\nSOME CHECKS FAILED.");
  process.exitCode = ok ? 0 : 1;
} finally {
  await worker.stop();
  await server.close();
  await dispose();
}
