// The change events bench (BENCH_ONLY=events): what recording events (the
// statement-level triggers of drizzle/0004_change_events.sql) adds to a create,
// side by side with events off, on the same worker and the same database.
//
// Method: the deployed bundle in workerd (log line on, the rate-limit binding)
// in front of the real database (no replay: the triggers must run). Events are
// switched off with `ALTER TABLE … DISABLE TRIGGER USER` on contacts, customers
// and addresses (user triggers only: the foreign keys' stay) and on again with
// ENABLE, which the end of the run always does. The two settings alternate in
// rounds (on, off, then off, on, …) so that drift falls on both alike; each
// round sends `creates` single creates, then `batches` 1000-item batches, one
// request at a time, after a few requests not counted (a trigger change
// invalidates the cached plans). Each request is measured on its own, and a
// round's figure is its median request (a burst of the machine's other work
// moves a mean, not a median):
// - worker CPU: the workerd process's, from its threads' scheduler accounting;
// - database CPU: on PostgreSQL, the CPU of the bench database's backend
//   processes (its connections, found by their process title); on PGlite, which
//   runs inside this Node process with the local server and the load generator,
//   this process's CPU (the closest there is, and a blunter one);
// - SQL time: the wall time the local server's backend spends in each SQL
//   request (a transaction from START to COMMIT, or one statement), timed
//   around the backend's calls: with PostgreSQL the round trips to it included;
//   with PGlite, its execution in this process.
// The figure is the median over rounds of each setting, and their ratio on / off;
// the spread, the range of the rounds' ratios (on / off of the same round).

import { contacts } from "../../src/db/schema.ts";
import type { Backend } from "../local-db/backend.ts";
import {
  type BenchWorkspace,
  batchCall,
  batchOperations,
  batchResults,
  contactData,
  workspaceWithCustomers,
} from "./batch-items.ts";
import { type Call, send } from "./load.ts";
import type { Row } from "./report.ts";
import type { Bench } from "./setup.ts";
import { fmt, median } from "./stats.ts";
import { postgresBackendPids, processCpuSecondsPrecise, startWorkerd } from "./workerd.ts";

/** The target: events add at most 10 % to a create's worker CPU and database time. */
const targetRatio = 1.1;
const ms = (seconds: number) => seconds * 1000;
const eventTables = ["contacts", "customers", "addresses"];
const customersPerWorkspace = 10;
/** The customers the single creates spread over. */
const createCustomers = 100;
const batchItems = 1000;
/** contacts of the customer of the "large customer" creates */
const largeCustomer = 1000;

export interface EventsBenchOptions {
  /** timed single creates per round and setting */
  creates: number;
  /** timed 1000-item batches per round and setting */
  batches: number;
  /** rounds; each runs both settings */
  rounds: number;
}

type Setting = "on" | "off";
const settings: Setting[] = ["on", "off"];

/** What one round of one measure cost: the median over its requests, each timed on its own. */
interface Round {
  workerMs: number;
  dbCpuMs: number;
  sqlMs: number;
  latencyMs: number;
  /** events recorded per request */
  events: number;
}

interface Measure {
  name: string;
  /** the i-th request of the run (each creates new contacts: their id_crm must differ) */
  call: (i: number) => Call;
  check: (answer: { status: number; body: string }) => string | undefined;
  /** the workspace the i-th request writes to, whose events are counted */
  workspaceOf: (i: number) => string;
  /** requests not counted, after each change of setting */
  warmUp: number;
  perRound: number;
  /** requests sent so far */
  sent: number;
  rounds: Record<Setting, Round[]>;
}

/** Switches the event triggers of the three tables on or off. */
const setEvents = (backend: Backend, setting: Setting) =>
  backend.exec(
    eventTables.map((t) => `ALTER TABLE ${t} ${setting === "on" ? "ENABLE" : "DISABLE"} TRIGGER USER;`).join("\n"),
  );

/** The wall time the backend spends in SQL, summed: wraps its query and transaction until `restore`. */
function sqlClock(backend: Backend) {
  const { query, transaction } = backend;
  let seconds = 0;
  const timed = async <T>(run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      seconds += (performance.now() - started) / 1000;
    }
  };
  backend.query = (statement) => timed(() => query(statement));
  backend.transaction = (statements, options, beforeCommit) =>
    timed(() => transaction(statements, options, beforeCommit));
  return {
    seconds: () => seconds,
    restore() {
      backend.query = query;
      backend.transaction = transaction;
    },
  };
}

/**
 * A reader of the database's CPU seconds so far: on PostgreSQL, its backends serving the bench
 * database (found now: the local server's pool keeps its connections); on PGlite, this process.
 */
function databaseCpuClock(databaseName: string | undefined): () => number {
  if (databaseName === undefined) {
    return () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    };
  }
  const pids = postgresBackendPids(databaseName);
  return () => pids.reduce((seconds, pid) => seconds + processCpuSecondsPrecise(pid), 0);
}

/** Events recorded so far in these workspaces. */
async function countEvents(backend: Backend, workspaceIds: string[]): Promise<number> {
  const result = await backend.query({
    query: "SELECT count(*) FROM events WHERE workspace_id = ANY($1::uuid[])",
    params: [`{${workspaceIds.join(",")}}`],
  });
  return Number(result.rows[0]?.[0]);
}

type Workspace = BenchWorkspace;

const created = (answer: { status: number; body: string }) =>
  answer.status === 201 ? undefined : `status ${answer.status}: ${answer.body.slice(0, 300)}`;

/** Single creates into `workspace`, over `customerIds`. */
function createMeasure(name: string, workspace: Workspace, customerIds: string[], perRound: number): Measure {
  return {
    name,
    call: (i) => ({
      method: "POST",
      path: "/api/contacts",
      token: workspace.token,
      body: contactData(i, name.replace(/\W/g, ""), customerIds),
    }),
    check: created,
    workspaceOf: () => workspace.workspaceId,
    warmUp: 5,
    perRound,
    sent: 0,
    rounds: { on: [], off: [] },
  };
}

/** 1000-item batches of creates, each into a workspace of its own (`workspaces`, one per request). */
function batchMeasure(workspaces: Workspace[], perRound: number): Measure {
  const of = (i: number) => workspaces[i % workspaces.length] as Workspace;
  return {
    name: "batch",
    call: (i) => batchCall(of(i).token, batchOperations("create", 0, batchItems, "EVENTS", of(i).customerIds)),
    check: (answer) => {
      const outcome = batchResults(answer, batchItems, 201);
      return "problem" in outcome ? outcome.problem : undefined;
    },
    workspaceOf: (i) => of(i).workspaceId,
    warmUp: 1,
    perRound,
    sent: 0,
    rounds: { on: [], off: [] },
  };
}

export async function runEventsBench(
  bench: Bench,
  options: EventsBenchOptions,
  log: (message: string) => void,
): Promise<{ rows: Row[]; notes: string }> {
  const { backend } = bench.server;
  // Creates spread over the 100 customers of a workspace (whose contacts grow during
  // the run, to a few dozen each: a customer's event lists its contacts).
  const small = await workspaceWithCustomers(bench.db, createCustomers);
  const creates = createMeasure("create", small, small.customerIds, options.creates);
  // Creates into one customer of `largeCustomer` contacts: its event lists them all.
  const large = await workspaceWithCustomers(bench.db, customersPerWorkspace);
  const largeCustomerId = large.customerIds[0] as string;
  await bench.db.insert(contacts).values(
    Array.from({ length: largeCustomer - 1 }, (_, i) => ({
      workspaceId: large.workspaceId,
      customerId: largeCustomerId,
      firstName: `First ${i}`,
      lastName: `Last ${i}`,
      email: `p${i}@example.com`,
    })),
  );
  const largeCreates = createMeasure("large customer", large, [largeCustomerId], options.creates);
  // Each batch meets the same database: a workspace of its own, prepared beforehand.
  const batchWorkspaces: Workspace[] = [];
  for (let i = 0; i < options.rounds * settings.length * (options.batches + 1); i++) {
    batchWorkspaces.push(await workspaceWithCustomers(bench.db, customersPerWorkspace));
  }
  const batches = batchMeasure(batchWorkspaces, options.batches);
  const measures = [creates, largeCreates, batches];

  const worker = await startWorkerd(bench.app, {
    vars: { DATABASE_URL: bench.server.databaseUrl },
    ratelimits: bench.benchRateLimits,
  });
  const clock = sqlClock(backend);
  /** Sends `count` requests of `m` one at a time: what they cost, per request. */
  const run = async (m: Measure, setting: Setting, count: number): Promise<Round> => {
    const indexes = Array.from({ length: count }, () => m.sent++);
    const workspaces = [...new Set(indexes.map(m.workspaceOf))];
    const eventsBefore = await countEvents(backend, workspaces);
    const databaseCpu = databaseCpuClock(bench.databaseName);
    const samples: Record<"workerMs" | "dbCpuMs" | "sqlMs" | "latencyMs", number[]> = {
      workerMs: [],
      dbCpuMs: [],
      sqlMs: [],
      latencyMs: [],
    };
    for (const i of indexes) {
      // Read around each request, the worker's CPU outermost: reading it costs this process some.
      const worker0 = processCpuSecondsPrecise(worker.pid);
      const [db0, sql0, started] = [databaseCpu(), clock.seconds(), performance.now()];
      const answer = await send(worker.origin, m.call(i));
      const [ended, sql1, db1] = [performance.now(), clock.seconds(), databaseCpu()];
      samples.workerMs.push(ms(processCpuSecondsPrecise(worker.pid) - worker0));
      samples.dbCpuMs.push(ms(db1 - db0));
      samples.sqlMs.push(ms(sql1 - sql0));
      samples.latencyMs.push(ended - started);
      const problem = m.check(answer);
      if (problem) throw new Error(`${m.name}, events ${setting}: ${problem}`);
    }
    return {
      workerMs: median(samples.workerMs.filter(Number.isFinite)),
      dbCpuMs: median(samples.dbCpuMs.filter(Number.isFinite)),
      sqlMs: median(samples.sqlMs),
      latencyMs: median(samples.latencyMs),
      events: ((await countEvents(backend, workspaces)) - eventsBefore) / count,
    };
  };

  try {
    for (let round = 0; round < options.rounds; round++) {
      // on, off, then off, on: a drift over the run falls on both settings alike.
      for (const setting of round % 2 === 0 ? settings : [...settings].reverse()) {
        log(`  events: round ${round + 1} of ${options.rounds}, events ${setting}`);
        await setEvents(backend, setting);
        for (const m of measures) {
          // Not counted: the first requests after the trigger change plan their statements anew.
          await run(m, setting, m.warmUp);
          m.rounds[setting].push(await run(m, setting, m.perRound));
        }
      }
    }
  } finally {
    clock.restore();
    await setEvents(backend, "on");
    await worker.dispose();
  }
  return { rows: rowsOf(creates, largeCreates, batches, bench.databaseName !== undefined), notes: howToRead(options) };
}

/** The median, the mean of the two middle values for an even count (the rounds are few). */
function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length / 2;
  return Number.isInteger(half)
    ? ((sorted[half - 1] as number) + (sorted[half] as number)) / 2
    : (sorted[Math.floor(half)] as number);
}

const signed = (value: number, digits: number) => `${value < 0 ? "−" : "+"}${fmt(Math.abs(value), digits)}`;

/** One quantity of a measure, on vs off: the medians over rounds, their ratio, and the range of the rounds' ratios. */
function compare(m: Measure, of: (r: Round) => number, digits: number, detail: boolean) {
  const on = m.rounds.on.map(of);
  const off = m.rounds.off.map(of);
  const ratios = on.map((value, i) => value / (off[i] ?? Number.NaN));
  const ratio = middle(on) / middle(off);
  const range = (values: number[], d: number) => `${fmt(Math.min(...values), d)}–${fmt(Math.max(...values), d)}`;
  const spread = detail ? `; on ${range(on, digits)}, off ${range(off, digits)}` : "";
  return {
    ratio,
    text: `on ${fmt(middle(on), digits)} ms, off ${fmt(middle(off), digits)} ms (${signed(middle(on) - middle(off), digits)} ms): **${fmt(ratio)}×** (rounds' ratios ${range(ratios, 2)}${spread})`,
  };
}

function rowsOf(creates: Measure, largeCreates: Measure, batches: Measure, postgres: boolean): Row[] {
  const dbCpu = postgres ? "the PostgreSQL backends' CPU" : "this process's CPU (local server, PGlite, load generator)";
  const targeted = (label: string, of: (r: Round) => number): Row => {
    const { ratio, text } = compare(creates, of, 3, true);
    return [label, text, `≤ ${fmt(targetRatio)}×`, ratio <= targetRatio ? "yes" : "**no**"];
  };
  const summary = (m: Measure, digits: number) =>
    [
      `database CPU ${compare(m, (r) => r.dbCpuMs, digits, false).text}`,
      `SQL time ${compare(m, (r) => r.sqlMs, digits, false).text}`,
      `workerd CPU ${compare(m, (r) => r.workerMs, digits, false).text}`,
      `latency p50 ${compare(m, (r) => r.latencyMs, digits, false).text}`,
    ].join("; ");
  const requests = (m: Measure) => `${m.rounds.on.length * m.perRound} requests each, one at a time`;
  const create = `\`POST /api/contacts\`, events on vs off (${requests(creates)}; into ${createCustomers} customers of up to ${fmt(creates.sent / createCustomers, 0)} contacts)`;
  const eventsPer = (m: Measure, setting: Setting) => middle(m.rounds[setting].map((r) => r.events));
  const recorded = [creates, largeCreates, batches].map(
    (m) => `${m.name} ${eventsPer(m, "on")} / ${eventsPer(m, "off")}`,
  );
  const expected = (m: Measure, on: number) => eventsPer(m, "on") === on && eventsPer(m, "off") === 0;
  return [
    targeted(`Events, workerd CPU per request: ${create}`, (r) => r.workerMs),
    targeted(`Events, database time per request, ${dbCpu}: same`, (r) => r.dbCpuMs),
    targeted("Events, database time per request, SQL time at the local server: same", (r) => r.sqlMs),
    ["Events, latency p50: same", compare(creates, (r) => r.latencyMs, 2, true).text, "(reference)", ""],
    [
      `Events, \`POST /api/contacts\` into one customer of ${largeCustomer}+ contacts (its event lists them all; ${requests(largeCreates)})`,
      summary(largeCreates, 3),
      "(reference)",
      "",
    ],
    [
      `Events, \`POST /api/contacts/batch\`, ${batchItems} creates over 10 new customers, per batch (${requests(batches)})`,
      summary(batches, 1),
      "(reference)",
      "",
    ],
    [
      "Events recorded per request, on / off (a create: its contact's and its customer's; a batch: 1000 contacts' and 10 customers')",
      recorded.join("; "),
      "2 / 0, 2 / 0, 1010 / 0",
      expected(creates, 2) && expected(largeCreates, 2) && expected(batches, batchItems + customersPerWorkspace)
        ? "yes"
        : "**no**",
    ],
  ];
}

const howToRead = (options: EventsBenchOptions) =>
  `- **Events on vs off**: the deployed bundle in workerd (log line on, rate-limit binding) in
  front of the real database, requests one at a time. Events off is \`ALTER TABLE … DISABLE
  TRIGGER USER\` on contacts, customers and addresses (only the event triggers: the foreign
  keys' are system triggers), and on again at the end. ${options.rounds} rounds, each of both
  settings (on, off, then off, on…), each of ${options.creates} creates and ${options.batches} batches
  after a few requests not counted. The ratio is that of the medians over the rounds, on /
  off; the range of the rounds' ratios (on / off within a round) is the noise of this shared 2-core machine
  (other work may run meanwhile), and a difference within it is not resolved.
  The creates spread over ${createCustomers} customers of one workspace, whose contacts grow during the run:
  a create records the contact's event and its customer's, whose \`data\` lists all the
  customer's contact ids, so its cost grows with the customer (hence the row of creates into
  a customer of ${largeCustomer} contacts). Each batch writes to a fresh workspace of 10 customers.
- Each request is measured on its own, and a round's figure is its median request (a burst
  of the machine's other work moves a mean, not a median). **Worker CPU** is the workerd
  process's, read from its threads' scheduler accounting. The worker sends the same SQL and
  reads the same answer with events on or off, but on this machine its figure also grows
  with the time a request waits (the local server's fixed delay, which costs the database
  nothing, raises it too): where events lengthen a request a lot (the large customer's), a
  worker ratio above 1 is that wait, not more work in the worker. **Database time** is counted
  twice: the CPU of the database's processes (on PostgreSQL, the backends serving the
  bench's database, found by their process title: the CPU the triggers themselves cost;
  autovacuum and the WAL writer are not counted; on PGlite, which runs in the bench's own
  process, that whole process: local server and load generator included), and the SQL
  time, the wall time the local server's backend spends on each SQL request (the worker's
  transaction from START to COMMIT, its round trips to PostgreSQL included).`;
