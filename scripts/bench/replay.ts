// A caching HTTP proxy in front of the local SQL-over-HTTP server, so that the
// worker's CPU can be measured with a database that costs next to nothing: the
// first answer to a query is fetched from the real server and kept, and later
// identical queries are answered from memory. Nothing the worker does per
// request breaks the replay: the token's `last_used_at` is written by a CTE
// whose result the worker does not read, and the answers carry no per-request
// value.
//
// The key is the request body (the SQL text and its parameters) plus the Neon-*
// headers that change what the answer looks like. A POST carries the id the
// worker draws for the new record (crypto.randomUUID()), different every time:
// the key replaces every UUID that is not one of `keepIds` (the ids the bench
// itself sends: its workspace, customer and contact) with a placeholder, so a
// create is replayed too, and answers as the first create did (same new id).
// The worker does the same work either way: it parses the answer and
// serialises the record. The bench then checks that every replayed answer is
// the expected status with the byte-identical body of the first, real one.
//
// With `translateFreshIds` (the batch bench), a replayed answer also carries the
// ids the worker drew for this request instead of the first request's: each
// fresh UUID of the first request is replaced, in the kept answer, by the UUID
// at the same place in this one. A worker that matches the database's rows to
// its items by id (a batch of creates) then finds its own rows, as it would
// with the real database.
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ReplayStats {
  /** answered from memory */
  hits: number;
  /** passed through to the real server */
  misses: number;
  /** bytes of the SQL-over-HTTP request bodies received (the worker's), and of the answers' bodies */
  requestBytes: number;
  responseBytes: number;
}

export interface ReplayOptions {
  /** answer each replay with this request's fresh ids in place of the first request's (see above) */
  translateFreshIds?: boolean;
}

interface Kept {
  answer: Promise<Answer>;
  /** the fresh UUIDs of the request that was answered for real, in order of appearance */
  freshIds: string[];
}

export interface ReplayProxy {
  /** a connection string that routes the worker's queries to this proxy */
  readonly databaseUrl: string;
  stats(): ReplayStats;
  resetStats(): void;
  /** wait this long before each answer (the latency runs' distance to the database); 0 by default */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const keyedHeaders = ["neon-array-mode", "neon-batch-isolation-level", "neon-batch-read-only", "neon-batch-deferrable"];
// Hop-by-hop or recomputed: not copied from the real answer.
const droppedHeaders = new Set(["content-length", "connection", "keep-alive", "transfer-encoding", "date"]);

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `upstream`: the local database server's origin, e.g. http://127.0.0.1:4444. */
export async function startReplayProxy(
  upstream: string,
  keepIds: Iterable<string> = [],
  options: ReplayOptions = {},
): Promise<ReplayProxy> {
  const kept = new Set([...keepIds].map((id) => id.toLowerCase()));
  const cache = new Map<string, Kept>();
  const stats: ReplayStats = { hits: 0, misses: 0, requestBytes: 0, responseBytes: 0 };
  const freshIdsOf = (text: string) => (text.match(uuid) ?? []).filter((id) => !kept.has(id.toLowerCase()));
  /** The kept answer with the first request's fresh ids replaced by this request's. */
  const translated = (payload: Buffer, from: string[], to: string[]): Buffer => {
    const map = new Map(from.map((id, i) => [id.toLowerCase(), to[i] ?? id]));
    return Buffer.from(payload.toString("utf8").replace(uuid, (id) => map.get(id.toLowerCase()) ?? id));
  };
  const target = new URL(upstream);
  let delayMs = 0;

  const forward = (req: IncomingMessage, body: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host, "content-length": String(body.length) };
      const out = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
        (res) => {
          readAll(res).then((answer) => {
            const kept: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (!droppedHeaders.has(name) && typeof value === "string") kept[name] = value;
            }
            resolve({ status: res.statusCode ?? 502, headers: kept, body: answer });
          }, reject);
        },
      );
      out.on("error", reject);
      out.end(body);
    });

  const server = createServer((req, res) => {
    readAll(req)
      .then(async (body) => {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        const raw = body.toString("utf8");
        const text = raw.replace(uuid, (id) => (kept.has(id.toLowerCase()) ? id : "<uuid>"));
        const key = `${req.method} ${req.url}\n${keyedHeaders.map((h) => req.headers[h] ?? "").join(",")}\n${text}`;
        let entry = cache.get(key);
        const replayed = entry !== undefined;
        if (entry) stats.hits++;
        else {
          stats.misses++;
          entry = { answer: forward(req, body), freshIds: options.translateFreshIds ? freshIdsOf(raw) : [] };
          cache.set(key, entry);
        }
        const { status, headers, body: answer } = await entry.answer;
        // Only successful answers are worth replaying.
        if (status !== 200) cache.delete(key);
        const payload =
          replayed && options.translateFreshIds ? translated(answer, entry.freshIds, freshIdsOf(raw)) : answer;
        stats.requestBytes += body.length;
        stats.responseBytes += payload.length;
        res.writeHead(status, { ...headers, "content-length": payload.length });
        res.end(payload);
      })
      .catch((error: unknown) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    databaseUrl: `postgres://local:local@127.0.0.1:${port}/local`,
    stats: () => ({ ...stats }),
    resetStats() {
      Object.assign(stats, { hits: 0, misses: 0, requestBytes: 0, responseBytes: 0 });
    },
    setDelay(ms) {
      delayMs = ms;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
