// No list or lookup of the API scans a whole table: with a few hundred thousand
// rows and fresh statistics, PostgreSQL's plan for every read statement the
// worker sends (recorded by the local server, then EXPLAINed with the same
// parameters) uses an index for contacts, customers and addresses, the
// address_ids/contact_ids subqueries included. PostgreSQL only: PGlite's
// planner and sizes are not production's.

import { env } from "cloudflare:test";
import { neon } from "@neondatabase/serverless";
import { type SQL, sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { api, db, seedWorkspace, type TestWorkspace } from "../support/harness";
import { recordBatches, recordStatements } from "../support/local-db";

const onPostgres = inject("backend") === "postgres";
const scanned = new Set(["contacts", "customers", "addresses", "events"]);

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode): string[] {
  const own =
    node["Node Type"] === "Seq Scan" && scanned.has(node["Relation Name"] ?? "")
      ? [node["Relation Name"] as string]
      : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}

/**
 * Bulk rows for the workspace, in SQL: customers, contacts spread over them,
 * addresses linked to contacts, and a change event for each. The triggers that
 * record events are off while loading (session_replication_role, in each
 * statement's transaction): writing each record's JSON would take minutes at
 * this size, and the plans only need the events' rows.
 */
async function fill(ws: TestWorkspace, scale: { customers: number; contacts: number; addresses: number }) {
  const d = db();
  const load = (statement: SQL) =>
    d.batch([d.execute(sql`set local session_replication_role = replica`), d.execute(statement)]);
  await load(sql`insert into customers (workspace_id, name, type, tax_ids, id_crm, created_at, updated_at)
    select ${ws.workspaceId}::uuid, 'Customer ' || n, (array['company','individual'])[1 + n % 2]::customer_type,
           jsonb_build_array(jsonb_build_object('tax', 'VAT', 'tax_value', 'FR' || n)), 'C-' || n,
           now() - make_interval(secs => n), now() - make_interval(secs => n)
    from generate_series(1, ${scale.customers}) n`);
  await load(sql`insert into contacts (workspace_id, customer_id, first_name, last_name, email, role, id_crm, created_at, updated_at)
    select c.workspace_id, c.id, 'First', 'Last ' || n, 'person' || n || '@example.com',
           array[(array['buyer','signer','billing','shipping','legal','admin'])[1 + n % 6]]::contact_role[],
           'HS-' || n, now() - make_interval(secs => n), now() - make_interval(secs => n)
    from generate_series(1, ${scale.contacts}) n
    join lateral (select id, workspace_id from customers where workspace_id = ${ws.workspaceId}::uuid
                  and id_crm = 'C-' || (1 + n % ${scale.customers})) c on true`);
  await load(sql`insert into addresses (workspace_id, customer_id, contact_id, type, address_line1, city, postal_code, country, id_erp, created_at, updated_at)
    select k.workspace_id, k.customer_id, k.id, (array['billing','shipping'])[1 + n % 2]::address_type, n || ' Main St',
           'City', '7500' || n % 10, (array['FR','DE','GB','US'])[1 + n % 4], 'A-' || n,
           now() - make_interval(secs => n), now() - make_interval(secs => n)
    from generate_series(1, ${scale.addresses}) n
    join lateral (select id, workspace_id, customer_id from contacts where workspace_id = ${ws.workspaceId}::uuid
                  and id_crm = 'HS-' || (1 + n % ${scale.contacts})) k on true`);
  for (const [table, type] of [
    ["customers", "customer.created"],
    ["contacts", "contact.created"],
    ["addresses", "address.created"],
  ] as const) {
    await d.execute(sql`insert into events (workspace_id, type, object_id, occurred_at)
      select workspace_id, ${type}, id, created_at from ${sql.raw(table)} where workspace_id = ${ws.workspaceId}::uuid
      order by created_at, id`);
  }
  for (const table of ["customers", "contacts", "addresses", "events"]) await d.execute(sql.raw(`analyze ${table}`));
}

describe.runIf(onPostgres)("query plans at a few hundred thousand rows", () => {
  it("uses an index for every list and lookup the API sends", { timeout: 240_000 }, async () => {
    const [ws] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    await fill(ws, { customers: 20_000, contacts: 100_000, addresses: 100_000 });
    const since = new Date(Date.now() - 60_000).toISOString();
    const paths = [
      `/api/contacts/${ws.contactId}`,
      `/api/customers/${ws.customerId}`,
      `/api/addresses/${ws.addressId}`,
      "/api/contacts?limit=100",
      `/api/contacts?limit=100&customer_id=${ws.customerId}`,
      "/api/contacts?limit=100&email=PERSON4711%40example.com",
      "/api/contacts?limit=100&id_crm=HS-4711",
      "/api/contacts?limit=100&id_erp=nothing",
      "/api/contacts?limit=100&id_accounting=nothing",
      "/api/contacts?limit=100&role=legal",
      `/api/contacts?limit=100&updated_since=${since}`,
      "/api/customers?limit=100",
      "/api/customers?limit=100&id_crm=C-42",
      "/api/customers?limit=100&id_erp=nothing",
      "/api/customers?limit=100&id_accounting=nothing",
      "/api/customers?limit=100&tax_value=FR42",
      "/api/customers?limit=100&type=individual",
      "/api/customers?limit=100&name_prefix=customer%2042",
      `/api/customers?limit=100&updated_since=${since}`,
      "/api/addresses?limit=100",
      `/api/addresses?limit=100&customer_id=${ws.customerId}`,
      `/api/addresses?limit=100&contact_id=${ws.contactId}`,
      "/api/addresses?limit=100&id_erp=A-42",
      "/api/addresses?limit=100&id_crm=nothing",
      "/api/addresses?limit=100&id_accounting=nothing",
      "/api/addresses?limit=100&type=shipping",
      "/api/addresses?limit=100&country=DE",
      `/api/addresses?limit=100&updated_since=${since}`,
    ];
    const statements = await recordStatements(async () => {
      for (const path of paths) expect((await api(path, { token: ws.token })).status, path).toBe(200);
    });
    expect(statements).toHaveLength(paths.length);
    // The driver as the worker uses it (db() has configured its local endpoint).
    const client = neon(env.DATABASE_URL);
    const planOf = async (query: string, params: unknown[]) => {
      const rows = (await client.query(`explain (format json) ${query}`, params)) as {
        "QUERY PLAN": [{ Plan: PlanNode }];
      }[];
      return rows[0]?.["QUERY PLAN"][0].Plan as PlanNode;
    };
    // The check itself: a query no index serves is caught.
    expect(seqScans(await planOf("select * from contacts where last_name = $1", ["Last 42"]))).toEqual(["contacts"]);
    for (const [i, statement] of statements.entries()) {
      const plan = await planOf(statement.query, statement.params);
      expect(seqScans(plan), `${paths[i]}\n${JSON.stringify(plan)}`).toEqual([]);
    }

    // Batch writes: every statement of a batch of each kind of operation, per resource.
    const idOf = async (path: string) => {
      const page = (await (await api(`${path}&limit=1`, { token: ws.token })).json()) as { data: { id: string }[] };
      return page.data[0]?.id as string;
    };
    const contactIds = [await idOf("/api/contacts?id_crm=HS-4712"), await idOf("/api/contacts?id_crm=HS-4713")];
    const addressIds = [await idOf("/api/addresses?id_erp=A-4712"), await idOf("/api/addresses?id_erp=A-4713")];
    const contact = { customer_id: ws.customerId, first_name: "Ada", last_name: "Lovelace", email: "ada@example.com" };
    const address = {
      customer_id: ws.customerId,
      type: "billing",
      address_line1: "1 Main St",
      city: "Paris",
      postal_code: "75001",
      country: "FR",
    };
    const batches = {
      "/api/contacts/batch": [
        { op: "create", data: contact },
        { op: "update", id: contactIds[0], data: { first_name: "Grace" } },
        { op: "upsert", match: "id_crm", data: { ...contact, id_crm: "HS-new" } },
        { op: "delete", id: contactIds[1] },
      ],
      "/api/addresses/batch": [
        { op: "create", data: { ...address, contact_id: ws.contactId } },
        { op: "update", id: addressIds[0], data: { city: "Lyon" } },
        { op: "upsert", match: "id_erp", data: { ...address, id_erp: "A-new" } },
        { op: "delete", id: addressIds[1] },
      ],
      "/api/customers/batch": [
        { op: "create", data: { name: "New", type: "company" } },
        { op: "update", id: ws.customerId, data: { name: "Renamed" } },
        { op: "upsert", match: "id_crm", data: { name: "Customer 42", type: "company", id_crm: "C-42" } },
      ],
    };
    const sent = await recordBatches(async () => {
      for (const [path, operations] of Object.entries(batches)) {
        const response = await api(path, { method: "POST", token: ws.token, body: { operations } });
        expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
      }
    });
    expect(sent).toHaveLength(Object.keys(batches).length);
    for (const [i, batch] of sent.entries()) {
      for (const statement of batch) {
        const plan = await planOf(statement.query, statement.params);
        expect(seqScans(plan), `${Object.keys(batches)[i]}\n${statement.query}\n${JSON.stringify(plan)}`).toEqual([]);
      }
    }

    // The change feed: a page from the start, after a cursor, of one group, and one event.
    const first = (await (await api("/api/events?limit=100", { token: ws.token })).json()) as {
      data: { id: string }[];
      next_cursor: string;
    };
    const feedPaths = [
      "/api/events?limit=100",
      `/api/events?limit=100&after=${first.next_cursor}`,
      "/api/events?limit=100&type=address.*",
      `/api/events/${first.data[50]?.id}`,
    ];
    const feedReads = await recordBatches(async () => {
      for (const path of feedPaths) expect((await api(path, { token: ws.token })).status, path).toBe(200);
    });
    expect(feedReads).toHaveLength(feedPaths.length);
    for (const [i, batch] of feedReads.entries()) {
      for (const statement of batch) {
        const plan = await planOf(statement.query, statement.params);
        expect(seqScans(plan), `${feedPaths[i]}\n${statement.query}\n${JSON.stringify(plan)}`).toEqual([]);
      }
    }
  });
});

describe.skipIf(onPostgres)("query plans", () => {
  it.skip("are checked on PostgreSQL only (PGlite's planner and sizes are not production's)", () => {});
});
