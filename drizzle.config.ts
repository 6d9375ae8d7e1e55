// drizzle-kit configuration (Node-side only).
// - `npm run db:generate` writes SQL migrations from src/db/schema.ts into drizzle/.
// - `npm run db:studio` browses a database: DATABASE_URL (Neon; its direct,
//   non-pooled connection string), LOCAL_POSTGRES_URL, or by default the local
//   PGlite files in .data/pglite (stop `npm run dev` first: one process at a time).
import { defineConfig } from "drizzle-kit";

const url = process.env.DATABASE_URL ?? process.env.LOCAL_POSTGRES_URL;

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  ...(url ? { dbCredentials: { url } } : { driver: "pglite", dbCredentials: { url: "./.data/pglite" } }),
});
