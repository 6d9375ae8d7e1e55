// The bench's output: the tables on stdout, and docs/performance.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { projectRoot } from "../local-db/open.ts";
import type { LoadFigures } from "./load.ts";
import { fmt } from "./stats.ts";

export type Row = [measure: string, value: string, target: string, met: string];

export interface LatencyRow {
  name: string;
  /** replayed by the proxy (next to no cost on this machine) or the real database on this machine's cores */
  database: "replayed" | "real";
  clients: number;
  load: LoadFigures;
  delayMs: number;
  /** percent of all cores over the run: the bench's processes, and the whole machine (every user) */
  cpu: { workerd: number; node: number; postgres: number; total: number; machine: number };
  /** whether the latency target applies */
  target: boolean;
}

export interface Environment {
  date: Date;
  node: string;
  workerd: string;
  miniflare: string;
  wrangler: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  loadAverage: [before: number[], after: number[]];
  database: string;
  quick: boolean;
  minutes: number;
  cpuRequests: number;
  cpuClients: number;
}

const docsPath = resolve(projectRoot, "docs/performance.md");
const profileStart = "<!-- profile:start -->";
const profileEnd = "<!-- profile:end -->";
// The batch and import figures (batch.ts, import.ts), and the change events' (events.ts),
// have sections of their own, so that a run of those parts alone (BENCH_ONLY=batch,import
// or BENCH_ONLY=events) can rewrite its section and leave the rest.
const batchMarkers = { start: "<!-- batch:start -->", end: "<!-- batch:end -->", title: "Batch writes and import" };
const eventsMarkers = { start: "<!-- events:start -->", end: "<!-- events:end -->", title: "Change events" };
type Markers = typeof batchMarkers;

/** The rows and explanations of a section's parts. */
export interface SectionReport {
  rows: Row[];
  /** "How to read" bullets, Markdown */
  notes: string[];
}

/** The text between `start` and `end` (included) in the current docs/performance.md, if any. */
function keptSection(start: string, end: string): string | undefined {
  if (!existsSync(docsPath)) return undefined;
  const previous = readFileSync(docsPath, "utf8");
  const from = previous.indexOf(start);
  const to = previous.indexOf(end);
  return from >= 0 && to > from ? previous.slice(from, to + end.length) : undefined;
}

function sectionMarkdown(markers: Markers, report: SectionReport, header: string): string {
  return [
    markers.start,
    `## ${markers.title}`,
    "",
    `Measured ${header}.`,
    "",
    table(["Measure", "Measured", "Target", "Met"], ["---", "---", "---", "---"], report.rows),
    "",
    "How to read these:",
    "",
    ...report.notes,
    markers.end,
  ].join("\n");
}

/** Rewrites one section of the existing docs/performance.md (after a run of its parts alone); a new one goes before the profile. */
function updateSection(markers: Markers, section: string) {
  if (!existsSync(docsPath)) return;
  const previous = readFileSync(docsPath, "utf8");
  const from = previous.indexOf(markers.start);
  const to = previous.indexOf(markers.end);
  const profileAt = previous.indexOf(profileStart);
  const doc =
    from >= 0 && to > from
      ? previous.slice(0, from) + section + previous.slice(to + markers.end.length)
      : profileAt >= 0
        ? `${previous.slice(0, profileAt)}${section}\n\n${previous.slice(profileAt)}`
        : `${previous.trimEnd()}\n\n${section}\n`;
  writeFileSync(docsPath, doc);
  console.error(`bench: wrote the ${markers.title.toLowerCase()} section of ${docsPath}`);
}

const latencyTarget = { p50: 1.15, p99: 1.5 };

/** Whether a latency run met the target: no errors, p50 and p99 within their multiples of the delay. */
export const meetsLatencyTarget = (r: LatencyRow) =>
  r.load.errors === 0 && r.load.p50 / r.delayMs <= latencyTarget.p50 && r.load.p99 / r.delayMs <= latencyTarget.p99;

function table(header: string[], align: string[], body: string[][]): string {
  return [`| ${header.join(" | ")} |`, `|${align.join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function latencyTable(rows: LatencyRow[]): string {
  return table(
    [
      "Worker, request",
      "Clients",
      "p50",
      "p99",
      "req/s",
      "Errors",
      "CPU of the bench's processes: workerd + node + postgres",
      "Machine busy",
      "Target met",
    ],
    ["---", "---:", "---:", "---:", "---:", "---:", "---", "---:", "---"],
    rows.map((r) => {
      const p50 = r.load.p50 / r.delayMs;
      const p99 = r.load.p99 / r.delayMs;
      const met = meetsLatencyTarget(r);
      return [
        r.name,
        String(r.clients),
        `${fmt(r.load.p50, 1)} ms (${fmt(p50)}×)`,
        `${fmt(r.load.p99, 1)} ms (${fmt(p99)}×)`,
        fmt(r.load.throughput, 0),
        `${r.load.errors} / ${r.load.requests}`,
        `${fmt(r.cpu.total, 0)} %: ${fmt(r.cpu.workerd, 0)} + ${fmt(r.cpu.node, 0)} + ${fmt(r.cpu.postgres, 0)} %`,
        `${fmt(r.cpu.machine, 0)} %`,
        r.target ? (met ? "yes" : "**no**") : "",
      ];
    }),
  );
}

const howToRead = (env: Environment, delayMs: number) => `## How to read this

- **What runs**: the bundle \`npm run deploy\` uploads (\`wrangler deploy --dry-run --minify\`), in
  workerd through Miniflare's API, with wrangler.toml's compatibility date and flags, the
  rate-limit binding, and \`LOG_REQUESTS\` unset (the production default: one log line per
  request). Not \`wrangler dev\`: no inspector (except for \`--profile\`), no proxy in front.
  Requests reach the worker through a direct socket, not through Miniflare's entry worker.
  The minimal worker (\`scripts/bench/minimal-worker\`: one route, one Drizzle select through
  the Neon driver, \`c.json\`; no token, rate limit, request id, ETag or log line) runs the
  same way, so that what workerd and Miniflare cost on their own shows in its figures.
- **workerd CPU per request**: the CPU time of the workerd process (the scheduler's
  per-thread accounting, \`/proc/<pid>/task/*/schedstat\`, in nanoseconds) over ${env.cpuRequests} requests from ${env.cpuClients} clients after a warm-up,
  divided by the number of requests. The database is replayed by a caching proxy (the first
  answer to a query is kept, later identical queries are answered from memory), so it costs
  next to nothing; a create's key leaves out the id the worker draws, so creates are replayed
  too, and every replayed answer is checked (status and body). The measures run in
  interleaved rounds; the spread of the rounds is this shared machine's noise, and a
  difference smaller than it (the log line's, for one) is not resolved. The target's ratio
  (the app's GET without the binding over the minimal worker's) is measured once more in
  pairs of runs about a second long, one worker then the other, the order swapped each
  pair, so that both sides of a pair run on the same machine (its speed drifts by 20–30 %
  within a minute, and the rounds are seconds apart): the ratio of the totals, with the
  range of its blocks of pairs. The figure is a mean
  and includes workerd's own work: HTTP parsing, the subrequest to the database, and two
  Miniflare artifacts: each outbound fetch passes through Miniflare's outbound interceptor
  (a small JavaScript worker), and each call of the rate-limit binding is a service call,
  through a second worker, to a Durable Object that reads and writes a SQLite row on disk
  (Miniflare's \`ratelimit\` plugin). In production, Cloudflare documents the binding's
  counters as "cached on the same machine that your Worker runs in, and updated
  asynchronously in the background": \`await limit()\` waits on no network request and adds
  no meaningful latency
  ([Rate Limiting, Performance](https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/#performance)).
  So the row without the binding is the closer estimate of the app's own cost, and
  app / minimal is best read with the binding's Miniflare cost set aside. Compare the app
  with the minimal worker and with itself (the variants without the log line or the
  binding), not with Cloudflare's CPU limits.
- **Latency**: each SQL request waits ${delayMs} ms before it is answered, standing in for
  the distance to the database region, so 1.0× is the floor. It runs twice. First with the
  database replayed by the caching proxy, which waits the ${delayMs} ms and answers from memory:
  the database then costs next to nothing on this machine, as Neon's, on machines of its
  own, takes nothing from the worker's cores in production. That is the run the target applies
  to. Then with the real database (the local SQL server, which waits the ${delayMs} ms, and
  ${env.database} behind it) on the same ${env.cores} cores as the worker and the load generator, for
  reference: there the app's heavier statement (the token check and its touch, the record's
  JSON), planned and run on every request, competes with the worker for the cores. The CPU
  column is the CPU time the bench's processes used during the run (the worker's workerd;
  this Node process, which is the load generator, the replaying proxy, the local SQL server
  and PGlite; and the PostgreSQL backends of the bench's database when it runs on
  PostgreSQL), in percent of all ${env.cores} cores; "machine busy" is the whole machine's,
  other users included (this machine is shared: load average
  ${env.loadAverage[0].map((l) => fmt(l, 1)).join(", ")} at the start). Where either nears 100 %, the cores are
  saturated and the latency is queueing for CPU, not the worker's code. The clients all wait
  the same fixed delay, so they tend to arrive together, and one workerd thread serves them
  one after the other: at 20 clients, a request can wait behind up to 19 others' CPU. The app
  runs without the rate-limit binding (whose Miniflare implementation is a Durable Object
  round trip and a SQLite write per request, see above), as production would run it, which is
  the row the target applies to; and, replayed, with Miniflare's binding, for reference. The
  minimal worker runs at each number of clients too: where it also inflates, the machine,
  not the app, is the limit.
- **The app's JavaScript in Node's V8**: the same code timed request by request; it gives
  the spread (p99), which a process's CPU total cannot. Its level is Node's, not workerd's
  (Request, Response and Headers are JavaScript in Node and native in workerd).
- **Startup** is \`wrangler check startup\`'s profile (samples about once a millisecond, so
  single runs vary by several ms), both workers alternately.
- **Round trips** are counted by the local database server, each endpoint once, the first
  request meeting a cold isolate.`;

/** Prints the tables, and writes docs/performance.md unless told not to. */
export function writeReport(report: {
  rows: Row[];
  latencyRows: LatencyRow[];
  profileSection: string | undefined;
  /** the batch and import parts' figures, when they ran */
  batch: SectionReport | undefined;
  /** the change events part's, when it ran */
  events: SectionReport | undefined;
  writeDocs: boolean;
  /** a run of sectioned parts alone: rewrite the sections that ran in docs/performance.md, nothing else */
  writeSections: boolean;
  environment: Environment;
}) {
  const env = report.environment;
  const delayMs = report.latencyRows[0]?.delayMs ?? 50;
  const main = table(["Measure", "Measured", "Target", "Met"], ["---", "---", "---", "---"], report.rows);
  const latencyOf = (database: LatencyRow["database"]) => {
    const rows = report.latencyRows.filter((r) => r.database === database);
    return rows.length ? latencyTable(rows) : "";
  };
  const replayedLatency = latencyOf("replayed");
  const realLatency = latencyOf("real");
  const latencySections = [
    ...(replayedLatency
      ? [`### Latency, ${delayMs} ms per database request, the database replayed`, "", replayedLatency, ""]
      : []),
    ...(realLatency
      ? [
          `### Latency, ${delayMs} ms per database request, the real database (${env.database}) on the same cores`,
          "",
          realLatency,
          "",
        ]
      : []),
  ];
  const header =
    `${env.date.toISOString()}; ${env.cpu}, ${env.cores} cores, ${fmt(env.memoryGiB, 0)} GiB, ${env.kernel}; ` +
    `Node ${env.node}; workerd ${env.workerd}; Miniflare ${env.miniflare}; wrangler ${env.wrangler}; ` +
    `database ${env.database}${env.quick ? "; BENCH_QUICK" : ""}; ` +
    `load average ${env.loadAverage[0].map((l) => fmt(l, 1)).join(", ")} before, ${env.loadAverage[1].map((l) => fmt(l, 1)).join(", ")} after; ` +
    `${fmt(env.minutes, 1)} minutes`;

  console.log(`\nBenchmark: ${header}\n`);
  console.log(main);
  if (latencySections.length) console.log(`\n${latencySections.join("\n")}`);
  const batch = report.batch ? sectionMarkdown(batchMarkers, report.batch, header) : undefined;
  const events = report.events ? sectionMarkdown(eventsMarkers, report.events, header) : undefined;
  if (batch) console.log(`\nBatch writes and import:\n\n${batch}`);
  if (events) console.log(`\nChange events:\n\n${events}`);
  if (report.profileSection) console.log(`\nProfile:\n\n${report.profileSection}`);
  if (report.writeSections && !report.writeDocs) {
    if (batch) updateSection(batchMarkers, batch);
    if (events) updateSection(eventsMarkers, events);
  }
  if (!report.writeDocs) return;

  // Without --profile, the last profile written is kept (it carries its own date).
  let profile = report.profileSection
    ? `${profileStart}\n## Profile\n\nFrom the run of ${env.date.toISOString()} (\`npm run bench -- --profile\`, or \`npx tsx scripts/bench/profile.ts\`).\n\n${report.profileSection}\n${profileEnd}`
    : keptSection(profileStart, profileEnd);
  // Likewise the batch and events sections, when those parts were left out of this run.
  const batchSection = batch ?? keptSection(batchMarkers.start, batchMarkers.end);
  const eventsSection = events ?? keptSection(eventsMarkers.start, eventsMarkers.end);
  profile ??= `${profileStart}\n## Profile\n\nNot run yet: \`npm run bench -- --profile\`.\n${profileEnd}`;

  const doc = [
    "# Performance",
    "",
    "<!-- Written by `npm run bench` (scripts/bench/report.ts): edit the script, not this file. -->",
    "",
    `Measured ${header}.`,
    "",
    main,
    "",
    ...latencySections,
    howToRead(env, delayMs),
    "",
    ...(batchSection ? [batchSection, ""] : []),
    ...(eventsSection ? [eventsSection, ""] : []),
    profile,
    "",
  ].join("\n");
  mkdirSync(resolve(projectRoot, "docs"), { recursive: true });
  writeFileSync(docsPath, doc);
  console.error(`bench: wrote ${docsPath}`);
}
