// The import bench (BENCH_ONLY=import): contacts imported end to end through
// `wrangler dev` (the worker as `npm run dev` runs it: wrangler.toml's own rate
// limit, not the bench environment's) against the local database server (the
// bench's database: PostgreSQL with LOCAL_POSTGRES_URL, PGlite otherwise), by
// batches of 1000 creates from a few clients in parallel. First a short sweep
// finds the number of clients that imports fastest on this machine; then the
// whole import at that number, and the same import again as upserts matching
// id_crm (a re-sync), which must create nothing: the workspace's contacts are
// counted before and after.
import os from "node:os";
import { eq, sql } from "drizzle-orm";
import { contacts } from "../../src/db/schema.ts";
import { startDevWorker } from "../dev-worker.ts";
import { type BatchResult, batchCall, batchOperations, maxBatchItems, workspaceWithCustomers } from "./batch-items.ts";
import { send } from "./load.ts";
import type { Row } from "./report.ts";
import type { Bench } from "./setup.ts";
import { fmt, quantile } from "./stats.ts";
import { descendantProcesses, machineCpuSeconds, postgresBackendPids, processCpuSeconds } from "./workerd.ts";

const targetContactsPerSecond = 5000;
const customersPerWorkspace = 100;

export interface ImportOptions {
  /** contacts in the import (and in the re-sync) */
  contacts: number;
  /** client counts the sweep tries */
  clientLevels: number[];
  /** batches of 1000 each level of the sweep imports */
  sweepBatches: number;
  /** skip the sweep and import with this many clients */
  clients: number | undefined;
  /** the import, and the re-sync, stop sending batches after this long (each) */
  maxSeconds: number;
}

interface Workspace {
  workspaceId: string;
  token: string;
  customerIds: string[];
}

interface ImportRun {
  /** contacts sent, in batches that were answered (fewer than asked for when the time ran out) */
  contacts: number;
  /** contacts asked for */
  asked: number;
  seconds: number;
  /** each batch's first contact and its latency, ms */
  batches: { from: number; ms: number }[];
  /** item statuses of the answers, e.g. 201 → 100000 */
  itemStatuses: Map<number, number>;
  /** batches whose answer was not 200, or could not be read */
  failedBatches: number;
  /** the first of those answers */
  failures: string[];
}

/** CPU the processes of the run used over it, in percent of all cores. */
interface CpuShares {
  workerd: number;
  /** wrangler's own Node processes (its dev proxy in front of workerd) */
  wrangler: number;
  /** this process: the clients, the local SQL server, and PGlite when it is the database */
  bench: number;
  postgres: number;
  machine: number;
}

async function countContacts(bench: Bench, workspaceId: string): Promise<number> {
  const [row] = await bench.db
    .select({ n: sql<number>`count(*)::int` })
    .from(contacts)
    .where(eq(contacts.workspaceId, workspaceId));
  return row?.n ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The workspace's contacts once the database has settled: a batch the worker
 * gave up on (503 after DB_TIMEOUT_MS) still runs, and may commit, in the
 * database, and while such batches hold the local server's connections a count
 * can time out too. Read until two reads 3 s apart agree (at most 5 minutes).
 */
async function settledCount(bench: Bench, workspaceId: string): Promise<number> {
  const deadline = performance.now() + 300_000;
  let last: number | undefined;
  for (;;) {
    const count = await countContacts(bench, workspaceId).catch(() => undefined);
    if (count !== undefined && (count === last || performance.now() > deadline)) return count;
    if (count === undefined && performance.now() > deadline) throw new Error("the contacts could not be counted");
    last = count;
    await sleep(3000);
  }
}

/**
 * `count` contacts (ids `prefix`-0 …) as batches of 1000, `clients` of them in
 * flight at a time: each client sends the next batch as soon as its last is
 * answered, until all are sent, `maxSeconds` have passed (a bound on the
 * bench's time, should batches slow down as the workspace fills up), or a batch
 * has failed: an importer would stop there too, and a batch the worker gave up
 * on (503) goes on running in the database, so more of them would only pile up.
 */
async function importContacts(
  origin: string,
  workspace: Workspace,
  op: "create" | "upsert",
  count: number,
  prefix: string,
  clients: number,
  maxSeconds = Number.POSITIVE_INFINITY,
): Promise<ImportRun> {
  const run: ImportRun = {
    contacts: 0,
    asked: count,
    seconds: 0,
    batches: [],
    itemStatuses: new Map(),
    failedBatches: 0,
    failures: [],
  };
  const deadline = performance.now() + maxSeconds * 1000;
  let next = 0;
  const client = async () => {
    while (next < count && performance.now() < deadline && run.failedBatches === 0) {
      const from = next;
      const size = Math.min(maxBatchItems, count - from);
      next += size;
      const operations = batchOperations(op, from, size, prefix, workspace.customerIds);
      const t0 = performance.now();
      const answer = await send(origin, batchCall(workspace.token, operations));
      run.batches.push({ from, ms: performance.now() - t0 });
      run.contacts += size;
      tallyItems(run, answer);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

function tallyItems(run: ImportRun, answer: { status: number; body: string }) {
  try {
    if (answer.status !== 200) throw new Error(`status ${answer.status}`);
    for (const result of (JSON.parse(answer.body) as { data: BatchResult[] }).data) {
      run.itemStatuses.set(result.status, (run.itemStatuses.get(result.status) ?? 0) + 1);
    }
  } catch (error) {
    run.failedBatches++;
    if (run.failures.length < 1) run.failures.push(`${String(error)}: ${answer.body.slice(0, 200)}`);
  }
}

/** Items the worker answered for (a failed batch's items are not among them). */
const answered = (run: ImportRun) => [...run.itemStatuses.values()].reduce((a, b) => a + b, 0);
const perSecond = (run: ImportRun) => answered(run) / run.seconds;
const ms = (value: number) => `${fmt(value, 0)} ms`;

/**
 * Batch latencies: overall, and in the first and the last tenth of the run (in
 * the order sent): whether a batch costs more as the workspace fills up.
 */
function latencies(run: ImportRun): string {
  const inOrder = [...run.batches].sort((a, b) => a.from - b.from).map((b) => b.ms);
  const tenth = Math.max(1, Math.floor(inOrder.length / 10));
  return (
    `per batch p50 ${ms(quantile(inOrder, 0.5))}, p99 ${ms(quantile(inOrder, 0.99))}; ` +
    `p50 over the first tenth ${ms(quantile(inOrder.slice(0, tenth), 0.5))}, over the last ${ms(quantile(inOrder.slice(-tenth), 0.5))}`
  );
}

/** "100000 contacts", or "23000 of 100000 contacts answered (stopped after 240 s)". */
function howMany(run: ImportRun, maxSeconds: number): string {
  if (answered(run) === run.asked) return `${run.asked} contacts`;
  const why = run.failedBatches ? "at the first failed batch" : `after ${maxSeconds} s`;
  return `${answered(run)} of ${run.asked} contacts answered (sending stopped ${why})`;
}
const allAnswered = (run: ImportRun, status: number) =>
  run.failedBatches === 0 && run.itemStatuses.get(status) === run.contacts && run.itemStatuses.size === 1;
/** "201: 1000", and the failed batches with the first answer of one (its `|` escaped: it lands in a table). */
function statuses(run: ImportRun): string {
  const items = [...run.itemStatuses]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}: ${n}`)
    .join(", ");
  const failed = run.failedBatches
    ? `; **failed batches: ${run.failedBatches}**, the first: ${run.failures[0]?.replaceAll("|", "\\|")}`
    : "";
  return (items || "none") + failed;
}

/** Tries each client count on a workspace of its own; the fastest wins. */
async function sweepClients(
  bench: Bench,
  origin: string,
  options: ImportOptions,
  log: (message: string) => void,
): Promise<{ best: number; figures: { clients: number; perSecond: number }[] }> {
  const figures = [];
  for (const clients of options.clientLevels) {
    const workspace = await workspaceWithCustomers(bench.db, customersPerWorkspace);
    const run = await importContacts(
      origin,
      workspace,
      "create",
      options.sweepBatches * maxBatchItems,
      "SWEEP",
      clients,
    );
    if (!allAnswered(run, 201)) throw new Error(`sweep, ${clients} clients: ${statuses(run)}`);
    log(`  import sweep: ${clients} clients, ${fmt(perSecond(run), 0)} contacts/s`);
    figures.push({ clients, perSecond: perSecond(run) });
  }
  const best = figures.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  return { best: best.clients, figures };
}

type Group = "workerd" | "wrangler" | "postgres";

/**
 * The CPU each process of the run has used so far, seconds, by pid: wrangler's
 * workerd, wrangler's own Node processes and helpers (their command name is
 * MainThread, node, esbuild…), the bench database's PostgreSQL backends.
 */
function cpuSnapshot(bench: Bench) {
  const byPid = new Map<number, { group: Group; cpu: number }>();
  for (const p of descendantProcesses()) {
    byPid.set(p.pid, { group: p.comm === "workerd" ? "workerd" : "wrangler", cpu: processCpuSeconds(p.pid) });
  }
  for (const pid of bench.databaseName ? postgresBackendPids(bench.databaseName) : []) {
    byPid.set(pid, { group: "postgres", cpu: processCpuSeconds(pid) });
  }
  const own = process.cpuUsage();
  return { at: performance.now(), byPid, bench: (own.user + own.system) / 1e6, machine: machineCpuSeconds() };
}

/** Per pid, what it used between the snapshots (a process started meanwhile counts from 0; one that ended, not at all). */
function cpuShares(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>, cores: number) {
  const seconds = (after.at - before.at) / 1000;
  const used: Record<Group, number> = { workerd: 0, wrangler: 0, postgres: 0 };
  for (const [pid, { group, cpu }] of after.byPid) {
    const delta = cpu - (before.byPid.get(pid)?.cpu ?? 0);
    if (Number.isFinite(delta)) used[group] += delta;
  }
  const share = (cpuSeconds: number) => (100 * cpuSeconds) / seconds / cores;
  return {
    workerd: share(used.workerd),
    wrangler: share(used.wrangler),
    bench: share(after.bench - before.bench),
    postgres: share(used.postgres),
    machine: (100 * (after.machine.busy - before.machine.busy)) / (after.machine.total - before.machine.total || 1),
  } satisfies CpuShares;
}

const describeCpu = (cpu: CpuShares) =>
  `CPU, % of all cores: workerd ${fmt(cpu.workerd, 0)}, wrangler's Node ${fmt(cpu.wrangler, 0)}, this process ${fmt(cpu.bench, 0)}, postgres ${fmt(cpu.postgres, 0)}; machine busy ${fmt(cpu.machine, 0)} %`;

export async function runImportBench(
  bench: Bench,
  options: ImportOptions,
  log: (message: string) => void,
): Promise<{ rows: Row[]; notes: string }> {
  const worker = await startDevWorker(bench.server.databaseUrl);
  try {
    // The cold isolate, and the JIT warmed by two full batches: not what is measured.
    const warm = await importContacts(
      worker.origin,
      await workspaceWithCustomers(bench.db, customersPerWorkspace),
      "create",
      2 * maxBatchItems,
      "WARM",
      1,
    );
    if (!allAnswered(warm, 201)) throw new Error(`warm-up: ${statuses(warm)}`);

    const sweep = options.clients === undefined ? await sweepClients(bench, worker.origin, options, log) : undefined;
    const clients = options.clients ?? sweep?.best ?? 1;

    const workspace = await workspaceWithCustomers(bench.db, customersPerWorkspace);
    const cores = os.cpus().length;
    const before = await settledCount(bench, workspace.workspaceId);
    log(`  importing ${options.contacts} contacts, ${clients} clients…`);
    /** `count` contacts sent as `op`, timed: the run, the CPU it used, and the contacts after it. */
    const timed = async (op: "create" | "upsert", count: number) => {
      const cpuBefore = cpuSnapshot(bench);
      const run = await importContacts(worker.origin, workspace, op, count, "CRM", clients, options.maxSeconds);
      const cpu = cpuShares(cpuBefore, cpuSnapshot(bench), cores);
      return { run, cpu, after: await settledCount(bench, workspace.workspaceId) };
    };
    const { run: created, cpu: importCpu, after: afterImport } = await timed("create", options.contacts);
    log(`  import: ${fmt(perSecond(created), 0)} contacts/s; re-sync as upserts…`);
    // The contacts the import sent: all of them, unless its time ran out.
    const { run: resynced, cpu: resyncCpu, after: afterResync } = await timed("upsert", created.contacts);
    log(`  re-sync: ${fmt(perSecond(resynced), 0)} contacts/s`);

    const rows: Row[] = [];
    if (sweep) rows.push(sweepRow(sweep, options));
    rows.push(
      importRow(created, clients, importCpu, before, afterImport, bench.backendName, options.maxSeconds),
      resyncRow(resynced, clients, resyncCpu, afterImport, afterResync, options.maxSeconds),
    );
    return { rows, notes: howToRead(options, clients) };
  } finally {
    await worker.stop();
  }
}

function sweepRow(
  sweep: { best: number; figures: { clients: number; perSecond: number }[] },
  options: ImportOptions,
): Row {
  return [
    `Import, clients in parallel (${options.sweepBatches} batches of 1000 creates each, a fresh workspace each)`,
    `${sweep.figures.map((f) => `${f.clients}: ${fmt(f.perSecond, 0)}`).join(", ")} contacts/s; the fastest: **${sweep.best} clients**, used below`,
    "(finds the concurrency)",
    "",
  ];
}

function importRow(
  run: ImportRun,
  clients: number,
  cpu: CpuShares,
  before: number,
  after: number,
  database: string,
  maxSeconds: number,
): Row {
  const rate = perSecond(run);
  const ok = allAnswered(run, 201) && after - before === run.asked;
  return [
    `Import of ${run.asked} contacts through \`wrangler dev\` (${database}), batches of 1000 creates, ${clients} clients`,
    `**${fmt(rate, 0)} contacts/s**: ${howMany(run, maxSeconds)} in ${fmt(run.seconds, 1)} s; ${latencies(run)}; item statuses ${statuses(run)}; contacts in the workspace ${before} → ${after}; ${describeCpu(cpu)}`,
    `≥ ${targetContactsPerSecond} contacts/s`,
    ok && rate >= targetContactsPerSecond ? "yes" : "**no**",
  ];
}

function resyncRow(
  run: ImportRun,
  clients: number,
  cpu: CpuShares,
  before: number,
  after: number,
  maxSeconds: number,
): Row {
  return [
    `Re-sync: the same contacts again, as upserts matching id_crm (each finds its record, unchanged), ${clients} clients`,
    `${fmt(perSecond(run), 0)} contacts/s: ${howMany(run, maxSeconds)} in ${fmt(run.seconds, 1)} s; ${latencies(run)}; item statuses ${statuses(run)}; contacts in the workspace ${before} → **${after}**; ${describeCpu(cpu)}`,
    "creates nothing (every item 200, the count unchanged)",
    allAnswered(run, 200) && answered(run) === run.asked && after === before ? "yes" : "**no**",
  ];
}

const howToRead = (options: ImportOptions, clients: number) =>
  `- **Import**: \`wrangler dev\` as \`npm run dev\` starts it (wrangler.toml's rate limit of 1200
  requests a minute per workspace, which batches of 1000 stay far below; the per-request log line
  on), against the local SQL-over-HTTP server and the bench's database (a fresh PostgreSQL
  database with \`LOCAL_POSTGRES_URL\`, in-memory PGlite otherwise), with no added delay. Each
  client sends its next batch of 1000 creates as soon as the last is answered; contacts per
  second is the import's contacts over its wall-clock time, answers read and checked (every item
  201; the re-sync's every item 200). The import and the re-sync each stop sending batches after
  ${options.maxSeconds} s (\`BENCH_IMPORT_SECONDS\`); the batch latencies over the first and the last
  tenth of the run show whether a batch costs more as the workspace fills up. Sending stops at
  the first failed batch: a batch the worker answers 503 after \`DB_TIMEOUT_MS\` still runs in the
  database and may commit (the contacts counted afterwards say what the database holds), so more
  of them would only pile up. The contacts spread over ${customersPerWorkspace} customers
  and carry an id_crm. ${options.clients === undefined ? `The number of clients (${clients}) is the fastest of a sweep over ${options.clientLevels.join(", ")}, each importing ${options.sweepBatches} batches into a workspace of its own.` : `The number of clients (${clients}) was set by \`BENCH_IMPORT_CLIENTS\`.`}
  Everything runs on this machine's cores: the worker (workerd, behind wrangler's Node proxy), the
  bench's process (the clients, the local SQL server, and PGlite when it is the database) and
  PostgreSQL. The CPU figures say which of them the import waits for; in production the database
  and the worker each have their own machines.`;
