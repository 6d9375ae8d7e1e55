// The OpenAPI 3.1 document, built from the same valibot schemas that validate
// requests (src/*/schemas.ts) and type the answers (src/*/object.ts). It is a
// build artefact: `npm run build:assets` (run by wrangler's [build] before every
// `wrangler dev` and `wrangler deploy`) writes it to public/openapi.json, which
// Workers Assets serve, so that neither the document nor its generator weighs on
// the worker bundle or its cold start. Tests check that every route the app
// serves is here and that every answer of the test suite matches it.
import { toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { addressObject } from "../src/addresses/object.ts";
import { createAddress, updateAddress } from "../src/addresses/schemas.ts";
import { serializeAddress } from "../src/addresses/serialize.ts";
import { permissions } from "../src/auth/permissions.ts";
import { contactObject } from "../src/contacts/object.ts";
import { createContact, updateContact } from "../src/contacts/schemas.ts";
import { serializeContact } from "../src/contacts/serialize.ts";
import { customerObject } from "../src/customers/object.ts";
import { createCustomer, updateCustomer } from "../src/customers/schemas.ts";
import { serializeCustomer } from "../src/customers/serialize.ts";
import { maxBodyBytes } from "../src/http/body.ts";
import { maxLimit, pageSize } from "../src/http/list.ts";
import { rateLimitPolicy } from "../src/http/rate-limit.ts";
import { createToken } from "../src/tokens/schemas.ts";
import { acmeCustomer, jeanDupont, siegeSocial } from "./seed.ts";

type Json = Record<string, unknown>;

/** A valibot schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect); custom checks are described, not converted. */
function schemaOf(schema: v.GenericSchema): Json {
  const { $schema: _, ...json } = toJsonSchema(schema, {
    target: "draft-2020-12",
    typeMode: "ignore",
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
const listEnvelope = (item: string) => ({
  type: "object",
  properties: {
    success: { const: true },
    data: { type: "array", items: ref(item) },
    has_more: { type: "boolean", description: "Only with `limit` or `cursor`: whether another page follows" },
    next_cursor: {
      type: ["string", "null"],
      description: "Only with `limit` or `cursor`: pass it as `cursor` for the next page",
    },
  },
  required: ["success", "data"],
  additionalProperties: false,
});

// Examples: the seed of Qwoty's "Get Contact" page, from the demo's own rows,
// through the API's own serialisers.
// (The ETag travels in a header, not in the object: the serialisers leave it out.)
const etag = "";
const examples = {
  contact: serializeContact({ ...jeanDupont, addressIds: [siegeSocial.id], etag }),
  customer: serializeCustomer({ ...acmeCustomer, contactIds: [jeanDupont.id], addressIds: [siegeSocial.id], etag }),
  address: serializeAddress({ ...siegeSocial, etag }),
};

const errorResponses: Record<number, [name: string, description: string, example: string]> = {
  400: ["BadRequest", "Invalid input: each invalid field is named with the rule it breaks", "first_name is required"],
  401: ["Unauthorized", "No token, not a Bearer token, or an unknown, revoked or expired token", "Invalid API token"],
  403: ["Forbidden", "The token lacks the permission", "This API token lacks the contacts:read permission"],
  404: [
    "NotFound",
    "No such record in the token's workspace (another workspace's records answer the same)",
    "Contact not found",
  ],
  409: [
    "Conflict",
    "The request conflicts with the state of the data, lost a race with a concurrent change (nothing was changed: retry after Retry-After), or its Idempotency-Key is in progress",
    "The request conflicts with a concurrent change: retry it",
  ],
  412: [
    "PreconditionFailed",
    "If-Match named an ETag the record no longer has: nothing was changed",
    "Contact has changed since the ETag in If-Match: fetch it again",
  ],
  413: [
    "PayloadTooLarge",
    `The body is over ${maxBodyBytes} bytes`,
    `Request body must be at most ${maxBodyBytes} bytes`,
  ],
  415: ["UnsupportedMediaType", "The body is not application/json", "Content-Type must be application/json"],
  422: [
    "UnprocessableEntity",
    "The Idempotency-Key was used for a different request",
    "This Idempotency-Key was already used for a different request",
  ],
  429: [
    "TooManyRequests",
    `Over the workspace's rate limit (${rateLimitPolicy.limit} requests per ${rateLimitPolicy.period} s)`,
    `Rate limit exceeded: at most ${rateLimitPolicy.limit} requests per ${rateLimitPolicy.period} seconds per workspace`,
  ],
  500: ["InternalError", "Unexpected failure; the body holds no internals", "Internal server error"],
  503: [
    "ServiceUnavailable",
    "The database is unreachable, timed out or failed: retry after Retry-After",
    "Database temporarily unavailable, please retry",
  ],
};

const errorHeaders: Record<number, Json> = {
  401: { "WWW-Authenticate": { $ref: "#/components/headers/WWWAuthenticate" } },
  409: { "Retry-After": { $ref: "#/components/headers/RetryAfter" } },
  429: {
    "Retry-After": { $ref: "#/components/headers/RetryAfter" },
    "RateLimit-Policy": { $ref: "#/components/headers/RateLimitPolicy" },
  },
  503: { "Retry-After": { $ref: "#/components/headers/RetryAfter" } },
};

interface Operation {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  permission?: string;
  parameters?: Json[];
  body?: string;
  success: { status: number; description: string; schema: Json; example?: unknown; record?: boolean };
  errors: number[];
  idempotent?: boolean;
}

const idParam = (what: string) => ({
  name: "id",
  in: "path",
  required: true,
  description: `UUID of the ${what} (any spelling PostgreSQL accepts: upper case, braces, without hyphens)`,
  schema: { type: "string", maxLength: 38 },
});
const page = [{ $ref: "#/components/parameters/Limit" }, { $ref: "#/components/parameters/Cursor" }];
const customerFilter = (what: string) => ({
  name: "customer_id",
  in: "query",
  required: false,
  description: `Only the ${what} of this customer`,
  schema: { type: "string", format: "uuid" },
});

const read = [401, 403, 429, 500, 503];
const readOne = [400, 401, 403, 404, 429, 500, 503];
const create = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503];
const update = [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503];
const remove = [400, 401, 403, 404, 409, 412, 429, 500, 503];

function resourceOperations(o: {
  tag: string;
  path: string;
  one: string;
  many: string;
  schema: string;
  example: unknown;
  filter: boolean;
  permission: string;
  createBody: string;
  updateBody: string;
  deleteNote?: string;
  deleteParams?: Json[];
}): Operation[] {
  const Name = o.one.charAt(0).toUpperCase() + o.one.slice(1);
  const read_ = `${o.permission}:read`;
  const write_ = `${o.permission}:write`;
  return [
    {
      method: "get",
      path: o.path,
      operationId: `list${o.schema}s`,
      tag: o.tag,
      summary: `List ${o.many}`,
      description: `Every ${o.one} of the workspace, oldest first (created_at, then id). Without \`limit\` or \`cursor\`, everything is returned, streamed in pages of ${pageSize} past the first; with them, one page and where to continue.`,
      permission: read_,
      parameters: [...(o.filter ? [customerFilter(o.many)] : []), ...page],
      success: { status: 200, description: `The ${o.many}`, schema: listEnvelope(o.schema) },
      errors: [400, ...read],
    },
    {
      method: "get",
      path: `${o.path}/{id}`,
      operationId: `get${o.schema}`,
      tag: o.tag,
      summary: `Get ${o.one}`,
      description: `Retrieve a specific ${o.one} by ID. Answers carry a strong ETag; \`If-None-Match\` with it gives 304.`,
      permission: read_,
      parameters: [idParam(o.one), { $ref: "#/components/parameters/IfNoneMatch" }],
      success: {
        status: 200,
        description: `The ${o.one}`,
        schema: envelope(ref(o.schema)),
        example: { success: true, data: o.example },
        record: true,
      },
      errors: readOne,
    },
    {
      method: "post",
      path: o.path,
      operationId: `create${o.schema}`,
      tag: o.tag,
      summary: `Create ${o.one}`,
      permission: write_,
      parameters: [{ $ref: "#/components/parameters/IdempotencyKey" }],
      body: o.createBody,
      success: {
        status: 201,
        description: `The new ${o.one}, as GET answers it`,
        schema: envelope(ref(o.schema)),
        example: { success: true, data: o.example },
        record: true,
      },
      errors: create,
      idempotent: true,
    },
    {
      method: "patch",
      path: `${o.path}/{id}`,
      operationId: `update${o.schema}`,
      tag: o.tag,
      summary: `Update ${o.one}`,
      description:
        "Only the fields sent change; `null` unsets a nullable field; an array sent replaces the whole array.",
      permission: write_,
      parameters: [
        idParam(o.one),
        { $ref: "#/components/parameters/IfMatch" },
        { $ref: "#/components/parameters/IdempotencyKey" },
      ],
      body: o.updateBody,
      success: {
        status: 200,
        description: `The ${o.one}, as GET answers it`,
        schema: envelope(ref(o.schema)),
        example: { success: true, data: o.example },
        record: true,
      },
      errors: update,
      idempotent: true,
    },
    {
      method: "delete",
      path: `${o.path}/{id}`,
      operationId: `delete${o.schema}`,
      tag: o.tag,
      summary: `Delete ${o.one}`,
      description: o.deleteNote,
      permission: write_,
      parameters: [idParam(o.one), { $ref: "#/components/parameters/IfMatch" }, ...(o.deleteParams ?? [])],
      success: {
        status: 200,
        description: "Deleted",
        schema: ref("Deleted"),
        example: { success: true, message: `${Name} deleted successfully` },
      },
      errors: remove,
    },
  ];
}

const operations: Operation[] = [
  ...resourceOperations({
    tag: "Contacts",
    path: "/api/contacts",
    one: "contact",
    many: "contacts",
    schema: "Contact",
    example: examples.contact,
    filter: true,
    permission: "contacts",
    createBody: "CreateContact",
    updateBody: "UpdateContact",
    deleteNote: "The addresses linked to the contact are kept, unlinked (their contact_id becomes null).",
  }),
  ...resourceOperations({
    tag: "Customers",
    path: "/api/customers",
    one: "customer",
    many: "customers",
    schema: "Customer",
    example: examples.customer,
    filter: false,
    permission: "customers",
    createBody: "CreateCustomer",
    updateBody: "UpdateCustomer",
    deleteNote:
      "A customer that still has contacts or addresses is kept (409) unless `cascade=true`, which deletes them with it in one transaction and needs contacts:write and addresses:write too.",
    deleteParams: [
      {
        name: "cascade",
        in: "query",
        required: false,
        description: "Delete the customer's contacts and addresses with it",
        schema: { type: "string", enum: ["true", "false"] },
      },
    ],
  }),
  ...resourceOperations({
    tag: "Addresses",
    path: "/api/addresses",
    one: "address",
    many: "addresses",
    schema: "Address",
    example: examples.address,
    filter: true,
    permission: "addresses",
    createBody: "CreateAddress",
    updateBody: "UpdateAddress",
  }),
  {
    method: "get",
    path: "/api/tokens",
    operationId: "listTokens",
    tag: "Tokens",
    summary: "List API tokens",
    description: "The workspace's tokens that have not been revoked, oldest first. Secrets are never shown again.",
    permission: "tokens:admin",
    success: {
      status: 200,
      description: "The tokens",
      schema: {
        ...listEnvelope("Token"),
        properties: { success: { const: true }, data: { type: "array", items: ref("Token") } },
      },
    },
    errors: read,
  },
  {
    method: "post",
    path: "/api/tokens",
    operationId: "createToken",
    tag: "Tokens",
    summary: "Create API token",
    description:
      "The answer holds the secret `token`, once: only its SHA-256 is stored. A token can only grant permissions it holds itself.",
    permission: "tokens:admin",
    body: "CreateToken",
    success: { status: 201, description: "The new token, with its secret", schema: envelope(ref("NewToken")) },
    errors: [400, 401, 403, 413, 415, 429, 500, 503],
  },
  {
    method: "delete",
    path: "/api/tokens/{id}",
    operationId: "deleteToken",
    tag: "Tokens",
    summary: "Delete API token",
    description: "Revokes the token: it is refused from its next request on. Irreversible.",
    permission: "tokens:admin",
    parameters: [idParam("token")],
    success: {
      status: 200,
      description: "Deleted",
      schema: ref("Deleted"),
      example: { success: true, message: "API token deleted successfully" },
    },
    errors: [400, 401, 403, 404, 429, 500, 503],
  },
  {
    method: "get",
    path: "/health",
    operationId: "health",
    tag: "Health",
    summary: "Health check",
    description: "Whether the worker runs and reaches the database (one round trip). No token needed.",
    success: {
      status: 200,
      description: "Up",
      schema: envelope({
        type: "object",
        properties: { status: { const: "ok" }, database: { const: "ok" }, database_ms: { type: "number" } },
        required: ["status", "database", "database_ms"],
      }),
    },
    errors: [500, 503],
  },
];

export const documentedOperations = operations.map(({ method, path }) => ({ method, path }));

function responseOf(op: Operation): Json {
  const headers: Json = { "X-Request-Id": { $ref: "#/components/headers/XRequestId" } };
  if (op.success.record) Object.assign(headers, { ETag: { $ref: "#/components/headers/ETag" } });
  if (op.success.status === 201) Object.assign(headers, { Location: { $ref: "#/components/headers/Location" } });
  if (op.idempotent)
    Object.assign(headers, { "Idempotent-Replayed": { $ref: "#/components/headers/IdempotentReplayed" } });
  const responses: Json = {
    [op.success.status]: {
      description: op.success.description,
      headers,
      content: {
        "application/json": {
          schema: op.success.schema,
          ...(op.success.example ? { example: op.success.example } : {}),
        },
      },
    },
  };
  if (op.success.record && op.method === "get") responses[304] = { $ref: "#/components/responses/NotModified" };
  for (const status of op.errors) responses[status] = { $ref: `#/components/responses/${errorResponses[status]?.[0]}` };
  return responses;
}

const tokenSchema = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    name: { type: "string" },
    permissions: { type: "array", items: { enum: [...permissions] } },
    token_hint: { type: "string", description: "The first characters of the secret, to tell tokens apart" },
    created_at: { type: "string", format: "date-time" },
    expires_at: { type: ["string", "null"], format: "date-time" },
    last_used_at: { type: ["string", "null"], format: "date-time", description: "To the minute" },
  },
  required: ["id", "name", "permissions", "token_hint", "created_at", "expires_at", "last_used_at"],
  additionalProperties: false,
};

export function buildOpenApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const permission = op.permission ? `\n\nNeeds the \`${op.permission}\` permission.` : "";
    paths[op.path] ??= {};
    const item = paths[op.path] as Json;
    item[op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      description: `${op.description ?? ""}${permission}`.trim(),
      ...(op.permission ? { "x-permission": op.permission } : { security: [] }),
      ...(op.parameters ? { parameters: op.parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: ref(op.body) } },
            },
          }
        : {}),
      responses: responseOf(op),
    };
  }

  const responses: Json = {
    NotModified: {
      description: "The record has not changed since the ETag in If-None-Match; no body",
      headers: { ETag: { $ref: "#/components/headers/ETag" } },
    },
  };
  for (const [status, [name, description, example]] of Object.entries(errorResponses)) {
    responses[name] = {
      description,
      headers: { "X-Request-Id": { $ref: "#/components/headers/XRequestId" }, ...errorHeaders[Number(status)] },
      content: { "application/json": { schema: ref("Error"), example: { success: false, error: example } } },
    };
  }

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
      { name: "Tokens", description: "The workspace's API tokens (tokens:admin)" },
      { name: "Health", description: "Monitoring" },
    ],
    paths,
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
        Contact: { ...schemaOf(contactObject), example: examples.contact },
        Customer: { ...schemaOf(customerObject), example: examples.customer },
        Address: { ...schemaOf(addressObject), example: examples.address },
        CreateContact: schemaOf(createContact),
        UpdateContact: schemaOf(updateContact),
        CreateCustomer: schemaOf(createCustomer),
        UpdateCustomer: schemaOf(updateCustomer),
        CreateAddress: schemaOf(createAddress),
        UpdateAddress: schemaOf(updateAddress),
        CreateToken: schemaOf(createToken),
        Token: tokenSchema,
        NewToken: {
          ...tokenSchema,
          properties: { ...tokenSchema.properties, token: { type: "string", description: "The secret: shown once" } },
          required: [...tokenSchema.required, "token"],
        },
        Deleted: {
          type: "object",
          properties: { success: { const: true }, message: { type: "string" } },
          required: ["success", "message"],
          additionalProperties: false,
        },
        Error: {
          type: "object",
          properties: { success: { const: false }, error: { type: "string", minLength: 1 } },
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
        Limit: {
          name: "limit",
          in: "query",
          required: false,
          description: `Page size, 1 to ${maxLimit}: answers one page with has_more and next_cursor`,
          schema: { type: "integer", minimum: 1, maximum: maxLimit },
        },
        Cursor: {
          name: "cursor",
          in: "query",
          required: false,
          description: "The next_cursor of the previous page",
          schema: { type: "string", maxLength: 100 },
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
        WWWAuthenticate: { description: "Bearer", schema: { type: "string" } },
      },
    },
  };
}
