// The worker under `wrangler dev`, on 127.0.0.1, pointed at a local database server
// (for the benchmark, the load test and the browser test of /docs).
import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { resolve } from "node:path";
import { projectRoot } from "./local-db/open.ts";

export interface DevWorker {
  origin: string;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export async function startDevWorker(
  databaseUrl: string,
  config = resolve(projectRoot, "wrangler.toml"),
  environment?: string,
  vars: Record<string, string> = {},
): Promise<DevWorker> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      resolve(projectRoot, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "-c",
      config,
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(await freePort()),
      "--var",
      `DATABASE_URL:${databaseUrl}`,
      ...Object.entries(vars).map(([name, value]) => `${name}:${value}`),
      "--log-level",
      "error",
      ...(environment ? ["--env", environment] : []),
    ],
    {
      cwd: projectRoot,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("wrangler dev exited");
    // Wait for the port only: the first HTTP request is left to the caller, so
    // that it meets a cold isolate (wrangler's proxy holds it until the worker is up).
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        done(true);
      });
      socket.once("error", () => done(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error("wrangler dev did not start within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    origin,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
