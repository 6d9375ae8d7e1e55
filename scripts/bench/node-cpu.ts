// The app's own JavaScript per request, timed request by request in Node's V8
// (the same app, driver and Drizzle from src/, the database's answer replayed
// from memory). Kept beside the workerd figure (cpu in index.ts) for what that
// one cannot give: workerd's process CPU over thousands of requests is a mean,
// runtime included, while this is a distribution, so its p99 shows the tail a
// request can meet (garbage collection, deoptimisation). Its absolute values
// are Node's, not workerd's: Request, Response and Headers are JavaScript
// (undici) here and native in workerd, and WebCrypto is Node's. Trust the
// workerd figure for the level and this one for the spread.
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
  iterations = 5_000,
): Promise<CpuFigures> {
  const app = createApp();
  // No log line (its cost is measured in workerd, where it goes somewhere) and no rate-limit binding.
  const env = { DATABASE_URL: databaseUrl, LOG_REQUESTS: "false" };
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
  for (let i = 0; i < Math.min(2_000, iterations); i++) await once(); // warm isolate: JIT-compiled paths
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) samples.push(await once());
  neonConfig.fetchFunction = realFetch;
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), iterations };
}
