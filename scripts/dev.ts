// `npm run dev`: the local database server (PGlite, or LOCAL_POSTGRES_URL),
// migrations, demo data, then `wrangler dev` pointed at it. Prints demo tokens
// and a ready-to-paste curl command.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { getDb } from "../src/db/client.ts";
import { devTokensFile } from "./dev-tokens.ts";
import { describeBackend, projectRoot, startLocalDatabase } from "./local-db/open.ts";
import { demo, seedDemo } from "./seed.ts";

const apiPort = Number(process.env.PORT ?? 8787);
const database = await startLocalDatabase();
const { backend, server } = database;
const tokens = await seedDemo(getDb(server.databaseUrl));
// For `npm run webhooks:listen`, which registers its endpoint with the demo token.
mkdirSync(dirname(devTokensFile), { recursive: true });
writeFileSync(devTokensFile, JSON.stringify(tokens), { mode: 0o600 });

const wrangler = spawn(
  process.execPath,
  [
    resolve(projectRoot, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(apiPort),
    "--var",
    `DATABASE_URL:${server.databaseUrl}`,
  ],
  {
    cwd: projectRoot,
    stdio: ["inherit", "inherit", "inherit"],
    env: { WRANGLER_SEND_METRICS: "false", ...process.env },
  },
);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  wrangler.kill("SIGTERM");
  await database.close();
  process.exit(code);
}
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
wrangler.once("exit", (code) => void stop(code ?? 0));

// Print the demo once the worker answers.
const origin = `http://127.0.0.1:${apiPort}`;
for (let attempt = 0; attempt < 600 && !stopping; attempt++) {
  try {
    await fetch(origin);
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 100));
  }
}
console.log(`
────────────────────────────────────────────────────────────────────────────
 Qwoty-compatible directory API on ${origin}
 Database: ${describeBackend(backend)}, served over Neon's HTTP protocol on ${server.origin}/sql

 Demo workspace ${demo.workspaceId} ("Acme Demo")
   full access:  ${tokens.full}
   read-only:    ${tokens.readOnly}
 Second workspace ${demo.otherWorkspaceId} ("Globex Demo")
   full access:  ${tokens.otherWorkspace}

 Try it:
   curl ${origin}/api/contacts/${demo.contactId} \\
     -H "Authorization: Bearer ${tokens.full}"

 The Globex token gets 404 for the same contact: workspaces never see each other.
 API reference: ${origin}/docs/   OpenAPI: ${origin}/openapi.json
 More tokens: npm run tokens -- create --name "my script"   (in another terminal)
 Webhooks to this machine: npm run webhooks:listen   (in another terminal)
 Tokens are minted anew on every start. Ctrl-C stops everything.
────────────────────────────────────────────────────────────────────────────
`);
