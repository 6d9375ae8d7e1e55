// Bundle size and cold start, for the worker and for a minimal Hono + Drizzle +
// Neon-driver worker built the same way (`wrangler deploy --dry-run --minify`).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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

export interface Build {
  rawBytes: number;
  gzipBytes: number;
  /** the upload bundle (metadata, compatibility flags and module), for `wrangler check startup` */
  bundlePath: string;
}

/** Builds the worker of `config` as it would be deployed, into `dir`. */
export function build(config: string, dir: string, name: string): Build {
  run(["deploy", "-c", config, "--dry-run", "--minify", "--outdir", join(dir, name)]);
  const code = readFileSync(join(dir, name, "index.js"));
  const bundlePath = join(dir, `${name}.bundle`);
  run(["deploy", "-c", config, "--dry-run", "--minify", "--outfile", bundlePath]);
  return { rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, bundlePath };
}

/**
 * Startup CPU of each bundle (the "Active" time of `wrangler check startup`'s
 * profile), median of `runs`. The profiler samples about once a millisecond,
 * so single runs vary by several ms: runs of the bundles are interleaved, so
 * that the machine's noise falls on all of them alike.
 */
export function startupMedians(builds: Build[], runs: number, dir: string): number[] {
  const samples: number[][] = builds.map(() => []);
  for (let i = 0; i < runs; i++) {
    builds.forEach((b, j) => {
      const out = run(["check", "startup", "--worker", b.bundlePath, "--outfile", join(dir, "startup.cpuprofile")]);
      const active = /Active: ([\d.]+) ms/.exec(out);
      if (!active) throw new Error(`no startup figure in: ${out}`);
      samples[j]?.push(Number(active[1]));
    });
  }
  return samples.map(median);
}
