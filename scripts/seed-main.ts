// `npm run db:seed`: writes the demo data through the worker's own database
// client, to DATABASE_URL or to the local database, and prints the new demo tokens.
import { openDatabase } from "./database.ts";
import { demo, seedDemo } from "./seed.ts";

const database = await openDatabase();
try {
  const tokens = await seedDemo(database.db);
  console.log(`Demo data written to ${database.description}.
Workspace ${demo.workspaceId} ("Acme Demo"):
  full access: ${tokens.full}
  read-only:   ${tokens.readOnly}
Workspace ${demo.otherWorkspaceId} ("Globex Demo"):
  full access: ${tokens.otherWorkspace}`);
} finally {
  await database.close();
}
