// Fidelity of the local SQL-over-HTTP server to Neon's: the real driver and
// Drizzle, in Node, against the server on this run's backend (PGlite, or
// PostgreSQL when LOCAL_POSTGRES_URL is set). CI runs both.
import { NeonDbError, neon, neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import {
  bigint,
  boolean,
  customType,
  date,
  integer,
  json,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  serial,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDbServer, startLocalDbServer } from "../../scripts/local-db/server.ts";
import { parseUuid } from "../../src/lib/uuid.ts";
import { openTestBackend, type TestBackend } from "../support/node/test-backend.ts";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });
const mood = pgEnum("mood", ["sad", "ok", "happy"]);
const sample = pgTable("sample", {
  id: serial("id").primaryKey(),
  key: uuid("key").defaultRandom().notNull().unique(),
  label: text("label"),
  doc: jsonb("doc"),
  plain: json("plain"),
  count: integer("count"),
  big: bigint("big", { mode: "bigint" }),
  price: numeric("price", { precision: 10, scale: 2 }),
  flag: boolean("flag"),
  at: timestamp("at", { withTimezone: true, precision: 3 }),
  atText: timestamp("at_text", { withTimezone: true, mode: "string" }),
  local: timestamp("local"),
  day: date("day"),
  tags: text("tags").array(),
  moods: mood("moods").array(),
  raw: bytea("raw"),
});

let test: TestBackend;
let server: LocalDbServer;
let url: string;
let db: ReturnType<typeof drizzle>;

beforeAll(async () => {
  test = await openTestBackend();
  server = await startLocalDbServer({ backend: test.backend });
  url = server.databaseUrl;
  neonConfig.fetchEndpoint = `${server.origin}/sql`;
  db = drizzle(neon(url));
  await test.backend.exec(`
    create type mood as enum ('sad', 'ok', 'happy');
    create table sample (
      id serial primary key, key uuid not null default gen_random_uuid() unique, label text, doc jsonb, plain json,
      count integer, big bigint, price numeric(10,2), flag boolean, at timestamptz(3), at_text timestamptz,
      local timestamp, day date, tags text[], moods mood[], raw bytea);
  `);
});

afterAll(async () => {
  await server?.close();
  await test?.dispose();
});

/** A raw SQL-over-HTTP request, for what the driver never sends. */
async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.origin}/sql`, {
    method: "POST",
    body,
    headers: { "Neon-Connection-String": url, "Neon-Raw-Text-Output": "true", "Neon-Array-Mode": "true", ...headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("types through the real driver and Drizzle", () => {
  it("round-trips every column type with insert … returning and select", async () => {
    const row = {
      label: `quote " and \\ backslash, ünïcode ✓`,
      doc: { a: [1, "b", null], nested: { ok: true } },
      plain: { kept: "verbatim" },
      count: -42,
      big: 9007199254740993n,
      price: "12.50",
      flag: false,
      at: new Date("2024-01-02T03:04:05.678Z"),
      atText: "2024-01-02 03:04:05.678+00",
      local: new Date("2024-01-02T03:04:05.678Z"),
      day: "2024-02-29",
      tags: ["a", "b c", 'q"', "NULL", ""],
      moods: ["sad", "happy"] as ("sad" | "happy")[],
      raw: Buffer.from([0, 1, 2, 255]),
    };
    const [inserted] = await db.insert(sample).values(row).returning();
    const [selected] = await db.select().from(sample).where(sql`${sample.id} = ${inserted?.id}`);
    for (const result of [inserted, selected]) {
      expect(result).toMatchObject({ ...row, raw: Buffer.from([0, 1, 2, 255]) });
      expect(result?.key).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("keeps NULLs as null in every type, and in arrays", async () => {
    const [row] = await db
      .insert(sample)
      .values({ tags: ["x", null as unknown as string] })
      .returning();
    expect(row).toMatchObject({
      label: null,
      doc: null,
      count: null,
      big: null,
      at: null,
      raw: null,
      tags: ["x", null],
    });
  });

  it("sends PostgreSQL's text output, parsed by the driver's own type parsers", async () => {
    const query = neon(url, { fullResults: true });
    const result = await query`select 1::int2 as a, 2::int4 as b, 3::int8 as c, 1.5::float8 as d, true as e,
      '{"k": [1, 2]}'::jsonb as f, '{1,2,3}'::int[] as g, null::text as h, '2024-01-02 03:04:05.678+00'::timestamptz as i,
      '1 day 02:00:00'::interval as j, 'NaN'::float8 as k`;
    expect(result.rows[0]).toEqual({
      a: 1,
      b: 2,
      c: "3",
      d: 1.5,
      e: true,
      f: { k: [1, 2] },
      g: [1, 2, 3],
      h: null,
      // Drizzle turns the driver's date parsers off, process-wide (see the spec, §7).
      i: "2024-01-02 03:04:05.678+00",
      j: "1 day 02:00:00",
      k: Number.NaN,
    });
    expect(result.command).toBe("SELECT");
    expect(result.rowCount).toBe(1);
    expect(result.fields.map((f) => f.name)).toEqual(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]);
    expect(result.fields[0]).toMatchObject({ dataTypeID: 21, format: "text" });
  });

  it("runs in UTC whatever the server's configuration", async () => {
    const [row] = await neon(
      url,
    )`select current_setting('TimeZone') as tz, '2024-06-01 12:00:00+02'::timestamptz::text as t`;
    expect(row).toEqual({ tz: expect.stringMatching(/^(UTC|Etc\/UTC)$/), t: "2024-06-01 10:00:00+00" });
  });

  it("reports command and rowCount for writes without returning", async () => {
    await db.insert(sample).values([{ label: "rc" }, { label: "rc" }, { label: "rc" }]);
    const result = await db.execute(sql`update sample set count = 7 where label = 'rc'`);
    expect(result).toMatchObject({ command: "UPDATE", rowCount: 3 });
    const ddl = await db.execute(sql`create table if not exists ddl_probe (x int)`);
    expect(ddl).toMatchObject({ command: "CREATE", rowCount: null, rows: [], fields: [] });
  });
});

describe("batches", () => {
  it("runs a batch in one request and one transaction, results in order", async () => {
    const before = server.stats().requests;
    const [inserted, counted] = await db.batch([
      db.insert(sample).values({ label: "batch" }).returning({ id: sample.id }),
      db.select({ n: sql<string>`count(*)` }).from(sample).where(sql`${sample.label} = 'batch'`),
    ]);
    expect(server.stats().requests - before).toBe(1);
    expect(inserted).toHaveLength(1);
    expect(counted).toEqual([{ n: "1" }]);
  });

  it("rolls the whole batch back on the first error and reports only that error", async () => {
    const label = `rollback-${crypto.randomUUID()}`;
    const [existing] = await db.insert(sample).values({ label }).returning();
    const failing = db.batch([
      db.insert(sample).values({ label }),
      db.insert(sample).values({ key: existing?.key as string, label }),
    ]);
    await expect(failing).rejects.toBeInstanceOf(NeonDbError);
    await expect(failing).rejects.toMatchObject({ code: "23505" });
    const rows = await db.select().from(sample).where(sql`${sample.label} = ${label}`);
    expect(rows).toHaveLength(1);
  });

  it("applies the transaction options: read only, isolation level", async () => {
    const query = neon(url);
    const [rows] = await query.transaction(
      [query`select current_setting('transaction_read_only') as ro, current_setting('transaction_isolation') as iso`],
      { readOnly: true, isolationLevel: "Serializable" },
    );
    expect(rows).toEqual([{ ro: "on", iso: "serializable" }]);
    await expect(
      query.transaction([query`insert into sample (label) values ('ro')`], { readOnly: true }),
    ).rejects.toMatchObject({ code: "25006" });
  });

  it("accepts an empty batch", async () => {
    expect(await post(JSON.stringify({ queries: [] }))).toEqual({ status: 200, body: { results: [] } });
  });
});

describe("errors as the driver reads them", () => {
  it("gives PostgreSQL's fields: code, constraint, table, detail", async () => {
    const [row] = await db.insert(sample).values({ label: "dup" }).returning();
    const error = await db
      .insert(sample)
      .values({ key: row?.key as string })
      .then(
        () => undefined,
        (e: unknown) => e as { cause: NeonDbError },
      );
    expect(error?.cause).toBeInstanceOf(NeonDbError);
    expect(error?.cause).toMatchObject({
      code: "23505",
      severity: "ERROR",
      constraint: "sample_key_key",
      table: "sample",
      schema: "public",
      detail: expect.stringContaining("already exists"),
    });
  });

  it("refuses several statements in one query, like Neon (42601)", async () => {
    await expect(neon(url).query("select 1; select 2")).rejects.toMatchObject({ code: "42601" });
  });

  it("refuses a wrong number of parameters (08P01)", async () => {
    await expect(neon(url).query("select $1::int + $2::int", [1])).rejects.toMatchObject({ code: "08P01" });
  });

  it("reports division by zero with its routine, position as a string", async () => {
    await expect(neon(url).query("select 1/0")).rejects.toMatchObject({ code: "22012", routine: "int4div" });
    await expect(neon(url).query("select nosuchcolumn")).rejects.toMatchObject({
      code: "42703",
      position: "8",
    });
  });

  it("never lets a transaction left open by one request reach the next", async () => {
    const query = neon(url);
    await query.query("begin");
    await query.query("set local statement_timeout = 4321");
    const [row] = await query.query("select current_setting('statement_timeout') as t");
    expect(row).toEqual({ t: "0" });
  });
});

describe("the HTTP protocol", () => {
  it("requires the Neon-Connection-String header", async () => {
    const response = await fetch(`${server.origin}/sql`, { method: "POST", body: '{"query":"select 1","params":[]}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: "invalid header: neon-connection-string", code: "" });
  });

  it("answers 400 in JSON for a body that is not JSON or not a query", async () => {
    for (const body of ["{not json", '{"nothing":1}', '{"queries":[{"params":[]}]}']) {
      const { status, body: error } = await post(body);
      expect(status).toBe(400);
      expect(String(error.message)).toMatch(/^could not parse the HTTP request body/);
    }
  });

  it("answers object rows when array mode is off, as Neon does", async () => {
    const { status, body } = await post('{"query":"select 1 as one, null as two","params":[]}', {
      "Neon-Array-Mode": "false",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ rowAsArray: false, rows: [{ one: "1", two: null }], command: "SELECT", rowCount: 1 });
  });

  it("converts JSON parameters as Neon does (json_to_pg_text)", async () => {
    const { body } = await post(
      JSON.stringify({
        query: "select $1::int + 1 as n, $2::text[] as a, $3::jsonb as j, $4::text as s",
        params: [41, ["x", "y z"], { k: 1 }, null],
      }),
    );
    expect(body.rows).toEqual([["42", '{x,"y z"}', '{"k": 1}', null]]);
  });

  it("refuses an invalid isolation level", async () => {
    const { status, body } = await post('{"queries":[]}', { "Neon-Batch-Isolation-Level": "Chaos" });
    expect(status).toBe(400);
    expect(body.message).toBe("invalid isolation level");
  });

  it("refuses a body over 10 MiB with 413", async () => {
    const { status, body } = await post(JSON.stringify({ query: "select $1", params: ["x".repeat(10 * 1024 * 1024)] }));
    expect(status).toBe(413);
    expect(body.message).toBe("request is too large (max is 10485760 bytes)");
  });

  it("refuses a response over 10 MiB with 507, which the driver reports", async () => {
    const error = await neon(url)
      .query("select repeat('x', 1024 * 1024) from generate_series(1, 11)")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeonDbError);
    expect((error as Error).message).toContain("Server error (HTTP status 507)");
  });

  it("answers CORS preflight like Neon's proxy", async () => {
    const response = await fetch(`${server.origin}/sql`, { method: "OPTIONS" });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Allow")).toBe("OPTIONS, POST");
  });

  it("counts every SQL request it serves", async () => {
    const before = server.stats();
    await neon(url)`select 1`;
    await db.batch([db.select().from(sample).limit(1), db.select().from(sample).limit(1)]);
    const after = server.stats();
    expect(after.requests - before.requests).toBe(2);
    expect(after.batches - before.batches).toBe(1);
    expect(after.statements - before.statements).toBe(3);
  });
});

describe("parseUuid agrees with PostgreSQL's uuid input", () => {
  it("accepts and canonicalises exactly what the database does", async () => {
    const base = "a0eebc999c0b4ef8bb6d6bb9bd380a11";
    const candidates = [
      "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
      `{${base}}`,
      base,
      "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
      "a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11",
      "c3d4e5f6-a7b8-9012-cdef-123456789012",
      `${base}-`,
      `-${base}`,
      "a0e-ebc999c0b4ef8bb6d6bb9bd380a11",
      "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",
      `{${base}`,
      `${base}}`,
      ` ${base}`,
      `${base} `,
      base.slice(1),
      `${base}0`,
      base.replace("a", "g"),
      "",
    ];
    for (const candidate of candidates) {
      const database = await neon(url)
        .query("select $1::uuid::text as id", [candidate])
        .then(
          (rows) => (rows[0] as { id: string }).id,
          () => undefined,
        );
      expect(parseUuid(candidate), JSON.stringify(candidate)).toBe(database);
    }
  });
});
