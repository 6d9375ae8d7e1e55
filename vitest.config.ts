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
  test: { name, include, exclude, fileParallelism, globalSetup: ["./test/global-setup.ts"] },
});

export default defineConfig({
  test: {
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
