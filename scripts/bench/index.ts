// `npm run bench`: bundle size, cold start, worker CPU, database round trips and
// latency, printed as one table. Options (environment):
//   BENCH_DELAY_MS      delay the local database adds to each SQL request (default 50)
//   BENCH_CLIENTS       concurrent clients for the latency runs (default 20)
//   BENCH_REQUESTS      requests per latency run (default 1000; each run also stops after 30 s)
//   BENCH_STARTUP_RUNS  startup profiles per worker (default 11)
//   BENCH_LARGE_LIST    contacts in the large-list run (default 100000; 0 skips it)
//   LOCAL_POSTGRES_URL  run the database on this PostgreSQL server (a fresh database) instead of PGlite
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { getDb } from "../../src/db/client.ts";
import { contacts } from "../../src/db/schema.ts";
import { endpoints } from "../../test/endpoints.ts";
import { openTestBackend } from "../../test/local-db/test-backend.ts";
import { startDevWorker } from "../dev-worker.ts";
import { seedWorkspaceFixture } from "../fixtures.ts";
import { migrationsFolder, projectRoot } from "../local-db/open.ts";
import { startLocalDbServer } from "../local-db/server.ts";
import { build, startupMedians } from "./build.ts";
import { measureCpu } from "./cpu.ts";
import { type Call, runLoad, send } from "./load.ts";
import { fmt } from "./stats.ts";

const delayMs = Number(process.env.BENCH_DELAY_MS ?? 50);
const clients = Number(process.env.BENCH_CLIENTS ?? 20);
const requestsPerRun = Number(process.env.BENCH_REQUESTS ?? 1000);
const startupRuns = Number(process.env.BENCH_STARTUP_RUNS ?? 11);
const largeList = Number(process.env.BENCH_LARGE_LIST ?? 100_000);

type Row = [measure: string, value: string, target: string, met: string];
const rows: Row[] = [];
const verdict = (ok: boolean) => (ok ? "yes" : "**no**");
const log = (message: string) => console.error(`bench: ${message}`);

// 1. Bundle and cold start, side by side with the minimal worker.
log("building both workers and profiling their startup…");
const buildDir = mkdtempSync(join(tmpdir(), "qwoty-bench-"));
const app = build(resolve(projectRoot, "wrangler.toml"), buildDir, "app");
const minimal = build(resolve(projectRoot, "scripts/bench/minimal-worker/wrangler.toml"), buildDir, "minimal");
const [appStartup = Number.NaN, minimalStartup = Number.NaN] = startupMedians([app, minimal], startupRuns, buildDir);
rmSync(buildDir, { recursive: true, force: true });
const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;
rows.push([
  "Bundle, `wrangler deploy --dry-run --minify`",
  `${kib(app.gzipBytes)} gzip (${kib(app.rawBytes)} raw); minimal worker ${kib(minimal.gzipBytes)} gzip`,
  "≤ 100 KiB gzip",
  verdict(app.gzipBytes <= 100 * 1024),
]);
const startupRatio = appStartup / minimalStartup;
rows.push([
  `Startup CPU, \`wrangler check startup\` (median of ${startupRuns}, interleaved)`,
  `${fmt(appStartup, 1)} ms vs minimal ${fmt(minimalStartup, 1)} ms: ${fmt(startupRatio)}×`,
  "≤ 1.3× minimal",
  verdict(startupRatio <= 1.3),
]);

// 2. A database, seeded, behind the local SQL-over-HTTP server.
const { backend, dispose } = await openTestBackend();
await backend.migrate(migrationsFolder);
const server = await startLocalDbServer({ backend });
const db = getDb(server.databaseUrl);
const fixture = await seedWorkspaceFixture(db);
const backendName = backend.kind === "pglite" ? "PGlite" : "PostgreSQL";

try {
  // 3. Worker CPU per warm request, database wait excluded.
  log("timing worker CPU per request…");
  const cpu = await measureCpu(
    `http://bench.local/api/contacts/${fixture.contactId}`,
    fixture.token,
    server.databaseUrl,
  );
  rows.push([
    `Worker CPU, warm \`GET /api/contacts/{id}\`, database wait excluded (${cpu.iterations} requests)`,
    `p50 ${fmt(cpu.p50, 3)} ms, p99 ${fmt(cpu.p99, 3)} ms`,
    "p50 ≤ 1 ms, p99 ≤ 3 ms",
    verdict(cpu.p50 <= 1 && cpu.p99 <= 3),
  ]);

  // 4. Round trips through wrangler dev, the first request on a cold isolate.
  log("starting wrangler dev…");
  // --env bench: the rate limit is still checked on every request, but set too high to refuse any.
  // The log line is off: under wrangler dev each console.log travels to wrangler through the
  // inspector, about 1 ms of workerd CPU per request here, a cost Workers Logs do not have.
  const worker = await startDevWorker(server.databaseUrl, undefined, "bench", { LOG_REQUESTS: "false" });
  try {
    const trips = async (call: Parameters<typeof send>[1]) => {
      const before = server.stats().requests;
      const answer = await send(worker.origin, call);
      return { status: answer.status, trips: server.stats().requests - before };
    };
    const cold = await trips({ method: "GET", path: `/api/contacts/${fixture.contactId}`, token: fixture.token });
    const perEndpoint: string[] = [];
    let allOne = cold.trips === 1 && cold.status === 200;
    for (const endpoint of endpoints) {
      const target = await seedWorkspaceFixture(db);
      const result = await trips({
        method: endpoint.method,
        path: endpoint.path(target),
        token: target.token,
        body: endpoint.body?.(target),
      });
      allOne &&= result.trips === 1 && result.status === endpoint.status;
      perEndpoint.push(`${endpoint.method} ${endpoint.path(target).replace(/[0-9a-f-]{36}/g, "{id}")} ${result.trips}`);
    }
    const wrongChecksum = `${fixture.token.slice(0, -1)}${fixture.token.endsWith("A") ? "B" : "A"}`;
    const refused = [
      await trips({ method: "GET", path: `/api/contacts/${fixture.contactId}` }),
      await trips({ method: "GET", path: `/api/contacts/${fixture.contactId}`, token: "not a token" }),
      await trips({ method: "GET", path: `/api/contacts/${fixture.contactId}`, token: wrongChecksum }),
    ];
    const noneForBad = refused.every((r) => r.trips === 0 && r.status === 401);
    rows.push([
      "Database round trips per request, every endpoint (cold isolate first)",
      `cold isolate ${cold.trips}; ${perEndpoint.length} endpoints: ${[...new Set(perEndpoint.map((p) => p.split(" ").pop()))].join(", ")} each`,
      "exactly 1",
      verdict(allOne),
    ]);
    rows.push([
      "Database round trips, missing / malformed / wrong-checksum token",
      refused.map((r) => r.trips).join(" / "),
      "0",
      verdict(noneForBad),
    ]);

    // 5. Latency and throughput with a fixed delay per database request.
    log(`latency runs: ${clients} clients, ${requestsPerRun} requests each, ${delayMs} ms injected delay…`);
    await fetch(`${server.origin}/_local/delay`, { method: "PUT", body: JSON.stringify({ ms: delayMs }) });
    const listed = await seedWorkspaceFixture(db);
    await db.insert(contacts).values(
      Array.from({ length: 49 }, (_, i) => ({
        workspaceId: listed.workspaceId,
        customerId: listed.customerId,
        firstName: `First ${i}`,
        lastName: `Last ${i}`,
        email: `p${i}@example.com`,
      })),
    );
    const runs: { name: string; expect: number; call: (i: number) => Call }[] = [
      {
        name: "`GET /api/contacts/{id}`",
        expect: 200,
        call: () => ({ method: "GET", path: `/api/contacts/${fixture.contactId}`, token: fixture.token }),
      },
      {
        name: "`GET /api/contacts?customer_id=` (50 contacts)",
        expect: 200,
        call: () => ({ method: "GET", path: `/api/contacts?customer_id=${listed.customerId}`, token: listed.token }),
      },
      {
        name: "`POST /api/contacts`",
        expect: 201,
        call: (i: number) => ({
          method: "POST",
          path: "/api/contacts",
          token: fixture.token,
          body: {
            customer_id: fixture.customerId,
            first_name: `Load ${i}`,
            last_name: "Test",
            email: `load${i}@example.com`,
          },
        }),
      },
    ];
    const latencyRow = (
      name: string,
      load: Awaited<ReturnType<typeof runLoad>>,
      clientCount: number,
      target: boolean,
    ) => {
      const p50 = load.p50 / delayMs;
      const p99 = load.p99 / delayMs;
      rows.push([
        `Latency ${name}, ${clientCount} client${clientCount > 1 ? "s" : ""}, ${delayMs} ms per DB request (${backendName}; log line off)`,
        `p50 ${fmt(load.p50, 1)} ms = ${fmt(p50)}×, p99 ${fmt(load.p99, 1)} ms = ${fmt(p99)}×; ${fmt(load.throughput, 0)} req/s; ${load.requests} requests, ${load.errors} errors`,
        target ? "p50 ≤ 1.15×, p99 ≤ 1.5×" : "(reference)",
        target ? verdict(p50 <= 1.15 && p99 <= 1.5 && load.errors === 0) : "",
      ]);
    };
    const measure = async (origin: string, call: (i: number) => Call, expectStatus: number, clientCount: number) => {
      // a short warm-up, not counted
      await runLoad(origin, call, { clients: clientCount, total: clientCount * 2, maxSeconds: 10, expectStatus });
      return runLoad(origin, call, { clients: clientCount, total: requestsPerRun, maxSeconds: 30, expectStatus });
    };
    for (const run of runs)
      latencyRow(run.name, await measure(worker.origin, run.call, run.expect, clients), clients, true);
    const [single] = runs;
    if (single) latencyRow(single.name, await measure(worker.origin, single.call, single.expect, 1), 1, false);

    // The same harness with the minimal worker: what wrangler dev, the local
    // server and this machine cost without any of this API's code.
    const baseline = await startDevWorker(
      server.databaseUrl,
      resolve(projectRoot, "scripts/bench/minimal-worker/wrangler.toml"),
    );
    try {
      const call = () => ({ method: "GET", path: `/contacts/${fixture.contactId}` });
      latencyRow(
        "of the minimal worker's one query",
        await measure(baseline.origin, call, 200, clients),
        clients,
        false,
      );
    } finally {
      await baseline.stop();
    }
    await fetch(`${server.origin}/_local/delay`, { method: "PUT", body: JSON.stringify({ ms: 0 }) });

    // 6. A very large list, streamed.
    if (largeList > 0) {
      log(`streaming a list of ${largeList} contacts…`);
      const big = await seedWorkspaceFixture(db);
      const batch = 5000;
      for (let i = 0; i < largeList - 1; i += batch) {
        const count = Math.min(batch, largeList - 1 - i);
        await db.insert(contacts).values(
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
      const text = response.body;
      const seconds = (performance.now() - t0) / 1000;
      const items = (JSON.parse(text) as { data: unknown[] }).data.length;
      rows.push([
        `Full list of ${largeList} contacts, no parameters (streamed)`,
        `${items} items, ${kib(Buffer.byteLength(text))} of valid JSON in ${fmt(seconds, 1)} s; ${server.stats().requests - before} round trips (1 per 1000)`,
        "neither fails nor exceeds Neon's 10 MiB per response",
        verdict(response.status === 200 && items === largeList),
      ]);
    }
  } finally {
    await worker.stop();
  }
} finally {
  await server.close();
  await dispose();
}

console.log(
  `\nBenchmark, ${new Date().toISOString()}: Node ${process.version}, ${os.cpus().length} cores, database ${backendName}\n`,
);
console.log("| Measure | Measured | Target | Met |");
console.log("|---|---|---|---|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
