// Helpers for the batch and upsert tests (test/batch, test/upsert, test/races/upserts.test.ts):
// POST /api/<resource>/batch and PUT /api/<resource>/by/{field}/{value} as a client sends
// them, the shapes of their answers, and "nothing changed" as a client can see it (the
// list answers) and as the database holds it.
import { expect } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import type { ContactObject } from "../../src/contacts/object";
import type { CustomerObject } from "../../src/customers/object";
import { type Envelope, json } from "./envelope";
import { api, snapshotWorkspace, type TestWorkspace } from "./harness";
import { contactBody } from "./resources";

export type Resource = "contacts" | "customers" | "addresses";
export type ExternalIdField = "id_crm" | "id_erp" | "id_accounting";

export interface ObjectOf {
  contacts: ContactObject;
  customers: CustomerObject;
  addresses: AddressObject;
}

/** One operation of a batch, as a client writes it. */
export type BatchOperation =
  | { op: "create"; data: Record<string, unknown> }
  | { op: "update"; id: string; data: Record<string, unknown> }
  | { op: "upsert"; match: string; data: Record<string, unknown> }
  | { op: "delete"; id: string };

/** One result of a successful batch. */
export interface BatchResult<T = Record<string, unknown>> {
  op: "create" | "update" | "upsert" | "delete";
  status: 200 | 201;
  id: string;
  data?: T;
  deleted?: true;
}

/** A batch refusal: the first messages in `error`, every failing item in `errors`. */
export interface BatchRefusal {
  success: false;
  error: string;
  errors: string[];
}

export interface SendOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** The largest batch body accepted: 1 MiB. */
export const maxBatchBytes = 1024 * 1024;
export const maxBatchOperations = 1000;

/** POST /api/<resource>/batch with `operations` (or, given a string, exactly that body). */
export function postBatch(
  ws: TestWorkspace,
  resource: Resource,
  operations: readonly unknown[] | string,
  options: SendOptions = {},
): Promise<Response> {
  return api(`/api/${resource}/batch`, {
    method: "POST",
    token: options.token ?? ws.token,
    headers: options.headers,
    body: typeof operations === "string" ? operations : { operations },
  });
}

/** A batch that must succeed: 200, exactly {"success": true, "data": [...]}, one result per operation. */
export async function batchOk<R extends Resource>(
  ws: TestWorkspace,
  resource: R,
  operations: readonly BatchOperation[] | readonly Record<string, unknown>[],
  options: SendOptions = {},
): Promise<BatchResult<ObjectOf[R]>[]> {
  const response = await postBatch(ws, resource, operations, options);
  const text = await response.text();
  expect(response.status, text.slice(0, 500)).toBe(200);
  const body = JSON.parse(text) as Envelope<BatchResult<ObjectOf[R]>[]>;
  expect(Object.keys(body)).toEqual(["success", "data"]);
  expect(body.success).toBe(true);
  expect(body.data).toHaveLength(operations.length);
  return body.data;
}

/** The shape every result has: a written record, or a deleted one. */
export function expectResultShape(result: BatchResult<unknown> | undefined, op: BatchResult["op"], status: 200 | 201) {
  expect(result?.op).toBe(op);
  expect(result?.status).toBe(status);
  expect(result?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  if (op === "delete") {
    expect(result).toEqual({ op, status, id: result?.id, deleted: true });
  } else {
    expect(Object.keys(result ?? {})).toEqual(["op", "status", "id", "data"]);
    expect((result?.data as { id?: string } | undefined)?.id).toBe(result?.id);
  }
}

/** Each written record of the results is exactly what GET /api/<resource>/{id} shows now; each deleted one is gone. */
export async function expectResultsAsGetShowsThem(
  ws: TestWorkspace,
  resource: Resource,
  results: readonly BatchResult<unknown>[],
) {
  for (const result of results) {
    const response = await api(`/api/${resource}/${result.id}`, { token: ws.token });
    if (result.op === "delete") {
      expect(response.status, `${result.id} was deleted`).toBe(404);
    } else {
      expect(response.status).toBe(200);
      expect(result.data).toEqual((await json<Envelope<unknown>>(response)).data);
    }
  }
}

/**
 * A refusal of a batch: `status`, exactly {"success", "error", "errors"}, `errors`
 * naming exactly the items expected (in any order: each expectation matches one
 * message), and `error` the first of those messages (then possibly more, joined by "; ").
 */
export async function expectBatchRefusal(
  response: Response,
  status: number,
  expected: (string | RegExp)[],
): Promise<BatchRefusal> {
  const text = await response.text();
  expect(response.status, text.slice(0, 1000)).toBe(status);
  const body = JSON.parse(text) as BatchRefusal;
  expect(Object.keys(body), text.slice(0, 1000)).toEqual(["success", "error", "errors"]);
  expect(body.success).toBe(false);
  expect(Array.isArray(body.errors)).toBe(true);
  const left = [...body.errors];
  for (const expectation of expected) {
    const at = left.findIndex((message) =>
      typeof expectation === "string" ? message === expectation : expectation.test(message),
    );
    expect(at, `errors ${JSON.stringify(body.errors)} should hold one message matching ${expectation}`).not.toBe(-1);
    left.splice(at, 1);
  }
  expect(left, `errors ${JSON.stringify(body.errors)} holds messages not expected`).toEqual([]);
  expect(body.error.startsWith(body.errors[0] as string), `error "${body.error}" starts with errors[0]`).toBe(true);
  return body;
}

/** The three list answers of the workspace (what a client sees) and its rows (what the database holds). */
export async function workspaceState(ws: TestWorkspace) {
  const lists: string[] = [];
  for (const resource of ["contacts", "customers", "addresses"] as const) {
    const response = await api(`/api/${resource}`, { token: ws.token });
    expect(response.status).toBe(200);
    lists.push(await response.text());
  }
  return { lists, rows: await snapshotWorkspace(ws.workspaceId) };
}

/** Runs `action` and checks that the workspace's lists and rows are exactly as before it. */
export async function expectNothingChanged(ws: TestWorkspace, action: () => Promise<unknown>) {
  const before = await workspaceState(ws);
  await action();
  const after = await workspaceState(ws);
  expect(after.lists).toEqual(before.lists);
  expect(after.rows).toEqual(before.rows);
}

/** GET /api/<resource>, which must answer 200: the objects. */
export async function listAll<R extends Resource>(ws: TestWorkspace, resource: R): Promise<ObjectOf[R][]> {
  const response = await api(`/api/${resource}`, { token: ws.token });
  expect(response.status).toBe(200);
  return (await json<Envelope<ObjectOf[R][]>>(response)).data;
}

/** GET /api/<resource>/{id}, which must answer 200: the object and its ETag. */
export async function getRecord<R extends Resource>(ws: TestWorkspace, resource: R, id: string) {
  const response = await api(`/api/${resource}/${id}`, { token: ws.token });
  expect(response.status).toBe(200);
  return { data: (await json<Envelope<ObjectOf[R]>>(response)).data, etag: response.headers.get("ETag") };
}

/** PUT /api/<resource>/by/{field}/{value}, the value percent-encoded as one path segment. */
export function putByExternalId(
  ws: TestWorkspace,
  resource: Resource,
  field: string,
  value: string,
  body: unknown,
  options: SendOptions = {},
): Promise<Response> {
  return api(`/api/${resource}/by/${field}/${encodeURIComponent(value)}`, {
    method: "PUT",
    token: options.token ?? ws.token,
    headers: options.headers,
    body,
  });
}

/** A PUT that must answer `status` (201 created or 200 existed): the object, its ETag and Location. */
export async function upsertOk<R extends Resource>(
  ws: TestWorkspace,
  resource: R,
  field: ExternalIdField,
  value: string,
  body: unknown,
  status: 200 | 201,
  options: SendOptions = {},
) {
  const response = await putByExternalId(ws, resource, field, value, body, options);
  const text = await response.text();
  expect(response.status, text.slice(0, 500)).toBe(status);
  const parsed = JSON.parse(text) as Envelope<ObjectOf[R]>;
  expect(Object.keys(parsed)).toEqual(["success", "data"]);
  expect(parsed.success).toBe(true);
  return {
    data: parsed.data,
    etag: response.headers.get("ETag"),
    location: response.headers.get("Location"),
    /** the answer's body, as sent */
    text,
  };
}

/** The body of a new customer. */
export const customerBody = (fields: Record<string, unknown> = {}) => ({ name: "Acme", type: "company", ...fields });

/** `count` operations produced by `make`, for large batches. */
export const many = <T>(count: number, make: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));

/**
 * A JSON body of exactly `bytes` bytes: `{"operations": <operations>}` padded with
 * spaces (JSON whitespace) inside the object.
 */
export function paddedBody(operations: readonly unknown[], bytes: number): string {
  const core = JSON.stringify({ operations });
  const padding = bytes - new TextEncoder().encode(core).byteLength;
  if (padding < 0) throw new Error(`the operations alone take more than ${bytes} bytes`);
  return `{${" ".repeat(padding)}${core.slice(1)}`;
}

/** A batch's create of a contact of `ws` (contactBody's fields, with these over them). */
export const contactCreate = (ws: TestWorkspace, fields: Record<string, unknown> = {}): BatchOperation => ({
  op: "create",
  data: contactBody(ws, fields),
});

/** A batch's upsert of a contact of `ws`, matched on `match`. */
export const contactUpsert = (ws: TestWorkspace, match: string, fields: Record<string, unknown>): BatchOperation => ({
  op: "upsert",
  match,
  data: contactBody(ws, fields),
});
