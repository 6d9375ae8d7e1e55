// The types that flow through every handler: the worker's bindings and the
// per-request variables set by middleware.
import type { RateLimitBinding } from "./access/rate-limit";
import type { Caller } from "./access/scoped";
import type { WebhookQueue } from "./webhooks/message";

export interface Bindings {
  /** postgres://… of the Neon database (a secret in production); a local host selects the local server. */
  DATABASE_URL: string;
  /** Upper bound on one database round trip, in milliseconds (default 10000). */
  DB_TIMEOUT_MS?: string;
  /** Workers Rate Limiting binding, keyed by workspace ([[ratelimits]] in wrangler.toml). */
  WORKSPACE_RATE_LIMIT?: RateLimitBinding;
  /** "false" turns the per-request log line off (the tests do). */
  LOG_REQUESTS?: string;
  /** The webhook delivery queue ([[queues.producers]] in wrangler.toml); without it nothing is enqueued. */
  WEBHOOK_QUEUE?: WebhookQueue;
  /** Timeout of one webhook delivery, in milliseconds (default 10000). */
  WEBHOOK_TIMEOUT_MS?: string;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    /** X-Request-Id of this request, echoed or generated (middleware/request.ts). */
    requestId: string;
    /** The database client, token hash and rate limit of this request. */
    caller: Caller;
  };
}
