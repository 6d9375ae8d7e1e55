// The OpenAPI document: valid OpenAPI 3.1, and documenting exactly the routes
// the app serves. (That every answer of the worker tests matches it is checked
// by the harness: test/support/openapi-conformance.ts.)
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, documentedOperations } from "../../scripts/openapi.ts";
import { createApp } from "../../src/app.ts";

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const document = buildOpenApiDocument();
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
    expect(document.openapi).toBe("3.1.0");
  });

  it("documents every route the app serves, and nothing else", () => {
    const served = createApp()
      .routes.filter((route) => route.method !== "ALL")
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
    const documented = documentedOperations.map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it("gives every operation a unique id, a summary, its errors, and the bearer scheme unless public", () => {
    const document = buildOpenApiDocument() as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const label = `${method} ${path}`;
        expect(ids.has(operation.operationId as string), label).toBe(false);
        ids.add(operation.operationId as string);
        expect(operation.summary, label).toBeTruthy();
        const responses = operation.responses as Record<string, unknown>;
        expect(Object.keys(responses), label).toEqual(expect.arrayContaining(["500", "503"]));
        if (path !== "/health")
          expect(Object.keys(responses), label).toEqual(expect.arrayContaining(["401", "403", "429"]));
      }
    }
  });

  it("takes its examples from the seed of Qwoty's Get Contact page", () => {
    const document = buildOpenApiDocument() as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content: Record<string, { example: unknown }> }> }>
      >;
    };
    const example = document.paths["/api/contacts/{id}"]?.get?.responses["200"]?.content["application/json"]?.example;
    expect(example).toMatchObject({
      success: true,
      data: { id: "660e8400-e29b-41d4-a716-446655440001", first_name: "Jean", phone: "+33 6 12 34 56 78" },
    });
  });
});
