// Request bodies: JSON objects only, within the size limit, valid Unicode text;
// every refusal is a 4xx in the envelope and writes nothing.
import { describe, expect, it } from "vitest";
import type { ContactObject } from "../src/contacts/object";
import { maxBodyBytes } from "../src/http/body";
import type { Envelope } from "./support/envelope";
import { api, json, seedWorkspace } from "./support/harness";

const contact = (customerId: string) => ({
  customer_id: customerId,
  first_name: "Ada",
  last_name: "Lovelace",
  email: "ada@example.com",
});

async function contactCount(token: string) {
  return (await json<{ data: unknown[] }>(await api("/api/contacts", { token }))).data.length;
}

describe("request bodies", () => {
  it("refuses a body that is not JSON, or not a JSON object", async () => {
    const ws = await seedWorkspace();
    const cases: [string, string][] = [
      ["{not json", "Request body is not valid JSON"],
      ["", "Request body is not valid JSON"],
      ["[1,2]", "Request body must be a JSON object"],
      ['"text"', "Request body must be a JSON object"],
      ["null", "Request body must be a JSON object"],
      ["42", "Request body must be a JSON object"],
    ];
    for (const [body, error] of cases) {
      const response = await api("/api/contacts", { method: "POST", token: ws.token, body });
      expect(response.status, body).toBe(400);
      expect(await json(response)).toEqual({ success: false, error });
    }
    expect(await contactCount(ws.token)).toBe(1);
  });

  it("refuses a body that is not application/json with 415", async () => {
    const ws = await seedWorkspace();
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const response = await api("/api/contacts", {
        method: "POST",
        token: ws.token,
        headers: { "Content-Type": type },
        body: contact(ws.customerId),
      });
      expect(response.status, type).toBe(415);
      expect(await json(response)).toEqual({ success: false, error: "Content-Type must be application/json" });
    }
    const charset = await api("/api/contacts", {
      method: "POST",
      token: ws.token,
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: contact(ws.customerId),
    });
    expect(charset.status).toBe(201);
  });

  it(`refuses a body over ${maxBodyBytes} bytes with 413`, async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/contacts", {
      method: "POST",
      token: ws.token,
      body: { ...contact(ws.customerId), padding: "x".repeat(maxBodyBytes) },
    });
    expect(response.status).toBe(413);
    expect(await json(response)).toEqual({
      success: false,
      error: `Request body must be at most ${maxBodyBytes} bytes`,
    });
  });

  it("refuses text PostgreSQL cannot store or that is not valid Unicode", async () => {
    const ws = await seedWorkspace();
    const cases: [string, string][] = [
      ['"Ada\\u0000Lovelace"', "first_name must not contain NUL characters"],
      ['"\\ud800"', "first_name must be valid Unicode text"],
      ['"x\\udfffy"', "first_name must be valid Unicode text"],
      [JSON.stringify("a".repeat(10_000)), "first_name must be at most 200 characters"],
    ];
    for (const [firstName, error] of cases) {
      const body = `{"customer_id":"${ws.customerId}","first_name":${firstName},"last_name":"L","email":"a@b.example"}`;
      const response = await api("/api/contacts", { method: "POST", token: ws.token, body });
      expect(response.status, firstName.slice(0, 20)).toBe(400);
      expect(await json(response)).toEqual({ success: false, error });
    }
    expect(await contactCount(ws.token)).toBe(1);
  });

  it("refuses bytes that are not UTF-8", async () => {
    const ws = await seedWorkspace();
    const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
    const response = await api("/api/contacts", { method: "POST", token: ws.token, body: bytes });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ success: false, error: "Request body is not valid JSON" });
  });

  it("stores any well-formed Unicode as sent", async () => {
    const ws = await seedWorkspace();
    const names = ["Zoë", "Łukasz", "渡辺", "محمد", "👩🏽‍💻", "O'Brien-Smith", "\u00a0x\u00a0"];
    for (const name of names) {
      const response = await api("/api/contacts", {
        method: "POST",
        token: ws.token,
        body: { ...contact(ws.customerId), first_name: name },
      });
      expect(response.status, name).toBe(201);
      expect((await json<Envelope<ContactObject>>(response)).data.first_name).toBe(name.trim());
    }
  });

  it("accepts deeply nested JSON only where the schema allows it", async () => {
    const ws = await seedWorkspace();
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const body = `{"customer_id":"${ws.customerId}","first_name":"A","last_name":"B","email":"a@b.example","role":${deep}}`;
    const response = await api("/api/contacts", { method: "POST", token: ws.token, body });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatch(/^role\[0\] must be one of/);
  });
});
