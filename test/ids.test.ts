// Ids are what PostgreSQL's uuid type accepts; anything else is a 400, never a database error.
import { describe, expect, it } from "vitest";
import type { ContactObject } from "../src/contacts/object";
import { parseUuid } from "../src/lib/uuid";
import type { Envelope } from "./support/envelope";
import { api, json, seedWorkspace } from "./support/harness";

describe("ids in paths", () => {
  it("accepts every spelling PostgreSQL's uuid input accepts, and answers with the canonical id", async () => {
    const ws = await seedWorkspace();
    const hex = ws.contactId.replaceAll("-", "");
    const spellings = [
      ws.contactId.toUpperCase(),
      `{${ws.contactId}}`,
      hex,
      hex.replace(/(.{4})/g, "$1-").slice(0, -1),
      `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}-${hex.slice(24)}`,
    ];
    for (const spelling of spellings) {
      const response = await api(`/api/contacts/${encodeURIComponent(spelling)}`, { token: ws.token });
      expect(response.status, spelling).toBe(200);
      expect((await json<Envelope<ContactObject>>(response)).data.id).toBe(ws.contactId);
    }
  });

  it("accepts uuids that are not RFC 4122, like the seed's own address id", async () => {
    const ws = await seedWorkspace();
    const response = await api("/api/contacts/c3d4e5f6-a7b8-9012-cdef-123456789012", { token: ws.token });
    expect(response.status).toBe(404);
  });

  it("answers 400 in the envelope for anything else", async () => {
    const ws = await seedWorkspace();
    const bad = [
      "123",
      "not-a-uuid",
      `${ws.contactId}0`,
      ws.contactId.slice(0, -1),
      `{${ws.contactId}`,
      ws.contactId.replace(/^./, "g"),
      "660e8400-e29b-41d4-a716-4466554400011",
      "660e8400e-29b-41d4-a716-44665544000",
      "' or 1=1 --",
      "%00",
      "x".repeat(5000),
    ];
    for (const id of bad) {
      const response = await api(`/api/contacts/${encodeURIComponent(id)}`, { token: ws.token });
      expect(response.status, id).toBe(400);
      expect(await json(response)).toEqual({ success: false, error: "Invalid contact id: expected a UUID" });
    }
  });
});

describe("parseUuid", () => {
  it("follows PostgreSQL's uuid_in: hyphens only after a group of four digits, braces only in pairs", () => {
    expect(parseUuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    expect(parseUuid("{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}")).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    expect(parseUuid("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11")).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    expect(parseUuid("a0eebc999c0b4ef8bb6d6bb9bd380a11")).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    expect(parseUuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-")).toBeUndefined();
    expect(parseUuid("-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")).toBeUndefined();
    expect(parseUuid("a0e-ebc99-9c0b-4ef8-bb6d-6bb9bd380a11")).toBeUndefined();
    expect(parseUuid("a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11")).toBeUndefined();
    expect(parseUuid("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")).toBeUndefined();
    expect(parseUuid(" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")).toBeUndefined();
  });
});
