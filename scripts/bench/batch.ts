// The batch bench (BENCH_ONLY=batch): the workerd CPU of POST /api/contacts/batch
// per request and per item (100 and 1000 creates; 1000 upserts that each find
// their record, a re-sync), beside a single POST /api/contacts measured the same
// way; and the size of what a 1000-item batch sends to the database and gets
// back, against Neon's limits.
//
// Method: the deployed bundle in workerd (as the CPU table: log line on, the
// rate-limit binding), the database replayed by the caching proxy (replay.ts).
// A batch of creates draws 1000 fresh ids per request, so its SQL is never the
// same twice; the proxy keys a query by its shape (fresh ids replaced by a
// placeholder) and, for this bench, answers with this request's ids in place of
// the first request's, so the worker finds its own rows, as with a database.
// Requests are sent one at a time and the workerd process's CPU is read around
// each from the scheduler's per-thread accounting (nanoseconds), which gives a
// distribution per request (p50, p99), not only the mean over a run.
import type { WorkspaceFixture } from "../fixtures.ts";
import {
  type BatchOperation,
  batchCall,
  batchOperations,
  batchResults,
  contactData,
  maxBatchItems,
  workspaceWithCustomers,
} from "./batch-items.ts";
import type { Call } from "./load.ts";
import { send } from "./load.ts";
import { startReplayProxy } from "./replay.ts";
import type { Row } from "./report.ts";
import type { Bench } from "./setup.ts";
import { fmt, median, quantile } from "./stats.ts";
import { processCpuSecondsPrecise, type RunningWorker, startWorkerd } from "./workerd.ts";

/** The contract's target for the worker's CPU per batch item, at p50. */
const targetMicrosPerItem = 20;
const neonRequestLimit = 64 * 1024 * 1024;
const neonResponseLimit = 10 * 1024 * 1024;
/** customers per workspace the contacts are spread over */
const customersPerWorkspace = 10;

export interface BatchBenchOptions {
  /** timed requests of a 1000-item batch; the smaller requests get more (see `measures`) */
  requests: number;
  /** interleaved rounds the timed requests are spread over */
  rounds: number;
}

interface Measure {
  name: string;
  call: Call;
  /** operations in the request: 1 for the single POST */
  items: number;
  /** the answer's body with every UUID replaced: what each replayed answer must equal */
  reference?: string;
  /** CPU seconds of each timed request */
  cpu: number[];
  /** requests timed per round */
  perRound: number;
  /** what the first (real) exchange weighed, bytes */
  sizes?: { sqlRequest: number; sqlResponse: number; apiRequest: number; apiResponse: number };
  check: (answer: { status: number; body: string }) => string | undefined;
}

const anyUuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** A replayed answer carries the ids this request drew: compared without them. */
const withoutIds = (body: string) => body.replace(anyUuid, "<uuid>");

function batchMeasure(
  name: string,
  token: string,
  operations: BatchOperation[],
  itemStatus: number,
  perRound: number,
): Measure {
  return {
    name,
    call: batchCall(token, operations),
    items: operations.length,
    cpu: [],
    perRound,
    check: (answer) => {
      const outcome = batchResults(answer, operations.length, itemStatus);
      return "problem" in outcome ? outcome.problem : undefined;
    },
  };
}

/** The first request is answered by the real database: checked, weighed, and its body kept as the reference. */
async function prime(m: Measure, worker: RunningWorker, proxy: Awaited<ReturnType<typeof startReplayProxy>>) {
  proxy.resetStats();
  const answer = await send(worker.origin, m.call);
  const problem = m.check(answer);
  if (problem) throw new Error(`${m.name}: ${problem}`);
  const { requestBytes, responseBytes, misses } = proxy.stats();
  if (misses !== 1) throw new Error(`${m.name}: expected one database round trip, saw ${misses}`);
  m.sizes = {
    sqlRequest: requestBytes,
    sqlResponse: responseBytes,
    apiRequest: Buffer.byteLength(JSON.stringify(m.call.body)),
    apiResponse: Buffer.byteLength(answer.body),
  };
  m.reference = withoutIds(answer.body);
}

/** Sends `count` requests one at a time; returns how many answers differed from the reference. */
async function timedRequests(m: Measure, worker: RunningWorker, count: number, record: boolean): Promise<number> {
  let mismatches = 0;
  for (let i = 0; i < count; i++) {
    const before = processCpuSecondsPrecise(worker.pid);
    const answer = await send(worker.origin, m.call);
    const after = processCpuSecondsPrecise(worker.pid);
    if (record) m.cpu.push(after - before);
    if (m.check(answer) !== undefined || withoutIds(answer.body) !== m.reference) mismatches++;
  }
  return mismatches;
}

const ms = (seconds: number) => seconds * 1000;
const us = (seconds: number) => seconds * 1e6;
const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;
const percentOf = (bytes: number, limit: number) => `${fmt((100 * bytes) / limit, 1)} %`;

export async function runBatchBench(
  bench: Bench,
  options: BatchBenchOptions,
  log: (message: string) => void,
): Promise<{ rows: Row[]; notes: string }> {
  const creating = await workspaceWithCustomers(bench.db, customersPerWorkspace);
  const syncing = await workspaceWithCustomers(bench.db, customersPerWorkspace);
  const keep = [creating, syncing].flatMap(({ fixture, customerIds }) => [
    fixture.workspaceId,
    fixture.contactId,
    fixture.addressId,
    ...customerIds,
  ]);
  const proxy = await startReplayProxy(bench.server.origin, keep, { translateFreshIds: true });
  const worker = await startWorkerd(bench.app, {
    vars: { DATABASE_URL: proxy.databaseUrl },
    ratelimits: bench.benchRateLimits,
  });
  try {
    await seedResync(worker, syncing.fixture, syncing.customerIds);
    const measures = measuresOf(creating, syncing, options);
    for (const m of measures) await prime(m, worker, proxy);
    // Warm-up: the JIT compiles the paths a busy isolate has hot.
    for (const m of measures) await timedRequests(m, worker, Math.max(3, m.perRound), false);

    let mismatches = 0;
    proxy.resetStats();
    for (let round = 0; round < options.rounds; round++) {
      log(`  batch CPU: round ${round + 1} of ${options.rounds}`);
      // Each round starts one measure later, so that this shared machine's noise falls on all alike.
      for (let i = 0; i < measures.length; i++) {
        const m = measures[(i + round) % measures.length] as Measure;
        // Two requests first, not counted: the rate-limit Durable Object may have been evicted meanwhile.
        await timedRequests(m, worker, 2, false);
        mismatches += await timedRequests(m, worker, m.perRound, true);
      }
    }
    const replay = proxy.stats();
    return { rows: rowsOf(measures, mismatches, replay.misses), notes: howToRead(options) };
  } finally {
    await worker.dispose();
    await proxy.close();
  }
}

/** The records the re-sync finds: created once, through the worker, for real (the proxy passes them through). */
async function seedResync(worker: RunningWorker, fixture: WorkspaceFixture, customerIds: string[]) {
  const operations = batchOperations("create", 0, maxBatchItems, "SYNC", customerIds);
  const outcome = batchResults(await send(worker.origin, batchCall(fixture.token, operations)), operations.length, 201);
  if ("problem" in outcome) throw new Error(`seeding the re-sync's contacts: ${outcome.problem}`);
}

function measuresOf(
  creating: { fixture: WorkspaceFixture; customerIds: string[] },
  syncing: { fixture: WorkspaceFixture; customerIds: string[] },
  options: BatchBenchOptions,
): Measure[] {
  const perRound = Math.max(1, Math.ceil(options.requests / options.rounds));
  const { token } = creating.fixture;
  const single: Measure = {
    name: "POST /api/contacts",
    // The same contact as a batch item: the comparison is item for item.
    call: { method: "POST", path: "/api/contacts", token, body: contactData(0, "ONE", creating.customerIds) },
    items: 1,
    cpu: [],
    perRound: perRound * 5,
    check: (answer) => (answer.status === 201 ? undefined : `status ${answer.status}: ${answer.body.slice(0, 300)}`),
  };
  return [
    single,
    batchMeasure(
      "100 creates",
      token,
      batchOperations("create", 0, 100, "C100", creating.customerIds),
      201,
      perRound * 3,
    ),
    batchMeasure(
      "1000 creates",
      token,
      batchOperations("create", 0, 1000, "C1000", creating.customerIds),
      201,
      perRound,
    ),
    // The same contacts as seeded, unchanged: every upsert finds its record and changes nothing.
    batchMeasure(
      "1000 upserts, re-sync",
      syncing.fixture.token,
      batchOperations("upsert", 0, 1000, "SYNC", syncing.customerIds),
      200,
      perRound,
    ),
  ];
}

function rowsOf(measures: Measure[], mismatches: number, misses: number): Row[] {
  const [single, create100, create1000, upsert1000] = measures as [Measure, Measure, Measure, Measure];
  const p50 = (m: Measure) => median(m.cpu);
  const mean = (m: Measure) => m.cpu.reduce((a, b) => a + b, 0) / m.cpu.length;
  // What one more item costs, the fixed cost of a request set aside.
  const marginal = (mean(create1000) - mean(create100)) / (create1000.items - create100.items);
  const batchRow = (m: Measure, targeted: boolean): Row => {
    const perItem = us(p50(m)) / m.items;
    return [
      `workerd CPU, \`POST /api/contacts/batch\`, ${m.name} (one request at a time)`,
      `**${fmt(perItem, 1)} µs per item** at p50 (mean ${fmt(us(mean(m)) / m.items, 1)} µs); per request p50 ${fmt(ms(p50(m)), 2)} ms, p99 ${fmt(ms(quantile(m.cpu, 0.99)), 2)} ms = **${fmt(p50(m) / p50(single))}×** one \`POST /api/contacts\`, ${fmt(p50(single) / (p50(m) / m.items), 0)} items for the CPU of one POST (${m.cpu.length} requests)`,
      targeted ? `≤ ${targetMicrosPerItem} µs per item at p50` : "(reference)",
      targeted ? (perItem <= targetMicrosPerItem ? "yes" : "**no**") : "",
    ];
  };
  const sizes = (m: Measure) => m.sizes ?? { sqlRequest: 0, sqlResponse: 0, apiRequest: 0, apiResponse: 0 };
  const sizeRow = (m: Measure): Row => {
    const s = sizes(m);
    return [
      `Sizes, ${m.name}: the worker's SQL-over-HTTP request and the database's answer (bodies); the client's request and the worker's answer`,
      `to the database ${kib(s.sqlRequest)} (${percentOf(s.sqlRequest, neonRequestLimit)} of 64 MiB), from it ${kib(s.sqlResponse)} (${percentOf(s.sqlResponse, neonResponseLimit)} of 10 MiB: the limit is reached at about ${fmt((neonResponseLimit / s.sqlResponse) * m.items, 0)} items); API request ${kib(s.apiRequest)}, answer ${kib(s.apiResponse)}`,
      "≤ 64 MiB request, ≤ 10 MiB answer (Neon)",
      s.sqlRequest > 0 && s.sqlRequest <= neonRequestLimit && s.sqlResponse <= neonResponseLimit ? "yes" : "**no**",
    ];
  };
  return [
    [
      "workerd CPU, `POST /api/contacts` (the same contact as a batch item; one request at a time)",
      `p50 ${fmt(ms(p50(single)), 3)} ms, p99 ${fmt(ms(quantile(single.cpu, 0.99)), 3)} ms, mean ${fmt(ms(mean(single)), 3)} ms (${single.cpu.length} requests)`,
      "(reference)",
      "",
    ],
    batchRow(create100, false),
    batchRow(create1000, true),
    batchRow(upsert1000, true),
    [
      "workerd CPU of one more create in a batch (mean of 1000 creates − mean of 100, over 900)",
      `${fmt(us(marginal), 1)} µs per item; the fixed part of a batch request: ${fmt(ms(mean(create100) - marginal * create100.items), 2)} ms`,
      "(reference)",
      "",
    ],
    [
      "Replayed batch answers: expected statuses, and the first real answer's body (ids aside); queries not replayed",
      `${measures.reduce((n, m) => n + m.cpu.length, 0)} answers, ${mismatches} different; ${misses} queries reached the database`,
      "0 and 0",
      mismatches === 0 && misses === 0 ? "yes" : "**no**",
    ],
    sizeRow(create1000),
    sizeRow(upsert1000),
  ];
}

const howToRead = (options: BatchBenchOptions) =>
  `- **Batch CPU**: the deployed bundle in workerd, as in the CPU table above (log line on,
  rate-limit binding), requests sent one at a time, and the workerd process's CPU read around
  each from the scheduler's per-thread accounting (\`/proc/<pid>/task/*/schedstat\`, in
  nanoseconds), so each request has its own figure: p50 and p99 over the requests. The
  database is replayed by the caching proxy. A batch of creates draws a fresh id per item, so
  its SQL differs from one request to the next: the proxy keys a query by its shape (every
  fresh UUID replaced by a placeholder) and answers with this request's ids in place of the
  first request's (the first, real answer translated), so the worker finds its own rows as
  it would with a database. Every answer is checked against the first real one (statuses,
  body with the ids aside). ${options.rounds} interleaved rounds; the single \`POST /api/contacts\`,
  the same contact as one item, is the reference for the ratios. The figure includes what
  workerd does for the request outside the worker's JavaScript (HTTP parsing of a ~200 KiB
  body, the ~400 KiB subrequest to the database and its answer, which Miniflare's outbound
  interceptor relays), as the CPU table's does.
- **Sizes**: the bodies of the worker's SQL-over-HTTP request and of the database's answer,
  counted by the proxy for the first, real exchange (headers, a few hundred bytes, aside),
  against Neon's limits on SQL-over-HTTP (64 MiB per request, 10 MiB per answer).`;
