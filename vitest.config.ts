// Five projects:
// - "worker": the API's contract, inside the Workers runtime (workerd), through
//   the worker's fetch, against the local SQL-over-HTTP server on a fresh database;
// - "exclusive": the same, with a server of its own and one file at a time, for
//   tests that count the server's round trips or inject faults into it;
// - "node": Node tests of the local server's fidelity to Neon's protocol, of the
//   OpenAPI document and of the configuration;
// - "browser": the API reference page in headless Chromium, through `wrangler dev`;
// - "smoke": every endpoint over HTTP through `wrangler dev` with the production
//   configuration (wrangler.toml as it is, only DATABASE_URL given).
// The tests' workerd (@cloudflare/vitest-plugin's) is the one wrangler runs:
// package.json pins wrangler to the plugin's version (test/node/config.test.ts).
// The backend is PGlite unless LOCAL_POSTGRES_URL names a PostgreSQL server, on
// which each project creates (and afterwards drops) a database of its own.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Expected noise, dropped from the output (everything else, failures included, is printed):
// - `[vitest-plugin] "node:inspector" ... is not available` and workerd's `Fallback service
//   failed to fetch module ... node%3Ainspector`, once per file of the workerd projects:
//   Vitest's runner looks for node:inspector (in a try/catch) inside the Worker, which runs
//   as deployed, without Node.js compatibility. Harmless.
// - workerd's `exception = ... disconnected: ...` and `uncaught exception ... Network
//   connection lost.` traces: tests make the database unreachable (errors.test.ts,
//   request-log.test.ts) or cut and refuse its connections (test/exclusive); the code
//   catches the failed fetch and answers 503, which is what those tests assert.
// - workerd's `A header value for "Idempotency-Key" contains non-ASCII characters` warning
//   (and for "k", hostile-input/headers.test.ts's own Headers): tests send non-ASCII keys
//   on purpose, to see them refused.
// - two console lines tests cause on purpose: the error log of errors.test.ts's route that
//   throws, and authz.test.ts's proof that its console spies are live.
// The plugin writes the first three from this process, one message per write, to
// process.stdout/stderr: the Miniflare `log` and `handleStructuredLogs` it uses cannot be
// set (a project's `miniflare` options configure the Worker, not Miniflare), and Vitest's
// onConsoleLog sees only what tests log, so those writes are filtered here (once, though
// Vitest evaluates this file more than once), by exact message; onConsoleLog drops the
// last two.
const runtimeNoise = [
  /^\[vitest-plugin\] "node:inspector", required from "[^"]*\/vitest\/dist\/chunks\/inspector\.[\w-]+\.js", is not available /,
  /^Fallback service failed to fetch module; payload = ; spec = \/\?specifier=node%3Ainspector&referrer=[^&]*%2Fvitest%2Fdist%2Fchunks%2Finspector\.[\w-]+\.js&/,
  /^exception = rust\/worker\/ffi\.rs:\d+: disconnected: (Connection refused \(os error 111\)|client error \(SendRequest\)|HTTP body: error reading a body from connection)\n/,
  /^uncaught exception; (source = Uncaught \(in promise\); stack = Error|exception = workerd\/jsg\/value\.h:\d+: disconnected: jsg\.Error): Network connection lost\.\n/,
  /^A header value for "(Idempotency-Key|k)" contains non-ASCII characters: /,
];
const consoleNoise = [
  /^\{"level":"error","message":"unhandled error",.*"error":"Error: secret detail: select \* from api_tokens"\}/,
  /^authz: the console spies are live$/m,
];
const filtered = Symbol.for("qwoty-directory.vitest.runtimeNoise");
if (!(filtered in globalThis)) {
  Object.defineProperty(globalThis, filtered, { value: true });
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (!runtimeNoise.some((pattern) => pattern.test(text))) return write(chunk, ...rest);
      const callback = rest.find((argument) => typeof argument === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}

const workerProject = (name: string, include: string[], exclude: string[] = [], fileParallelism = true) => ({
  extends: true as const,
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // LOG_REQUESTS: the log line is tested on its own (test/request-log.test.ts).
        bindings: {
          DATABASE_URL: inject("databaseUrl"),
          LOCAL_DB_ORIGIN: inject("localDbOrigin"),
          LOG_REQUESTS: "false",
        },
        ratelimits: {
          // Out of the way of the tests that send many requests of one workspace…
          WORKSPACE_RATE_LIMIT: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 } },
          // …and small, for the tests of rate limiting, which hand it to the worker.
          SMALL_RATE_LIMIT: { namespace_id: "1002", simple: { limit: 10, period: 60 } },
        },
      },
    })),
  ],
  test: { name, include, exclude, fileParallelism, globalSetup: ["./test/support/node/global-setup.ts"] },
});

export default defineConfig({
  test: {
    onConsoleLog: (log) => (consoleNoise.some((pattern) => pattern.test(log)) ? false : undefined),
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      workerProject(
        "worker",
        ["test/**/*.test.ts"],
        ["test/exclusive/**", "test/local-db/**", "test/node/**", "test/browser/**", "test/smoke/**"],
      ),
      workerProject("exclusive", ["test/exclusive/**/*.test.ts"], [], false),
      {
        extends: true,
        test: { name: "node", include: ["test/local-db/**/*.test.ts", "test/node/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: { name: "browser", include: ["test/browser/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: { name: "smoke", include: ["test/smoke/**/*.test.ts"], environment: "node" },
      },
    ],
  },
});
