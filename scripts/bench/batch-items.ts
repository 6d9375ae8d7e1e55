// The bodies of POST /api/contacts/batch that the batch bench and the import
// send: contacts as an import from a CRM brings them, each with its id_crm,
// which a later re-sync (upserts matching id_crm) finds again.
import type { Db } from "../../src/db/client.ts";
import { customers } from "../../src/db/schema.ts";
import { seedWorkspaceFixture } from "../fixtures.ts";
import type { Call } from "./load.ts";

/** The largest batch the API takes (the contract's limit, and the import's batch size). */
export const maxBatchItems = 1000;

export interface ContactData {
  customer_id: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  role: string[];
  id_crm: string;
}

export type BatchOperation = { op: "create"; data: ContactData } | { op: "upsert"; match: "id_crm"; data: ContactData };

/** One item of a batch's answer (the fields the bench reads). */
export interface BatchResult {
  op: string;
  status: number;
  id: string;
}

/**
 * The n-th contact of a run. `prefix` keeps the id_crm values of different runs
 * apart; the customers are taken in turn, so that a batch names several.
 */
export function contactData(n: number, prefix: string, customerIds: readonly string[]): ContactData {
  return {
    customer_id: customerIds[n % customerIds.length] as string,
    first_name: `First ${n}`,
    last_name: `Last ${n}`,
    email: `contact${n}@example.com`,
    phone: `+33 1 23 45 ${String(n % 100).padStart(2, "0")} ${String(n % 97).padStart(2, "0")}`,
    role: ["buyer"],
    id_crm: `${prefix}-${n}`,
  };
}

/**
 * A fresh workspace (the test fixture: a customer, a contact, an address, tokens)
 * with `count` customers in all. The bench spreads its contacts over many
 * customers, and each batch names several of them (the worker checks each one
 * belongs to the workspace).
 */
export async function workspaceWithCustomers(db: Db, count: number) {
  const fixture = await seedWorkspaceFixture(db);
  const rows = await db
    .insert(customers)
    .values(
      Array.from({ length: count - 1 }, (_, i) => ({
        workspaceId: fixture.workspaceId,
        name: `Customer ${i}`,
        type: "company" as const,
      })),
    )
    .returning({ id: customers.id });
  const customerIds = [fixture.customerId, ...rows.map((r) => r.id)];
  return { fixture, workspaceId: fixture.workspaceId, token: fixture.token, customerIds };
}
export type BenchWorkspace = Awaited<ReturnType<typeof workspaceWithCustomers>>;

/** Contacts `from` … `from + count - 1`, as creates or as upserts matching id_crm (a re-sync). */
export function batchOperations(
  op: "create" | "upsert",
  from: number,
  count: number,
  prefix: string,
  customerIds: readonly string[],
): BatchOperation[] {
  return Array.from({ length: count }, (_, i) => {
    const data = contactData(from + i, prefix, customerIds);
    return op === "create" ? { op, data } : { op, match: "id_crm", data };
  });
}

export function batchCall(token: string, operations: BatchOperation[]): Call {
  return { method: "POST", path: "/api/contacts/batch", token, body: { operations } };
}

/**
 * The per-item results of a batch's answer, or a description of what is wrong
 * with it: not 200, not JSON, not one result per operation, or an item whose
 * status is not `itemStatus` (201 for a create, and for an upsert that creates;
 * 200 for an upsert that finds its record).
 */
export function batchResults(
  answer: { status: number; body: string },
  items: number,
  itemStatus: number,
): { results: BatchResult[] } | { problem: string } {
  if (answer.status !== 200) return { problem: `status ${answer.status}: ${answer.body.slice(0, 500)}` };
  let data: unknown;
  try {
    data = (JSON.parse(answer.body) as { data?: unknown }).data;
  } catch {
    return { problem: `not JSON: ${answer.body.slice(0, 200)}` };
  }
  if (!Array.isArray(data) || data.length !== items) {
    return { problem: `expected ${items} results, got ${Array.isArray(data) ? data.length : typeof data}` };
  }
  const results = data as BatchResult[];
  const wrong = results.findIndex((r) => r.status !== itemStatus);
  if (wrong >= 0) return { problem: `operations[${wrong}]: status ${results[wrong]?.status}, expected ${itemStatus}` };
  return { results };
}
