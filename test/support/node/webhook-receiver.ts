// A webhook receiver for the worker tests, in Node (started by global-setup.ts):
// each test configures a key of its own (PUT /config/<key>: the secrets to
// verify with, how many deliveries to fail first, or a redirect or a hang), the
// worker delivers to http://127.0.0.1:<port>/hooks/<key>, and the test reads
// what arrived (GET /log/<key>), each delivery checked against every secret by
// the `standardwebhooks` package: the reference implementation, not our code.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import type { Received, ReceiverConfig } from "../webhook-receiver.ts";

async function readBody(request: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startWebhookReceiver() {
  const configs = new Map<string, ReceiverConfig>();
  const logs = new Map<string, Received[]>();
  const hanging = new Set<ServerResponse>();

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://receiver");
    const [, kind, key = ""] = url.pathname.split("/");
    const body = await readBody(request);
    if (kind === "config" && request.method === "PUT") {
      configs.set(key, JSON.parse(body) as ReceiverConfig);
      logs.set(key, []);
      response.writeHead(204).end();
      return;
    }
    if (kind === "log" && request.method === "GET") {
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(logs.get(key) ?? []));
      return;
    }
    if (kind === "hooks" || kind === "moved") {
      const config = configs.get(key) ?? {};
      const log = logs.get(key) ?? [];
      logs.set(key, log);
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      let payload: unknown;
      const verified = (config.secrets ?? []).map((secret) => {
        try {
          const result = new Webhook(secret).verify(body, headers);
          payload ??= result;
          return true;
        } catch {
          return false;
        }
      });
      const earlier = log.filter((entry) => entry.path.startsWith("/hooks/")).length;
      const status =
        kind === "moved"
          ? 200
          : config.mode === "redirect"
            ? 302
            : config.mode === "hang"
              ? 0
              : earlier < (config.fail ?? 0)
                ? 500
                : 200;
      log.push({ path: url.pathname, headers, body, verified, payload, status });
      if (status === 0) {
        hanging.add(response);
        return;
      }
      if (status === 302) response.setHeader("Location", `/moved/${key}`);
      response.writeHead(status).end(status === 200 ? "ok" : "no");
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      for (const response of hanging) response.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
