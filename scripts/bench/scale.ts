// The scale run (PostgreSQL only): 10,000 workspaces, one of them with
// 1,000,000 contacts, 200,000 customers and 1,000,000 addresses, generated in
// SQL; a small workspace of the same shape whose pages are as full (6,000
// contacts), as the baseline: each call returns as much in both. The deployed
// bundle runs in workerd against it; for each call the local server records the
// statements the worker sends, and each is timed in PostgreSQL itself (EXPLAIN
// ANALYZE: planning + execution, no network), in a transaction rolled back.
// Target: every call on the big workspace within 1.25× of the same call on the
// small one, and within a few milliseconds. Sub-millisecond times are noisy on a
// shared machine: the median of BENCH_SCALE_RUNS (default 15) runs is taken.
//   npm run bench:scale (BENCH_SCALE_CONTACTS etc. for a smaller run)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { fullAccessPermissions } from "../../src/access/permissions.ts";
import { hashToken, mintToken } from "../../src/access/token.ts";
import { openTestBackend } from "../../test/support/node/test-backend.ts";
import type { RecordedStatement } from "../local-db/control.ts";
import { migrationsFolder, projectRoot } from "../local-db/open.ts";
import { startLocalDbServer } from "../local-db/server.ts";
import { build } from "./build.ts";
import type { Row } from "./report.ts";
import { fmt, median } from "./stats.ts";
import { startWorkerd } from "./workerd.ts";

const count = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

interface Shape {
  prefix: string;
  workspaceId: string;
  customers: number;
  contacts: number;
  addresses: number;
}

/** The workspace's rows, in SQL: contacts spread over the customers, addresses over the contacts. */
async function fill(client: pg.Client, s: Shape) {
  const since = `now() - make_interval(secs => ${s.contacts} + 100)`;
  await client.query(`insert into customers (id, workspace_id, name, type, tax_ids, id_crm, id_erp, id_accounting, created_at, updated_at)
    select md5('${s.prefix}c' || n)::uuid, '${s.workspaceId}', 'Customer ' || n,
           (array['company','individual'])[1 + n % 2]::customer_type,
           jsonb_build_array(jsonb_build_object('tax', 'VAT', 'tax_value', 'FR' || n)),
           'C-' || n, 'CE-' || n, 'CA-' || n, ${since} + make_interval(secs => n), ${since} + make_interval(secs => n)
    from generate_series(1, ${s.customers}) n`);
  await client.query(`insert into contacts (id, workspace_id, customer_id, first_name, last_name, email, role, id_crm, id_erp, id_accounting, created_at, updated_at)
    select md5('${s.prefix}k' || n)::uuid, '${s.workspaceId}', md5('${s.prefix}c' || (1 + n % ${s.customers}))::uuid,
           'First', 'Last ' || n, 'person' || n || '@example.com',
           array[(array['buyer','signer','billing','shipping','legal','admin'])[1 + n % 6]]::contact_role[],
           'HS-' || n, 'KE-' || n, 'KA-' || n, ${since} + make_interval(secs => n), ${since} + make_interval(secs => n)
    from generate_series(1, ${s.contacts}) n`);
  await client.query(`insert into addresses (id, workspace_id, customer_id, contact_id, type, address_line1, city, postal_code, country, id_crm, id_erp, id_accounting, created_at, updated_at)
    select md5('${s.prefix}a' || n)::uuid, '${s.workspaceId}',
           md5('${s.prefix}c' || (1 + (1 + n % ${s.contacts}) % ${s.customers}))::uuid,
           md5('${s.prefix}k' || (1 + n % ${s.contacts}))::uuid,
           (array['billing','shipping'])[1 + n % 2]::address_type, n || ' Main Street', 'City', '75001',
           (array['FR','DE','GB','US','IT','ES'])[1 + n % 6], 'AC-' || n, 'AE-' || n, 'AA-' || n,
           ${since} + make_interval(secs => n), ${since} + make_interval(secs => n)
    from generate_series(1, ${s.addresses}) n`);
}

interface Call {
  name: string;
  method: string;
  /** SQL undoing what the call wrote ($1: the workspace), so that its statements replay as they ran */
  undo?: string;
  path: string;
  body?: unknown;
}

/** The uuid PostgreSQL's md5(text)::uuid gives. */
async function md5Uuid(client: pg.Client, text: string): Promise<string> {
  return (await client.query<{ id: string }>("select md5($1)::uuid::text as id", [text])).rows[0]?.id as string;
}

async function callList(client: pg.Client, s: Shape): Promise<Call[]> {
  const contact = await md5Uuid(client, `${s.prefix}k42`);
  const customer = await md5Uuid(client, `${s.prefix}c42`);
  const address = await md5Uuid(client, `${s.prefix}a42`);
  // Changed in the last tenth of the workspace's history: a page of 100 at either scale.
  const since = (
    await client.query<{ at: Date }>(
      "select updated_at as at from contacts where workspace_id = $1 order by updated_at desc offset $2 limit 1",
      [s.workspaceId, Math.floor(s.contacts / 10)],
    )
  ).rows[0]?.at.toISOString();
  return [
    { name: "GET contact by id", method: "GET", path: `/api/contacts/${contact}` },
    { name: "GET customer by id", method: "GET", path: `/api/customers/${customer}` },
    { name: "GET address by id", method: "GET", path: `/api/addresses/${address}` },
    { name: "contacts, customer_id", method: "GET", path: `/api/contacts?limit=100&customer_id=${customer}` },
    { name: "contacts, email", method: "GET", path: "/api/contacts?limit=100&email=PERSON42%40example.com" },
    { name: "contacts, id_crm", method: "GET", path: "/api/contacts?limit=100&id_crm=HS-42" },
    { name: "contacts, id_erp", method: "GET", path: "/api/contacts?limit=100&id_erp=KE-42" },
    { name: "contacts, id_accounting", method: "GET", path: "/api/contacts?limit=100&id_accounting=KA-42" },
    { name: "contacts, role", method: "GET", path: "/api/contacts?limit=100&role=legal" },
    { name: "contacts, updated_since", method: "GET", path: `/api/contacts?limit=100&updated_since=${since}` },
    { name: "customers, id_crm", method: "GET", path: "/api/customers?limit=100&id_crm=C-42" },
    { name: "customers, id_erp", method: "GET", path: "/api/customers?limit=100&id_erp=CE-42" },
    { name: "customers, id_accounting", method: "GET", path: "/api/customers?limit=100&id_accounting=CA-42" },
    { name: "customers, tax_value", method: "GET", path: "/api/customers?limit=100&tax_value=FR42" },
    { name: "customers, type", method: "GET", path: "/api/customers?limit=100&type=individual" },
    { name: "customers, name_prefix", method: "GET", path: "/api/customers?limit=100&name_prefix=customer%201" },
    { name: "customers, updated_since", method: "GET", path: `/api/customers?limit=100&updated_since=${since}` },
    { name: "addresses, customer_id", method: "GET", path: `/api/addresses?limit=100&customer_id=${customer}` },
    { name: "addresses, contact_id", method: "GET", path: `/api/addresses?limit=100&contact_id=${contact}` },
    { name: "addresses, id_crm", method: "GET", path: "/api/addresses?limit=100&id_crm=AC-42" },
    { name: "addresses, id_erp", method: "GET", path: "/api/addresses?limit=100&id_erp=AE-42" },
    { name: "addresses, id_accounting", method: "GET", path: "/api/addresses?limit=100&id_accounting=AA-42" },
    { name: "addresses, type", method: "GET", path: "/api/addresses?limit=100&type=shipping" },
    { name: "addresses, country", method: "GET", path: "/api/addresses?limit=100&country=DE" },
    { name: "addresses, updated_since", method: "GET", path: `/api/addresses?limit=100&updated_since=${since}` },
    {
      name: "POST contact",
      method: "POST",
      path: "/api/contacts",
      body: {
        customer_id: customer,
        first_name: "New",
        last_name: "Contact",
        email: "new@example.com",
        id_crm: "NEW-1",
      },
      // Replayed, the create would find NEW-1 taken by the contact it created, and refuse.
      undo: "delete from contacts where workspace_id = $1 and id_crm = 'NEW-1'",
    },
    {
      name: "PATCH contact",
      method: "PATCH",
      path: `/api/contacts/${contact}`,
      body: { first_name: "Changed", id_crm: "HS-42" },
    },
  ];
}

/** Database time of the statements a call sent: the median over `runs` of their planning + execution times. */
async function databaseMs(client: pg.Client, statements: RecordedStatement[], runs: number): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    await client.query("begin");
    let total = 0;
    try {
      for (const { query, params } of statements) {
        const result = await client.query(`explain (analyze, format json) ${query}`, params);
        const [plan] = (result.rows[0] as { "QUERY PLAN": { "Planning Time": number; "Execution Time": number }[] })[
          "QUERY PLAN"
        ];
        total += (plan?.["Planning Time"] ?? 0) + (plan?.["Execution Time"] ?? 0);
      }
    } finally {
      await client.query("rollback");
    }
    times.push(total);
  }
  return median(times);
}

export async function runScaleBench(log: (message: string) => void): Promise<Row[]> {
  if (!process.env.LOCAL_POSTGRES_URL) {
    return [["Scale run (1M contacts)", "skipped: it needs PostgreSQL (set LOCAL_POSTGRES_URL)", "", ""]];
  }
  const big: Omit<Shape, "workspaceId"> = {
    prefix: "big",
    customers: count("BENCH_SCALE_CUSTOMERS", 200_000),
    contacts: count("BENCH_SCALE_CONTACTS", 1_000_000),
    addresses: count("BENCH_SCALE_ADDRESSES", 1_000_000),
  };
  // Small, but with every page full (100 items: a sixth of the contacts has a
  // given role, half of the customers a given type, a tenth changed since), so
  // that both workspaces answer the same amount and only the size differs.
  const small: Omit<Shape, "workspaceId"> = { prefix: "small", customers: 1000, contacts: 6000, addresses: 6000 };
  const workspaces = count("BENCH_SCALE_WORKSPACES", 10_000);
  const runs = count("BENCH_SCALE_RUNS", 15);

  const { backend, name, dispose } = await openTestBackend();
  await backend.migrate(migrationsFolder);
  const server = await startLocalDbServer({ backend });
  const url = new URL(process.env.LOCAL_POSTGRES_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString(), options: "-c TimeZone=UTC" });
  await client.connect();
  const buildDir = mkdtempSync(join(tmpdir(), "qwoty-scale-"));
  try {
    const started = Date.now();
    log(
      `scale: ${workspaces} workspaces; ${big.contacts} contacts, ${big.customers} customers, ${big.addresses} addresses in one…`,
    );
    await client.query(
      `insert into workspaces (id, name) select md5('w' || n)::uuid, 'Workspace ' || n from generate_series(1, ${workspaces}) n`,
    );
    const shapes: Shape[] = [];
    for (const [i, shape] of [big, small].entries()) {
      const workspaceId = await md5Uuid(client, `w${i + 1}`);
      const full = { ...shape, workspaceId };
      await fill(client, full);
      shapes.push(full);
    }
    // As autovacuum leaves a table: statistics, and the GIN indexes' pending lists merged.
    for (const table of ["workspaces", "customers", "contacts", "addresses"])
      await client.query(`vacuum analyze ${table}`);
    const generated = (Date.now() - started) / 1000;
    log(`scale: generated in ${fmt(generated, 0)} s`);

    const tokens = new Map<string, string>();
    for (const shape of shapes) {
      const token = mintToken();
      await client.query(
        "insert into api_tokens (workspace_id, name, token_hash, token_hint, permissions) values ($1, 'scale', $2, 'qwt_prod_…', $3)",
        [shape.workspaceId, await hashToken(token), fullAccessPermissions],
      );
      tokens.set(shape.workspaceId, token);
    }

    const app = build(resolve(projectRoot, "wrangler.toml"), buildDir, "app");
    const worker = await startWorkerd(app, {
      vars: { DATABASE_URL: server.databaseUrl, LOG_REQUESTS: "false" },
      ratelimits: app.ratelimits.map((r) => ({ ...r, simple: { ...r.simple, limit: 1_000_000 } })),
    });
    // First what each call sends, on each workspace; then the timing, the two
    // workspaces alternating run by run so that the machine's drift hits both alike.
    const sent = new Map<string, RecordedStatement[][]>();
    try {
      for (const shape of shapes) {
        for (const call of await callList(client, shape)) {
          await fetch(`${server.origin}/_local/record`, { method: "PUT", body: JSON.stringify({ on: true }) });
          const response = await fetch(`${worker.origin}${call.path}`, {
            method: call.method,
            headers: {
              Authorization: `Bearer ${tokens.get(shape.workspaceId)}`,
              ...(call.body ? { "Content-Type": "application/json" } : {}),
            },
            body: call.body ? JSON.stringify(call.body) : undefined,
          });
          const recorded = (await (await fetch(`${server.origin}/_local/record`)).json()) as {
            statements: RecordedStatement[];
            batches: RecordedStatement[][];
          };
          await fetch(`${server.origin}/_local/record`, { method: "PUT", body: JSON.stringify({ on: false }) });
          if (response.status >= 300) throw new Error(`${call.name}: ${response.status} ${await response.text()}`);
          // The replays below run against the state before the call: what it wrote goes.
          if (call.undo) await client.query(call.undo, [shape.workspaceId]);
          sent.set(call.name, [...(sent.get(call.name) ?? []), [...recorded.statements, ...recorded.batches.flat()]]);
        }
      }
    } finally {
      await worker.dispose();
    }
    const measured = new Map<string, number[]>();
    for (const [callName, [bigStatements = [], smallStatements = []]] of sent) {
      const times: [number[], number[]] = [[], []];
      for (let run = 0; run < runs; run++) {
        times[0].push(await databaseMs(client, bigStatements, 1));
        times[1].push(await databaseMs(client, smallStatements, 1));
      }
      measured.set(callName, [median(times[0]), median(times[1])]);
    }

    const rows: Row[] = [
      [
        "Scale run: generation",
        `${workspaces} workspaces; one with ${big.contacts} contacts, ${big.customers} customers, ${big.addresses} addresses; a small one with the same pages (${small.contacts}, ${small.customers}, ${small.addresses}): ${fmt(generated, 0)} s in SQL`,
        "minutes",
        generated < 1800 ? "yes" : "**no**",
      ],
    ];
    for (const [callName, [bigMs = Number.NaN, smallMs = Number.NaN]] of measured) {
      const ratio = bigMs / smallMs;
      const ok = ratio <= 1.25;
      rows.push([
        `Scale, database time: ${callName}`,
        `${fmt(bigMs)} ms vs ${fmt(smallMs)} ms: ${fmt(ratio)}×`,
        "≤ 1.25× the small workspace, a few ms",
        ok && bigMs <= 5 ? "yes" : "**no**",
      ]);
    }
    return rows;
  } finally {
    await client.end();
    await server.close();
    await dispose();
    rmSync(buildDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runScaleBench((message) => console.error(`bench: ${message}`));
  console.log("| Measure | Measured | Target | Met |\n| --- | --- | --- | --- |");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}
