// Picks the local server's backend: a real PostgreSQL when LOCAL_POSTGRES_URL is
// set, embedded PGlite otherwise (persisted in .data/pglite, git-ignored).
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Backend } from "./backend.ts";
import { createPGliteBackend } from "./backend-pglite.ts";
import { createPostgresBackend } from "./backend-postgres.ts";

export const projectRoot = resolve(import.meta.dirname, "../..");
export const migrationsFolder = resolve(projectRoot, "drizzle");
export const defaultPGliteDir = resolve(projectRoot, ".data/pglite");

export async function openBackend(env: NodeJS.ProcessEnv = process.env): Promise<Backend> {
  if (env.LOCAL_POSTGRES_URL) return createPostgresBackend(env.LOCAL_POSTGRES_URL);
  mkdirSync(defaultPGliteDir, { recursive: true });
  return createPGliteBackend(defaultPGliteDir);
}

/** A readable name for logs, without credentials. */
export function describeBackend(backend: Backend, env: NodeJS.ProcessEnv = process.env): string {
  if (backend.kind === "pglite") return `PGlite (${defaultPGliteDir.replace(`${projectRoot}/`, "")})`;
  const url = new URL(env.LOCAL_POSTGRES_URL ?? "postgres://?");
  return `PostgreSQL (${url.hostname}:${url.port || 5432}${url.pathname})`;
}
