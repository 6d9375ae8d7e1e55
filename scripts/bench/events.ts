// The change events bench (BENCH_ONLY=events): what recording events (the
// statement-level triggers of drizzle/0004_change_events.sql and 0006) adds to
// a create, events on vs off, on two databases side by side.
//
// Method: the deployed bundle in workerd (log line on, the rate-limit binding)
// in front of the real database (no replay: the triggers must run), twice
// (events-sides.ts), each on a fresh database: side "on" with its triggers as
// migrated, side "off" with its event triggers disabled once (`ALTER TABLE …
// DISABLE TRIGGER USER` on contacts, customers and addresses: user triggers
// only, the foreign keys' stay). Each side has its own workerd and the same data: a workspace of 100
// customers for the creates, one whose customer has 1000 contacts, and a fresh
// workspace of 10 customers per batch. After a few requests per side not
// counted, the requests go in pairs, one at a time: the same request to one
// side, then to the other (on, off, then off, on, …), so the machine's drift
// (its CPU speed varies by a fifth or more over a minute) falls on both sides
// alike. The measures are interleaved too: each of `rounds` blocks runs
// `creates` pairs of creates, as many of large-customer creates and `batches`
// pairs of 1000-item batches, in chunks of about 20 pairs of each kind of
// create and at most one pair of batches, so a slow period falls on every
// measure. Each request is measured on its own, against its own side:
// - worker CPU: that side's workerd process's, from its threads' scheduler accounting;
// - database CPU: on PostgreSQL, the CPU of that side's database's backend
//   processes (its connections, found by their process title); on PGlite, which
//   runs inside this Node process with both local servers and the load
//   generator, this process's CPU (the closest there is, and a blunter one:
//   the requests go one at a time, so its delta is still the one request's);
// - SQL time: the wall time that side's local server's backend spends in each
//   SQL request (a transaction from START to COMMIT, or one statement), timed
//   around the backend's calls: with PostgreSQL the round trips to it included;
//   with PGlite, its execution in this process.
// The figure is the median over all the pairs of each side, and their ratio
// on / off (a burst of the machine's other work moves a mean, not a median);
// the spread, the range of the blocks' ratios (the pairs split into the
// `rounds` consecutive blocks, the ratio of each block's medians).

import type { Db } from "../../src/db/client.ts";
import { contacts } from "../../src/db/schema.ts";
import {
  type BenchWorkspace,
  batchCall,
  batchOperations,
  batchResults,
  contactData,
  workspaceWithCustomers,
} from "./batch-items.ts";
import {
  countEvents,
  openSideDatabase,
  type Sample,
  type Side,
  type SideName,
  sideNames,
  startSides,
} from "./events-sides.ts";
import type { Answer, Call } from "./load.ts";
import type { Row } from "./report.ts";
import type { Bench } from "./setup.ts";
import { fmt } from "./stats.ts";

/** The target: events add at most 10 % to a create's worker CPU and database time. */
const targetRatio = 1.1;
const customersPerWorkspace = 10;
/** The customers the single creates spread over. */
const createCustomers = 100;
const batchItems = 1000;
/** contacts of the customer of the "large customer" creates */
const largeCustomer = 1000;
/** requests per side not counted, before the first block: of each kind of create, and of batches */
const createWarmUp = 5;
const batchWarmUp = 1;
/** pairs of each kind of create in a chunk of a block (where a pair of batches goes in turn) */
const pairsPerChunk = 20;

export interface EventsBenchOptions {
  /** timed pairs (one request to each side) of single creates per block, and as many of large-customer creates */
  creates: number;
  /** timed pairs of 1000-item batches per block */
  batches: number;
  /** blocks of interleaved pairs, whose ratios give the spread */
  rounds: number;
}

type Workspace = BenchWorkspace;

/** The data one side's requests write to, the same shapes on both sides. */
interface SideData {
  /** the single creates' workspace, of `createCustomers` customers */
  small: Workspace;
  /** a workspace whose first customer has `largeCustomer` contacts */
  large: Workspace;
  /** one fresh workspace per batch request */
  batchWorkspaces: Workspace[];
}

interface Measure {
  name: string;
  /** the i-th request to a side (each creates new contacts: their id_crm must differ) */
  call: (side: SideName, i: number) => Call;
  check: (answer: Answer) => string | undefined;
  /** the workspaces its requests write to on each side, whose events are counted */
  workspaces: Record<SideName, string[]>;
  /** requests per side not counted, before the first block */
  warmUp: number;
  /** timed pairs per block */
  perBlock: number;
  /** requests sent to each side so far (the same i to both sides of a pair) */
  sent: number;
  /** each side's samples, by block */
  blocks: Record<SideName, Sample[][]>;
  /** events recorded per timed request, on each side */
  events: Record<SideName, number>;
}

async function prepareSide(db: Db, batchRequests: number): Promise<SideData> {
  // Creates spread over the 100 customers of a workspace (whose contacts grow during
  // the run, to a few dozen each: a customer's event lists its contacts).
  const small = await workspaceWithCustomers(db, createCustomers);
  // Creates into one customer of `largeCustomer` contacts: its event lists them all.
  const large = await workspaceWithCustomers(db, customersPerWorkspace);
  await db.insert(contacts).values(
    Array.from({ length: largeCustomer - 1 }, (_, i) => ({
      workspaceId: large.workspaceId,
      customerId: large.customerIds[0] as string,
      firstName: `First ${i}`,
      lastName: `Last ${i}`,
      email: `p${i}@example.com`,
    })),
  );
  // Each batch meets the same database: a workspace of its own, prepared beforehand.
  const batchWorkspaces: Workspace[] = [];
  for (let i = 0; i < batchRequests; i++) batchWorkspaces.push(await workspaceWithCustomers(db, customersPerWorkspace));
  return { small, large, batchWorkspaces };
}

const created = (answer: Answer) =>
  answer.status === 201 ? undefined : `status ${answer.status}: ${answer.body.slice(0, 300)}`;

const perSide = <T>(make: (side: SideName) => T) => ({ on: make("on"), off: make("off") });

function newMeasure(
  fields: Pick<Measure, "name" | "call" | "check" | "workspaces" | "warmUp" | "perBlock">,
  rounds: number,
): Measure {
  const blocks = () => Array.from({ length: rounds }, (): Sample[] => []);
  return { ...fields, sent: 0, blocks: perSide(blocks), events: perSide(() => Number.NaN) };
}

/** Single creates into a workspace of each side (`workspaceOf`), over its customers `customerIdsOf`. */
function createMeasure(
  name: string,
  workspaceOf: (side: SideName) => Workspace,
  customerIdsOf: (side: SideName) => string[],
  options: EventsBenchOptions,
): Measure {
  return newMeasure(
    {
      name,
      call: (side, i) => ({
        method: "POST",
        path: "/api/contacts",
        token: workspaceOf(side).token,
        body: contactData(i, name.replace(/\W/g, ""), customerIdsOf(side)),
      }),
      check: created,
      workspaces: perSide((side) => [workspaceOf(side).workspaceId]),
      warmUp: createWarmUp,
      perBlock: options.creates,
    },
    options.rounds,
  );
}

/** 1000-item batches of creates, each into a workspace of its own (one per request, on each side). */
function batchMeasure(data: Record<SideName, SideData>, options: EventsBenchOptions): Measure {
  const of = (side: SideName, i: number) => {
    const workspaces = data[side].batchWorkspaces;
    return workspaces[i % workspaces.length] as Workspace;
  };
  return newMeasure(
    {
      name: "batch",
      call: (side, i) =>
        batchCall(of(side, i).token, batchOperations("create", 0, batchItems, "EVENTS", of(side, i).customerIds)),
      check: (answer) => {
        const outcome = batchResults(answer, batchItems, 201);
        return "problem" in outcome ? outcome.problem : undefined;
      },
      workspaces: perSide((side) => data[side].batchWorkspaces.map((w) => w.workspaceId)),
      warmUp: batchWarmUp,
      perBlock: options.batches,
    },
    options.rounds,
  );
}

/** Chunks per block: about `pairsPerChunk` pairs of each create, and at most one pair of batches, in each. */
const chunksPerBlock = (options: EventsBenchOptions) =>
  Math.max(1, options.batches, Math.ceil(options.creates / pairsPerChunk));

/** The share of `total` that falls to chunk `c` of `chunks`, spread evenly. */
const share = (total: number, c: number, chunks: number) =>
  Math.floor(((c + 1) * total) / chunks) - Math.floor((c * total) / chunks);

export async function runEventsBench(
  bench: Bench,
  options: EventsBenchOptions,
  log: (message: string) => void,
): Promise<{ rows: Row[]; notes: string }> {
  const batchRequests = batchWarmUp + options.rounds * options.batches;
  log("  events: opening both sides' databases and preparing their workspaces…");
  const on = await openSideDatabase("on");
  const off = await openSideDatabase("off").catch(async (error) => {
    await on.close();
    throw error;
  });
  try {
    const data: Record<SideName, SideData> = {
      on: await prepareSide(on.db, batchRequests),
      off: await prepareSide(off.db, batchRequests),
    };
    const creates = createMeasure(
      "create",
      (s) => data[s].small,
      (s) => data[s].small.customerIds,
      options,
    );
    const largeOf = (s: SideName) => data[s].large;
    const largeCreates = createMeasure(
      "large customer",
      largeOf,
      (s) => [largeOf(s).customerIds[0] as string],
      options,
    );
    const batches = batchMeasure(data, options);
    const measures = [creates, largeCreates, batches];

    const sides = await startSides(bench, { on, off });
    try {
      /** One request of `m` to each side, in this order; its samples go to `block` (unless a warm-up). */
      const pair = async (m: Measure, order: Side[], block: number | undefined) => {
        const i = m.sent++;
        for (const side of order) {
          const { answer, sample } = await side.measure(m.call(side.name, i));
          const problem = m.check(answer);
          if (problem) throw new Error(`${m.name}, events ${side.name}: ${problem}`);
          if (block !== undefined) m.blocks[side.name][block]?.push(sample);
        }
      };
      // on, off, then off, on: what goes first in a pair (a warmer cache?) falls on both sides alike.
      const orderOf = (m: Measure) => (m.sent % 2 === 0 ? sides : [...sides].reverse());
      // Not counted: the first requests of each side plan their statements.
      for (const m of measures) for (let k = 0; k < m.warmUp; k++) await pair(m, orderOf(m), undefined);
      const eventsBefore = await eventCounts(sides, measures);
      const chunks = chunksPerBlock(options);
      for (let block = 0; block < options.rounds; block++) {
        log(`  events: block ${block + 1} of ${options.rounds}`);
        for (let c = 0; c < chunks; c++) {
          for (const side of sides) side.findBackends();
          for (const m of measures) {
            const count = share(m.perBlock, c, chunks);
            for (let k = 0; k < count; k++) await pair(m, orderOf(m), block);
          }
        }
      }
      const eventsAfter = await eventCounts(sides, measures);
      measures.forEach((m, j) => {
        const timed = options.rounds * m.perBlock;
        for (const s of sideNames) m.events[s] = ((eventsAfter[j]?.[s] ?? 0) - (eventsBefore[j]?.[s] ?? 0)) / timed;
      });
    } finally {
      await sides.dispose();
    }
    return {
      rows: rowsOf(creates, largeCreates, batches, bench.databaseName !== undefined),
      notes: howToRead(options),
    };
  } finally {
    await off.close();
    await on.close();
  }
}

/** Events recorded so far in each measure's workspaces, on each side. */
async function eventCounts(sides: Side[], measures: Measure[]): Promise<Record<SideName, number>[]> {
  const counts: Record<SideName, number>[] = [];
  for (const m of measures) {
    const count: Record<SideName, number> = { on: 0, off: 0 };
    for (const side of sides) count[side.name] = await countEvents(side, m.workspaces[side.name]);
    counts.push(count);
  }
  return counts;
}

/** The median, the mean of the two middle values for an even count (a block may hold few batches). */
function middle(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const half = sorted.length / 2;
  return Number.isInteger(half)
    ? ((sorted[half - 1] as number) + (sorted[half] as number)) / 2
    : (sorted[Math.floor(half)] as number);
}

const signed = (value: number, digits: number) => `${value < 0 ? "−" : "+"}${fmt(Math.abs(value), digits)}`;
const pairs = (n: number) => `${n} pair${n === 1 ? "" : "s"}`;
const pairsOf = (m: Measure) => pairs(m.blocks.on.reduce((n, block) => n + block.length, 0));

/**
 * One quantity of a measure, on vs off: the medians over all pairs, their ratio, and the range
 * of the blocks' ratios (with `detail`, also the range of the blocks' medians of each side).
 */
function compare(m: Measure, of: (s: Sample) => number, digits: number, detail: boolean) {
  const blockMedians = (side: SideName) => m.blocks[side].filter((b) => b.length > 0).map((b) => middle(b.map(of)));
  const [on, off] = [middle(m.blocks.on.flat().map(of)), middle(m.blocks.off.flat().map(of))];
  const [blocksOn, blocksOff] = [blockMedians("on"), blockMedians("off")];
  const ratios = blocksOn.map((value, i) => value / (blocksOff[i] ?? Number.NaN));
  const ratio = on / off;
  const range = (values: number[], d: number) => `${fmt(Math.min(...values), d)}–${fmt(Math.max(...values), d)}`;
  const spread = detail ? `; blocks' medians on ${range(blocksOn, digits)}, off ${range(blocksOff, digits)}` : "";
  return {
    ratio,
    text: `on ${fmt(on, digits)} ms, off ${fmt(off, digits)} ms (${signed(on - off, digits)} ms): **${fmt(ratio)}×** (blocks' ratios ${range(ratios, 2)}${spread})`,
  };
}

function rowsOf(creates: Measure, largeCreates: Measure, batches: Measure, postgres: boolean): Row[] {
  const dbCpu = postgres
    ? "the PostgreSQL backends' CPU"
    : "this process's CPU (local servers, PGlite, load generator)";
  const targeted = (label: string, of: (s: Sample) => number): Row => {
    const { ratio, text } = compare(creates, of, 3, true);
    return [label, text, `≤ ${fmt(targetRatio)}×`, ratio <= targetRatio ? "yes" : "**no**"];
  };
  const summary = (m: Measure, digits: number) =>
    [
      `database CPU ${compare(m, (s) => s.dbCpuMs, digits, false).text}`,
      `SQL time ${compare(m, (s) => s.sqlMs, digits, false).text}`,
      `workerd CPU ${compare(m, (s) => s.workerMs, digits, false).text}`,
      `latency p50 ${compare(m, (s) => s.latencyMs, digits, false).text}`,
    ].join("; ");
  const requests = (m: Measure) => `${pairsOf(m)}, one request at a time, the sides alternating`;
  const create = `\`POST /api/contacts\`, events on vs off (${requests(creates)}; into ${createCustomers} customers of up to ${fmt(creates.sent / createCustomers, 0)} contacts)`;
  const recorded = [creates, largeCreates, batches].map((m) => `${m.name} ${m.events.on} / ${m.events.off}`);
  const expected = (m: Measure, on: number) => m.events.on === on && m.events.off === 0;
  return [
    targeted(`Events, workerd CPU per request: ${create}`, (s) => s.workerMs),
    targeted(`Events, database time per request, ${dbCpu}: same`, (s) => s.dbCpuMs),
    targeted("Events, database time per request, SQL time at the local server: same", (s) => s.sqlMs),
    ["Events, latency p50: same", compare(creates, (s) => s.latencyMs, 2, true).text, "(reference)", ""],
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
  front of the real database, twice side by side, each on a fresh database: events on as
  migrated, events off with \`ALTER TABLE … DISABLE TRIGGER USER\` on
  contacts, customers and addresses (only the event triggers: the foreign keys' are system
  triggers). Each side has its own workerd and the same workspaces. After a few requests per
  side not counted, the requests go in pairs, one at a time: the same request to one side,
  then to the other (on, off, then off, on…), so that the machine's drift (its CPU speed
  varies by a fifth or more over a minute) falls on both sides alike; and the measures take
  turns, in ${options.rounds} blocks each of ${pairs(options.creates)} of creates, as many of creates into the large
  customer, and ${pairs(options.batches)} of batches, in ${chunksPerBlock(options)} chunks that each hold some of every measure. The ratio is that of
  the medians over all the pairs, on / off; the range of the blocks' ratios (the same ratio
  within each block) is the noise of this shared 2-core machine (other work may run
  meanwhile), and a difference within it is not resolved. The creates spread over
  ${createCustomers} customers of one workspace, whose contacts grow during the run: a create
  records the contact's event and its customer's, whose \`data\` lists all the customer's
  contact ids, so its cost grows with the customer (hence the row of creates into a customer
  of ${largeCustomer} contacts). Each batch writes to a fresh workspace of 10 customers.
- Each request is measured on its own, against its own side, and a figure is the median
  request (a burst of the machine's other work moves a mean, not a median). **Worker CPU** is
  that side's workerd process's, read from its threads' scheduler accounting. The worker sends
  the same SQL and reads the same answer with events on or off, but on this machine its figure
  also grows with the time a request waits (the local server's fixed delay, which costs the
  database nothing, raises it too): where events lengthen a request a lot (the large
  customer's), a worker ratio above 1 is that wait, not more work in the worker. **Database
  time** is counted twice: the CPU of the database's processes (on PostgreSQL, the backends
  serving that side's database, found by their process title: the CPU the triggers
  themselves cost; autovacuum and the WAL writer are not counted; on PGlite, which runs in the
  bench's own process, that whole process: both local servers and the load generator
  included), and the SQL time, the wall time the local server's backend spends on each SQL
  request (the worker's transaction from START to COMMIT, its round trips to PostgreSQL
  included).`;
