// Two workers' CPU per request, compared in pairs of alternating runs about a
// second long, the order swapped each pair: both sides of a pair see the same
// machine, whose speed drifts by 20–30 % within a minute. Used by the bench's
// target ratio (app / minimal worker) and by compare.ts (a revision / the working tree).
import { type Call, runLoad } from "./load.ts";
import type { RunningWorker } from "./workerd.ts";

export interface PairedSide {
  worker: RunningWorker;
  call: (i: number) => Call;
  status: number;
  /** the body every answer must have, when it is known */
  body?: string;
}

export interface Run {
  /** workerd CPU over the run, ms */
  cpuMs: number;
  requests: number;
  /** answers with another status (or body) than expected */
  errors: number;
}

/** `pairs` runs of `chunk` requests on each side, alternating; the runs of each side, in order. */
export async function alternatingPairs(
  sides: readonly [PairedSide, PairedSide],
  options: { pairs: number; chunk: number; clients: number },
): Promise<[Run[], Run[]]> {
  const runs: [Run[], Run[]] = [[], []];
  for (let pair = 0; pair < options.pairs; pair++) {
    for (const index of pair % 2 === 0 ? [0, 1] : [1, 0]) {
      const side = sides[index] as PairedSide;
      const before = side.worker.cpuSeconds();
      const load = await runLoad(side.worker.origin, side.call, {
        clients: options.clients,
        total: options.chunk,
        maxSeconds: 60,
        expectStatus: side.status,
        ...(side.body === undefined ? {} : { expectBody: side.body }),
      });
      runs[index]?.push({
        cpuMs: (side.worker.cpuSeconds() - before) * 1000,
        requests: load.requests,
        errors: load.errors,
      });
    }
  }
  return runs;
}

/** CPU ms per request over the runs: the ratio of the totals (a garbage collection counts wherever it lands). */
export const msPerRequest = (runs: readonly Run[]) =>
  runs.reduce((sum, r) => sum + r.cpuMs, 0) / runs.reduce((sum, r) => sum + r.requests, 0);

/** side 0 / side 1, overall and over blocks of `perBlock` pairs (its spread). */
export function pairedRatio(runs: [Run[], Run[]], perBlock: number): { ratio: number; blocks: number[] } {
  const [a, b] = runs;
  const blocks = [];
  for (let from = 0; from < a.length; from += perBlock) {
    blocks.push(msPerRequest(a.slice(from, from + perBlock)) / msPerRequest(b.slice(from, from + perBlock)));
  }
  return { ratio: msPerRequest(a) / msPerRequest(b), blocks };
}
