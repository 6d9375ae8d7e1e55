// The OpenAPI 3.1 document, generated from the operations' own declarations
// (src/<resource>/operations.ts, listed in src/app.ts): their paths, parameters,
// bodies, answers and refusals. The request schemas are the ones that validate
// requests; the response objects are src/*/object.ts, which type the
// serialisers; the refusals' examples come from the same named constructors the
// handlers throw (src/http/errors.ts). It is a build artefact: `npm run
// build:assets` (run by wrangler's [build] before every `wrangler dev` and
// `wrangler deploy`) writes it to public/openapi.json, served as a static asset,
// so that neither the document nor its generator weighs on the worker bundle.
// Tests check that every route the app serves is here and that every answer of
// the test suite matches it.
import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";
import { permissions } from "../src/access/permissions.ts";
import { tooManyRequests } from "../src/access/rate-limit.ts";
import { addressObject } from "../src/addresses/object.ts";
import { addressDocs } from "../src/addresses/operations.ts";
import { serializeAddress } from "../src/addresses/serialize.ts";
import { operations } from "../src/app.ts";
import { contactObject } from "../src/contacts/object.ts";
import { contactDocs } from "../src/contacts/operations.ts";
import { serializeContact } from "../src/contacts/serialize.ts";
import { customerObject } from "../src/customers/object.ts";
import { customerDocs } from "../src/customers/operations.ts";
import { serializeCustomer } from "../src/customers/serialize.ts";
import { eventObject } from "../src/events/object.ts";
import { eventDocs } from "../src/events/operations.ts";
import { retentionDays } from "../src/events/types.ts";
import { healthDocs } from "../src/health.ts";
import { maxBatchOperations } from "../src/http/batch.ts";
import { maxBodyBytes } from "../src/http/body.ts";
import {
  type ApiError,
  badRequest,
  concurrentChange,
  databaseUnavailable,
  feedCursorExpired,
  idempotencyKeyReused,
  internalError,
  invalidToken,
  lacksPermission,
  notFound,
  payloadTooLarge,
  preconditionFailed,
  readsNoEvents,
  unsupportedMediaType,
} from "../src/http/errors.ts";
import { maxLimit, pageSize } from "../src/http/list.ts";
import type { Documentation, ObjectName, OperationSpec, RefusalStatus } from "../src/operation.ts";
import { newTokenObject, tokenObject } from "../src/tokens/object.ts";
import { tokenDocs } from "../src/tokens/operations.ts";
import {
  newWebhookEndpointObject,
  webhookDeliveryObject,
  webhookEndpointObject,
  webhookPayloadObject,
} from "../src/webhooks/object.ts";
import { webhookDocs } from "../src/webhooks/operations.ts";
import { acmeCustomer, jeanDupont, siegeSocial } from "./seed.ts";

type Json = Record<string, unknown>;

/** A valibot schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect); custom checks are described, not converted. */
function schemaOf(schema: v.GenericSchema): Json {
  const { $schema: _, ...json } = toJsonSchema(schema, {
    target: "draft-2020-12",
    typeMode: "input",
    errorMode: "ignore",
  }) as Json;
  return json;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const envelope = (data: Json) => ({
  type: "object",
  properties: { success: { const: true }, data },
  required: ["success", "data"],
  additionalProperties: false,
});
const listEnvelope = (item: string, pages: boolean) => ({
  type: "object",
  properties: {
    success: { const: true },
    data: { type: "array", items: ref(item) },
    ...(pages
      ? {
          has_more: { type: "boolean", description: "Only with `limit` or `cursor`: whether another page follows" },
          next_cursor: {
            type: ["string", "null"],
            description: "Only with `limit` or `cursor`: pass it as `cursor` for the next page",
          },
        }
      : {}),
  },
  required: ["success", "data"],
  additionalProperties: false,
});

// The ETag travels in a header, not in the object: the serialisers leave it out.
const etag = "";
/** Examples: the seed of Qwoty's "Get Contact" page, from the demo's own rows, through the API's serialisers. */
const examples: Partial<Record<ObjectName, unknown>> = {
  Contact: serializeContact({ ...jeanDupont, addressIds: [siegeSocial.id], etag }),
  Customer: serializeCustomer({ ...acmeCustomer, contactIds: [jeanDupont.id], addressIds: [siegeSocial.id], etag }),
  Address: serializeAddress({ ...siegeSocial, etag }),
};

const healthObject = v.pipe(
  v.strictObject({
    status: v.literal("ok"),
    database: v.literal("ok"),
    database_ms: v.pipe(v.number(), v.description("The database round trip, in milliseconds")),
  }),
  v.title("Health"),
);

/** The response objects, by the name the declarations give them. */
const objects: Record<ObjectName, v.GenericSchema> = {
  Contact: contactObject,
  Customer: customerObject,
  Address: addressObject,
  Token: tokenObject,
  NewToken: newTokenObject,
  Health: healthObject,
  Event: eventObject,
  WebhookEndpoint: webhookEndpointObject,
  NewWebhookEndpoint: newWebhookEndpointObject,
  WebhookDelivery: webhookDeliveryObject,
};

/** What each refusal says, from the constructors the handlers throw, for one operation. */
function refusalOf(status: RefusalStatus, spec: OperationSpec): [description: string, error: ApiError] {
  const thing = spec.thing ?? "Record";
  const permission = [spec.permission ?? ""].flat()[0] ?? "";
  switch (status) {
    case 400:
      return [
        "Invalid input: each invalid field is named with the rule it breaks",
        badRequest("first_name is required"),
      ];
    case 401:
      return ["No token, not a Bearer token, or an unknown, revoked or expired token", invalidToken()];
    case 403:
      return spec.anyPermission
        ? ["The token may read none of the resources asked about", readsNoEvents()]
        : ["The token lacks the permission", lacksPermission(permission)];
    case 404:
      return ["No such record in the token's workspace (another workspace's records answer the same)", notFound(thing)];
    case 410:
      return ["The cursor is older than the events' retention: resync", feedCursorExpired(retentionDays)];
    case 409:
      return [
        "A concurrent change won a race (nothing was changed: retry after Retry-After), the data's state forbids the request, or its Idempotency-Key is in progress",
        concurrentChange(),
      ];
    case 412:
      return ["If-Match named an ETag the record no longer has: nothing was changed", preconditionFailed(thing)];
    case 413: {
      const limit = spec.bodyLimit ?? maxBodyBytes;
      return [`The body is over ${limit} bytes`, payloadTooLarge(limit)];
    }
    case 415:
      return ["The body is not application/json", unsupportedMediaType()];
    case 422:
      return ["The Idempotency-Key was used for a different request", idempotencyKeyReused()];
    case 429:
      return ["Over the workspace's rate limit", tooManyRequests()];
    case 500:
      return ["Unexpected failure; the body holds no internals", internalError()];
    case 503:
      return ["The database is unreachable, timed out or failed: retry after Retry-After", databaseUnavailable()];
  }
}

const headerRefs: Record<string, string> = {
  "Retry-After": "RetryAfter",
  "RateLimit-Policy": "RateLimitPolicy",
  "WWW-Authenticate": "WWWAuthenticate",
  Allow: "Allow",
};

function refusalResponse(status: RefusalStatus, spec: OperationSpec): Json {
  const [description, error] = refusalOf(status, spec);
  const headers: Json = { "X-Request-Id": { $ref: "#/components/headers/XRequestId" } };
  for (const name of Object.keys(error.headers)) {
    const component = headerRefs[name];
    if (component) headers[name] = { $ref: `#/components/headers/${component}` };
  }
  return {
    description,
    headers,
    content: { "application/json": { schema: ref("Error"), example: { success: false, error: error.message } } },
  };
}

const headerParameters: Record<string, string> = {
  "If-None-Match": "IfNoneMatch",
  "If-Match": "IfMatch",
  "Idempotency-Key": "IdempotencyKey",
};

/** The parameters of an object schema (path or query), one per key. */
/** What the reference says of the parameters every list takes (the worker's schemas carry no prose). */
const listParameterDocs: Record<string, string> = {
  limit: `Page size, 1 to ${maxLimit}: answers one page with has_more and next_cursor`,
  cursor: "The next_cursor of the previous page",
  updated_since:
    "Only records changed at or after this instant (ISO 8601), least recently changed first; see docs/api.md for what it cannot see",
};

function parametersOf(
  schema: OperationSpec["params"],
  place: "path" | "query",
  described: Record<string, string> = {},
): Json[] {
  if (!schema) return [];
  return Object.entries(schema.entries).map(([name, entry]) => {
    const optional = entry.type === "optional";
    const { description: own, ...json } = schemaOf(entry as v.GenericSchema) as Json & { description?: string };
    const description = described[name] ?? listParameterDocs[name] ?? own;
    return { name, in: place, required: !optional, ...(description ? { description } : {}), schema: json };
  });
}

const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");
const bodyName = (spec: OperationSpec) => `${spec.operationId.charAt(0).toUpperCase()}${spec.operationId.slice(1)}`;

/** One result of a batch: the record as the batch left it, or that it was deleted. */
const batchResult = (object: string) => ({
  oneOf: [
    {
      type: "object",
      properties: {
        op: { enum: ["create", "update", "upsert"] },
        status: { enum: [200, 201], description: "201: the operation created the record" },
        id: { type: "string", format: "uuid" },
        data: ref(object),
      },
      required: ["op", "status", "id", "data"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: {
        op: { const: "delete" },
        status: { const: 200 },
        id: { type: "string", format: "uuid" },
        deleted: { const: true },
      },
      required: ["op", "status", "id", "deleted"],
      additionalProperties: false,
    },
  ],
});

function successResponse(spec: OperationSpec, status: number = spec.success.status): Json {
  const { success } = spec;
  const headers: Json = { "X-Request-Id": { $ref: "#/components/headers/XRequestId" } };
  if (success.kind === "record" || success.kind === "upserted") headers.ETag = { $ref: "#/components/headers/ETag" };
  if (status === 201) headers.Location = { $ref: "#/components/headers/Location" };
  if (spec.headers?.includes("Idempotency-Key"))
    headers["Idempotent-Replayed"] = { $ref: "#/components/headers/IdempotentReplayed" };
  let schema: Json;
  let example: unknown;
  let description: string;
  switch (success.kind) {
    case "record":
    case "object":
      schema = envelope(ref(success.object));
      example = examples[success.object] && { success: true, data: examples[success.object] };
      description = success.kind === "record" ? `The ${success.object.toLowerCase()}, as GET answers it` : "The answer";
      break;
    case "upserted":
      schema = envelope(ref(success.object));
      example = examples[success.object] && { success: true, data: examples[success.object] };
      description =
        status === 201
          ? `No ${success.object.toLowerCase()} had the external id: created, as GET answers it`
          : `The ${success.object.toLowerCase()} with the external id, updated (or unchanged), as GET answers it`;
      break;
    case "batch":
      schema = envelope({ type: "array", items: batchResult(success.object) });
      description = "One result per operation, in request order; every record as the whole batch left it";
      break;
    case "list":
      schema = listEnvelope(success.object, success.pages ?? true);
      description = `The list, oldest first${success.pages === false ? "" : `; without limit or cursor, everything, streamed in pages of ${pageSize}`}`;
      break;
    case "feed":
      schema = {
        type: "object",
        properties: {
          success: { const: true },
          data: { type: "array", items: ref(success.object) },
          has_more: { type: "boolean", description: "Whether more events follow now: if so, ask again at once" },
          next_cursor: {
            type: ["string", "null"],
            description:
              "Pass it as `after` to continue: set whenever there is a position to continue from, even without more events yet (poll with it later)",
          },
        },
        required: ["success", "data", "has_more", "next_cursor"],
        additionalProperties: false,
      };
      description = "Events after `after`, in feed order";
      break;
    case "deleted":
      schema = ref("Deleted");
      example = { success: true, message: `${spec.thing} deleted successfully` };
      description = "Deleted";
      break;
  }
  return {
    description,
    headers,
    content: { "application/json": { schema, ...(example ? { example } : {}) } },
  };
}

/**
 * The description each field of a response object declares last (its own, over
 * the generic one of its type: the JSON Schema converter keeps the first, and
 * stops at a transformation such as the uuid's).
 */
function fieldDescriptions(object: v.GenericSchema): Record<string, string> {
  const inner = (object as { pipe?: unknown[] }).pipe?.[0] ?? object;
  const entries = (inner as { entries?: Record<string, { pipe?: { type: string; description?: string }[] }> }).entries;
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries ?? {})) {
    const described = entry.pipe?.filter((item) => item.type === "description").at(-1)?.description;
    if (described) out[name] = described;
  }
  return out;
}

/** A batch body's own fields (its items' data are described as the object's fields). */
const batchFieldDescriptions: Record<string, string> = {
  operations: `1 to ${maxBatchOperations} operations, applied all or none; see docs/api.md#batch-writes`,
  op: "create, update, upsert or delete",
  match: "The external id an upsert matches its record on: id_crm, id_erp or id_accounting",
  data: "The record's fields: a create body (create, upsert) or a PATCH body (update)",
};

/**
 * A schema's fields described as the object's fields of the same name are (the
 * descriptions live in src/<resource>/object.ts, out of the worker bundle), at
 * any depth: the object itself, a body, a batch's items and their data.
 */
function withFieldDescriptions(schema: Json, object: v.GenericSchema | undefined): Json {
  if (!object) return schema;
  const descriptions = { ...batchFieldDescriptions, ...fieldDescriptions(object) };
  const fill = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(fill);
    if (typeof node !== "object" || node === null) return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) out[key] = fill(value);
    const fields = out.properties as Record<string, Json> | undefined;
    for (const [name, field] of Object.entries(fields ?? {})) {
      const description = descriptions[name];
      if (description && fields) fields[name] = { ...field, description };
    }
    return out;
  };
  return fill(schema) as Json;
}

/** Each operation's summary and description, by operationId (declared beside the operations). */
const documentation: Documentation = {
  ...contactDocs,
  ...customerDocs,
  ...addressDocs,
  ...tokenDocs,
  ...eventDocs,
  ...webhookDocs,
  ...healthDocs,
};

function docsOf(spec: OperationSpec) {
  const docs = documentation[spec.operationId];
  if (!docs) throw new Error(`${spec.operationId} has no documentation: add it to its resource's Documentation`);
  return docs;
}

/** Every operation the app registers, as the documentation lists them. */
export const documentedOperations = operations.map(({ spec }) => ({
  method: spec.method,
  path: openApiPath(spec.path),
}));

/** OpenAPI 3.1's top-level `webhooks`: what the API POSTs to a workspace's endpoints. */
function webhookEntries(): Json {
  const header = (name: string, description: string) => ({
    name,
    in: "header",
    required: true,
    description,
    schema: { type: "string" },
  });
  return {
    change: {
      post: {
        operationId: "webhookDelivery",
        tags: ["Webhooks"],
        summary: "A change event, POSTed to an endpoint",
        description:
          'Sent to every enabled endpoint whose `event_types` match, for each contact, customer or address created, updated or deleted after the endpoint was created (types `contact.created` … `address.deleted`; `ping` for a test). Thin payload: fetch the record for its state (a deleted one answers 404). Signed per Standard Webhooks: verify `webhook-signature` over "{webhook-id}.{webhook-timestamp}.{raw body}" with the endpoint\'s secret, and reject timestamps far from now. Answer 2xx within 10 seconds; anything else (redirects included) is retried with backoff for about 3 days. Deliveries may be duplicated (drop repeats by `webhook-id`) and may arrive in any order.',
        security: [],
        parameters: [
          header("webhook-id", "The event's id: the same on every attempt"),
          header("webhook-timestamp", "When this attempt was signed, in Unix seconds"),
          header(
            "webhook-signature",
            "`v1,<base64 HMAC-SHA256>`, space-separated when several secrets sign (for 24 hours after a rotation)",
          ),
        ],
        requestBody: { required: true, content: { "application/json": { schema: ref("WebhookPayload") } } },
        responses: { "200": { description: "Any 2xx: delivered" } },
      },
    },
  };
}

export function buildOpenApiDocument(): Json {
  const paths: Record<string, Json> = {};
  const bodies: Record<string, Json> = {};
  for (const { spec } of operations as readonly { spec: OperationSpec }[]) {
    const permission = [spec.permission ?? []].flat();
    const needs = spec.anyPermission
      ? `\n\nNeeds any of the ${permission.map((p) => `\`${p}\``).join(", ")} permissions (or their \`:write\`).`
      : permission.length > 0
        ? `\n\nNeeds the ${permission.map((p) => `\`${p}\``).join(", ")} permission${permission.length > 1 ? "s" : ""}.`
        : "";
    const parameters = [
      ...parametersOf(spec.params, "path", {
        id: `UUID of the ${spec.thing?.toLowerCase()}, in any spelling PostgreSQL accepts`,
        field: "The external id matched on: id_crm, id_erp or id_accounting",
        value: "Its value, 1 to 255 characters (percent-encoded; it cannot contain /)",
        eventId: "UUID of the event: the webhook-id of its deliveries",
      }),
      ...parametersOf(spec.query, "query", docsOf(spec).parameters),
      ...(spec.headers ?? []).map((header) => ({ $ref: `#/components/parameters/${headerParameters[header]}` })),
    ];
    const object = "object" in spec.success ? objects[spec.success.object] : undefined;
    if (spec.body) bodies[bodyName(spec)] = withFieldDescriptions(schemaOf(spec.body), object);
    const responses: Json = { [spec.success.status]: successResponse(spec) };
    if (spec.success.kind === "upserted") responses[200] = successResponse(spec, 200);
    if (spec.headers?.includes("If-None-Match")) responses[304] = { $ref: "#/components/responses/NotModified" };
    for (const status of spec.refusals) responses[status] = refusalResponse(status, spec);
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    const item = paths[path] as Json;
    item[spec.method] = {
      operationId: spec.operationId,
      tags: [spec.tag],
      summary: docsOf(spec).summary,
      description: `${docsOf(spec).description ?? ""}${needs}`.trim(),
      ...(permission.length > 0 ? { "x-permission": permission.join(" ") } : { security: [] }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(spec.body
        ? { requestBody: { required: true, content: { "application/json": { schema: ref(bodyName(spec)) } } } }
        : {}),
      responses,
    };
  }
  const responses: Json = {
    NotModified: {
      description: "The record has not changed since the ETag in If-None-Match; no body",
      headers: { ETag: { $ref: "#/components/headers/ETag" } },
    },
  };
  const schemas: Json = {
    ...Object.fromEntries(
      Object.entries(objects).map(([name, schema]) => [
        name,
        {
          ...withFieldDescriptions(schemaOf(schema), schema),
          ...(examples[name as ObjectName] ? { example: examples[name as ObjectName] } : {}),
        },
      ]),
    ),
    ...bodies,
  };

  return {
    openapi: "3.1.0",
    info: {
      title: "Qwoty-compatible customer directory API",
      version: "1.0.0",
      description:
        "Workspace-scoped contacts, customers and addresses, with the wire format of Qwoty's public API (https://docs.qwoty.io). " +
        'Every request costs one database round trip. Success: `{"success": true, "data": …}`; failure: `{"success": false, "error": "…"}`.',
    },
    servers: [{ url: "/", description: "This deployment" }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "Contacts", description: "People of a customer" },
      { name: "Customers", description: "Companies and individuals, with their legal identifiers" },
      {
        name: "Addresses",
        description: "Billing and shipping addresses of a customer, optionally linked to a contact",
      },
      { name: "Events", description: "The feed of every change, to keep a copy in sync" },
      { name: "Tokens", description: "The workspace's API tokens (tokens:admin)" },
      {
        name: "Webhooks",
        description: "Endpoints told of the workspace's changes, and their deliveries (webhooks:admin)",
      },
      { name: "Health", description: "Monitoring" },
    ],
    paths,
    webhooks: webhookEntries(),
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description:
            "`Authorization: Bearer qwt_prod_…`. Each token belongs to one workspace and carries permissions: " +
            `${permissions.join(", ")} (a write permission also reads).`,
        },
      },
      schemas: {
        ...schemas,
        WebhookPayload: withFieldDescriptions(schemaOf(webhookPayloadObject), webhookPayloadObject),
        Deleted: {
          type: "object",
          properties: { success: { const: true }, message: { type: "string" } },
          required: ["success", "message"],
          additionalProperties: false,
        },
        Error: {
          type: "object",
          properties: {
            success: { const: false },
            error: { type: "string", minLength: 1 },
            errors: {
              type: "array",
              items: { type: "string" },
              description:
                "A batch's refusals: every invalid or refused operation, named by its place (operations[3].data.email …)",
            },
          },
          required: ["success", "error"],
          additionalProperties: false,
        },
      },
      responses,
      parameters: {
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            "1 to 255 printable ASCII characters, kept 24 h per workspace: a retry with the same key and request gets the first answer again (Idempotent-Replayed: true) and writes nothing; another request with it is 422; a retry while the first is in progress is 409.",
          schema: { type: "string", minLength: 1, maxLength: 257 },
        },
        IfMatch: {
          name: "If-Match",
          in: "header",
          required: false,
          description:
            "The record's ETag from an earlier answer (or `*`): the write happens only if the record still has it, checked in the write's own transaction; otherwise 412 and nothing changes. Weak tags never match.",
          schema: { type: "string" },
        },
        IfNoneMatch: {
          name: "If-None-Match",
          in: "header",
          required: false,
          description: "An ETag from an earlier answer: 304 without a body if the record has not changed",
          schema: { type: "string" },
        },
      },
      headers: {
        XRequestId: {
          description: "The request's id: the client's X-Request-Id if sane, else a new UUID",
          schema: { type: "string" },
        },
        ETag: { description: "Strong validator of the record's representation", schema: { type: "string" } },
        Location: { description: "The new record's path", schema: { type: "string" } },
        IdempotentReplayed: {
          description:
            "`true` when the answer is the stored answer to an earlier request with the same Idempotency-Key",
          schema: { type: "string", enum: ["true"] },
        },
        RetryAfter: { description: "Seconds to wait before retrying", schema: { type: "integer" } },
        RateLimitPolicy: {
          description: "The quota (IETF draft-ietf-httpapi-ratelimit-headers)",
          schema: { type: "string" },
        },
        WWWAuthenticate: {
          description:
            'The refusal\'s kind: `Bearer realm="api"` (no token), with `error="invalid_request"` (not a Bearer header) or `error="invalid_token"`',
          schema: { type: "string" },
        },
        Allow: { description: "The methods the path takes", schema: { type: "string" } },
      },
    },
  };
}
