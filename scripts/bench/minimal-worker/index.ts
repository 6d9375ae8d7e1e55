// The yardstick for cold starts and bundle size: the least a Hono + Drizzle +
// Neon-driver worker can be (one route, one query). `npm run bench` builds it
// exactly like the real worker and compares the two.
import { neon, neonConfig } from "@neondatabase/serverless";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { pgTable, text, uuid } from "drizzle-orm/pg-core";
import { Hono } from "hono";

const contacts = pgTable("contacts", { id: uuid("id").primaryKey(), firstName: text("first_name").notNull() });

// Like the real worker, it reaches the local database server when the host is local.
neonConfig.fetchEndpoint = (host, port) =>
  host === "127.0.0.1" || host === "localhost"
    ? `http://${host}:${port}/sql`
    : `https://${host.replace(/^[^.]+\./, "api.")}/sql`;

const app = new Hono<{ Bindings: { DATABASE_URL: string } }>();
app.get("/contacts/:id", async (c) => {
  const db = drizzle(neon(c.env.DATABASE_URL));
  const [row] = await db
    .select()
    .from(contacts)
    .where(eq(contacts.id, c.req.param("id")));
  return c.json(row ?? null);
});

export default app;
