// Hostile query strings and path segments on every endpoint, and list cursors
// the server never issued. The generators and the checks every answer must
// pass: test/support/hostile-input.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  base64url,
  bearer,
  cursorOf,
  hostileString,
  listContacts,
  recordEndpoints,
  runs,
  send,
  uuidLike,
  withId,
  workspace,
} from "../support/hostile-input";

describe("hostile input", () => {
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
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          "limit",
          "cursor",
          "customer_id",
          "cascade",
          "contact_id",
          "email",
          "id_crm",
          "id_erp",
          "id_accounting",
          "role",
          "type",
          "country",
          "tax_value",
          "name_prefix",
          "updated_since",
        ),
      },
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
        fc.constantFrom(...recordEndpoints),
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
});
