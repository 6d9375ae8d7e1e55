// `npm run webhooks:listen`: webhooks to this terminal, like `stripe listen`.
// Starts an HTTP receiver on a free port of 127.0.0.1, registers it as a webhook
// endpoint through the API, verifies every delivery's signature with the
// `standardwebhooks` package, prints each event as it arrives, and deletes the
// endpoint on exit (Ctrl-C).
//
//   npm run webhooks:listen [-- --api http://127.0.0.1:8787] [--token qwt_…] [--events "contact.*,customer.*"]
//
// The token (needs webhooks:admin): --token, else QWOTY_TOKEN, else the demo
// token `npm run dev` printed (it leaves its tokens in .wrangler/dev-tokens.json).
// The API: --api, else QWOTY_API_URL, else http://127.0.0.1:$PORT (8787), as `npm run dev`.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";
import { devTokensFile } from "./dev-tokens.ts";

const { values } = parseArgs({
  options: {
    api: { type: "string" },
    token: { type: "string" },
    events: { type: "string", default: "*" },
  },
});

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

let webhook: Webhook | undefined;
const server = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  const time = new Date().toISOString().slice(11, 19);
  try {
    const payload = webhook?.verify(body, headers) as { event_type: string; id: string };
    console.log(`${time}  ${payload.event_type.padEnd(17)} ${payload.id}  verified`);
    response.writeHead(204).end();
  } catch (error) {
    console.log(`${time}  ${body.slice(0, 80)}  NOT verified: ${(error as Error).message}`);
    response.writeHead(400).end();
  }
});
await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

let endpointId: string | undefined;
try {
  const created = await call("POST", "/api/webhooks", {
    url,
    event_types: (values.events ?? "*").split(",").map((type) => type.trim()),
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

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
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
