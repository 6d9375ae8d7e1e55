// Did a change make a request cheaper? The deployed bundle of a git revision and
// of the working tree, each in its own workerd, the database replayed (as the
// bench's CPU table), timed in pairs of alternating runs with the order swapped
// each pair: the two builds see the same machine, whose speed drifts by 20–30 %
// within a minute. Resolves differences the bench's rounds cannot (a few %).
//
//   npx tsx scripts/bench/compare.ts [revision]   (default HEAD)
//
// Options (environment): COMPARE_PAIRS (default 40), COMPARE_CHUNK (requests
// per run, default 500), COMPARE_CLIENTS (default 20), COMPARE_REQUEST (get,
// list, post or patch; default get), COMPARE_RATE_LIMIT=true to give both the
// rate-limit binding (by default neither has it: Miniflare's is a Durable Object
// call, see docs/performance.md), COMPARE_LOG_REQUESTS=false for no log line.
import { execFileSync } from "node:child_process";
import { rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { projectRoot } from "../local-db/open.ts";
import { build } from "./build.ts";
import { type Call, runLoad, send } from "./load.ts";
import { alternatingPairs, msPerRequest, pairedRatio } from "./pairs.ts";
import { benchCalls, setUpBench } from "./setup.ts";
import { fmt } from "./stats.ts";
import { startWorkerd } from "./workerd.ts";

const revision = process.argv[2] ?? "HEAD";
const pairs = Number(process.env.COMPARE_PAIRS ?? 40);
const chunk = Number(process.env.COMPARE_CHUNK ?? 500);
const clients = Number(process.env.COMPARE_CLIENTS ?? 20);
const request = process.env.COMPARE_REQUEST ?? "get";
const log = (message: string) => console.error(`compare: ${message}`);

const bench = await setUpBench(log);
// The revision's tree, with this checkout's node_modules.
const tree = join(bench.buildDir, "base-tree");
execFileSync("git", ["worktree", "add", "--detach", tree, revision], { cwd: projectRoot, stdio: "ignore" });
try {
  symlinkSync(resolve(projectRoot, "node_modules"), join(tree, "node_modules"));
  log(`building ${revision}…`);
  const base = build(join(tree, "wrangler.toml"), bench.buildDir, "base", tree);
  const vars = {
    DATABASE_URL: bench.proxy.databaseUrl,
    ...(process.env.COMPARE_LOG_REQUESTS ? { LOG_REQUESTS: process.env.COMPARE_LOG_REQUESTS } : {}),
  };
  const ratelimits = process.env.COMPARE_RATE_LIMIT === "true" ? bench.benchRateLimits : [];
  const calls = benchCalls(bench);
  const requests: Record<string, { call: () => Call; status: number }> = {
    get: { call: calls.get, status: 200 },
    list: { call: calls.list, status: 200 },
    post: { call: calls.create, status: 201 },
    patch: { call: calls.patch, status: 200 },
  };
  const measured = requests[request];
  if (!measured) throw new Error(`COMPARE_REQUEST must be one of ${Object.keys(requests).join(", ")}`);
  const sides = {
    base: await startWorkerd(base, { vars, ratelimits }),
    change: await startWorkerd(bench.app, { vars, ratelimits }),
  };
  try {
    // The first answer is the database's (and kept by the proxy); both builds must give the same.
    const bodies = new Set<string>();
    for (const worker of Object.values(sides)) {
      const first = await send(worker.origin, measured.call());
      if (first.status !== measured.status) throw new Error(`expected ${measured.status}, got ${first.status}`);
      bodies.add(first.body.replace(/"id":"[0-9a-f-]{36}"/, ""));
      await runLoad(worker.origin, measured.call, {
        clients,
        total: chunk * 2,
        maxSeconds: 60,
        expectStatus: measured.status,
      });
    }
    if (bodies.size !== 1) log("note: the two builds answer differently (compare the bodies before the CPU)");
    log(`${pairs} pairs of ${chunk} requests (${request}), ${clients} clients…`);
    const runs = await alternatingPairs(
      [
        { worker: sides.change, ...measured },
        { worker: sides.base, ...measured },
      ],
      { pairs, chunk, clients },
    );
    const errors = runs.flat().reduce((sum, r) => sum + r.errors, 0);
    if (errors) throw new Error(`${errors} unexpected answers`);
    const { ratio, blocks } = pairedRatio(runs, 5);
    console.log(
      `${request}: ${revision} ${fmt(msPerRequest(runs[1]), 3)} ms, working tree ${fmt(msPerRequest(runs[0]), 3)} ms of workerd CPU per request: ` +
        `working tree / ${revision} = ${fmt(ratio, 3)} (blocks of 5 pairs ${fmt(Math.min(...blocks), 3)}–${fmt(Math.max(...blocks), 3)})`,
    );
  } finally {
    for (const worker of Object.values(sides)) await worker.dispose();
  }
} finally {
  execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: projectRoot, stdio: "ignore" });
  rmSync(tree, { recursive: true, force: true });
  await bench.close();
}
