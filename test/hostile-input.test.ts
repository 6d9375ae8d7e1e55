// Hostile input (OWASP API3 and API8), generated with fast-check and thrown at
// every endpoint of test/endpoints.ts: JSON bodies of any shape, valid bodies
// with fields of the wrong type or hostile text, mass-assignment attempts,
// random headers, query strings and path segments. Whatever is sent:
// - the answer is below 500;
// - a refusal is exactly {"success": false, "error": "<non-empty>"}, with no
//   stack, SQL or driver name in it;
// - a 2xx answer is a success envelope, and a created or updated record's
//   server-owned fields (id, workspace_id, timestamps) are the server's;
// - and afterwards nothing invalid is stored in the workspaces the test used.
// A failure prints fast-check's seed and shrunk counterexample.
import { SELF } from "cloudflare:test";
import { inArray } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAddress, updateAddress } from "../src/addresses/schemas";
import { tokenShape } from "../src/auth/token";
import { createContact, updateContact } from "../src/contacts/schemas";
import { createCustomer, updateCustomer } from "../src/customers/schemas";
import { addresses, addressTypes, contactRoles, contacts, customers, customerTypes } from "../src/db/schema";
import { readOnlyFields } from "../src/http/validation";
import { type Endpoint, endpoints } from "./endpoints";
import { db, seedWorkspace, type TestWorkspace } from "./harness";

// ---------------------------------------------------------------------------
// Requests and the checks every answer must pass

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** the parsed JSON body */
  body: Record<string, unknown>;
}

/** Stack frames, SQL, constraint and driver wording: nothing of it may reach a client. */
const internals =
  /\bat \S+ \(|node_modules|Failed query|\bselect\b.*\bfrom\b|\binsert into\b|\bupdate\b.*\bset\b|syntax error|violates|duplicate key|NeonDbError|DrizzleQueryError|\bsqlstate\b|\bstack\b|TypeError|RangeError|SyntaxError|ReferenceError/i;

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
const isWrite = (method: string) => method === "POST" || method === "PATCH" || method === "DELETE";

/**
 * Sends a request as given (fetch adds a Content-Type only to a string body sent
 * without one), through the worker's fetch, and checks the answer.
 */
async function send(request: Sent): Promise<Answer> {
  const response = await SELF.fetch(`https://api.test${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  const what = `${request.method} ${clip(request.path, 200)} → ${response.status} ${clip(text)}`;

  expect(response.status, what).toBeGreaterThanOrEqual(200);
  expect(response.status, what).toBeLessThan(500);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    expect.fail(`answer is not JSON: ${what}`);
  }
  expect(response.headers.get("Content-Type") ?? "", what).toMatch(/^application\/json/i);
  expect(typeof body === "object" && body !== null && !Array.isArray(body), what).toBe(true);
  const answer = { status: response.status, headers: response.headers, text, body: body as Record<string, unknown> };

  if (response.status >= 400) {
    // Exactly the error envelope: no other field, a non-empty message without internals.
    expect(answer.body, what).toEqual({ success: false, error: expect.any(String) });
    const error = answer.body.error as string;
    expect(error.trim(), what).not.toBe("");
    // "Not found: <method> <path>" echoes the path the client sent; anything else is the server's own wording.
    if (!error.startsWith("Not found: ")) expect(error, what).not.toMatch(internals);
    return answer;
  }

  expect(answer.body.success, what).toBe(true);
  if (isWrite(request.method)) {
    // A write answers with the record, or with the delete message.
    const keys = Object.keys(answer.body).sort();
    if (keys.includes("message")) {
      expect(keys, what).toEqual(["message", "success"]);
      expect(answer.body.message, what).toEqual(
        expect.stringMatching(/^(Contact|Customer|Address) deleted successfully$/),
      );
    } else {
      expect(keys, what).toEqual(["data", "success"]);
      const data = answer.body.data as Record<string, unknown>;
      expect(typeof data === "object" && data !== null && !Array.isArray(data), what).toBe(true);
      expect(data.id, what).toEqual(
        expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      );
    }
  } else {
    expect(answer.body, what).toHaveProperty("data");
  }
  return answer;
}

// ---------------------------------------------------------------------------
// Workspaces: every one the test seeds is checked for invalid rows at the end

const seeded: string[] = [];

async function workspace(): Promise<TestWorkspace> {
  const ws = await seedWorkspace();
  seeded.push(ws.workspaceId);
  return ws;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const jsonType = { "Content-Type": "application/json" };

// ---------------------------------------------------------------------------
// JSON text with what JSON.stringify cannot write: raw fragments (deep nesting,
// bad escapes), duplicate keys, "__proto__" as a plain key

class Raw {
  constructor(readonly text: string) {}
}
/** A field left out of the body. */
const omit = Symbol("omit");
type Entries = [string, unknown][];

function toJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(",")}]`;
  if (value !== null && typeof value === "object") return objectJson(Object.entries(value));
  return JSON.stringify(value) ?? "null";
}

const objectJson = (entries: Entries) =>
  `{${entries
    .filter(([, v]) => v !== omit)
    .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
    .join(",")}}`;

/** The endpoint's valid body with `overrides` replacing (or adding) fields, in order. */
function bodyWith(endpoint: Endpoint, ws: TestWorkspace, overrides: Entries): string {
  const entries: Entries = Object.entries((endpoint.body?.(ws) ?? {}) as object);
  for (const [key, value] of overrides) {
    const at = entries.findIndex(([k]) => k === key);
    if (at >= 0) entries[at] = [key, value];
    else entries.push([key, value]);
  }
  return objectJson(entries);
}

// ---------------------------------------------------------------------------
// Endpoints and the fields their bodies may hold

const withBody = endpoints.filter((e) => e.body);
const listContacts = endpoints.find((e) => e.name === "list contacts") as Endpoint;
const withId = endpoints.filter((e) => /^\/api\/\w+\/[0-9a-f-]{36}(?:\?|$)/.test(e.path(fakeWorkspace())));

const schemaOf: Record<string, { entries: object }> = {
  "create contact": createContact,
  "update contact": updateContact,
  "create customer": createCustomer,
  "update customer": updateCustomer,
  "create address": createAddress,
  "update address": updateAddress,
};
const fieldsOf = (endpoint: Endpoint) => Object.keys(schemaOf[endpoint.name]?.entries ?? {});

function fakeWorkspace(): TestWorkspace {
  const id = "00000000-0000-4000-8000-000000000000";
  return {
    workspaceId: id,
    customerId: id,
    contactId: id,
    addressId: id,
    token: "",
    readOnlyToken: "",
    newToken: async () => "",
  };
}

// ---------------------------------------------------------------------------
// Generators

/** Text that is hostile to storage, to JSON, to Unicode handling or to a naive query builder. */
const specialStrings = [
  "",
  " ",
  "\t\n\r",
  "\u0000",
  "Ada\u0000Lovelace",
  "\u0000\u0000\u0000",
  "\ud800",
  "\udfff",
  "x\udc00y",
  "\ud83d",
  "a\ude00",
  "\udc00\ud800",
  "😀",
  "👩🏽‍💻",
  "🏳️‍🌈",
  "e\u0301",
  "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
  "\u202eevil\u202c",
  "مرحبا بالعالم",
  "שלום",
  "\u200b",
  "\u200d",
  "\u200e\u200f",
  "\ufeff",
  "\u00a0x\u00a0",
  "\u2028\u2029",
  "\uffff\ufffe",
  "\u{10ffff}",
  "\u{e0001}",
  "' OR '1'='1",
  "'; DROP TABLE contacts; --",
  "Robert'); DROP TABLE students;--",
  "1; SELECT pg_sleep(5)",
  "$1",
  "\\",
  '"',
  "\\u0000",
  "%00",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, sent as it is
  "${jndi:ldap://x/a}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "null",
  "undefined",
  "NaN",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "0",
  "-1",
  "1e309",
];

const repeatedChars = ["a", "é", "😀", "\u200b", "ا", " ", "\u0000", "\ud800", "x\u0301"];
const boundaryLengths = [2, 19, 20, 21, 49, 50, 51, 99, 100, 101, 199, 200, 201, 255, 256, 320, 321, 2048, 2049];
const hugeLengths = [5000, 5001, 10_000];

const headerSafeChar = fc
  .oneof({ weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) }, { weight: 1, arbitrary: fc.constant(0x09) })
  .map((code) => String.fromCharCode(code));
/** A header value: visible ASCII, space and tab (workerd would send other characters as UTF-8). */
const headerValue = (maxLength = 80) => fc.string({ unit: headerSafeChar, maxLength });

const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...specialStrings),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(...specialStrings.filter((s) => s.length > 0)), maxLength: 8 }),
  fc
    .tuple(fc.constantFrom(...repeatedChars), fc.constantFrom(...boundaryLengths))
    .map(([ch, n]) => ch.repeat(Math.ceil(n / ch.length)).slice(0, n)),
  fc
    .tuple(fc.constantFrom(" ", "\t", "\u00a0", "\u3000", "\ufeff"), fc.constantFrom(200, 201, 50, 20))
    .map(([pad, n]) => `${pad}${"a".repeat(n)}${pad}`),
  fc.tuple(fc.constantFrom("a", "é", "😀", "\u0000"), fc.constantFrom(...hugeLengths)).map(([ch, n]) => ch.repeat(n)),
  fc
    .tuple(fc.string({ maxLength: 10 }), fc.constantFrom("\u0000", "\ud800", "\udfff"), fc.string({ maxLength: 10 }))
    .map(([a, b, c]) => a + b + c),
);

const emailLike = fc
  .tuple(hostileString, fc.constantFrom("b", "exa mple", "é", "\u0000x", "x\ud800"), hostileString)
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

const countryLike = fc.oneof(
  fc.constantFrom(
    "FR",
    "fr",
    "Fr",
    "ıt",
    "ſe",
    "ﬀ",
    "ß",
    "ｆｒ",
    "XX",
    "UK",
    "EU",
    "F",
    "FRA",
    " FR",
    "F\u0000",
    "\ud800R",
  ),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 3 }),
);

const uuidLike = (ws: TestWorkspace, other: TestWorkspace) =>
  fc.oneof(
    fc.constantFrom(ws.customerId, ws.contactId, ws.addressId, other.customerId, other.contactId, other.addressId),
    fc.uuid(),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.uuid().map((u) => `{${u}}`),
    fc.uuid().map((u) => u.replaceAll("-", "")),
    fc.uuid().map((u) => `${u}\u0000`),
    fc.uuid().map((u) => `${u} `),
    fc.constantFrom("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "' OR 1=1 --"),
  );

/** Any JSON value, including some JSON.stringify cannot write. */
const deepNesting = fc
  .tuple(fc.constantFrom(100, 1000, 10_000), fc.constantFrom("array", "object"))
  .map(([depth, kind]) =>
    kind === "array"
      ? new Raw(`${"[".repeat(depth)}${"]".repeat(depth)}`)
      : new Raw(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`),
  );

const rawFragments = fc.constantFrom(
  new Raw('"\\ud800"'),
  new Raw('"\\udfff\\ud800"'),
  new Raw('"a\\u0000b"'),
  new Raw('"\\uD83D\\uDE00"'),
  new Raw('"\\uZZZZ"'),
  new Raw('"\\x41"'),
  new Raw("'single'"),
  new Raw("1e999"),
  new Raw("-0"),
  new Raw("NaN"),
  new Raw("undefined"),
  new Raw('"unterminated'),
  new Raw("0x10"),
  new Raw('"\u0000raw NUL"'),
  new Raw('"tab\there"'),
);

const hostileValue = (ws: TestWorkspace, other: TestWorkspace): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: hostileString },
    { weight: 1, arbitrary: emailLike },
    { weight: 1, arbitrary: countryLike },
    { weight: 2, arbitrary: uuidLike(ws, other) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
    { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 4 }) },
    {
      weight: 2,
      arbitrary: fc.array(
        fc.oneof(fc.constantFrom(...contactRoles, "ADMIN", "owner", "", "__proto__"), hostileString),
        {
          maxLength: 30,
        },
      ),
    },
    {
      weight: 2,
      arbitrary: fc.array(
        fc.oneof(
          fc.record({ tax: hostileString, tax_value: hostileString }),
          fc.record({ tax: fc.constant("VAT"), tax_value: fc.constant("X"), extra: fc.jsonValue({ maxDepth: 1 }) }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        { maxLength: 55 },
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom("company", "individual", "billing", "shipping", "COMPANY", "other") },
    {
      weight: 1,
      arbitrary: fc.constantFrom("https://x.example/logo.png", "javascript:alert(1)", "http://", "https://a b"),
    },
    { weight: 1, arbitrary: deepNesting },
    { weight: 1, arbitrary: rawFragments },
    { weight: 1, arbitrary: fc.constant(omit) },
  );

/** Any JSON text, most of it not an object the API would take. */
const anyJsonText = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.json(),
  fc.anything({ maxDepth: 3 }).map((v) => {
    try {
      return JSON.stringify(v) ?? "null";
    } catch {
      return "null";
    }
  }),
  fc.string(),
  fc.constantFrom("", "{", "}", "{}", "[]", "null", "{}{}", '{"a":1}garbage', "\ufeff{}", " \n{} \n", "\u0000"),
  deepNesting.map((raw) => raw.text),
  fc
    .dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })
    .map((d) => JSON.stringify(d)),
);

interface BadBytes {
  bytes: readonly number[];
  atStart: boolean;
}

/** Bytes that are not UTF-8 inside an otherwise valid body's string, or a BOM before it. */
const badBytes = fc.constantFrom<readonly number[]>(
  [0xed, 0xa0, 0x80], // a surrogate, CESU-8 style
  [0xc0, 0x80], // overlong NUL
  [0xff],
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xe2, 0x82], // truncated
  [0xef, 0xbb, 0xbf], // a BOM mid-string: valid UTF-8 (U+FEFF)
);

// ---------------------------------------------------------------------------

// Runs per property: the whole file takes about 10 s on PGlite. Each property
// passed 1000 runs on PGlite and on PostgreSQL (but for the cursor bug below).
const runs = {
  bodies: 300,
  mixed: 300,
  mass: 200,
  contentType: 150,
  auth: 200,
  idempotency: 80,
  requestId: 80,
  query: 300,
  path: 200,
};

const base64url = (latin1: string) => btoa(latin1).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
/** A list cursor as the API encodes it: base64url of "<created_at>|<id>". */
const cursorOf = (at: string, id: string) => base64url(`${at}|${id}`);

describe("hostile input", () => {
  it("any JSON text as the body of every write", { timeout: 120_000 }, async () => {
    const ws = await workspace();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody),
        fc.oneof(
          { weight: 4, arbitrary: anyJsonText.map((text): string | BadBytes => text) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(badBytes, fc.boolean())
              .map(([bytes, atStart]): string | BadBytes => ({ bytes, atStart })),
          },
        ),
        async (endpoint, generated) => {
          let body: string | Uint8Array;
          if (typeof generated === "string") body = generated;
          else {
            const valid = new TextEncoder().encode(bodyWith(endpoint, ws, [["id_crm", "AB"]]));
            const at = generated.atStart ? 0 : valid.indexOf(0x41 /* A */);
            body = new Uint8Array([...valid.slice(0, at), ...generated.bytes, ...valid.slice(at)]);
          }
          await send({
            method: endpoint.method,
            path: endpoint.path(ws),
            headers: { ...bearer(ws.token), ...jsonType },
            body,
          });
        },
      ),
      { numRuns: runs.bodies },
    );
  });

  it("valid bodies with fields of the wrong type, hostile text, or left out", { timeout: 120_000 }, async () => {
    const [ws, other] = [await workspace(), await workspace()];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody).chain((endpoint) =>
          fc.tuple(
            fc.constant(endpoint),
            fc.array(fc.tuple(fc.constantFrom(...fieldsOf(endpoint)), hostileValue(ws, other)), {
              minLength: 1,
              maxLength: 4,
            }),
          ),
        ),
        async ([endpoint, overrides]) => {
          const { status, body } = await send({
            method: endpoint.method,
            path: endpoint.path(ws),
            headers: { ...bearer(ws.token), ...jsonType },
            body: bodyWith(endpoint, ws, overrides),
          });
          if (status < 300) {
            const data = body.data as Record<string, unknown>;
            expect(data.workspace_id).toBe(ws.workspaceId);
          }
        },
      ),
      { numRuns: runs.mixed },
    );
  });

  it("mass assignment: read-only and unknown fields never take effect", { timeout: 120_000 }, async () => {
    const [ws, other] = [await workspace(), await workspace()];
    const sentinelDate = "2001-02-03T04:05:06.789Z";
    const readOnlyValue: Record<(typeof readOnlyFields)[number], fc.Arbitrary<unknown>> = {
      id: fc.constantFrom(other.contactId, other.customerId, ws.addressId, "00000000-0000-4000-8000-000000000001"),
      workspace_id: fc.constantFrom(other.workspaceId, null, "00000000-0000-4000-8000-000000000002"),
      created_at: fc.constantFrom(sentinelDate, "1970-01-01T00:00:00.000Z", 0),
      updated_at: fc.constantFrom(sentinelDate, "9999-12-31T23:59:59.999Z"),
      address_ids: fc.constantFrom([other.addressId], [], [ws.addressId]),
      contact_ids: fc.constantFrom([other.contactId], [], [ws.contactId]),
    };
    const unknownFields: Entries = [
      ["__proto__", { workspace_id: other.workspaceId, id: other.contactId }],
      ["constructor", { prototype: { workspace_id: other.workspaceId } }],
      ["prototype", { workspace_id: other.workspaceId }],
      ["workspaceId", other.workspaceId],
      ["workspace", { id: other.workspaceId }],
      ["createdAt", sentinelDate],
      ["customerId", other.customerId],
      ["deleted_at", sentinelDate],
      ["permissions", ["tokens:admin"]],
      ["is_admin", true],
      ["token_hash", "0".repeat(64)],
      ["ID", other.contactId],
      ["workspace_id ", other.workspaceId],
      ["data", { workspace_id: other.workspaceId }],
    ];
    const before = await db()
      .select()
      .from(contacts)
      .where(inArray(contacts.workspaceId, [other.workspaceId]));

    const readOnlyArb = fc
      .tuple(
        ...readOnlyFields.map((field) =>
          fc.oneof(
            { weight: 4, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: readOnlyValue[field].map((value): [string, unknown] => [field, value]) },
          ),
        ),
      )
      .map((pairs) => pairs.filter((pair): pair is [string, unknown] => pair !== undefined));
    const records = {
      contacts: () =>
        db()
          .select()
          .from(contacts)
          .where(inArray(contacts.id, [ws.contactId])),
      customers: () =>
        db()
          .select()
          .from(customers)
          .where(inArray(customers.id, [ws.customerId])),
      addresses: () =>
        db()
          .select()
          .from(addresses)
          .where(inArray(addresses.id, [ws.addressId])),
    };

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody),
        readOnlyArb,
        fc.subarray(unknownFields, { maxLength: 2 }),
        fc.constantFrom(undefined, other.customerId, ws.customerId),
        async (endpoint, readOnly, unknown, customerId) => {
          const overrides: Entries = [...readOnly, ...unknown];
          if (customerId !== undefined && endpoint.name !== "create customer" && endpoint.name !== "update customer") {
            overrides.push(["customer_id", customerId]);
          }
          const path = endpoint.path(ws);
          const record = records[path.split("/")[2] as keyof typeof records];
          const before = endpoint.method === "PATCH" ? await record() : undefined;
          const { status, body } = await send({
            method: endpoint.method,
            path,
            headers: { ...bearer(ws.token), ...jsonType },
            body: bodyWith(endpoint, ws, overrides),
          });
          // The server owns these fields: a body that names one, or any field its schema lacks, is refused…
          if (overrides.some(([field]) => (readOnlyFields as readonly string[]).includes(field))) {
            expect(status).toBe(400);
            expect(body.error).toMatch(/read-only$/);
          }
          if (unknown.length > 0) expect(status).toBe(400);
          // …and a refused update changes nothing.
          if (status >= 300) {
            if (before) expect(await record()).toEqual(before);
            return;
          }
          const data = body.data as Record<string, unknown>;
          const sent = new Map(overrides);
          expect(data.workspace_id).toBe(ws.workspaceId);
          if (endpoint.method === "PATCH") expect(path).toContain(data.id);
          for (const field of ["id", "workspace_id", "created_at", "updated_at"]) {
            if (sent.has(field)) expect(data[field], `${field} was assigned`).not.toEqual(sent.get(field));
          }
          if ("customer_id" in data) expect(data.customer_id).toBe(ws.customerId);
          for (const [field] of unknown) expect(Object.hasOwn(data, field), `${field} was stored`).toBe(false);
        },
      ),
      { numRuns: runs.mass },
    );

    // The other workspace, whose ids and workspace_id were sent, is untouched.
    const after = await db()
      .select()
      .from(contacts)
      .where(inArray(contacts.workspaceId, [other.workspaceId]));
    expect(after).toEqual(before);
    const customerRows = await db()
      .select()
      .from(customers)
      .where(inArray(customers.workspaceId, [other.workspaceId]));
    expect(customerRows.map((r) => r.id)).toEqual([other.customerId]);
    const addressRows = await db()
      .select()
      .from(addresses)
      .where(inArray(addresses.workspaceId, [other.workspaceId]));
    expect(addressRows.map((r) => r.id)).toEqual([other.addressId]);
  });

  it("random Content-Type headers, or none", { timeout: 120_000 }, async () => {
    const ws = await workspace();
    const types = fc.oneof(
      fc.constantFrom(
        "application/json",
        "APPLICATION/JSON",
        "application/json;charset=utf-8",
        "application/json; charset=utf-16",
        "application/json;;;",
        "application/vnd.api+json",
        "application/problem+json",
        "application/jsonp",
        "application/json5",
        "application/x-json",
        "text/json",
        "json",
        "application/json, text/plain",
        "text/plain, application/json",
        "application/json\t; x=y",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "*/*",
        "",
      ),
      headerValue(),
      headerValue(40).map((s) => `application/json${s}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withBody), fc.option(types, { nil: undefined }), async (endpoint, type) => {
        const headers: Record<string, string> = bearer(ws.token);
        if (type !== undefined) headers["Content-Type"] = type;
        // Bytes, so that fetch adds no Content-Type of its own.
        const body = new TextEncoder().encode(JSON.stringify(endpoint.body?.(ws)));
        const { status } = await send({ method: endpoint.method, path: endpoint.path(ws), headers, body });
        const json = type !== undefined && /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type.trim());
        if (!json) expect(status, String(type)).toBe(415);
      }),
      { numRuns: runs.contentType },
    );
  });

  it("random Authorization headers never authenticate", { timeout: 120_000 }, async () => {
    const [ws, other] = [await workspace(), await workspace()];
    const revoked = await ws.newToken({ revokedAt: new Date() });
    const expired = await ws.newToken({ expiresAt: new Date(Date.now() - 60_000) });
    const b64token = fc.string({
      unit: fc.constantFrom(..."ABCabcxyz0189-._~+/".split("")),
      minLength: 1,
      maxLength: 60,
    });
    const tokens = fc.oneof(
      headerValue(),
      b64token,
      b64token.map((t) => `${t}==`),
      fc.constantFrom(ws.token, ws.readOnlyToken, other.token, revoked, expired),
      fc.constantFrom(ws.token.slice(0, -1), `${ws.token}x`, ws.token.toUpperCase(), `${ws.token},${ws.token}`),
      fc
        .string({ unit: fc.constantFrom(..."0123456789ABCDEFabcdef".split("")), minLength: 49, maxLength: 49 })
        .map((s) => `qwt_prod_${s}`),
      fc.constantFrom(257, 1000, 10_000).map((n) => "a".repeat(n)),
      fc.constantFrom(10_000).map((n) => `qwt_prod_${"A".repeat(n)}`),
    );
    const schemes = fc.constantFrom(
      "Bearer",
      "bearer",
      "BEARER",
      "Basic",
      "Token",
      "Digest",
      "",
      "Bearer:",
      "Bear",
      "Bearerx",
    );
    const authorization = fc.oneof(
      fc
        .tuple(schemes, fc.constantFrom(" ", "  ", "\t", ""), tokens, fc.constantFrom("", " ", "\t", " x"))
        .map(([scheme, gap, token, tail]) => `${scheme}${gap}${token}${tail}`),
      headerValue(200),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        fc.option(authorization, { nil: undefined }),
        async (endpoint, auth) => {
          const target = endpoint.method === "DELETE" ? await workspace() : ws;
          const headers: Record<string, string> = endpoint.body ? { ...jsonType } : {};
          if (auth !== undefined) headers.Authorization = auth;
          const { status, headers: answered } = await send({
            method: endpoint.method,
            path: endpoint.path(target),
            headers,
            body: endpoint.body ? JSON.stringify(endpoint.body(target)) : undefined,
          });
          // Only a live token of the workspace (with the needed permission) gets past authentication.
          const token = /^bearer +(\S+) *$/i.exec(new Headers(headers).get("Authorization") ?? "")?.[1];
          const live = [target.token, ws.token, other.token, endpoint.method === "GET" ? ws.readOnlyToken : ""];
          if (status < 300) expect(live, `authenticated with ${clip(String(auth), 100)}`).toContain(token);
          if (!live.includes(token ?? "") && token !== ws.readOnlyToken) {
            expect(status, clip(String(auth), 100)).toBe(401);
            expect(answered.get("WWW-Authenticate") ?? "").toMatch(/^Bearer /);
          }
          if (token === ws.token && target !== ws) expect(status).toBe(404);
          if (token !== undefined && tokenShape(token) === "malformed") expect(status).toBe(401);
        },
      ),
      { numRuns: runs.auth },
    );
  });

  it("random Idempotency-Key headers", { timeout: 120_000 }, async () => {
    const ws = await workspace();
    const keys = fc.oneof(
      headerValue(),
      fc.uuid(),
      fc.uuid().map((u) => `"${u}"`),
      fc.constantFrom("", " ", '""', '"', "a b", "\t", "k".repeat(255), "k".repeat(256), "x".repeat(5000), "é", "ключ"),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withBody), keys, fc.boolean(), async (endpoint, key, twice) => {
        const request = {
          method: endpoint.method,
          path: endpoint.path(ws),
          headers: { ...bearer(ws.token), ...jsonType, "Idempotency-Key": key },
          body: JSON.stringify(endpoint.body?.(ws)),
        };
        const first = await send(request);
        const normalized =
          new Headers({ k: key })
            .get("k")
            ?.trim()
            .replace(/^"(.*)"$/, "$1") ?? "";
        if (!/^[\x20-\x7e]{1,255}$/.test(normalized)) expect(first.status, clip(key, 80)).toBe(400);
        if (!twice) return;
        const again = await send(request);
        if (first.status < 300) {
          // A retry is answered with the first answer.
          expect(again.status).toBe(first.status);
          expect((again.body.data as { id: string }).id).toBe((first.body.data as { id: string }).id);
        }
      }),
      { numRuns: runs.idempotency },
    );
  });

  it("random X-Request-Id headers are echoed only when sane", { timeout: 120_000 }, async () => {
    const ws = await workspace();
    const ids = fc.oneof(
      headerValue(),
      fc.string({ unit: fc.constantFrom(..."abcXYZ019_-=".split("")), minLength: 1, maxLength: 140 }),
      fc.constantFrom("", "a".repeat(128), "a".repeat(129), "x".repeat(5000), "<script>", "a\tb", "id; drop"),
    );
    const readOrWrite = endpoints.filter((e) => e.method !== "DELETE");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...readOrWrite), ids, async (endpoint, id) => {
        const headers: Record<string, string> = { ...bearer(ws.token), "X-Request-Id": id };
        if (endpoint.body) headers["Content-Type"] = "application/json";
        const answer = await send({
          method: endpoint.method,
          path: endpoint.path(ws),
          headers,
          body: endpoint.body ? JSON.stringify(endpoint.body(ws)) : undefined,
        });
        const echoed = answer.headers.get("X-Request-Id") ?? "";
        expect(echoed).toMatch(/^[\w\-=]{1,128}$/);
        const sent = new Headers(headers).get("X-Request-Id") ?? "";
        if (/^[\w\-=]{1,128}$/.test(sent)) expect(echoed).toBe(sent);
      }),
      { numRuns: runs.requestId },
    );
  });

  it("random query strings on every endpoint", { timeout: 120_000 }, async () => {
    const ws = await workspace();
    const other = await workspace();
    const cursorLike = fc
      .tuple(
        fc.oneof(
          { weight: 3, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              "2024-01-01",
              "0",
              "-1",
              "Infinity",
              "2024-13-45T99:99:99Z",
              "1 Jan 10000 BC",
              "0000-01-01T00:00:00.000Z",
              "-004713-11-24T00:00:00.000Z",
              "+275760-09-13T00:00:00.000Z",
              "9999-12-31T23:59:59.999+14:00",
            ),
          },
          { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
        ),
        fc.oneof(
          { weight: 3, arbitrary: fc.uuid() },
          { weight: 1, arbitrary: fc.constantFrom(ws.contactId, other.customerId) },
          { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
        ),
        fc.constantFrom("|", "|", "|", "||", ""),
      )
      .map(([at, id, sep]) => base64url(`${at}${sep}${id}`));
    const key = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom("limit", "cursor", "customer_id", "cascade") },
      {
        weight: 2,
        arbitrary: fc.constantFrom("LIMIT", "limit[]", "__proto__", "constructor", "", "customer_id[]", "token", "q"),
      },
      { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    );
    const value = fc.oneof(
      fc.constantFrom("0", "1", "1000", "1001", "-1", "1e3", "0x10", "１０", " 5", "5 ", "99999999999999999999", ""),
      fc.constantFrom("true", "false", "TRUE", "yes", "1", "qwt_prod_abc"),
      fc.nat({ max: 2000 }).map(String),
      cursorLike,
      uuidLike(ws, other),
      hostileString.filter((s) => s.isWellFormed() && s.length < 300),
      fc.string({ maxLength: 20 }),
    );
    const rawJunk = fc.constantFrom(
      "%",
      "%%",
      "%ZZ",
      "%E0%A4%A",
      "%C0%80",
      "%ED%A0%80",
      "%FF",
      "%00",
      "+",
      "%2B",
      "&&",
      "==",
      "=&=",
      ";",
    );
    const pair = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.tuple(key, value).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
      },
      { weight: 1, arbitrary: fc.tuple(key, rawJunk).map(([k, junk]) => `${encodeURIComponent(k)}=${junk}`) },
      { weight: 1, arbitrary: fc.tuple(rawJunk, rawJunk).map(([k, v]) => `${k}=${v}`) },
      { weight: 1, arbitrary: key.map((k) => encodeURIComponent(k)) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        fc.array(pair, { minLength: 1, maxLength: 4 }),
        async (endpoint, pairs) => {
          const target = endpoint.method === "DELETE" ? await workspace() : ws;
          const base = endpoint.path(target);
          const path = `${base}${base.includes("?") ? "&" : "?"}${pairs.join("&")}`;
          const headers: Record<string, string> = bearer(target.token);
          if (endpoint.body) headers["Content-Type"] = "application/json";
          const { status, body } = await send({
            method: endpoint.method,
            path,
            headers,
            body: endpoint.body ? JSON.stringify(endpoint.body(target)) : undefined,
          });
          if (status < 300 && endpoint.method === "GET" && !/\/[0-9a-f-]{36}\?/.test(path)) {
            expect(Array.isArray(body.data)).toBe(true);
            // A list never shows another workspace's records, whatever the filters say.
            for (const item of body.data as { workspace_id: string }[]) expect(item.workspace_id).toBe(ws.workspaceId);
          }
        },
      ),
      {
        numRuns: runs.query,
        // BUG (src/http/list.ts decodeCursor, src/db/pagination.ts afterCursor): fast-check shrank to
        //   GET /api/contacts?cursor=KzAxMDAwMC0wMS0wMVQwMDowMDowMC4wMDBafDAwMDAwMDAwLTAwMDAtMTAwMC04MDAwLTAwMDAwMDAwMDAwMA&%=%
        //   (the cursor is "+010000-01-01T00:00:00.000Z|00000000-0000-1000-8000-000000000000"; another seed
        //   found "0000-12-31T23:59:59.999Z|…") → 500 {"success":false,"error":"Internal server error"}.
        // Kept as an example so that the property fails until the bug is fixed; see also the test below.
        examples: [
          [listContacts, [`cursor=${cursorOf("+010000-01-01T00:00:00.000Z", "00000000-0000-1000-8000-000000000000")}`]],
        ],
      },
    );
  });

  // BUG: decodeCursor accepts any date JavaScript can hold, and afterCursor sends its toISOString() to
  // PostgreSQL as `::timestamptz`, which cannot read year 0, negative years or years past 9999
  // (SQLSTATE 22008 "date/time field value out of range", 22007 "invalid input syntax", 22009 "time zone
  // displacement out of range"); databaseError maps SQLSTATE class 22 to 500. A cursor the server never
  // issued should be refused with the 400 every other bad cursor gets (or answer an empty page).
  it("list cursors with dates PostgreSQL cannot read are not a 500", async () => {
    const ws = await workspace();
    const dates = [
      "+010000-01-01T00:00:00.000Z",
      "+275760-09-13T00:00:00.000Z",
      "0000-12-31T23:59:59.999Z",
      "-000001-01-01T00:00:00.000Z",
      "-271821-04-20T00:00:00.000Z",
    ];
    const failures: string[] = [];
    for (const list of ["/api/contacts", "/api/customers", "/api/addresses"]) {
      for (const at of dates) {
        const path = `${list}?cursor=${cursorOf(at, ws.contactId)}`;
        try {
          const { status, body } = await send({ method: "GET", path, headers: bearer(ws.token) });
          if (status === 400) expect(body.error).toBe("cursor is invalid: pass the next_cursor of a previous page");
        } catch (error) {
          failures.push(`${list} cursor date ${at}: ${(error as Error).message.split("\n")[0]}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("random path segments in place of ids, and extra segments", { timeout: 120_000 }, async () => {
    const ws = await workspace();
    const segment = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 40 }).map(encodeURIComponent),
      fc
        .string({ unit: "binary", maxLength: 20 })
        .filter((s) => s.isWellFormed())
        .map(encodeURIComponent),
      hostileString.filter((s) => s.isWellFormed() && s.length < 300).map(encodeURIComponent),
      fc.uuid(),
      fc.uuid().map((u) => u.toUpperCase()),
      fc.uuid().map((u) => encodeURIComponent(`{${u}}`)),
      fc.uuid().map((u) => u.replaceAll("-", "")),
      fc.uuid().map((u) => `${u}%00`),
      fc.uuid().map((u) => `${u};x`),
      fc.constantFrom(
        "%",
        "%%",
        "%ZZ",
        "%C0%80",
        "%ED%A0%80",
        "%FF",
        "%00",
        "%2F",
        "%2e%2e",
        "..",
        ".",
        "%20",
        "+",
        "null",
        "0",
      ),
      fc.constantFrom(1000, 10_000).map((n) => "a".repeat(n)),
    );
    const extra = fc.array(segment, { maxLength: 2 });
    const methods = fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withId),
        fc.option(segment, { nil: undefined }),
        extra,
        fc.option(methods, { nil: undefined }),
        async (endpoint, id, more, method) => {
          const target = endpoint.method === "DELETE" ? await workspace() : ws;
          const original = endpoint.path(target);
          const [pathPart, query] = original.split("?");
          const withSegment =
            id === undefined ? (pathPart as string) : (pathPart as string).replace(/[0-9a-f-]{36}$/, id);
          const path = [withSegment, ...more].join("/") + (query ? `?${query}` : "");
          const chosen = method ?? endpoint.method;
          const headers: Record<string, string> = bearer(target.token);
          let body: string | undefined;
          if (chosen === "POST" || chosen === "PATCH" || chosen === "PUT") {
            headers["Content-Type"] = "application/json";
            body = JSON.stringify(endpoint.body?.(target) ?? {});
          }
          await send({ method: chosen, path, headers, body });
        },
      ),
      { numRuns: runs.path },
    );
  });

  it("stored nothing invalid in the workspaces it used", { timeout: 60_000 }, async () => {
    expect(seeded.length).toBeGreaterThan(0);
    const contactRows = await db().select().from(contacts).where(inArray(contacts.workspaceId, seeded));
    const customerRows = await db().select().from(customers).where(inArray(customers.workspaceId, seeded));
    const addressRows = await db().select().from(addresses).where(inArray(addresses.workspaceId, seeded));

    const problems: string[] = [];
    const text = (table: string, id: string, field: string, value: unknown, max: number, required: boolean) => {
      if (value === null || value === undefined) {
        if (required) problems.push(`${table} ${id} ${field}: missing`);
        return;
      }
      if (typeof value !== "string") return void problems.push(`${table} ${id} ${field}: not text`);
      const where = `${table} ${id} ${field} = ${JSON.stringify(clip(value, 60))}`;
      if (value.includes("\u0000")) problems.push(`${where}: NUL`);
      if (!value.isWellFormed()) problems.push(`${where}: lone surrogate`);
      if (value.length > max) problems.push(`${where}: ${value.length} > ${max} characters`);
      if (value !== value.trim()) problems.push(`${where}: not trimmed`);
      if (required && value.trim() === "") problems.push(`${where}: empty`);
    };

    for (const row of contactRows) {
      const t = (field: string, value: unknown, max: number, required = false) =>
        text("contact", row.id, field, value, max, required);
      t("first_name", row.firstName, 200, true);
      t("last_name", row.lastName, 200, true);
      t("email", row.email, 320, true);
      t("phone", row.phone, 50);
      t("id_crm", row.idCrm, 255);
      t("id_erp", row.idErp, 255);
      t("id_accounting", row.idAccounting, 255);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(row.email)) problems.push(`contact ${row.id} email: ${row.email}`);
      for (const role of row.role) {
        if (!(contactRoles as readonly string[]).includes(role)) problems.push(`contact ${row.id} role: ${role}`);
      }
      if (new Set(row.role).size !== row.role.length) problems.push(`contact ${row.id} role: duplicates`);
    }
    for (const row of customerRows) {
      const t = (field: string, value: unknown, max: number, required = false) =>
        text("customer", row.id, field, value, max, required);
      t("name", row.name, 200, true);
      t("logo", row.logo, 2048);
      t("id_crm", row.idCrm, 255);
      t("id_erp", row.idErp, 255);
      t("id_accounting", row.idAccounting, 255);
      if (!(customerTypes as readonly string[]).includes(row.type))
        problems.push(`customer ${row.id} type: ${row.type}`);
      if (!Array.isArray(row.taxIds) || row.taxIds.length > 50) problems.push(`customer ${row.id} tax_ids: too many`);
      for (const [i, entry] of (row.taxIds ?? []).entries()) {
        if (Object.keys(entry).sort().join() !== "tax,tax_value")
          problems.push(`customer ${row.id} tax_ids[${i}]: keys`);
        t(`tax_ids[${i}].tax`, entry.tax, 50, true);
        t(`tax_ids[${i}].tax_value`, entry.tax_value, 100, true);
      }
    }
    for (const row of addressRows) {
      const t = (field: string, value: unknown, max: number, required = false) =>
        text("address", row.id, field, value, max, required);
      t("name", row.name, 200);
      t("address_line1", row.addressLine1, 200, true);
      t("address_line2", row.addressLine2, 200);
      t("city", row.city, 100, true);
      t("state", row.state, 100);
      t("postal_code", row.postalCode, 20, true);
      t("comment", row.comment, 5000);
      t("id_crm", row.idCrm, 255);
      t("id_erp", row.idErp, 255);
      t("id_accounting", row.idAccounting, 255);
      if (!/^[A-Z]{2}$/.test(row.country)) problems.push(`address ${row.id} country: ${JSON.stringify(row.country)}`);
      if (!(addressTypes as readonly string[]).includes(row.type)) problems.push(`address ${row.id} type: ${row.type}`);
    }
    expect(problems).toEqual([]);
    // The properties did store records of their own, hostile text included.
    expect(contactRows.length + customerRows.length + addressRows.length).toBeGreaterThan(seeded.length * 3);
  });
});
