// Building blocks for request schemas (valibot: small, tree-shakable) and the
// one formatter that turns validation issues into the envelope's error string,
// naming each field and the rule it broke.
import * as v from "valibot";
import { isCountryCode } from "../lib/countries";
import { parseUuid } from "../lib/uuid";

/**
 * Text PostgreSQL can store and JSON can carry: no NUL character (text columns
 * refuse it) and no lone UTF-16 surrogate (not valid Unicode). Trimmed; at most
 * `max` characters.
 */
export const text = (max: number) =>
  v.pipe(
    v.string(),
    v.check((s) => !s.includes("\u0000"), "must not contain NUL characters"),
    v.check((s) => s.isWellFormed(), "must be valid Unicode text"),
    v.trim(),
    v.maxLength(max),
  );

/** Text that must not be empty once trimmed. */
export const requiredText = (max: number) => v.pipe(text(max), v.minLength(1));

/** A field that may be null (`null` unsets it on PATCH). */
export const nullableText = (max: number) => v.nullable(text(max));

/** Any uuid PostgreSQL accepts, turned into its canonical form. */
export const uuid = v.pipe(
  v.string(),
  v.maxLength(38),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const id = parseUuid(dataset.value);
    if (id) return id;
    addIssue({ message: "must be a UUID" });
    return NEVER;
  }),
);

// One @, no spaces, a dot in the domain: a shape check, not RFC 5322. CRM data
// holds addresses that stricter patterns refuse; uniqueness is not enforced.
export const email = v.pipe(requiredText(320), v.regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "must be an email address"));

const countryMessage = "must be an ISO 3166-1 alpha-2 country code, such as FR, US or DE";
// Two ASCII letters before anything else: upper-casing first would turn "ß" into "SS".
export const countryCode = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z]{2}$/, countryMessage),
  v.toUpperCase(),
  v.check(isCountryCode, countryMessage),
);

/**
 * An ISO 8601 date-time (as valibot's isoTimestamp reads it) that names a real
 * instant: no 30 February, no 31 April, which Date would roll over into March or May.
 */
export const dateTime = (message: string) =>
  v.pipe(
    v.string(),
    v.maxLength(40),
    v.isoTimestamp(message),
    v.check((text) => {
      // Only a date that isoTimestamp read (it reports the others).
      if (!/^\d{4}-\d\d-\d\d/.test(text)) return true;
      const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
      const date = new Date(Date.UTC(year, month - 1, day));
      return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
    }, "is not a real calendar date"),
    v.transform((text) => new Date(text)),
  );

export const httpUrl = v.pipe(
  requiredText(2048),
  v.check((s) => /^https?:\/\/[^\s/$.?#].[^\s]*$/i.test(s), "must be an http or https URL"),
);

/** An array of picklist values, duplicates removed (order kept). */
export const setOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  v.pipe(
    v.array(v.picklist(values)),
    v.maxLength(values.length * 4),
    v.transform((items) => [...new Set(items)]),
  );

/** A field's meaning, for the documentation of bodies and answers alike. */
export const described = <S extends v.GenericSchema>(schema: S, description: string) =>
  v.pipe(schema, v.description(description));

export const externalIds = {
  id_crm: v.optional(nullableText(255)),
  id_erp: v.optional(nullableText(255)),
  id_accounting: v.optional(nullableText(255)),
};

/** Fields no request body may set: the server owns them. */
export const readOnlyFields = ["id", "workspace_id", "created_at", "updated_at", "address_ids", "contact_ids"] as const;

function pathOf(issue: v.BaseIssue<unknown>): string {
  let path = "";
  for (const item of issue.path ?? []) {
    path += typeof item.key === "number" ? `[${item.key}]` : path ? `.${String(item.key)}` : String(item.key);
  }
  return path;
}

/** What an unknown name is called: a body's field, or a query string's parameter. */
export type NameKind = "field" | "query parameter";

/** One readable sentence per issue: "<field> <rule>". */
export function issueMessage(issue: v.BaseIssue<unknown>, names: NameKind = "field"): string {
  const path = pathOf(issue) || "body";
  if (issue.received === "undefined" && issue.kind === "schema") return `${path} is required`;
  if (issue.type === "strict_object" && issue.expected === "never") return `${path} is not a known ${names}`;
  // A nullable field takes null without an issue: this one is required.
  if (issue.received === "null" && issue.kind === "schema") return `${path} cannot be null`;
  switch (issue.type) {
    case "string":
      return `${path} must be a string`;
    case "array":
      return `${path} must be an array`;
    case "object":
    case "strict_object":
      return `${path} must be an object`;
    case "number":
      return `${path} must be a number`;
    case "picklist":
      // expected reads ("a" | "b")
      return `${path} must be one of: ${(issue.expected ?? "")
        .replace(/^\(|\)$/g, "")
        .replace(/"/g, "")
        .replace(/ \| /g, ", ")}`;
    case "max_length":
      return typeof issue.input === "string"
        ? `${path} must be at most ${issue.requirement} characters`
        : `${path} must have at most ${issue.requirement} items`;
    case "min_length":
      return issue.requirement === 1 ? `${path} must not be empty` : `${path} is too short`;
    default:
      // checks and custom rules carry their own wording
      return issue.message.startsWith("Invalid") ? `${path} is invalid` : `${path} ${issue.message}`;
  }
}

/** All issues of a failed validation, in one error string. */
export function validationMessage(issues: readonly v.BaseIssue<unknown>[], names: NameKind = "field"): string {
  const messages = [...new Set(issues.map((issue) => issueMessage(issue, names)))];
  const shown = messages.slice(0, 5).join("; ");
  return messages.length > 5 ? `${shown}; and ${messages.length - 5} more` : shown;
}

/** A filter on text: exact, at most `max` characters, not empty (its words: the list's Documentation). */
export const textFilter = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));

/** `updated_since`: an ISO 8601 date-time; the list is then ordered by (updated_at, id). */
export const updatedSince = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const parsed = v.safeParse(dateTime("must be an ISO 8601 date-time"), dataset.value);
    if (parsed.success) return parsed.output;
    addIssue({ message: "must be an ISO 8601 date-time, such as 2026-01-15T10:30:00Z" });
    return NEVER;
  }),
);
