// The bindings the tests' worker receives (see vitest.config.ts).
declare namespace Cloudflare {
  interface Env {
    DATABASE_URL: string;
    /** origin of the local database server, for its /_local/* control routes */
    LOCAL_DB_ORIGIN: string;
  }
}
