// `npm run webhooks:listen`: webhooks to this terminal, like `stripe listen`.
// Starts an HTTP receiver on a free port of 127.0.0.1, registers it as a webhook
// endpoint through the API, verifies every delivery's signature with the
// `standardwebhooks` package, prints each event as it arrives, and deletes the
// endpoint on exit (Ctrl-C).
//
// Nothing is missed between two runs: an endpoint receives only the events that
// occur while it exists, so the listener also follows the change feed
// (GET /api/events). On exit it prints what the feed holds that no delivery
// brought yet and keeps the feed's cursor (.wrangler/webhooks-listen.json); on
// the next start it prints, from the feed, every event since that cursor: the
// changes made while it was stopped. An event is printed once, by its id (a
// delivery's webhook-id).
//
//   npm run webhooks:listen [-- --api http://127.0.0.1:8787] [--token qwt_…] [--events "contact.*,customer.*"]
//
// The token (needs webhooks:admin): --token, else QWOTY_TOKEN, else the demo
// token `npm run dev` printed (it leaves its tokens in .wrangler/dev-tokens.json).
// The API: --api, else QWOTY_API_URL, else http://127.0.0.1:$PORT (8787), as `npm run dev`.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";
import { devTokensFile } from "./dev-tokens.ts";
import { projectRoot } from "./local-db/open.ts";

const usage = `Usage: npm run webhooks:listen [-- --api http://127.0.0.1:8787] [--token qwt_…] [--events "contact.*,customer.*"]

  --api     the API (default: QWOTY_API_URL, else http://127.0.0.1:$PORT or 8787, as npm run dev)
  --token   a token with webhooks:admin (default: QWOTY_TOKEN, else the demo token npm run dev printed)
  --events  the event types to receive, comma-separated patterns (default: *)`;

function options() {
  try {
    return parseArgs({
      options: {
        api: { type: "string" },
        token: { type: "string" },
        events: { type: "string", default: "*" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
}

const values = options();
if (values.help) {
  console.log(usage);
  process.exit(0);
}

function devToken(): string | undefined {
  try {
    return (JSON.parse(readFileSync(devTokensFile, "utf8")) as { full?: string }).full;
  } catch {
    return undefined;
  }
}

const api = (values.api ?? process.env.QWOTY_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`).replace(
  /\/$/,
  "",
);
const token = values.token ?? process.env.QWOTY_TOKEN ?? devToken();
if (!token) {
  console.error("No token: pass --token qwt_… (with webhooks:admin), set QWOTY_TOKEN, or start `npm run dev` first.");
  process.exit(2);
}

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = (await response.json()) as { success: boolean; data?: { id: string; secret: string }; error?: string };
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${answer.error ?? ""}`);
  return answer.data;
}

/** The feed's cursor per API, kept between runs. */
const stateFile = resolve(projectRoot, ".wrangler/webhooks-listen.json");
function savedCursors(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(stateFile, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

const patterns = (values.events ?? "*").split(",").map((type) => type.trim());
const wanted = (type: string) => {
  const [group, change] = type.split(".");
  return patterns.some((p) => p === "*" || p === type || p === `${group}.*` || p === `*.${change}`);
};

/** Event ids already printed, from a delivery or from the feed. */
const seen = new Set<string>();
const print = (id: string, type: string, objectId: string, how: string) => {
  if (type !== "ping") {
    if (seen.has(id) || !wanted(type)) return;
    seen.add(id);
  }
  console.log(`${new Date().toISOString().slice(11, 19)}  ${type.padEnd(17)} ${objectId}  ${how}`);
};

interface FeedEvent {
  id: string;
  type: string;
  object_id: string;
}
/** Reads the feed from `after` to its end; prints each event (unless `quiet`); resolves to the cursor at the end. */
async function followFeed(after: string | undefined, how: string, quiet = false): Promise<string | undefined> {
  let cursor = after;
  for (;;) {
    const query = new URLSearchParams({ limit: "1000", ...(cursor ? { after: cursor } : {}) });
    const response = await fetch(`${api}/api/events?${query}`, { headers: { Authorization: `Bearer ${token}` } });
    const page = (await response.json()) as { data?: FeedEvent[]; has_more?: boolean; next_cursor?: string | null };
    if (!response.ok) throw new Error(`GET /api/events: ${response.status}`);
    for (const event of page.data ?? []) if (!quiet) print(event.id, event.type, event.object_id, how);
    cursor = page.next_cursor ?? cursor;
    if (!page.has_more) return cursor;
  }
}

let webhook: Webhook | undefined;
const server = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  try {
    const payload = webhook?.verify(body, headers) as { event_type: string; id: string };
    print(headers["webhook-id"] ?? "", payload.event_type, payload.id, "verified");
    response.writeHead(204).end();
  } catch (error) {
    console.log(
      `${new Date().toISOString().slice(11, 19)}  ${body.slice(0, 80)}  NOT verified: ${(error as Error).message}`,
    );
    response.writeHead(400).end();
  }
});
await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

let endpointId: string | undefined;
try {
  const created = await call("POST", "/api/webhooks", {
    url,
    event_types: patterns,
    description: "npm run webhooks:listen",
  });
  endpointId = created?.id;
  webhook = new Webhook(created?.secret ?? "");
} catch (error) {
  console.error(`Could not register ${url} with ${api}: ${(error as Error).message}`);
  server.close();
  process.exit(1);
}
console.log(`Listening on ${url} as webhook endpoint ${endpointId} of ${api} (events: ${values.events}).
Deliveries are verified with the endpoint's secret; Ctrl-C deletes the endpoint.`);

// Since the last run (or, on the first, from now): the events the feed holds.
let cursor = savedCursors()[api];
try {
  cursor = await followFeed(cursor, "from the feed: while the listener was stopped", cursor === undefined);
} catch (error) {
  console.error(`Not following the feed (the token needs a read permission): ${(error as Error).message}`);
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    // What happened that no delivery has brought yet is printed now, so that the
    // saved cursor passes over nothing unseen.
    cursor = await followFeed(cursor, "from the feed: not delivered yet");
    if (cursor) writeFileSync(stateFile, JSON.stringify({ ...savedCursors(), [api]: cursor }));
  } catch (error) {
    console.error(`Could not read the feed: ${(error as Error).message}`);
  }
  try {
    await call("DELETE", `/api/webhooks/${endpointId}`);
    console.log(`Deleted webhook endpoint ${endpointId}.`);
  } catch (error) {
    console.error(`Could not delete webhook endpoint ${endpointId}: ${(error as Error).message}`);
  }
  server.closeAllConnections();
  server.close();
  process.exit(0);
}
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
