// The load generator: requests to the worker on 127.0.0.1, bounded in count and
// in time. The client is node:http with keep-alive, the lightest client at hand:
// on a 2-core machine every CPU cycle the load generator spends is taken from
// the worker. It sends no Accept-Encoding, so workerd compresses nothing:
// Cloudflare compresses answers outside the worker, unbilled.
import http from "node:http";
import { quantile } from "./stats.ts";

export interface Call {
  method: string;
  path: string;
  token?: string;
  body?: unknown;
}

export interface Answer {
  status: number;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function send(origin: string, call: Call): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (call.token) headers.Authorization = `Bearer ${call.token}`;
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return new Promise((resolve, reject) => {
    const request = http.request(origin + call.path, { method: call.method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

export interface LoadFigures {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  /** requests per second */
  throughput: number;
  seconds: number;
}

/**
 * `clients` concurrent clients each send requests back to back until `total`
 * have been sent or `maxSeconds` have passed. `next` makes the i-th request.
 */
export async function runLoad(
  origin: string,
  next: (i: number) => Call,
  options: {
    clients: number;
    total: number;
    maxSeconds: number;
    expectStatus: number;
    /** if given, an answer with another body counts as an error */
    expectBody?: string;
  },
): Promise<LoadFigures> {
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  const client = async () => {
    while (issued < options.total && performance.now() < deadline) {
      const call = next(issued++);
      const t0 = performance.now();
      try {
        const answer = await send(origin, call);
        if (
          answer.status !== options.expectStatus ||
          (options.expectBody !== undefined && answer.body !== options.expectBody)
        )
          errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    errors,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    throughput: latencies.length / seconds,
    seconds,
  };
}
