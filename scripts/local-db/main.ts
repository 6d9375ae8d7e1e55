// `npm run db:local`: the local SQL-over-HTTP database server on its own.
import { describeBackend, migrationsFolder, openBackend } from "./open.ts";
import { startLocalDbServer } from "./server.ts";

const backend = await openBackend();
await backend.migrate(migrationsFolder);
const server = await startLocalDbServer({
  backend,
  port: Number(process.env.LOCAL_DB_PORT ?? 4444),
  delayMs: Number(process.env.LOCAL_DB_DELAY_MS ?? 0),
});
console.log(`Local Neon-compatible database on ${server.origin}/sql, backed by ${describeBackend(backend)}`);
console.log(`DATABASE_URL=${server.databaseUrl}`);

const stop = async () => {
  await server.close();
  await backend.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
