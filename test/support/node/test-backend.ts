// A throw-away database for one test, bench or load-test run: in-memory PGlite,
// or a new database on the PostgreSQL server named by LOCAL_POSTGRES_URL (which
// outlives the run, so the database is dropped afterwards). Shared by the tests'
// global setup and scripts/bench.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Backend } from "../../../scripts/local-db/backend.ts";
import { createPGliteBackend } from "../../../scripts/local-db/backend-pglite.ts";
import { createPostgresBackend } from "../../../scripts/local-db/backend-postgres.ts";

export interface TestBackend {
  backend: Backend;
  /** the PostgreSQL database's name; undefined on PGlite */
  name: string | undefined;
  dispose(): Promise<void>;
}

export async function openTestBackend(serverUrl = process.env.LOCAL_POSTGRES_URL): Promise<TestBackend> {
  if (!serverUrl) {
    const backend = await createPGliteBackend();
    return { backend, name: undefined, dispose: () => backend.close() };
  }
  const name = `qwoty_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const backend = await createPostgresBackend(url.toString());
  return {
    backend,
    name,
    async dispose() {
      await backend.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
