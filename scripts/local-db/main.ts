// `npm run db:local`: the local SQL-over-HTTP database server on its own.
import { describeBackend, startLocalDatabase } from "./open.ts";

const { backend, server, close } = await startLocalDatabase();
console.log(`Local Neon-compatible database on ${server.origin}/sql, backed by ${describeBackend(backend)}`);
console.log(`DATABASE_URL=${server.databaseUrl}`);

const stop = async () => {
  await close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
