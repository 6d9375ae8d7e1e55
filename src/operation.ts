// An operation of the API, declared once beside its handler: method, path,
// permission, the schemas of its path parameters, query string and body, the
// object it answers with and the refusals it can answer. The app registers its
// routes from these declarations (with their validation), the OpenAPI document
// is generated from them at build time (scripts/openapi.ts), and the tests'
// endpoint table is derived from them. What only the documentation needs (the
// response objects' schemas, examples) is named here, not imported, so that it
// stays out of the worker bundle.
import type { Context, Hono, TypedResponse } from "hono";
import type { HandlerResponse, MergePath, ToSchema } from "hono/types";
import * as v from "valibot";
import type { Permission } from "./access/permissions";
import type { AppEnv } from "./env";
import { readJsonBody } from "./http/body";
import { badRequest } from "./http/errors";
import { validationMessage } from "./http/validation";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** The response objects the documentation knows by name (scripts/openapi.ts maps them to schemas). */
export type ObjectName =
  | "Contact"
  | "Customer"
  | "Address"
  | "Token"
  | "NewToken"
  | "Health"
  | "WebhookEndpoint"
  | "NewWebhookEndpoint"
  | "WebhookDelivery"
  | "Event";

/** Headers an operation reads, beyond Authorization. */
export type HeaderName = "If-None-Match" | "If-Match" | "Idempotency-Key";

/** What a successful answer is. */
export type Success =
  | { status: 200 | 201; kind: "record"; object: ObjectName }
  | { status: 200; kind: "list"; object: ObjectName; pages?: boolean }
  | { status: 200 | 201; kind: "object"; object: ObjectName }
  | { status: 200; kind: "deleted" }
  /** PUT …/by/{field}/{value}: 201 when it created the record, 200 when the record existed */
  | { status: 201; kind: "upserted"; object: ObjectName }
  /** POST …/batch: one result per operation */
  | { status: 200; kind: "batch"; object: ObjectName }
  /** GET /api/events: a page of the feed, with the cursor to continue from */
  | { status: 200; kind: "feed"; object: ObjectName };

/** The 4xx/5xx statuses an operation can answer (their messages: http/errors.ts, by status). */
export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 410 | 412 | 413 | 415 | 422 | 429 | 500 | 503;

type ObjectSchema =
  | v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>
  | v.StrictObjectSchema<v.ObjectEntries, v.ErrorMessage<v.StrictObjectIssue> | undefined>;

export interface OperationSpec {
  method: Method;
  /** Hono's form, e.g. /api/contacts/:id */
  path: string;
  operationId: string;
  tag: string;
  /** What the token needs; none: no token at all (/health). */
  permission?: Permission | readonly Permission[];
  /** The token needs any one of `permission`, not all of them (the events feed). */
  anyPermission?: boolean;
  /** The record an operation is about, for its messages ("Contact not found"). */
  thing?: string;
  /** Path parameters: each issue's message is the whole error ("Invalid contact id: expected a UUID"). */
  params?: ObjectSchema;
  /** Query string parameters: a strict object refuses unknown ones (a list's filters), a plain one ignores them. */
  query?: ObjectSchema;
  body?: v.GenericSchema;
  /** Largest body accepted, in bytes, when not the default 64 KiB (a batch). */
  bodyLimit?: number;
  /** Checks across the body's items, and every problem named in `errors` (a batch: http/body.ts). */
  across?: (body: unknown) => string[];
  headers?: readonly HeaderName[];
  success: Success;
  refusals: readonly RefusalStatus[];
}

/**
 * What the API reference says of operations, by operationId: beside the
 * declarations (each resource's operations.ts ends with its own), read by
 * scripts/openapi.ts, and imported by nothing the worker runs, so that the
 * prose stays out of the bundle.
 */
export type Documentation = Record<
  string,
  {
    summary: string;
    description?: string /** query parameters' descriptions, by name */;
    parameters?: Record<string, string>;
  }
>;

/** No input of that kind (an empty object type, as Hono's Input expects). */
type Nothing = Record<never, never>;

type InputOf<S extends OperationSpec> = {
  in: (S["params"] extends ObjectSchema ? { param: v.InferInput<S["params"]> } : Nothing) &
    (S["query"] extends ObjectSchema ? { query: v.InferInput<S["query"]> } : Nothing) &
    (S["body"] extends v.GenericSchema ? { json: v.InferInput<S["body"]> } : Nothing) &
    (S["headers"] extends readonly HeaderName[] ? { header?: { [H in S["headers"][number]]?: string } } : Nothing);
  out: (S["params"] extends ObjectSchema ? { param: v.InferOutput<S["params"]> } : Nothing) &
    (S["query"] extends ObjectSchema ? { query: v.InferOutput<S["query"]> } : Nothing) &
    (S["body"] extends v.GenericSchema ? { json: v.InferOutput<S["body"]> } : Nothing);
};

export interface Operation<S extends OperationSpec = OperationSpec, R = unknown> {
  spec: S;
  /** The validation, then the handler: one layer, as each layer costs every request. */
  handle: (c: Context<AppEnv, S["path"], InputOf<S>>) => Promise<Awaited<R>>;
}

/**
 * Declares an operation. Its validation runs before the handler, in this order:
 * body, path parameters, query string; each refusal is a 400 in the envelope,
 * and nothing reaches the database unless all of it passes.
 */
export function operation<const S extends OperationSpec, R extends HandlerResponse<unknown>>(
  spec: S,
  handler: (c: Context<AppEnv, S["path"], InputOf<S>>) => R,
): Operation<S, R> {
  const handle = async (c: Context<AppEnv, S["path"], InputOf<S>>): Promise<Awaited<R>> => {
    if (spec.body)
      c.req.addValidatedData(
        "json",
        (await readJsonBody(c, spec.body, { maxBytes: spec.bodyLimit, across: spec.across })) as object,
      );
    if (spec.params) {
      const result = v.safeParse(spec.params, c.req.param());
      if (!result.success) throw badRequest(result.issues[0].message);
      c.req.addValidatedData("param", result.output);
    }
    if (spec.query) {
      const result = v.safeParse(spec.query, c.req.query());
      if (!result.success) throw badRequest(validationMessage(result.issues, "query parameter"));
      c.req.addValidatedData("query", result.output);
    }
    // (TypeScript does not narrow `await` of a generic R to Awaited<R>.)
    return (await handler(c)) as Awaited<R>;
  };
  return { spec, handle };
}

// The typed client (hono/client) sees each registered operation as Hono's own
// chained routes would show it.
type TypedOf<R> =
  R extends Promise<infer T>
    ? T extends TypedResponse
      ? T
      : TypedResponse
    : R extends TypedResponse
      ? R
      : TypedResponse;
type WithOperation<App, Op> =
  App extends Hono<infer E, infer S, infer B>
    ? Op extends Operation<infer Spec, infer R>
      ? Hono<E, S & ToSchema<Spec["method"], MergePath<B, Spec["path"]>, InputOf<Spec>, TypedOf<R>>, B>
      : never
    : never;
export type Registered<App, Ops extends readonly unknown[]> = Ops extends readonly [infer First, ...infer Rest]
  ? Registered<WithOperation<App, First>, Rest>
  : App;

/** Registers each operation's route (method, path, validation, handler) on the app. */
export function register<App extends Hono<AppEnv>, const Ops extends readonly Operation<OperationSpec, unknown>[]>(
  app: App,
  operations: Ops,
): Registered<App, Ops> {
  // Hono's own typing of on() cannot follow a list; Registered<> restores the types.
  const routes = app as unknown as { on(method: string, path: string, handler: unknown): unknown };
  for (const { spec, handle } of operations) routes.on(spec.method.toUpperCase(), spec.path, handle);
  return app as unknown as Registered<App, Ops>;
}
