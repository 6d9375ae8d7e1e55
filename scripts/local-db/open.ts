// Picks the local server's backend: a real PostgreSQL when LOCAL_POSTGRES_URL is
// set, embedded PGlite otherwise (persisted in .data/pglite, git-ignored).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Backend } from "./backend.ts";
import { createPGliteBackend } from "./backend-pglite.ts";
import { createPostgresBackend } from "./backend-postgres.ts";
import { type LocalDbServer, startLocalDbServer } from "./server.ts";

export const projectRoot = resolve(import.meta.dirname, "../..");
export const migrationsFolder = resolve(projectRoot, "drizzle");
export const defaultPGliteDir = resolve(projectRoot, ".data/pglite");

export async function openBackend(env: NodeJS.ProcessEnv = process.env): Promise<Backend> {
  if (env.LOCAL_POSTGRES_URL) return createPostgresBackend(env.LOCAL_POSTGRES_URL);
  mkdirSync(defaultPGliteDir, { recursive: true });
  const release = lockPGliteDir();
  const backend = await createPGliteBackend(defaultPGliteDir);
  return {
    ...backend,
    async close() {
      await backend.close();
      release();
    },
  };
}

/** PGlite's files can be opened by one process only: a lock file says which. */
function lockPGliteDir(): () => void {
  const lock = `${defaultPGliteDir}.lock`;
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, "utf8"));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      // stale lock: its process is gone
    }
    if (alive && pid !== process.pid) {
      throw new Error(`The local database (${lock}) is in use by process ${pid}: stop it (npm run dev?) first.`);
    }
  }
  writeFileSync(lock, String(process.pid));
  const release = () => rmSync(lock, { force: true });
  process.once("exit", release);
  return release;
}

/** A readable name for logs, without credentials. */
export function describeBackend(backend: Backend, env: NodeJS.ProcessEnv = process.env): string {
  if (backend.kind === "pglite") return `PGlite (${defaultPGliteDir.replace(`${projectRoot}/`, "")})`;
  const url = new URL(env.LOCAL_POSTGRES_URL ?? "postgres://?");
  return `PostgreSQL (${url.hostname}:${url.port || 5432}${url.pathname})`;
}

export interface LocalDatabase {
  backend: Backend;
  server: LocalDbServer;
  close(): Promise<void>;
}

/**
 * The local database, migrated, behind the SQL-over-HTTP server. Port and delay
 * default to LOCAL_DB_PORT (4444) and LOCAL_DB_DELAY_MS (0); port 0 picks a free one.
 */
export async function startLocalDatabase(
  options: { port?: number; delayMs?: number } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalDatabase> {
  const backend = await openBackend(env);
  await backend.migrate(migrationsFolder);
  const server = await startLocalDbServer({
    backend,
    port: options.port ?? Number(env.LOCAL_DB_PORT ?? 4444),
    delayMs: options.delayMs ?? Number(env.LOCAL_DB_DELAY_MS ?? 0),
  });
  return {
    backend,
    server,
    async close() {
      await server.close();
      await backend.close();
    },
  };
}
