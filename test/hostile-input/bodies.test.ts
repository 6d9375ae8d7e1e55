// Hostile request bodies: any JSON text, valid bodies with fields of the wrong
// type or hostile text, mass assignment, any Content-Type; and afterwards,
// nothing invalid stored in the workspaces the file used. The generators and the
// checks every answer must pass: test/support/hostile-input.ts.
import { inArray } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addresses, addressTypes, contactRoles, contacts, customers, customerTypes } from "../../src/db/schema";
import { readOnlyFields } from "../../src/http/validation";
import { db } from "../support/harness";
import {
  anyJsonText,
  type BadBytes,
  badBytes,
  bearer,
  bodyWith,
  clip,
  type Entries,
  fieldsOf,
  headerValue,
  hostileValue,
  jsonType,
  recordsOf,
  runs,
  seeded,
  send,
  withBody,
  workspace,
} from "../support/hostile-input";

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
            for (const data of recordsOf(body)) expect(data.workspace_id).toBe(ws.workspaceId);
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
          const sent = new Map(overrides);
          for (const data of recordsOf(body)) {
            expect(data.workspace_id).toBe(ws.workspaceId);
            if (endpoint.method === "PATCH") expect(path).toContain(data.id);
            for (const field of ["id", "workspace_id", "created_at", "updated_at"]) {
              if (sent.has(field)) expect(data[field], `${field} was assigned`).not.toEqual(sent.get(field));
            }
            if ("customer_id" in data) expect(data.customer_id).toBe(ws.customerId);
            for (const [field] of unknown) expect(Object.hasOwn(data, field), `${field} was stored`).toBe(false);
          }
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
