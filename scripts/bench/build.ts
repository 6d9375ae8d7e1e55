// Bundle size and cold start, for the worker and for a minimal Hono + Drizzle +
// Neon-driver worker built the same way (`wrangler deploy --dry-run --minify`,
// as `npm run deploy` builds it): the bundles the other measures then run.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { unstable_readConfig } from "wrangler";
import { projectRoot } from "../local-db/open.ts";
import { median } from "./stats.ts";

const wrangler = resolve(projectRoot, "node_modules/wrangler/bin/wrangler.js");
const run = (args: string[], cwd = projectRoot) =>
  execFileSync(process.execPath, [wrangler, ...args], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });

export interface RateLimitConfig {
  name: string;
  namespace_id: string;
  simple: { limit: number; period?: 10 | 60 };
}

export interface Build {
  name: string;
  rawBytes: number;
  gzipBytes: number;
  /** the deployed module (index.js, with index.js.map beside it) */
  scriptPath: string;
  /** the upload bundle (metadata, compatibility flags and module), for `wrangler check startup` */
  bundlePath: string;
  /** as wrangler.toml (top level, i.e. production) has them */
  compatibilityDate: string;
  compatibilityFlags: string[];
  ratelimits: RateLimitConfig[];
}

/**
 * Builds the worker of `config` as it would be deployed (its top-level environment), into `dir`.
 * `root`: the checkout whose custom build (the static assets) runs, when not this one.
 */
export function build(config: string, dir: string, name: string, root = projectRoot): Build {
  const outdir = join(dir, name);
  const bundlePath = join(dir, `${name}.bundle`);
  run(
    ["deploy", "-c", config, "--dry-run", "--minify", "--outdir", outdir, "--outfile", bundlePath, "--env", ""],
    root,
  );
  const scriptPath = join(outdir, "index.js");
  const code = readFileSync(scriptPath);
  const parsed = unstable_readConfig({ config });
  return {
    name,
    rawBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    scriptPath,
    bundlePath,
    compatibilityDate: parsed.compatibility_date ?? "",
    compatibilityFlags: parsed.compatibility_flags ?? [],
    ratelimits: ((parsed.ratelimits ?? []) as RateLimitConfig[]).map((r) => ({
      name: r.name,
      namespace_id: r.namespace_id,
      simple: r.simple,
    })),
  };
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
