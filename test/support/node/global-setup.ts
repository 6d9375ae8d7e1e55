// Node side of the worker tests: a fresh database for this run, migrated, served
// by the local SQL-over-HTTP server on a free port; its address goes to the
// worker as DATABASE_URL. Everything is dropped afterwards.
import type { TestProject } from "vitest/node";
import { migrationsFolder } from "../../../scripts/local-db/open.ts";
import { startLocalDbServer } from "../../../scripts/local-db/server.ts";
import { buildOpenApiDocument } from "../../../scripts/openapi.ts";
import { openTestBackend } from "./test-backend.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

export default async function setup(project: TestProject) {
  const { backend, dispose } = await openTestBackend();
  await backend.migrate(migrationsFolder);
  const server = await startLocalDbServer({ backend });
  project.provide("databaseUrl", server.databaseUrl);
  project.provide("localDbOrigin", server.origin);
  // "postgres" when LOCAL_POSTGRES_URL is set: the race tests need real concurrency.
  project.provide("backend", backend.kind);
  // The harness checks every answer of the worker tests against it.
  project.provide("openapi", buildOpenApiDocument());
  // Deliveries of the webhook tests go to it (test/webhooks).
  const receiver = await startWebhookReceiver();
  project.provide("webhookReceiver", receiver.origin);
  return async () => {
    await receiver.close();
    await server.close();
    await dispose();
  };
}
