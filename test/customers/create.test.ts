// POST /api/customers: the documented defaults, every optional field, and the
// refusals, each naming its field and writing nothing.
import { describe, expect, it } from "vitest";
import type { CustomerObject } from "../../src/customers/object";
import { type Envelope, expectError, isoUtc } from "../support/envelope";
import { api, json, seedWorkspace } from "../support/harness";
import {
  createCustomer,
  customerKeys,
  customerRows,
  fullCustomer,
  getCustomer,
  listCustomers,
  patchCustomer,
  postCustomer,
} from "../support/resources";

describe("POST /api/customers", () => {
  it("creates a customer with only name and type, with the documented defaults", async () => {
    const ws = await seedWorkspace();
    const response = await postCustomer(ws, { name: "Jane Doe", type: "individual" });
    expect(response.status).toBe(201);
    const body = await json<Envelope<CustomerObject>>(response);
    expect(Object.keys(body)).toEqual(["success", "data"]);
    expect(body.success).toBe(true);
    expect(Object.keys(body.data)).toEqual(customerKeys);
    expect(body.data).toEqual({
      id: expect.any(String),
      workspace_id: ws.workspaceId,
      name: "Jane Doe",
      type: "individual",
      segment_id: null,
      logo: null,
      tax_ids: [],
      id_crm: null,
      id_erp: null,
      id_accounting: null,
      contact_ids: [],
      address_ids: [],
      created_at: expect.stringMatching(isoUtc),
      updated_at: expect.stringMatching(isoUtc),
    });
    expect(response.headers.get("Location")).toBe(`/api/customers/${body.data.id}`);
    expect(body.data.id).not.toBe(ws.customerId);
  });

  it("creates a customer with every optional field, and answers exactly what a following GET answers", async () => {
    const ws = await seedWorkspace();
    const response = await postCustomer(ws, fullCustomer);
    expect(response.status).toBe(201);
    const created = await response.text();
    const { data } = JSON.parse(created) as Envelope<CustomerObject>;
    expect(data).toMatchObject({ ...fullCustomer, workspace_id: ws.workspaceId, contact_ids: [], address_ids: [] });
    expect(response.headers.get("Location")).toBe(`/api/customers/${data.id}`);

    const fetched = await api(response.headers.get("Location") ?? "", { token: ws.token });
    expect(fetched.status).toBe(200);
    const fetchedText = await fetched.text();
    expect(JSON.parse(fetchedText)).toEqual(JSON.parse(created));
    expect(fetchedText).toBe(created);
    expect((await listCustomers(ws)).map((c) => c.id)).toEqual([ws.customerId, data.id]);
  });

  it("creates each customer with a new id, also for identical bodies", async () => {
    const ws = await seedWorkspace();
    const a = await createCustomer(ws);
    const b = await createCustomer(ws);
    expect(a.id).not.toBe(b.id);
    expect((await customerRows(ws.workspaceId)).map((row) => row.id).sort()).toEqual(
      [ws.customerId, a.id, b.id].sort(),
    );
  });

  it("trims text, keeps null for optional fields sent as null, and answers the canonical segment_id", async () => {
    const ws = await seedWorkspace();
    const segment = crypto.randomUUID();
    const customer = await createCustomer(ws, {
      name: "  Acme  ",
      segment_id: segment.toUpperCase(),
      logo: null,
      tax_ids: [{ tax_value: " FR1 ", tax: " VAT " }],
      id_crm: null,
      id_erp: " erp ",
    });
    expect(customer).toMatchObject({
      name: "Acme",
      segment_id: segment,
      logo: null,
      tax_ids: [{ tax: "VAT", tax_value: "FR1" }],
      id_crm: null,
      id_erp: "erp",
      id_accounting: null,
    });
    expect(Object.keys(customer.tax_ids[0] ?? {})).toEqual(["tax", "tax_value"]);
  });

  it("accepts up to 50 tax ids, in the order sent", async () => {
    const ws = await seedWorkspace();
    const taxIds = Array.from({ length: 50 }, (_, i) => ({ tax: `T${i}`, tax_value: `${50 - i}` }));
    const customer = await createCustomer(ws, { tax_ids: taxIds });
    expect(customer.tax_ids).toEqual(taxIds);
    expect((await getCustomer(ws, customer.id)).tax_ids).toEqual(taxIds);
  });

  it("creates the customer in the token's workspace, whatever the request says", async () => {
    const [mine, theirs] = await Promise.all([seedWorkspace(), seedWorkspace()]);
    const response = await api(`/api/customers?workspace_id=${theirs.workspaceId}`, {
      method: "POST",
      token: mine.token,
      headers: { "X-Workspace-Id": theirs.workspaceId },
      body: { name: "Mine", type: "company" },
    });
    expect(response.status).toBe(201);
    const { data } = await json<Envelope<CustomerObject>>(response);
    expect(data.workspace_id).toBe(mine.workspaceId);
    expect((await customerRows(theirs.workspaceId)).map((row) => row.id)).toEqual([theirs.customerId]);
  });
});

describe("POST /api/customers validation", () => {
  const refusals: [string, unknown, string | RegExp][] = [
    ["a missing name", { type: "company" }, "name is required"],
    ["a missing type", { name: "Acme" }, "type is required"],
    ["an empty name", { name: "", type: "company" }, "name must not be empty"],
    ["a blank name", { name: "   ", type: "company" }, "name must not be empty"],
    ["a null name", { name: null, type: "company" }, "name cannot be null"],
    ["a numeric name", { name: 42, type: "company" }, "name must be a string"],
    ["an overlong name", { name: "x".repeat(201), type: "company" }, /^name /],
    ["an unknown type", { name: "Acme", type: "partner" }, "type must be one of: company, individual"],
    ["a type in another case", { name: "Acme", type: "Company" }, "type must be one of: company, individual"],
    ["a null type", { name: "Acme", type: null }, "type cannot be null"],
    ["a malformed segment_id", { name: "Acme", type: "company", segment_id: "segment-1" }, "segment_id must be a UUID"],
    ["a numeric segment_id", { name: "Acme", type: "company", segment_id: 7 }, /^segment_id /],
    [
      "an ftp logo",
      { name: "Acme", type: "company", logo: "ftp://example.com/a.png" },
      "logo must be an http or https URL",
    ],
    [
      "a logo without scheme",
      { name: "Acme", type: "company", logo: "example.com/a.png" },
      "logo must be an http or https URL",
    ],
    [
      "a javascript logo",
      { name: "Acme", type: "company", logo: "javascript:alert(1)" },
      "logo must be an http or https URL",
    ],
    ["an empty logo", { name: "Acme", type: "company", logo: "" }, /^logo /],
    ["tax_ids that is not an array", { name: "Acme", type: "company", tax_ids: "FR123" }, /^tax_ids /],
    ["null tax_ids", { name: "Acme", type: "company", tax_ids: null }, "tax_ids cannot be null"],
    [
      "a tax id without tax_value",
      { name: "Acme", type: "company", tax_ids: [{ tax: "VAT" }] },
      "tax_ids[0].tax_value is required",
    ],
    [
      "a tax id without tax",
      { name: "Acme", type: "company", tax_ids: [{ tax: "VAT", tax_value: "1" }, { tax_value: "2" }] },
      "tax_ids[1].tax is required",
    ],
    [
      "a tax id with an empty tax",
      { name: "Acme", type: "company", tax_ids: [{ tax: "", tax_value: "1" }] },
      "tax_ids[0].tax must not be empty",
    ],
    [
      "a tax id with a blank tax_value",
      { name: "Acme", type: "company", tax_ids: [{ tax: "VAT", tax_value: "  " }] },
      "tax_ids[0].tax_value must not be empty",
    ],
    [
      "a tax id with an unknown field",
      { name: "Acme", type: "company", tax_ids: [{ tax: "VAT", tax_value: "1", country: "FR" }] },
      "tax_ids[0].country is not a known field",
    ],
    [
      "51 tax ids",
      {
        name: "Acme",
        type: "company",
        tax_ids: Array.from({ length: 51 }, (_, i) => ({ tax: "VAT", tax_value: `${i}` })),
      },
      /^tax_ids /,
    ],
    ["a numeric id_crm", { name: "Acme", type: "company", id_crm: 12 }, /^id_crm /],
    ["a boolean id_erp", { name: "Acme", type: "company", id_erp: true }, /^id_erp /],
    ["an overlong id_accounting", { name: "Acme", type: "company", id_accounting: "x".repeat(256) }, /^id_accounting /],
    ["an unknown field", { name: "Acme", type: "company", foo: "bar" }, "foo is not a known field"],
  ];

  it.each(refusals)("refuses %s with a 400 naming the field, and writes nothing", async (_, body, error) => {
    const ws = await seedWorkspace();
    await expectError(await postCustomer(ws, body), 400, error);
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
  });

  it("says a tax id that is not an object must be one, rather than calling it an unknown field", async () => {
    const ws = await seedWorkspace();
    await expectError(
      await postCustomer(ws, { name: "Acme", type: "company", tax_ids: ["VAT"] }),
      400,
      "tax_ids[0] must be an object",
    );
    await expectError(
      await postCustomer(ws, { name: "Acme", type: "company", tax_ids: [{ tax: "VAT", tax_value: "1" }, null] }),
      400,
      "tax_ids[1] cannot be null",
    );
    await expectError(await patchCustomer(ws, ws.customerId, { tax_ids: [42] }), 400, "tax_ids[0] must be an object");
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
    expect((await getCustomer(ws, ws.customerId)).tax_ids).toEqual([]);
  });

  it("refuses each read-only field, and writes nothing", async () => {
    const ws = await seedWorkspace();
    const values: Record<string, unknown> = {
      id: crypto.randomUUID(),
      workspace_id: ws.workspaceId,
      created_at: "2020-01-01T00:00:00Z",
      updated_at: "2020-01-01T00:00:00Z",
      contact_ids: [ws.contactId],
      address_ids: [ws.addressId],
    };
    for (const [field, value] of Object.entries(values)) {
      await expectError(
        await postCustomer(ws, { name: "Acme", type: "company", [field]: value }),
        400,
        `${field} is read-only`,
      );
    }
    await expectError(
      await postCustomer(ws, { name: "Acme", type: "company", id: values.id, contact_ids: [] }),
      400,
      /^id, contact_ids are read-only$/,
    );
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
    expect(await listCustomers(ws)).toHaveLength(1);
  });

  it("refuses a body that is not a JSON object", async () => {
    const ws = await seedWorkspace();
    await expectError(await postCustomer(ws, "{not json"), 400, "Request body is not valid JSON");
    await expectError(await postCustomer(ws, "[]"), 400, "Request body must be a JSON object");
    await expectError(
      await api("/api/customers", {
        method: "POST",
        token: ws.token,
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ name: "Acme", type: "company" }),
      }),
      415,
      "Content-Type must be application/json",
    );
    expect((await customerRows(ws.workspaceId)).map((row) => row.id)).toEqual([ws.customerId]);
  });
});
