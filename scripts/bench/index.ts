// `npm run bench`: the deployed bundle (`wrangler deploy --dry-run --minify`)
// run in workerd through Miniflare, side by side with a minimal Hono + Drizzle +
// Neon worker (scripts/bench/minimal-worker) built and run the same way. Prints
// the tables and writes docs/performance.md. About 5 to 8 minutes on 2 cores (the
// latency runs, the database replayed and then real, take 3 of them),
// plus the batch writes (under a minute), the change events on vs off (two minutes or
// so) and the import through `wrangler dev` (a sweep of a minute or two, then at
// most 2 × BENCH_IMPORT_SECONDS).
//
//   npm run bench                  everything below
//   npm run bench -- --profile     also a CPU profile of GET /api/contacts/{id} (see profile.ts)
//
// Options (environment):
//   BENCH_QUICK=1             fewer requests everywhere (about a minute and a half)
//   BENCH_CPU_REQUESTS        requests per CPU measurement (default 3000; quick 600)
//   BENCH_CPU_CLIENTS         concurrent clients for them (default 20)
//   BENCH_DELAY_MS            delay the local database adds to each SQL request in the latency runs (default 50)
//   BENCH_LATENCY_CLIENTS     client counts of the latency runs (default 1,5,10,15,20)
//   BENCH_LATENCY_REQUESTS    requests per latency run (default 1000, quick 200; each run also stops after 10 s, quick 5 s)
//   BENCH_STARTUP_RUNS        `wrangler check startup` runs per worker (default 7; quick 3)
//   BENCH_LARGE_LIST          contacts in the large-list run (default 100000; quick 10000; 0 skips it)
//   BENCH_NODE_CPU_REQUESTS   requests timed in Node's V8 (default 5000; quick 1000; 0 skips it)
//   PROFILE_REQUESTS          requests profiled with --profile (default 1000; quick 300)
//   LOCAL_POSTGRES_URL        run the database on this PostgreSQL server (a fresh database) instead of PGlite
//   BENCH_BATCH_REQUESTS      timed requests of each 1000-item batch measure (default 40; quick 10; see batch.ts)
//   BENCH_EVENTS_CREATES      timed pairs of creates (one to each side, events on and off) per block, and as many
//                             into the large customer (default 200; quick 50; see events.ts)
//   BENCH_EVENTS_BATCHES      timed pairs of 1000-item batches per block (default 5; quick 2)
//   BENCH_EVENTS_ROUNDS       blocks of interleaved pairs, whose ratios give the spread (default 6; quick 2)
//   BENCH_IMPORT_CONTACTS     contacts in the import through `wrangler dev` (default 100000; quick 10000; see import.ts)
//   BENCH_IMPORT_SECONDS      the import, and its re-sync, stop sending batches after this long (default 180; quick 60)
//   BENCH_IMPORT_CLIENTS      clients in parallel for it (default: the fastest of a sweep over 1,2,3,4; quick 1,2,4)
//   BENCH_ONLY                only these parts, e.g. cpu,latency (startup, cpu, batch, events, trips, latency, list, node, import,
//                             profile, scale); batch, import and events alone rewrite their own sections of docs/performance.md
//   BENCH_SCALE_*             the scale run's sizes (see scale.ts); it runs only with LOCAL_POSTGRES_URL
//   BENCH_DOCS=0              do not write docs/performance.md (set by BENCH_ONLY too)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { resolve } from "node:path";
import { contacts } from "../../src/db/schema.ts";
import { endpoints } from "../../test/endpoints.ts";
import { seedWorkspaceFixture } from "../fixtures.ts";
import { projectRoot } from "../local-db/open.ts";
import { runBatchBench } from "./batch.ts";
import { startupMedians } from "./build.ts";
import { runEventsBench } from "./events.ts";
import { runImportBench } from "./import.ts";
import { type Call, type LoadFigures, runLoad, send } from "./load.ts";
import { alternatingPairs, msPerRequest, pairedRatio } from "./pairs.ts";
import { newProfileDir, profileMarkdown, profileWorker } from "./profile.ts";
import { type LatencyRow, meetsLatencyTarget, type Row, type SectionReport, writeReport } from "./report.ts";
import { runScaleBench } from "./scale.ts";
import { benchCalls, listSize, setUpBench } from "./setup.ts";
import { fmt } from "./stats.ts";
import {
  machineCpuSeconds,
  postgresBackendPids,
  processCpuSeconds,
  type RunningWorker,
  startWorkerd,
  type WorkerdOptions,
} from "./workerd.ts";

const quick = process.env.BENCH_QUICK === "1";
const setting = (name: string, normal: number, quickValue: number) => {
  const value = Number(process.env[name] ?? (quick ? quickValue : normal));
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
  return value;
};
const withProfile = process.argv.includes("--profile");
const delayMs = setting("BENCH_DELAY_MS", 50, 50);
const cpuRequests = setting("BENCH_CPU_REQUESTS", 3000, 600);
const cpuClients = setting("BENCH_CPU_CLIENTS", 20, 20);
const latencyLevels = (process.env.BENCH_LATENCY_CLIENTS ?? "1,5,10,15,20").split(",").map(Number);
const latencyRequests = setting("BENCH_LATENCY_REQUESTS", 1000, 200);
const latencySeconds = quick ? 5 : 10;
const startupRuns = setting("BENCH_STARTUP_RUNS", 7, 3);
const largeList = setting("BENCH_LARGE_LIST", 100_000, 10_000);
const nodeCpuRequests = setting("BENCH_NODE_CPU_REQUESTS", 5000, 1000);
const profileRequests = setting("PROFILE_REQUESTS", 1000, 300);
const batchRequests = setting("BENCH_BATCH_REQUESTS", 40, 10);
const eventsCreates = setting("BENCH_EVENTS_CREATES", 200, 50);
const eventsBatches = setting("BENCH_EVENTS_BATCHES", 5, 2);
const eventsRounds = setting("BENCH_EVENTS_ROUNDS", 6, 2);
const importContacts = setting("BENCH_IMPORT_CONTACTS", 100_000, 10_000);
const importSeconds = setting("BENCH_IMPORT_SECONDS", 180, 60);
const importClients = process.env.BENCH_IMPORT_CLIENTS ? setting("BENCH_IMPORT_CLIENTS", 1, 1) : undefined;

const rows: Row[] = [];
const latencyRows: LatencyRow[] = [];
let profileSection: string | undefined;
// The batch and import parts' rows, and the change events', in sections of their own (see report.ts).
const batchReport: SectionReport = { rows: [], notes: [] };
const eventsReport: SectionReport = { rows: [], notes: [] };
const verdict = (ok: boolean) => (ok ? "yes" : "**no**");
const log = (message: string) => console.error(`bench: ${message}`);
const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;
const startedAt = new Date();
const loadAverageBefore = os.loadavg();
const benchStarted = performance.now();

const only = process.env.BENCH_ONLY?.split(",").map((p) => p.trim());

/** Runs one part of the bench; a failure becomes a row of the table instead of ending the run. */
async function part(name: string, key: string, body: () => Promise<void>, table: Row[] = rows) {
  if (only && !only.includes(key)) return;
  const started = performance.now();
  try {
    await body();
    log(`${name}: ${fmt((performance.now() - started) / 1000, 0)} s`);
  } catch (error) {
    process.exitCode = 1;
    log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    table.push([name, `failed: ${String(error instanceof Error ? error.message : error).slice(0, 300)}`, "", "**no**"]);
  }
}

const bench = await setUpBench(log);
const { app, minimal, server, proxy, fixture } = bench;
const calls = benchCalls(bench);
const workers: RunningWorker[] = [];
const start = async (build: typeof app, options: WorkerdOptions) => {
  const worker = await startWorkerd(build, options);
  workers.push(worker);
  return worker;
};
const stop = async (worker: RunningWorker) => {
  workers.splice(workers.indexOf(worker), 1);
  await worker.dispose();
};

try {
  // 1. Bundle and cold start, side by side with the minimal worker.
  rows.push([
    "Bundle, `wrangler deploy --dry-run --minify`",
    `${kib(app.gzipBytes)} gzip (${kib(app.rawBytes)} raw); minimal worker ${kib(minimal.gzipBytes)} gzip`,
    "≤ 100 KiB gzip",
    verdict(app.gzipBytes <= 100 * 1024),
  ]);
  await part("Startup", "startup", async () => {
    log(`profiling startup, ${startupRuns} runs per worker…`);
    const [appStartup = Number.NaN, minimalStartup = Number.NaN] = startupMedians(
      [app, minimal],
      startupRuns,
      bench.buildDir,
    );
    const startupRatio = appStartup / minimalStartup;
    rows.push([
      `Startup CPU, \`wrangler check startup\` (median of ${startupRuns}, interleaved)`,
      `${fmt(appStartup, 1)} ms vs minimal ${fmt(minimalStartup, 1)} ms: ${fmt(startupRatio)}×`,
      "≤ 1.3× minimal",
      verdict(startupRatio <= 1.3),
    ]);
  });

  // 2. workerd CPU per request, the database replayed by the proxy.
  await part("workerd CPU per request", "cpu", async () => {
    log(`workerd CPU per request: ${cpuRequests} requests per measure, ${cpuClients} clients…`);
    const replayed = { DATABASE_URL: proxy.databaseUrl };
    // Log lines each worker has written (console.log, relayed by Miniflare).
    const logLines = new Map<RunningWorker, number>();
    const counted = async (build: typeof app, options: WorkerdOptions) => {
      let lines = 0;
      const worker = await start(build, { ...options, onLog: () => logLines.set(worker, ++lines) });
      return worker;
    };
    // As deployed: LOG_REQUESTS unset (the log line on) and the rate-limit binding.
    const deployed = await counted(app, { vars: replayed, ratelimits: bench.benchRateLimits });
    const noLog = await counted(app, {
      vars: { ...replayed, LOG_REQUESTS: "false" },
      ratelimits: bench.benchRateLimits,
    });
    const noLimit = await counted(app, { vars: replayed, ratelimits: [] });
    const baseline = await counted(minimal, { vars: replayed, ratelimits: [] });

    let replayChecked = 0;
    let mismatches = 0;
    let misses = 0;
    interface Measure {
      name: string;
      worker: RunningWorker;
      call: (i: number) => Call;
      status: number;
      body?: string;
      cpu: number;
      requests: number;
      /** ms per request of each round */
      rounds: number[];
      logLines: number;
    }
    const measure = (name: string, worker: RunningWorker, call: (i: number) => Call, status: number): Measure => ({
      name,
      worker,
      call,
      status,
      cpu: 0,
      requests: 0,
      rounds: [],
      logLines: 0,
    });
    // The first request is answered by the real database (and its answer kept);
    // the warm-up then runs on replayed answers; its answer is the reference
    // every timed answer must match, status and body.
    const prime = async (m: Measure) => {
      const first = await send(m.worker.origin, m.call(0));
      if (first.status !== m.status) throw new Error(`expected ${m.status}, got ${first.status}: ${first.body}`);
      m.body = first.body;
      await runLoad(m.worker.origin, m.call, {
        clients: cpuClients,
        total: Math.max(200, Math.round(cpuRequests / 6)),
        maxSeconds: 30,
        expectStatus: m.status,
      });
    };
    const timed = async (m: Measure, total: number) => {
      // A few requests first, not counted: while the other measures ran, workerd may
      // have evicted this worker's idle rate-limit Durable Object (after about 10 s),
      // and starting it again is not what is measured.
      await runLoad(m.worker.origin, m.call, {
        clients: cpuClients,
        total: 2 * cpuClients,
        maxSeconds: 10,
        expectStatus: m.status,
      });
      proxy.resetStats();
      const lines = logLines.get(m.worker) ?? 0;
      const before = m.worker.cpuSeconds();
      const load = await runLoad(m.worker.origin, m.call, {
        clients: cpuClients,
        total,
        maxSeconds: 90,
        expectStatus: m.status,
        ...(m.body === undefined ? {} : { expectBody: m.body }),
      });
      const cpu = m.worker.cpuSeconds() - before;
      log(
        `  ${m.name}: ${fmt((cpu * 1000) / load.requests, 3)} ms per request (${load.requests}, ${fmt(load.throughput, 0)} req/s)`,
      );
      m.cpu += cpu;
      m.requests += load.requests;
      m.rounds.push((cpu * 1000) / load.requests);
      m.logLines += (logLines.get(m.worker) ?? 0) - lines;
      replayChecked += load.requests;
      mismatches += load.errors;
      misses += proxy.stats().misses;
    };
    const perRequest = (m: Measure) => (m.cpu * 1000) / m.requests;

    const get = (name: string, worker: RunningWorker) => measure(name, worker, calls.get, 200);
    const gets = {
      deployed: get("GET, as deployed", deployed),
      noLog: get("GET, no log line", noLog),
      noLimit: get("GET, no rate-limit binding", noLimit),
      minimal: measure("GET, minimal worker", baseline, calls.minimalGet, 200),
    };
    const others = {
      list: measure("list", deployed, calls.list, 200),
      create: measure("POST", deployed, calls.create, 201),
      patch: measure("PATCH", deployed, calls.patch, 200),
    };
    for (const m of [...Object.values(gets), ...Object.values(others)]) await prime(m);
    // In interleaved rounds, each starting one measure later than the one before,
    // so that the noise of this shared machine falls on all of them alike.
    const rounds = quick ? 2 : 6;
    const all = [...Object.values(gets), ...Object.values(others)];
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < all.length; i++) {
        await timed(all[(i + round) % all.length] as Measure, Math.ceil(cpuRequests / rounds));
      }
    }

    // The target's ratio once more, in pairs: the app's GET without the binding and the
    // minimal worker's in alternating runs about a second long, the order swapped each
    // pair, so that both sides of a pair see the same machine (whose speed drifts by
    // 20–30 % within a minute: the rounds above are seconds apart). The ratio is of the
    // totals (a garbage collection lands in one run, and is the app's or the minimal
    // worker's cost all the same); blocks of pairs give its spread.
    const pairs = quick ? 8 : 40;
    const pairsPerBlock = 5;
    const chunk = Math.max(200, Math.round(cpuRequests / 6));
    proxy.resetStats();
    const paired = await alternatingPairs([gets.noLimit, gets.minimal], { pairs, chunk, clients: cpuClients });
    for (const run of paired.flat()) {
      replayChecked += run.requests;
      mismatches += run.errors;
    }
    misses += proxy.stats().misses;
    const { ratio: pairedGetRatio, blocks: blockRatios } = pairedRatio(paired, pairsPerBlock);

    const appGet = perRequest(gets.deployed);
    const ms = (value: number) => `${fmt(value, 3)} ms`;
    const spread = (m: Measure) =>
      `(rounds ${fmt(Math.min(...m.rounds), 2)}–${fmt(Math.max(...m.rounds), 2)}; ${m.requests} requests)`;
    /** The range of the two measures' ratios round by round (each round measures both, a few seconds apart). */
    const roundRatios = (m: Measure, base: Measure) => {
      const ratios = m.rounds.map((value, i) => value / (base.rounds[i] ?? Number.NaN));
      return `${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}`;
    };
    const delta = (value: number) => `${value >= appGet ? "+" : "−"}${fmt(Math.abs(value - appGet), 3)} ms`;
    rows.push([
      "workerd CPU per request, `GET /api/contacts/{id}`, as deployed (log line on, rate-limit binding)",
      `${ms(appGet)} ${spread(gets.deployed)}; the minimal worker's \`GET /contacts/{id}\`: ${ms(perRequest(gets.minimal))} ${spread(gets.minimal)}; app / minimal **${fmt(appGet / perRequest(gets.minimal))}×**`,
      "(reference)",
      "",
    ]);
    rows.push([
      `same, \`GET /api/contacts?limit=50\` (${listSize} contacts in the workspace)`,
      `${ms(perRequest(others.list))} = **${fmt(perRequest(others.list) / appGet)}×** the app's GET ${spread(others.list)}`,
      "(reference)",
      "",
    ]);
    rows.push([
      "same, `POST /api/contacts`",
      `${ms(perRequest(others.create))} = **${fmt(perRequest(others.create) / appGet)}×** the app's GET ${spread(others.create)}`,
      "(reference)",
      "",
    ]);
    rows.push([
      "same, `PATCH /api/contacts/{id}`",
      `${ms(perRequest(others.patch))} = **${fmt(perRequest(others.patch) / appGet)}×** the app's GET ${spread(others.patch)}`,
      "(reference)",
      "",
    ]);
    rows.push([
      "same GET, `LOG_REQUESTS=false` (no log line)",
      `${ms(perRequest(gets.noLog))} (${delta(perRequest(gets.noLog))}) ${spread(gets.noLog)}; log lines per request: as deployed ${fmt(gets.deployed.logLines / gets.deployed.requests)}, this one ${fmt(gets.noLog.logLines / gets.noLog.requests)}`,
      "(reference)",
      "",
    ]);
    rows.push([
      "same GET, without the rate-limit binding (in Miniflare a call is a round trip to a Durable Object and a SQLite write)",
      `${ms(perRequest(gets.noLimit))} (${delta(perRequest(gets.noLimit))}) ${spread(gets.noLimit)}; / minimal: ${fmt(perRequest(gets.noLimit) / perRequest(gets.minimal))}× (rounds' ratios ${roundRatios(gets.noLimit, gets.minimal)}; a round's two runs are seconds apart, a pair's below are not)`,
      "(reference)",
      "",
    ]);
    rows.push([
      `same GET without the binding / the minimal worker's, in ${pairs} pairs of alternating runs of ${chunk} requests (the order swapped each pair)`,
      `app ${ms(msPerRequest(paired[0]))}, minimal ${ms(msPerRequest(paired[1]))}: **${fmt(pairedGetRatio)}×** (blocks of ${pairsPerBlock} pairs: ${fmt(Math.min(...blockRatios))}–${fmt(Math.max(...blockRatios))})`,
      "≤ 1.25×",
      verdict(pairedGetRatio <= 1.25),
    ]);
    rows.push([
      "Replayed answers: expected status and the first real answer's body; queries not replayed",
      `${replayChecked} answers, ${mismatches} different; ${misses} queries reached the database`,
      "0 and 0",
      verdict(mismatches === 0 && misses === 0 && replayChecked > 0),
    ]);
    for (const worker of [deployed, noLog, noLimit, baseline]) await stop(worker);
  });

  // 2b. workerd CPU per batch item, and the size of a batch's exchange with the database.
  await part(
    "Batch CPU and sizes",
    "batch",
    async () => {
      log(`batch CPU: ${batchRequests} timed requests per 1000-item batch measure, one at a time…`);
      const { rows: batchRows, notes } = await runBatchBench(
        bench,
        { requests: batchRequests, rounds: quick ? 2 : 4 },
        log,
      );
      batchReport.rows.push(...batchRows);
      batchReport.notes.push(notes);
    },
    batchReport.rows,
  );

  // 2c. What recording change events adds to a create and to a batch: triggers on vs off.
  await part(
    "Change events",
    "events",
    async () => {
      log(
        `events on vs off: ${eventsRounds} blocks of ${eventsCreates} pairs of creates and ${eventsBatches} of batches…`,
      );
      const { rows: eventsRows, notes } = await runEventsBench(
        bench,
        { creates: eventsCreates, batches: eventsBatches, rounds: eventsRounds },
        log,
      );
      eventsReport.rows.push(...eventsRows);
      eventsReport.notes.push(notes);
    },
    eventsReport.rows,
  );

  // 3. Round trips, the first request on a cold isolate, the real database.
  await part("Database round trips", "trips", async () => {
    log("counting database round trips per endpoint…");
    // As deployed, rate limit included (production's: these few requests stay far below it).
    const worker = await start(app, { vars: { DATABASE_URL: server.databaseUrl } });
    const trips = async (call: Call) => {
      const before = server.stats().requests;
      const answer = await send(worker.origin, call);
      return { status: answer.status, trips: server.stats().requests - before };
    };
    const cold = await trips({ method: "GET", path: `/api/contacts/${fixture.contactId}`, token: fixture.token });
    const perEndpoint: number[] = [];
    let allOne = cold.trips === 1 && cold.status === 200;
    const wrong: string[] = [];
    for (const endpoint of endpoints) {
      const target = await seedWorkspaceFixture(bench.db);
      const result = await trips({
        method: endpoint.method,
        path: endpoint.path(target),
        token: target.token,
        body: endpoint.body?.(target),
      });
      perEndpoint.push(result.trips);
      if (result.trips !== 1 || result.status !== endpoint.status) {
        allOne = false;
        wrong.push(`${endpoint.name}: ${result.status}, ${result.trips} trips`);
      }
    }
    const wrongChecksum = `${fixture.token.slice(0, -1)}${fixture.token.endsWith("A") ? "B" : "A"}`;
    const path = `/api/contacts/${fixture.contactId}`;
    const refused = [
      await trips({ method: "GET", path }),
      await trips({ method: "GET", path, token: "not a token" }),
      await trips({ method: "GET", path, token: wrongChecksum }),
    ];
    rows.push([
      "Database round trips per request, every endpoint (cold isolate first)",
      `cold isolate ${cold.trips}; ${perEndpoint.length} endpoints: ${[...new Set(perEndpoint)].join(", ")} each${wrong.length ? ` (${wrong.join("; ")})` : ""}`,
      "exactly 1",
      verdict(allOne),
    ]);
    rows.push([
      "Database round trips, missing / malformed / wrong-checksum token",
      refused.map((r) => r.trips).join(" / "),
      "0",
      verdict(refused.every((r) => r.trips === 0 && r.status === 401)),
    ]);
    await stop(worker);
  });

  // 4. Latency and throughput with a fixed delay per database request: first with the
  // database replayed by the proxy (it costs next to nothing here, as a database on machines
  // of its own would: the measure the target applies to), then with the real database on
  // this machine's two cores, for reference.
  await part("Latency", "latency", async () => {
    log(`latency: ${delayMs} ms per database request, ${latencyLevels.join(", ")} clients, replayed then real…`);
    const cores = os.cpus().length;
    // Replayed, a create must send the same body each time (see replay.ts); real, each one is new.
    const createCall = (database: LatencyRow["database"]) => (database === "replayed" ? calls.create : calls.createNew);

    const latencyRun = async (database: LatencyRow["database"]) => {
      const vars = { DATABASE_URL: database === "replayed" ? proxy.databaseUrl : server.databaseUrl };
      // The same bundle with and without the rate-limit binding: in Miniflare a limit() call is
      // a round trip to a Durable Object that writes SQLite, where Cloudflare's counters are
      // local to the machine (docs/performance.md); without it is the latency production would
      // see. The binding's variant runs once, replayed, for reference.
      const deployed =
        database === "replayed" ? await start(app, { vars, ratelimits: bench.benchRateLimits }) : undefined;
      const unlimited = await start(app, { vars, ratelimits: [] });
      const baseline = await start(minimal, { vars, ratelimits: [] });
      const setDelay = async (ms: number) => {
        if (database === "replayed") proxy.setDelay(ms);
        else await fetch(`${server.origin}/_local/delay`, { method: "PUT", body: JSON.stringify({ ms }) });
      };
      await setDelay(delayMs);
      try {
        const snapshot = (worker: RunningWorker) => {
          const node = process.cpuUsage();
          const pg = bench.databaseName ? postgresBackendPids(bench.databaseName) : [];
          return {
            at: performance.now(),
            workerd: worker.cpuSeconds(),
            node: (node.user + node.system) / 1e6,
            pg: new Map(pg.map((pid) => [pid, processCpuSeconds(pid)])),
            machine: machineCpuSeconds(),
          };
        };
        const run = async (
          worker: RunningWorker,
          name: string,
          call: (i: number) => Call,
          status: number,
          n: number,
        ) => {
          await runLoad(worker.origin, call, { clients: n, total: n * 3, maxSeconds: 10, expectStatus: status });
          const before = snapshot(worker);
          const load: LoadFigures = await runLoad(worker.origin, call, {
            clients: n,
            total: latencyRequests,
            maxSeconds: latencySeconds,
            expectStatus: status,
          });
          const after = snapshot(worker);
          const elapsed = (after.at - before.at) / 1000;
          let pg = 0;
          for (const [pid, cpu] of after.pg) pg += cpu - (before.pg.get(pid) ?? 0);
          const share = (seconds: number) => (100 * seconds) / elapsed / cores;
          const workerd = share(after.workerd - before.workerd);
          const node = share(after.node - before.node);
          const postgres = share(pg);
          const machine =
            (100 * (after.machine.busy - before.machine.busy)) / (after.machine.total - before.machine.total || 1);
          latencyRows.push({
            name,
            database,
            clients: n,
            load,
            delayMs,
            cpu: { workerd, node, postgres, total: workerd + node + postgres, machine },
            target: false,
          });
        };
        for (const n of latencyLevels) {
          if (deployed) await run(deployed, "app GET, rate-limit binding (Miniflare's)", calls.get, 200, n);
          await run(unlimited, "app GET", calls.get, 200, n);
          await run(baseline, "minimal GET", calls.minimalGet, 200, n);
        }
        const most = Math.max(...latencyLevels);
        await run(unlimited, "app list (50)", calls.list, 200, most);
        await run(unlimited, "app POST", createCall(database), 201, most);
      } finally {
        await setDelay(0);
      }
      if (deployed) await stop(deployed);
      await stop(baseline);
      await stop(unlimited);
    };
    await latencyRun("replayed");
    await latencyRun("real");

    // Where the machine stops driving the clients: the most clients at which the
    // minimal worker, which does next to nothing, still meets the target itself.
    const ratio = (ms: number) => `${fmt(ms / delayMs)}×`;
    const at = (database: LatencyRow["database"], name: string, clients: number) =>
      latencyRows.find((r) => r.database === database && r.name === name && r.clients === clients);
    const driven = (database: LatencyRow["database"]) =>
      latencyRows
        .filter((r) => r.database === database && r.name === "minimal GET" && meetsLatencyTarget(r))
        .reduce((most, r) => Math.max(most, r.clients), 0);
    const drivenReplayed = driven("replayed");
    const measured = at("replayed", "app GET", drivenReplayed);
    if (measured) measured.target = true;
    const real = at("real", "app GET", drivenReplayed);
    const realMinimal = at("real", "minimal GET", drivenReplayed);
    const beyond = latencyLevels.find((n) => n > drivenReplayed);
    rows.push([
      `Latency, app \`GET /api/contacts/{id}\`, the database replayed, at the most clients (of ${latencyLevels.join(", ")}) at which the minimal worker meets the target on this machine`,
      measured
        ? `${drivenReplayed} clients: p50 ${ratio(measured.load.p50)}, p99 ${ratio(measured.load.p99)}${beyond ? ` (the minimal worker misses it from ${beyond} clients on)` : " (the minimal worker meets it at every level)"}`
        : "the minimal worker meets it at no level: the machine cannot drive the measure",
      "p50 ≤ 1.15×, p99 ≤ 1.5×",
      verdict(measured !== undefined && meetsLatencyTarget(measured)),
    ]);
    if (real && realMinimal) {
      rows.push([
        `same, the real database (${bench.backendName}) on this machine's cores`,
        `${drivenReplayed} clients: p50 ${ratio(real.load.p50)}, p99 ${ratio(real.load.p99)}; the minimal worker ${ratio(realMinimal.load.p50)}, ${ratio(realMinimal.load.p99)}`,
        "(reference)",
        "",
      ]);
    }
  });

  // 5. A very large list, streamed, from the real database.
  if (largeList > 0) {
    await part("Large list", "list", async () => {
      log(`streaming a list of ${largeList} contacts…`);
      const worker = await start(app, { vars: { DATABASE_URL: server.databaseUrl } });
      const big = await seedWorkspaceFixture(bench.db);
      const batch = 5000;
      for (let i = 0; i < largeList - 1; i += batch) {
        const count = Math.min(batch, largeList - 1 - i);
        await bench.db.insert(contacts).values(
          Array.from({ length: count }, (_, j) => ({
            workspaceId: big.workspaceId,
            customerId: big.customerId,
            firstName: `First ${i + j}`,
            lastName: `Last ${i + j}`,
            email: `p${i + j}@example.com`,
          })),
        );
      }
      const before = server.stats().requests;
      const t0 = performance.now();
      const response = await send(worker.origin, { method: "GET", path: "/api/contacts", token: big.token });
      const seconds = (performance.now() - t0) / 1000;
      let items = -1;
      try {
        items = (JSON.parse(response.body) as { data: unknown[] }).data.length;
      } catch {
        // not JSON: reported below
      }
      rows.push([
        `Full list of ${largeList} contacts, no parameters (streamed)`,
        `${items} items, ${kib(Buffer.byteLength(response.body))} of valid JSON in ${fmt(seconds, 1)} s; ${server.stats().requests - before} round trips (1 per 1000)`,
        "neither fails nor exceeds Neon's 10 MiB per response",
        verdict(response.status === 200 && items === largeList),
      ]);
      await stop(worker);
    });
  }

  // 6. The app's JavaScript per request in Node's V8: the spread (see node-cpu.ts).
  if (nodeCpuRequests > 0) {
    await part("Node V8 CPU", "node", async () => {
      log("timing the app's JavaScript per request in Node's V8…");
      // Imported here: it loads the app from src/ into this process.
      const { measureCpu: measureNodeCpu } = await import("./node-cpu.ts");
      const cpu = await measureNodeCpu(
        `http://bench.local/api/contacts/${fixture.contactId}`,
        fixture.token,
        server.databaseUrl,
        nodeCpuRequests,
      );
      rows.push([
        `The app's JavaScript per warm \`GET /api/contacts/{id}\` in Node's V8, request by request (${cpu.iterations} requests; log line and rate limit off)`,
        `p50 ${fmt(cpu.p50, 3)} ms, p99 ${fmt(cpu.p99, 3)} ms`,
        "p50 ≤ 1 ms, p99 ≤ 3 ms",
        verdict(cpu.p50 <= 1 && cpu.p99 <= 3),
      ]);
    });
  }

  // 6b. An import end to end through `wrangler dev`, and its re-sync as upserts.
  await part(
    "Import",
    "import",
    async () => {
      log(`import: ${importContacts} contacts through wrangler dev, batches of 1000…`);
      const { rows: importRows, notes } = await runImportBench(
        bench,
        {
          contacts: importContacts,
          clientLevels: quick ? [1, 2, 4] : [1, 2, 3, 4],
          sweepBatches: quick ? 4 : 12,
          clients: importClients,
          maxSeconds: importSeconds,
        },
        log,
      );
      batchReport.rows.push(...importRows);
      batchReport.notes.push(notes);
    },
    batchReport.rows,
  );

  // 7. Where the CPU goes (on request only: the inspector is not free).
  if (withProfile || only?.includes("profile")) {
    await part("Profile", "profile", async () => {
      log(`profiling ${profileRequests} GET /api/contacts/{id}, then the minimal worker's…`);
      const outDir = newProfileDir();
      const replayed = { DATABASE_URL: proxy.databaseUrl };
      // The app as production would run it (the log line on), without Miniflare's
      // rate-limit binding, whose Durable Object call is no cost of production's (see the
      // CPU table): the profile then explains the target's ratio.
      const appProfile = await profileWorker(app, replayed, [], calls.get, profileRequests, outDir);
      const minimalProfile = await profileWorker(minimal, replayed, [], calls.minimalGet, profileRequests, outDir);
      profileSection = profileMarkdown(
        appProfile,
        minimalProfile,
        "as production would run it (log line on), without the rate-limit binding",
      );
    });
  }
} finally {
  for (const worker of [...workers]) await stop(worker).catch(() => {});
  await bench.close();
}

// The scale run has a database of its own (PostgreSQL only; minutes to generate).
await part("scale run", "scale", async () => {
  rows.push(...(await runScaleBench(log)));
});

const version = (pkg: string) =>
  (JSON.parse(readFileSync(resolve(projectRoot, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
    .version;
let workerdVersion = version("workerd");
try {
  const binary = resolve(projectRoot, "node_modules/.bin/workerd");
  const runtime = execFileSync(binary, ["--version"], { encoding: "utf8" })
    .trim()
    .replace(/^workerd /, "");
  workerdVersion = `${runtime} (npm workerd ${workerdVersion})`;
} catch {
  // the npm version alone
}
writeReport({
  rows,
  latencyRows,
  profileSection,
  batch: batchReport.rows.length ? batchReport : undefined,
  events: eventsReport.rows.length ? eventsReport : undefined,
  writeDocs: process.env.BENCH_DOCS !== "0" && !only,
  writeSections: process.env.BENCH_DOCS !== "0" && !!only?.every((p) => ["batch", "import", "events"].includes(p)),
  environment: {
    date: startedAt,
    node: process.version,
    workerd: workerdVersion,
    miniflare: version("miniflare"),
    wrangler: version("wrangler"),
    cpu: os.cpus()[0]?.model ?? "unknown CPU",
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    kernel: `${os.type()} ${os.release()}`,
    loadAverage: [loadAverageBefore, os.loadavg()],
    database: bench.backendName,
    quick,
    minutes: (performance.now() - benchStarted) / 60_000,
    cpuRequests,
    cpuClients,
  },
});
