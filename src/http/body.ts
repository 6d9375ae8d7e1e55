// Reading a JSON request body: content type, size limit, JSON syntax, a JSON
// object, no read-only fields, then the resource's schema. Every refusal is a
// 4xx in the envelope; nothing reaches the database unless all of it passes.
import type { Context } from "hono";
import * as v from "valibot";
import { badRequest, manyProblems, payloadTooLarge, unsupportedMediaType } from "./errors";
import { issueMessage, readOnlyFields, validationMessage } from "./validation";

/** Largest request body accepted, in bytes. */
export const maxBodyBytes = 64 * 1024;

export interface BodyRules {
  /** Largest body accepted, in bytes (default: maxBodyBytes). */
  maxBytes?: number | undefined;
  /**
   * Checks across a body's items that no item's schema can make (a batch: two
   * operations on one record). With it, every problem is named in the
   * envelope's `errors`, the schema's and these, whether or not the schema passed.
   */
  across?: ((body: unknown) => string[]) | undefined;
}

export async function readJsonBody<TSchema extends v.GenericSchema>(
  c: Context,
  schema: TSchema,
  rules: BodyRules = {},
): Promise<v.InferOutput<TSchema>> {
  const maxBytes = rules.maxBytes ?? maxBodyBytes;
  const tooLarge = () => payloadTooLarge(maxBytes);
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw unsupportedMediaType();
  }
  const declared = Number(c.req.header("Content-Length"));
  if (declared > maxBytes) throw tooLarge();
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > maxBytes) throw tooLarge();

  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw badRequest("Request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("Request body must be a JSON object");
  }
  const readOnly = readOnlyFields.filter((field) => Object.hasOwn(body, field));
  if (readOnly.length > 0) throw badRequest(`${readOnly.join(", ")} ${readOnly.length > 1 ? "are" : "is"} read-only`);

  const result = v.safeParse(schema, body);
  if (rules.across) {
    const problems = [
      ...(result.success ? [] : result.issues.map((issue) => issueMessage(issue))),
      ...rules.across(result.success ? result.output : body),
    ];
    if (problems.length > 0) throw manyProblems(400, inItemOrder([...new Set(problems)]));
  }
  if (!result.success) throw badRequest(validationMessage(result.issues));
  return result.output;
}

/** Messages about `operations[3]…` sorted by the item's place (stable otherwise). */
function inItemOrder(messages: string[]): string[] {
  const place = (message: string) => Number(/^\w+\[(\d+)\]/.exec(message)?.[1] ?? -1);
  return messages.sort((a, b) => place(a) - place(b));
}
