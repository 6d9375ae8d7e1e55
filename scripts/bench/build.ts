// Bundle size and cold start, for the worker and for a minimal Hono + Drizzle +
// Neon-driver worker built the same way (`wrangler deploy --dry-run --minify`).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { projectRoot } from "../local-db/open.ts";
import { median } from "./stats.ts";

const wrangler = resolve(projectRoot, "node_modules/wrangler/bin/wrangler.js");
const run = (args: string[]) =>
  execFileSync(process.execPath, [wrangler, ...args], {
    cwd: projectRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });

export interface BuildFigures {
  rawBytes: number;
  gzipBytes: number;
  /** median active CPU of module evaluation at startup, ms */
  startupMs: number;
  startupRuns: number[];
}

/** Builds the worker of `config` as it would be deployed and profiles its startup `runs` times. */
export function measureBuild(config: string, runs: number): BuildFigures {
  const dir = mkdtempSync(join(tmpdir(), "qwoty-bench-"));
  try {
    run(["deploy", "-c", config, "--dry-run", "--minify", "--outdir", dir]);
    const code = readFileSync(join(dir, "index.js"));
    run(["deploy", "-c", config, "--dry-run", "--minify", "--outfile", join(dir, "worker.bundle")]);
    const startupRuns: number[] = [];
    for (let i = 0; i < runs; i++) {
      const out = run([
        "check",
        "startup",
        "--worker",
        join(dir, "worker.bundle"),
        "--outfile",
        join(dir, `startup-${i}.cpuprofile`),
      ]);
      startupRuns.push(activeMs(JSON.parse(readFileSync(join(dir, `startup-${i}.cpuprofile`), "utf8")), out));
    }
    return {
      rawBytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      startupMs: median(startupRuns),
      startupRuns,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Sampled time not spent idle, in ms (what `wrangler check startup` prints as "Active"). */
function activeMs(profile: CpuProfile, printed: string): number {
  const fromOutput = /Active: ([\d.]+) ms/.exec(printed);
  if (fromOutput) return Number(fromOutput[1]);
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  let micros = 0;
  profile.samples.forEach((node, i) => {
    if (!idle.has(node)) micros += profile.timeDeltas[i] ?? 0;
  });
  return micros / 1000;
}
