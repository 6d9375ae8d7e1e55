// The database a Node-side command works on, through the worker's own client:
// DATABASE_URL (Neon) when it is set, otherwise the local database: through the
// local server if one is running, else (.data/pglite, or LOCAL_POSTGRES_URL)
// behind a local SQL-over-HTTP server started for the occasion.
import { type Db, getDb } from "../src/db/client.ts";
import { describeBackend, startLocalDatabase } from "./local-db/open.ts";

export interface Database {
  db: Db;
  /** where it is, for messages (no credentials) */
  description: string;
  close(): Promise<void>;
}

export async function openDatabase(env: NodeJS.ProcessEnv = process.env): Promise<Database> {
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL);
    return { db: getDb(env.DATABASE_URL), description: `${url.hostname}${url.pathname}`, close: async () => {} };
  }
  // `npm run dev` (or `npm run db:local`) may already serve the local database:
  // go through it, since PGlite's files can only be opened by one process.
  const running = `http://127.0.0.1:${env.LOCAL_DB_PORT ?? 4444}`;
  const status = await fetch(`${running}/_local/stats`).catch(() => undefined);
  if (status?.ok) {
    return {
      db: getDb(`postgres://local:local@127.0.0.1:${env.LOCAL_DB_PORT ?? 4444}/local`),
      description: `the local database served on ${running}`,
      close: async () => {},
    };
  }
  const local = await startLocalDatabase({ port: 0 }, env);
  return {
    db: getDb(local.server.databaseUrl),
    description: `the local database, ${describeBackend(local.backend, env)}`,
    close: local.close,
  };
}
