// The bindings the tests' worker receives (see vitest.config.ts).
declare namespace Cloudflare {
  interface Env {
    DATABASE_URL: string;
    /** origin of the local database server, for its /_local/* control routes */
    LOCAL_DB_ORIGIN: string;
    LOG_REQUESTS: string;
    WORKSPACE_RATE_LIMIT: RateLimit;
    /** 10 requests per 60 s: rate-limit tests pass it to the worker as WORKSPACE_RATE_LIMIT */
    SMALL_RATE_LIMIT: RateLimit;
  }
}
