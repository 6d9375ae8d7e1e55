// Where a warm GET /api/contacts/{id} spends its CPU: the deployed bundle in
// workerd with the DevTools inspector on (never during the timed runs), a V8
// CPU profile of the worker's isolate over ~1000 requests, and its self time
// per function, mapped through the bundle's source map back to the source
// (src/… or the package). The minimal worker is profiled the same way.
//
// `npm run bench -- --profile` runs it after the timed runs; on its own:
// `npx tsx scripts/bench/profile.ts` (PROFILE_REQUESTS, default 1000;
// PROFILE_LOG_REQUESTS=false to profile without the log line, PROFILE_RATE_LIMIT=false
// without the rate-limit binding (Miniflare's costs a Durable Object call); LOCAL_POSTGRES_URL
// as for the bench). The .cpuprofile files are written to a temporary directory
// (printed) and open in Chrome DevTools or VS Code.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../dev-worker.ts";
import type { Build } from "./build.ts";
import { type Call, runLoad, send } from "./load.ts";
import { fmt, median } from "./stats.ts";
import { startWorkerd } from "./workerd.ts";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A tiny Chrome DevTools protocol client over Node's built-in WebSocket. */
class Devtools {
  #next = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return; // events (console messages and the like)
      const waiting = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(message.error.message));
      else waiting?.resolve(message.result);
    });
  }

  static async connect(url: string): Promise<Devtools> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    return new Devtools(socket);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) =>
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject }),
    );
  }

  close() {
    this.socket.close();
  }
}

export interface ProfileEntry {
  selfMs: number;
  /** the bundle's (minified) function name */
  name: string;
  /** where it comes from: src/file.ts:line or package/file:line, with the original name if the map has it */
  source: string;
  /** src/<file>, a package name, or (runtime) for native code and the engine */
  group: string;
}

export interface ProfileSummary {
  name: string;
  requests: number;
  /** sampled time not idle, per request, ms */
  activeMsPerRequest: number;
  entries: ProfileEntry[];
  groups: { group: string; selfMs: number }[];
  file: string;
  /** every isolate of the workerd process (the worker, Miniflare's helpers): sampled ms per request */
  isolates: { id: string; msPerRequest: number }[];
}

/** Where a source-map source comes from: the app's own file, or a package. */
function groupOf(source: string): { group: string; path: string } {
  const s = source.replaceAll("\\", "/");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(s);
  // drizzle-orm ships its own source maps, whose sources are its src/ folder.
  if (pkg?.[1] === "src") return { group: "drizzle-orm", path: `drizzle-orm/src/${pkg[2]}` };
  if (pkg) return { group: pkg[1] as string, path: `${pkg[1]}/${pkg[2]}` };
  const own = /(?:^|\/)((?:src|scripts)\/.*)$/.exec(s);
  if (own) return { group: own[1] as string, path: own[1] as string };
  return { group: s, path: s };
}

/** The median interval between samples, ms: what each sample counts for. */
const sampleInterval = (profile: CpuProfile) => median(profile.timeDeltas.slice(1)) / 1000;

/** The bundle's source for a frame of its code, or undefined for native code and other scripts. */
function sourceOf(frame: CallFrame, map: SourceMap): { group: string; source: string } | undefined {
  if (!frame.url.endsWith("index.js") || frame.lineNumber < 0) return undefined;
  const origin = map.findEntry(frame.lineNumber, frame.columnNumber) as {
    originalSource?: string;
    originalLine?: number;
    name?: string;
  };
  if (!origin.originalSource) return undefined;
  const where = groupOf(origin.originalSource);
  return {
    group: where.group,
    source: `${where.path}:${(origin.originalLine ?? 0) + 1}${origin.name ? ` (${origin.name})` : ""}`,
  };
}

/**
 * Self time per function. workerd's sampler leaves gaps while the isolate
 * waits (for I/O, or for the thread, which it shares with the other isolates
 * and which the OS may take away on a busy machine), so a sample's time delta
 * says little: every sample counts as the median interval between samples.
 * Native frames (fetch, JSON, crypto…) are named after the code that called them.
 */
function summarise(name: string, profile: CpuProfile, requests: number, map: SourceMap, file: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const interval = sampleInterval(profile);
  const merged = new Map<string, ProfileEntry>();
  const groups = new Map<string, number>();
  let activeMs = 0;
  for (const [id, count] of counts) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)") continue;
    const ms = count * interval;
    activeMs += ms;
    const label = frame.functionName || "(anonymous)";
    let source: string;
    let group: string;
    const own = sourceOf(frame, map);
    if (own) ({ source, group } = own);
    else if (frame.url) {
      source = frame.url;
      group = "(other script)";
    } else {
      // Native: hint at the nearest caller with a source.
      group = "(runtime)";
      source = "native";
      for (let up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) {
        const caller = byId.get(up)?.callFrame;
        if (!caller || caller.functionName === "(root)") break;
        const from = sourceOf(caller, map) ?? (caller.url ? { source: caller.url, group: "" } : undefined);
        if (from) {
          source = `native, called from ${from.source}`;
          break;
        }
      }
    }
    const key = `${label}|${source}`;
    const entry = merged.get(key) ?? { selfMs: 0, name: label, source, group };
    entry.selfMs += ms;
    merged.set(key, entry);
    groups.set(group, (groups.get(group) ?? 0) + ms);
  }
  return {
    name,
    requests,
    activeMsPerRequest: activeMs / requests,
    entries: [...merged.values()].sort((a, b) => b.selfMs - a.selfMs),
    groups: [...groups.entries()].map(([group, selfMs]) => ({ group, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
    file,
    isolates: [],
  };
}

/**
 * Sampled time (idle excluded) of a profile, ms, each sample counting as
 * `interval` (the busy worker's: a mostly idle isolate's intervals are its gaps).
 */
function activeMs(profile: CpuProfile, interval: number): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  return profile.samples.filter((id) => !idle.has(id)).length * interval;
}

/**
 * Profiles `requests` calls of `call` in `build`, run in workerd with the
 * inspector on. `vars` are its bindings (DATABASE_URL: best a replaying proxy,
 * so that the profile is the worker's own CPU and not the database's wait).
 */
export async function profileWorker(
  build: Build,
  vars: Record<string, string>,
  ratelimits: Build["ratelimits"],
  call: () => Call,
  requests: number,
  outDir: string,
): Promise<ProfileSummary> {
  const inspectorPort = await freePort();
  const worker = await startWorkerd(build, { vars, ratelimits, inspectorPort });
  try {
    const first = await send(worker.origin, call());
    if (first.status !== 200) throw new Error(`profile: ${build.name} answered ${first.status}: ${first.body}`);
    // Warm up: JIT-compiled paths, as a busy isolate has them.
    await runLoad(worker.origin, call, { clients: 4, total: 500, maxSeconds: 60, expectStatus: 200 });
    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as {
      id: string;
      webSocketDebuggerUrl: string;
    }[];
    const main = `core:user:${build.name}`;
    if (!targets.some((t) => t.id === main)) throw new Error(`profile: no inspector target for ${build.name}`);
    // Every isolate of the process: the worker, and Miniflare's own workers (the
    // outbound interceptor, the rate-limit binding's Durable Object…).
    const sessions = await Promise.all(
      targets.map(async (t) => ({ id: t.id, devtools: await Devtools.connect(t.webSocketDebuggerUrl) })),
    );
    try {
      for (const { devtools } of sessions) {
        await devtools.send("Profiler.enable");
        await devtools.send("Profiler.setSamplingInterval", { interval: 100 }); // µs
      }
      await Promise.all(sessions.map(({ devtools }) => devtools.send("Profiler.start")));
      const load = await runLoad(worker.origin, call, {
        clients: 4,
        total: requests,
        maxSeconds: 120,
        expectStatus: 200,
      });
      const profiles = await Promise.all(
        sessions.map(async ({ id, devtools }) => ({
          id,
          profile: (await devtools.send<{ profile: CpuProfile }>("Profiler.stop")).profile,
        })),
      );
      if (load.errors > 0) throw new Error(`profile: ${load.errors} of ${load.requests} requests failed`);
      const profile = profiles.find((p) => p.id === main)?.profile as CpuProfile;
      const file = join(outDir, `${build.name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      console.error(`bench: ${build.name}'s CPU profile written to ${file}`);
      const map = new SourceMap(JSON.parse(readFileSync(`${build.scriptPath}.map`, "utf8")));
      const summary = summarise(build.name, profile, load.requests, map, file);
      summary.isolates = profiles
        .map((p) => ({ id: p.id, msPerRequest: activeMs(p.profile, sampleInterval(profile)) / load.requests }))
        .filter((i) => i.msPerRequest > 0)
        .sort((a, b) => b.msPerRequest - a.msPerRequest);
      return summary;
    } finally {
      for (const { devtools } of sessions) devtools.close();
    }
  } finally {
    await worker.dispose();
  }
}

/** The top `count` entries, the share of each source, and the isolates, as Markdown. */
export function profileMarkdown(
  app: ProfileSummary,
  minimal: ProfileSummary | undefined,
  variant = "as deployed (log line on, rate-limit binding)",
  count = 25,
): string {
  const total = app.activeMsPerRequest * app.requests;
  const us = (ms: number, requests: number) => fmt((ms * 1000) / requests, 1);
  const lines = [
    `${app.requests} warm \`GET /api/contacts/{id}\` from 4 clients, the database replayed, the worker ${variant}. ` +
      "Sampled time in the worker's isolate, idle excluded: " +
      `**${fmt(app.activeMsPerRequest * 1000, 0)} µs per request**` +
      (minimal
        ? `; the minimal worker's \`GET /contacts/{id}\`: ${fmt(minimal.activeMsPerRequest * 1000, 0)} µs (${fmt(app.activeMsPerRequest / minimal.activeMsPerRequest)}×).`
        : "."),
    "Samples are counted, each as the median sampling interval (see profile.ts). They are taken on the",
    "wall clock: on a busy machine, time during which the OS takes the thread away lands on whatever",
    "was running, so compare shares, and the app with the minimal worker, rather than these µs with the",
    "CPU table. While the inspector is connected, each console.log also goes to it, so the log line's",
    "share is larger here than without it. `native` frames are named after the nearest caller with a",
    // The run prints where it wrote the .cpuprofile files; the report names none (a machine's temp path).
    "source. The run prints where it wrote the `.cpuprofile` files (open them in Chrome's DevTools).",
    "",
    `Top ${count} functions by self time (app):`,
    "",
    "| Self µs / request | Share | Function (bundle) | Source |",
    "|---:|---:|---|---|",
    ...app.entries
      .slice(0, count)
      .map(
        (e) =>
          `| ${us(e.selfMs, app.requests)} | ${fmt((100 * e.selfMs) / total, 1)} % | \`${e.name}\` | ${e.source} |`,
      ),
    "",
    "Self time by source, µs per request:",
    "",
    `| Source | App |${minimal ? " Minimal worker |" : ""}`,
    `|---|---:|${minimal ? "---:|" : ""}`,
  ];
  const appGroups = new Map(app.groups.map((g) => [g.group, g.selfMs]));
  const minimalGroups = new Map(minimal?.groups.map((g) => [g.group, g.selfMs]) ?? []);
  const names = [...new Set([...appGroups.keys(), ...minimalGroups.keys()])].sort(
    (a, b) => (appGroups.get(b) ?? 0) - (appGroups.get(a) ?? 0),
  );
  for (const group of names) {
    const a = ((appGroups.get(group) ?? 0) * 1000) / app.requests;
    const m = minimal ? ((minimalGroups.get(group) ?? 0) * 1000) / minimal.requests : 0;
    if (a < 1 && m < 1) continue;
    lines.push(`| ${group} | ${fmt(a, 1)} |${minimal ? ` ${fmt(m, 1)} |` : ""}`);
  }
  lines.push(
    "",
    "Every isolate of the workerd process, sampled µs per request (the worker's own, and Miniflare's " +
      "helpers: `outbound:0` relays each outbound fetch, `ratelimit:ns` is the rate-limit binding's Durable Object):",
    "",
    `| Isolate | App |${minimal ? " Minimal worker |" : ""}`,
    `|---|---:|${minimal ? "---:|" : ""}`,
  );
  const appIsolates = new Map(app.isolates.map((i) => [i.id.replace(`:${app.name}`, ":<worker>"), i.msPerRequest]));
  const minimalIsolates = new Map(
    minimal?.isolates.map((i) => [i.id.replace(`:${minimal.name}`, ":<worker>"), i.msPerRequest]) ?? [],
  );
  for (const id of [...new Set([...appIsolates.keys(), ...minimalIsolates.keys()])]) {
    const a = (appIsolates.get(id) ?? 0) * 1000;
    const m = (minimalIsolates.get(id) ?? 0) * 1000;
    if (a < 0.5 && m < 0.5) continue;
    lines.push(`| ${id} | ${fmt(a, 1)} |${minimal ? ` ${fmt(m, 1)} |` : ""}`);
  }
  return lines.join("\n");
}

export function newProfileDir(): string {
  return mkdtempSync(join(tmpdir(), "qwoty-profile-"));
}

// On its own: build, a database with one workspace, the replaying proxy, then both profiles.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { benchCalls, setUpBench } = await import("./setup.ts");
  const requests = Number(process.env.PROFILE_REQUESTS ?? 1000);
  const bench = await setUpBench();
  try {
    const outDir = newProfileDir();
    const logRequests = process.env.PROFILE_LOG_REQUESTS;
    const rateLimited = process.env.PROFILE_RATE_LIMIT !== "false";
    const app = await profileWorker(
      bench.app,
      { DATABASE_URL: bench.proxy.databaseUrl, ...(logRequests ? { LOG_REQUESTS: logRequests } : {}) },
      rateLimited ? bench.benchRateLimits : [],
      benchCalls(bench).get,
      requests,
      outDir,
    );
    const minimal = await profileWorker(
      bench.minimal,
      { DATABASE_URL: bench.proxy.databaseUrl },
      [],
      benchCalls(bench).minimalGet,
      requests,
      outDir,
    );
    const variant =
      [
        ...(logRequests === "false" ? ["with the log line off"] : []),
        ...(rateLimited ? [] : ["without the rate-limit binding"]),
      ].join(", ") || undefined;
    console.log(profileMarkdown(app, minimal, variant));
  } finally {
    await bench.close();
  }
}
