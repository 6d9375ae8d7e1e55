// The deployed bundle, run in workerd through Miniflare's API (not `wrangler
// dev`: no inspector, no wrangler proxy in front), and the CPU accounting of
// the processes involved, read from /proc.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import type { Build } from "./build.ts";

export interface WorkerdOptions {
  /** plain-text bindings (vars and secrets), e.g. DATABASE_URL */
  vars: Record<string, string>;
  /** the [[ratelimits]] bindings to give it; by default those of its wrangler.toml */
  ratelimits?: Build["ratelimits"];
  /** start workerd's DevTools inspector on this port (profiling only: it is never on for the timed runs) */
  inspectorPort?: number;
  /** called with each line the worker logs (console.log), instead of printing it */
  onLog?: (message: string) => void;
}

export interface RunningWorker {
  /** http://127.0.0.1:<port> of a socket that leads straight to the worker */
  origin: string;
  /** the workerd process that runs it (and nothing else) */
  pid: number;
  /**
   * CPU seconds that workerd process has used so far, from the scheduler's
   * per-thread accounting (nanoseconds): utime + stime count in 10 ms ticks,
   * which is several percent of a round of a few hundred requests.
   */
  cpuSeconds(): number;
  dispose(): Promise<void>;
}

/**
 * Starts `build` in a workerd process of its own. Requests reach the worker
 * through a direct socket (Miniflare's `unsafeDirectSockets`), not through
 * Miniflare's entry worker, a JavaScript worker in the same workerd that would
 * otherwise handle every request first: Cloudflare's own front line is not
 * billed to the worker either. Its outbound fetches still pass through
 * Miniflare's outbound interceptor (a small JavaScript worker), for both
 * workers alike.
 */
export async function startWorkerd(build: Build, options: WorkerdOptions): Promise<RunningWorker> {
  const before = new Set(childWorkerdPids());
  const name = build.name;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name,
      modules: true,
      modulesRoot: dirname(build.scriptPath),
      scriptPath: build.scriptPath,
      compatibilityDate: build.compatibilityDate,
      compatibilityFlags: build.compatibilityFlags,
      bindings: options.vars,
      ratelimits: Object.fromEntries(
        (options.ratelimits ?? build.ratelimits).map((r) => [
          r.name,
          { namespace_id: r.namespace_id, simple: r.simple },
        ]),
      ),
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
      handleStructuredLogs: ({ message }) => options.onLog?.(message),
    }),
  );
  await mf.ready;
  const origin = (await mf.unsafeGetDirectURL(name)).origin;
  const started = childWorkerdPids().filter((pid) => !before.has(pid));
  if (started.length !== 1) {
    await mf.dispose();
    throw new Error(`expected one new workerd process, found ${started.length}`);
  }
  const pid = started[0] as number;
  return { origin, pid, cpuSeconds: () => processCpuSecondsPrecise(pid), dispose: () => mf.dispose() };
}

const clockTicks = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** pid, command name and parent pid of every process (those that vanish while read are skipped). */
function processes(): { pid: number; comm: string; ppid: number; fields: string[] }[] {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may itself hold spaces or parentheses.
      const close = stat.lastIndexOf(")");
      const fields = stat.slice(close + 2).split(" ");
      found.push({
        pid: Number(entry),
        comm: stat.slice(stat.indexOf("(") + 1, close),
        ppid: Number(fields[1]),
        fields,
      });
    } catch {
      // gone
    }
  }
  return found;
}

/** The workerd processes this Node process has spawned (Miniflare spawns them directly). */
export function childWorkerdPids(): number[] {
  return processes()
    .filter((p) => p.ppid === process.pid && p.comm === "workerd")
    .map((p) => p.pid);
}

/** utime + stime of a process (all its threads), in seconds; NaN if it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/**
 * The PostgreSQL server processes that serve database `name` (their process
 * title names it), for the CPU the database costs when LOCAL_POSTGRES_URL is set.
 */
export function postgresBackendPids(name: string): number[] {
  return processes()
    .filter((p) => p.comm === "postgres")
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/cmdline`, "utf8").includes(` ${name} `);
      } catch {
        return false;
      }
    })
    .map((p) => p.pid);
}

/** Busy and total CPU time of the whole machine so far, in seconds (all cores, all users). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: (total - idle - iowait) / clockTicks, total: total / clockTicks };
}

/**
 * CPU seconds a process has used so far, summed over its threads' scheduler
 * accounting (/proc/<pid>/task/<tid>/schedstat, in nanoseconds): fine enough to
 * time one request, where utime + stime count in clock ticks (10 ms). Threads
 * that have ended are not counted (workerd's live as long as the process). NaN if it is gone.
 */
export function processCpuSecondsPrecise(pid: number): number {
  try {
    let nanoseconds = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        nanoseconds += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // the thread ended while read
      }
    }
    return nanoseconds / 1e9;
  } catch {
    return Number.NaN;
  }
}

/** Every process below `root` (children, their children…), with its command name. */
export function descendantProcesses(root = process.pid): { pid: number; comm: string }[] {
  const all = processes();
  const below = new Set([root]);
  // Parents before children is not guaranteed by /proc's order: repeat until nothing is added.
  for (let grown = true; grown; ) {
    grown = false;
    for (const p of all) {
      if (below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid);
        grown = true;
      }
    }
  }
  return all.filter((p) => p.pid !== root && below.has(p.pid)).map(({ pid, comm }) => ({ pid, comm }));
}
