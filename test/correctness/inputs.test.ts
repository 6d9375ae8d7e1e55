// Input that used to be taken in a form other than the one sent: an
// Idempotency-Key checked only on some writes, a replay without its Location,
// impossible dates rolled over into the next month, and a country code that
// only became one once upper-cased.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { AddressObject } from "../../src/addresses/object";
import { addresses, apiTokens } from "../../src/db/schema";
import type { Envelope } from "../support/envelope";
import { api, db, json, seedWorkspace, type TestWorkspace } from "../support/harness";
import { addressBody, adminToken, contactBody, type TokenObject } from "../support/resources";

const keyError = "Idempotency-Key must be 1 to 255 printable ASCII characters";

// Every printable ASCII character but the space, over and over: 255 of them.
const printable = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join("");
const longestKey = printable.repeat(3).slice(0, 255);

const writes = {
  POST: (ws: TestWorkspace, key: string) =>
    api("/api/contacts", {
      method: "POST",
      token: ws.token,
      body: contactBody(ws),
      headers: { "Idempotency-Key": key },
    }),
  PATCH: (ws: TestWorkspace, key: string) =>
    api(`/api/contacts/${ws.contactId}`, {
      method: "PATCH",
      token: ws.token,
      body: { first_name: "Keyed" },
      headers: { "Idempotency-Key": key },
    }),
};

describe("Idempotency-Key format", () => {
  for (const [method, write] of Object.entries(writes)) {
    it(`${method} /api/contacts accepts a key of 255 printable ASCII characters`, async () => {
      const ws = await seedWorkspace();
      expect(longestKey).toHaveLength(255);
      const response = await write(ws, longestKey);
      expect(response.status).toBe(method === "POST" ? 201 : 200);
    });

    it(`${method} /api/contacts refuses a key of 256 characters, or with a non-ASCII or control character`, async () => {
      const ws = await seedWorkspace();
      const keys = {
        "256 characters": "k".repeat(256),
        "non-ASCII (é)": "clé-de-requête",
        "a tab inside": "key\twith-tab",
        "DEL (0x7f)": "key\x7fwith-del",
      };
      for (const [what, key] of Object.entries(keys)) {
        const response = await write(ws, key);
        expect(response.status, what).toBe(400);
        expect(await json(response), what).toEqual({ success: false, error: keyError });
      }
    });
  }

  it("refuses a 400-character key on a PATCH with an empty body, which changes nothing", async () => {
    const ws = await seedWorkspace();
    const response = await api(`/api/contacts/${ws.contactId}`, {
      method: "PATCH",
      token: ws.token,
      body: {},
      headers: { "Idempotency-Key": "k".repeat(400) },
    });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ success: false, error: keyError });
  });
});

describe("a replayed POST", () => {
  it("answers 201 with Idempotent-Replayed: true and the first answer's Location", async () => {
    const ws = await seedWorkspace();
    const key = crypto.randomUUID();
    const first = await writes.POST(ws, key);
    expect(first.status).toBe(201);
    const location = first.headers.get("Location");
    expect(location).toMatch(/^\/api\/contacts\/[0-9a-f-]{36}$/);

    const replay = await writes.POST(ws, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.headers.get("Location")).toBe(location);
  });
});

describe("expires_at must be a date that exists", () => {
  async function createToken(ws: TestWorkspace, name: string, expiresAt: string) {
    const response = await api("/api/tokens", {
      method: "POST",
      token: await adminToken(ws),
      body: { name, expires_at: expiresAt },
    });
    const stored = await db().select().from(apiTokens).where(eq(apiTokens.workspaceId, ws.workspaceId));
    return { response, stored: stored.filter((t) => t.name === name) };
  }

  for (const impossible of ["2027-02-30T10:00:00Z", "2027-04-31T10:00:00Z"]) {
    it(`refuses ${impossible} with 400 naming expires_at (not rolled over into the next month)`, async () => {
      const ws = await seedWorkspace();
      const { response, stored } = await createToken(ws, "Impossible", impossible);
      expect(response.status).toBe(400);
      const body = await json(response);
      expect(body.success).toBe(false);
      expect(body.error).toContain("expires_at");
      expect(stored).toEqual([]);
    });
  }

  it("accepts 2028-02-29T10:00:00Z, a leap day", async () => {
    const ws = await seedWorkspace();
    const { response, stored } = await createToken(ws, "Leap day", "2028-02-29T10:00:00Z");
    expect(response.status).toBe(201);
    expect((await json<{ data: TokenObject }>(response)).data.expires_at).toBe("2028-02-29T10:00:00Z");
    expect(stored.map((t) => t.expiresAt?.toISOString())).toEqual(["2028-02-29T10:00:00.000Z"]);
  });
});

describe("address country", () => {
  const create = (ws: TestWorkspace, country: string) =>
    api("/api/addresses", {
      method: "POST",
      token: ws.token,
      body: addressBody(ws, { type: "billing", address_line1: "1 Rue de Rivoli", country }),
    });
  const countries = async (ws: TestWorkspace) =>
    (await db().select().from(addresses).where(eq(addresses.workspaceId, ws.workspaceId))).map((a) => a.country);

  for (const country of ["ß", "FRA"]) {
    it(`refuses "${country}" with 400 naming country, and stores nothing`, async () => {
      const ws = await seedWorkspace();
      const response = await create(ws, country);
      expect(response.status).toBe(400);
      const body = await json(response);
      expect(body.success).toBe(false);
      expect(body.error).toContain("country");
      expect(await countries(ws)).toEqual(["GB"]);
    });
  }

  it('accepts "fr" and stores it as "FR"', async () => {
    const ws = await seedWorkspace();
    const response = await create(ws, "fr");
    expect(response.status).toBe(201);
    expect((await json<Envelope<AddressObject>>(response)).data.country).toBe("FR");
    expect((await countries(ws)).sort()).toEqual(["FR", "GB"]);
  });
});
