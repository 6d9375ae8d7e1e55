// What test/support/node/global-setup.ts provides to the tests (vitest's inject).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** postgres://… pointing the worker at the local database server of this run */
    databaseUrl: string;
    /** http://127.0.0.1:<port> of that server, for its /_local/* control routes */
    localDbOrigin: string;
    /** what the local server runs on: PGlite (one transaction at a time) or a real PostgreSQL */
    backend: "pglite" | "postgres";
    /** the OpenAPI document, against which the harness checks every answer */
    openapi: Record<string, unknown>;
    /** http://127.0.0.1:<port> of the Node webhook receiver (node/webhook-receiver.ts) */
    webhookReceiver: string;
  }
}
