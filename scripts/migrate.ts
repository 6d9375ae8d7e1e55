// `npm run db:migrate`: applies drizzle/'s migrations with Drizzle's migrator, in
// one transaction.
// - DATABASE_URL set: that database (Neon: use its direct, non-pooled connection
//   string, with sslmode=require), over PostgreSQL's wire protocol.
// - otherwise: the local database (.data/pglite, or LOCAL_POSTGRES_URL).
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { describeBackend, migrationsFolder, openBackend } from "./local-db/open.ts";

const target = process.env.DATABASE_URL;
if (target) {
  const pool = new pg.Pool({ connectionString: target, max: 1 });
  try {
    await migrate(drizzle(pool), { migrationsFolder });
    console.log(`Migrated ${new URL(target).hostname}${new URL(target).pathname}`);
  } finally {
    await pool.end();
  }
} else {
  const backend = await openBackend();
  try {
    await backend.migrate(migrationsFolder);
    console.log(`Migrated the local database: ${describeBackend(backend)}`);
  } finally {
    await backend.close();
  }
}
