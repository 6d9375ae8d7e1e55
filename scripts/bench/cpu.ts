// Worker CPU per request, database wait excluded. Workers freeze their clocks
// while code runs, so this runs the worker's own code (the same app, driver and
// Drizzle) in Node's V8 with the database answer replayed from memory: what is
// timed is routing, token hashing, query building, parsing the database's
// answer and serialising the response, the work billed as CPU time.
import { neonConfig } from "@neondatabase/serverless";
import { createApp } from "../../src/app.ts";
import { quantile } from "./stats.ts";

export interface CpuFigures {
  p50: number;
  p99: number;
  iterations: number;
}

export async function measureCpu(
  url: string,
  token: string,
  databaseUrl: string,
  iterations = 10_000,
): Promise<CpuFigures> {
  const app = createApp();
  const env = { DATABASE_URL: databaseUrl };
  const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as Parameters<typeof app.fetch>[2];
  const request = () => new Request(url, { headers: { Authorization: `Bearer ${token}` } });

  // Record the database's real answer once…
  const realFetch = neonConfig.fetchFunction as (url: string, init: RequestInit) => Promise<Response>;
  let recorded = "";
  neonConfig.fetchFunction = async (target: string, init: RequestInit) => {
    const response = await realFetch(target, init);
    recorded = await response.text();
    return new Response(recorded, { status: response.status, headers: response.headers });
  };
  const first = await app.fetch(request(), env, ctx);
  if (first.status !== 200) throw new Error(`CPU bench: expected 200, got ${first.status}`);
  // …then replay it, so that no time is spent waiting for the database.
  neonConfig.fetchFunction = async () =>
    new Response(recorded, { status: 200, headers: { "Content-Type": "application/json" } });

  const once = async () => {
    const req = request();
    const start = performance.now();
    const response = await app.fetch(req, env, ctx);
    await response.text();
    return performance.now() - start;
  };
  for (let i = 0; i < 2_000; i++) await once(); // warm isolate: JIT-compiled paths
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) samples.push(await once());
  neonConfig.fetchFunction = realFetch;
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), iterations };
}
