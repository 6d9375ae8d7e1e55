// Hostile input (OWASP API3 and API8), generated with fast-check and thrown at
// every endpoint of test/endpoints.ts by the files of test/hostile-input: JSON
// bodies of any shape, valid bodies with fields of the wrong type or hostile
// text, mass-assignment attempts, random headers, query strings and path
// segments. Whatever is sent:
// - the answer is below 500;
// - a refusal is exactly {"success": false, "error": "<non-empty>"}, with no
//   stack, SQL or driver name in it;
// - a 2xx answer is a success envelope, and a created or updated record's
//   server-owned fields (id, workspace_id, timestamps) are the server's;
// - and afterwards nothing invalid is stored in the workspaces the test used
//   (bodies.test.ts, the file that sends hostile bodies, checks its own at its end).
// A failure prints fast-check's seed and shrunk counterexample.
import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { expect } from "vitest";
import { createAddress, updateAddress } from "../../src/addresses/schemas";
import { createContact, updateContact } from "../../src/contacts/schemas";
import { createCustomer, updateCustomer } from "../../src/customers/schemas";
import { contactRoles } from "../../src/db/schema";
import { type Endpoint, endpoints } from "../endpoints";
import { seedWorkspace, type TestWorkspace } from "./harness";

// ---------------------------------------------------------------------------
// Requests and the checks every answer must pass

export interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** the parsed JSON body */
  body: Record<string, unknown>;
}

/** Stack frames, SQL, constraint and driver wording: nothing of it may reach a client. */
const internals =
  /\bat \S+ \(|node_modules|Failed query|\bselect\b.*\bfrom\b|\binsert into\b|\bupdate\b.*\bset\b|syntax error|violates|duplicate key|NeonDbError|DrizzleQueryError|\bsqlstate\b|\bstack\b|TypeError|RangeError|SyntaxError|ReferenceError/i;

export const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
const isWrite = (method: string) => method === "POST" || method === "PUT" || method === "PATCH" || method === "DELETE";
/** POST /api/<resource>/batch: its refusals may name every refused item in `errors`, its answer is a list of results. */
const isBatch = (path: string) => /^\/api\/\w+\/batch(?:\?|$)/.test(path);
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The records a write answered: its `data`, or each written record of a batch's results. */
export function recordsOf(body: Record<string, unknown>): Record<string, unknown>[] {
  const data = body.data as Record<string, unknown> | { data?: Record<string, unknown> }[];
  if (!Array.isArray(data)) return [data];
  return data.flatMap((result) => (result.data ? [result.data] : []));
}

/**
 * Sends a request as given (fetch adds a Content-Type only to a string body sent
 * without one), through the worker's fetch, and checks the answer.
 */
export async function send(request: Sent): Promise<Answer> {
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
    // Exactly the error envelope: no other field (but a batch's `errors`), a non-empty message without internals.
    const listed = isBatch(request.path) && "errors" in answer.body;
    expect(answer.body, what).toEqual({
      success: false,
      error: expect.any(String),
      ...(listed ? { errors: expect.any(Array) } : {}),
    });
    const error = answer.body.error as string;
    expect(error.trim(), what).not.toBe("");
    // "Not found: <method> <path>" echoes the path the client sent; anything else is the server's own wording.
    if (!error.startsWith("Not found: ")) expect(error, what).not.toMatch(internals);
    for (const item of listed ? (answer.body.errors as unknown[]) : []) {
      expect(typeof item === "string" && item.trim() !== "", what).toBe(true);
      expect(item, what).not.toMatch(internals);
    }
    return answer;
  }

  expect(answer.body.success, what).toBe(true);
  if (isWrite(request.method)) {
    // A write answers with the record, or with the delete message.
    const keys = Object.keys(answer.body).sort();
    if (isBatch(request.path)) {
      // One result per operation: the record written, or the id deleted.
      expect(keys, what).toEqual(["data", "success"]);
      expect(Array.isArray(answer.body.data), what).toBe(true);
      for (const result of answer.body.data as Record<string, unknown>[]) {
        expect(result.id, what).toEqual(expect.stringMatching(uuidPattern));
        if (result.op === "delete")
          expect(result, what).toEqual({ op: "delete", status: 200, id: result.id, deleted: true });
        else expect((result.data as Record<string, unknown>).id, what).toBe(result.id);
      }
    } else if (keys.includes("message")) {
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
// Workspaces: every one a test seeds is recorded; bodies.test.ts checks those of
// its file for invalid rows at its end

export const seeded: string[] = [];

export async function workspace(): Promise<TestWorkspace> {
  const ws = await seedWorkspace();
  seeded.push(ws.workspaceId);
  return ws;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
export const jsonType = { "Content-Type": "application/json" };

// ---------------------------------------------------------------------------
// JSON text with what JSON.stringify cannot write: raw fragments (deep nesting,
// bad escapes), duplicate keys, "__proto__" as a plain key

class Raw {
  constructor(readonly text: string) {}
}
/** A field left out of the body. */
const omit = Symbol("omit");
export type Entries = [string, unknown][];

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
export function bodyWith(endpoint: Endpoint, ws: TestWorkspace, overrides: Entries): string {
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

/**
 * The endpoints of the records (contacts, customers, addresses), whose answers
 * these properties check (workspace_id, ids, Idempotency-Key replays). The
 * webhook endpoints' input is tested in test/webhooks.
 */
export const recordEndpoints = endpoints.filter((e) => !e.path(fakeWorkspace()).startsWith("/api/webhooks"));
export const withBody = recordEndpoints.filter((e) => e.body);
export const listContacts = recordEndpoints.find((e) => e.name === "list contacts") as Endpoint;
export const withId = recordEndpoints.filter((e) => /^\/api\/\w+\/[0-9a-f-]{36}(?:\?|$)/.test(e.path(fakeWorkspace())));

/** A batch body's one field. */
const batchBody = { entries: { operations: undefined } };
const schemaOf: Record<string, { entries: object }> = {
  "create contact": createContact,
  "update contact": updateContact,
  "upsert contact": createContact,
  "batch contacts": batchBody,
  "create customer": createCustomer,
  "update customer": updateCustomer,
  "upsert customer": createCustomer,
  "batch customers": batchBody,
  "create address": createAddress,
  "update address": updateAddress,
  "upsert address": createAddress,
  "batch addresses": batchBody,
};
export const fieldsOf = (endpoint: Endpoint) => Object.keys(schemaOf[endpoint.name]?.entries ?? {});

function fakeWorkspace(): TestWorkspace {
  const id = "00000000-0000-4000-8000-000000000000";
  return {
    workspaceId: id,
    customerId: id,
    contactId: id,
    addressId: id,
    webhookId: id,
    webhookEventId: id,
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
export const headerValue = (maxLength = 80) => fc.string({ unit: headerSafeChar, maxLength });

export const hostileString: fc.Arbitrary<string> = fc.oneof(
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

export const uuidLike = (ws: TestWorkspace, other: TestWorkspace) =>
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

export const hostileValue = (ws: TestWorkspace, other: TestWorkspace): fc.Arbitrary<unknown> =>
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
export const anyJsonText = fc.oneof(
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

export interface BadBytes {
  bytes: readonly number[];
  atStart: boolean;
}

/** Bytes that are not UTF-8 inside an otherwise valid body's string, or a BOM before it. */
export const badBytes = fc.constantFrom<readonly number[]>(
  [0xed, 0xa0, 0x80], // a surrogate, CESU-8 style
  [0xc0, 0x80], // overlong NUL
  [0xff],
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xe2, 0x82], // truncated
  [0xef, 0xbb, 0xbf], // a BOM mid-string: valid UTF-8 (U+FEFF)
);

// ---------------------------------------------------------------------------

// Runs per property: the three files of test/hostile-input take about 10 s
// together on PGlite. Each property passed 1000 runs on PGlite and on PostgreSQL
// (but for the cursor bug of paths-and-queries.test.ts).
export const runs = {
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

export const base64url = (latin1: string) => btoa(latin1).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
/** A list cursor as the API encodes it: base64url of "<created_at>|<id>". */
export const cursorOf = (at: string, id: string) => base64url(`${at}|${id}`);
