// What the bench and the profiler share: both workers built as deployed, a
// migrated and seeded database behind the local SQL-over-HTTP server, and the
// replaying proxy in front of it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { getDb } from "../../src/db/client.ts";
import { contacts } from "../../src/db/schema.ts";
import { openTestBackend as openBenchDatabase } from "../../test/support/node/test-backend.ts";
import { seedWorkspaceFixture, type WorkspaceFixture } from "../fixtures.ts";
import { migrationsFolder, projectRoot } from "../local-db/open.ts";
import { type LocalDbServer, startLocalDbServer } from "../local-db/server.ts";
import { type Build, build } from "./build.ts";
import type { Call } from "./load.ts";
import { type ReplayProxy, startReplayProxy } from "./replay.ts";

export interface Bench {
  buildDir: string;
  app: Build;
  minimal: Build;
  /** production's [[ratelimits]], with a limit no bench run reaches (see below) */
  benchRateLimits: Build["ratelimits"];
  backendName: "PGlite" | "PostgreSQL";
  /** the PostgreSQL database's name, when LOCAL_POSTGRES_URL is set */
  databaseName: string | undefined;
  server: LocalDbServer;
  db: ReturnType<typeof getDb>;
  /** one contact: GET and POST */
  fixture: WorkspaceFixture;
  /** `listSize` contacts: the list */
  listed: WorkspaceFixture;
  /** one contact: PATCH */
  patched: WorkspaceFixture;
  proxy: ReplayProxy;
  close(): Promise<void>;
}

export const listSize = 60;

export async function setUpBench(log: (message: string) => void = () => {}): Promise<Bench> {
  log("building both workers (wrangler deploy --dry-run --minify)…");
  const buildDir = mkdtempSync(join(tmpdir(), "qwoty-bench-"));
  const app = build(resolve(projectRoot, "wrangler.toml"), buildDir, "app");
  const minimal = build(resolve(projectRoot, "scripts/bench/minimal-worker/wrangler.toml"), buildDir, "minimal");
  // The binding as production has it (name, namespace, period), but with a limit
  // that no bench run reaches: production's (1200 a minute per workspace) would
  // refuse most of a run's requests. What a call to the binding costs does not
  // depend on the limit.
  const benchRateLimits = app.ratelimits.map((r) => ({ ...r, simple: { ...r.simple, limit: 1_000_000 } }));

  log("seeding the database…");
  const { backend, name: databaseName, dispose } = await openBenchDatabase();
  await backend.migrate(migrationsFolder);
  const server = await startLocalDbServer({ backend });
  const db = getDb(server.databaseUrl);
  const fixture = await seedWorkspaceFixture(db);
  const listed = await seedWorkspaceFixture(db);
  await db.insert(contacts).values(
    Array.from({ length: listSize - 1 }, (_, i) => ({
      workspaceId: listed.workspaceId,
      customerId: listed.customerId,
      firstName: `First ${i}`,
      lastName: `Last ${i}`,
      email: `p${i}@example.com`,
    })),
  );
  const patched = await seedWorkspaceFixture(db);
  const keep = [fixture, listed, patched].flatMap((f) => [f.workspaceId, f.customerId, f.contactId, f.addressId]);
  const proxy = await startReplayProxy(server.origin, keep);
  return {
    buildDir,
    app,
    minimal,
    benchRateLimits,
    backendName: backend.kind === "pglite" ? "PGlite" : "PostgreSQL",
    databaseName,
    server,
    db,
    fixture,
    listed,
    patched,
    proxy,
    async close() {
      await proxy.close();
      await server.close();
      await dispose();
      rmSync(buildDir, { recursive: true, force: true });
    },
  };
}

/** The requests the bench's measures send, on its fixtures: each the i-th of a run. */
export function benchCalls({ fixture, listed, patched }: Pick<Bench, "fixture" | "listed" | "patched">) {
  return {
    get: (): Call => ({ method: "GET", path: `/api/contacts/${fixture.contactId}`, token: fixture.token }),
    /** the minimal worker's GET of the same contact */
    minimalGet: (): Call => ({ method: "GET", path: `/contacts/${fixture.contactId}` }),
    list: (): Call => ({ method: "GET", path: "/api/contacts?limit=50", token: listed.token }),
    /** the same body every time: the only fresh value is the id the worker draws, so it can be replayed (replay.ts) */
    create: (): Call => ({
      method: "POST",
      path: "/api/contacts",
      token: fixture.token,
      body: { customer_id: fixture.customerId, first_name: "Bench", last_name: "Create", email: "b@example.com" },
    }),
    /** a new contact each time, for the real database */
    createNew: (i: number): Call => ({
      method: "POST",
      path: "/api/contacts",
      token: fixture.token,
      body: { customer_id: fixture.customerId, first_name: `Load ${i}`, last_name: "Test", email: `l${i}@example.com` },
    }),
    patch: (): Call => ({
      method: "PATCH",
      path: `/api/contacts/${patched.contactId}`,
      token: patched.token,
      body: { first_name: "Patched", role: ["admin"] },
    }),
  };
}
