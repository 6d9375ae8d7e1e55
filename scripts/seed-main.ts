// `npm run db:seed`: writes the demo data through the worker's own database
// client (SQL over HTTP), to DATABASE_URL or, by default, to a local database
// server started for the occasion. Prints the new demo tokens.
import { getDb } from "../src/db/client.ts";
import { migrationsFolder, openBackend } from "./local-db/open.ts";
import { startLocalDbServer } from "./local-db/server.ts";
import { demo, seedDemo } from "./seed.ts";

async function seedLocal() {
  const backend = await openBackend();
  await backend.migrate(migrationsFolder);
  const server = await startLocalDbServer({ backend });
  try {
    return await seedDemo(getDb(server.databaseUrl));
  } finally {
    await server.close();
    await backend.close();
  }
}

const tokens = process.env.DATABASE_URL ? await seedDemo(getDb(process.env.DATABASE_URL)) : await seedLocal();
console.log(`Demo data written. Workspace ${demo.workspaceId}:
  full access: ${tokens.full}
  read-only:   ${tokens.readOnly}
Workspace ${demo.otherWorkspaceId}:
  full access: ${tokens.otherWorkspace}`);
