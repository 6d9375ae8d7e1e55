// Every answer the worker tests get through the harness is checked against the
// OpenAPI document (built in global-setup.ts from the request schemas): its
// status must be one the operation lists, and its body must match that
// response's schema. @cfworker/json-schema validates without code generation,
// which workerd does not allow.
import { Validator } from "@cfworker/json-schema";
import { inject } from "vitest";

type Operation = { responses: Record<string, { $ref?: string; content?: Record<string, unknown> }> };
type Document = { paths: Record<string, Record<string, Operation>> };

const document = inject("openapi") as unknown as Document;
const templates = Object.keys(document.paths).map((path) => ({
  path,
  pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));
const validators = new Map<string, Validator>();
const pointerSegment = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");

export async function checkConformance(method: string, url: string, response: Response): Promise<void> {
  const path = new URL(url).pathname;
  const template = templates.find((t) => t.pattern.test(path));
  const operation = template && document.paths[template.path]?.[method.toLowerCase()];
  // Not an operation (an unknown path, or a method the path does not take): nothing documents it.
  if (!template || !operation) return;
  const status = String(response.status);
  const documented = operation.responses[status];
  if (!documented) {
    throw new Error(`${method} ${template.path} answered ${status}, which the OpenAPI document does not list`);
  }
  const body = await response.clone().text();
  if (status === "304") {
    if (body !== "") throw new Error("304 with a body");
    return;
  }
  const base =
    documented.$ref ?? `#/paths/${pointerSegment(template.path)}/${method.toLowerCase()}/responses/${status}`;
  const pointer = `${base}/content/application~1json/schema`;
  let validator = validators.get(pointer);
  if (!validator) {
    validator = new Validator({ ...(document as object), $ref: pointer } as never, "2020-12", false);
    validators.set(pointer, validator);
  }
  const result = validator.validate(JSON.parse(body));
  if (!result.valid) {
    const errors = result.errors.map((e) => `${e.instanceLocation}: ${e.error}`).join("\n");
    throw new Error(
      `${method} ${path} (${status}) does not match the OpenAPI document:\n${errors}\n${body.slice(0, 500)}`,
    );
  }
}
