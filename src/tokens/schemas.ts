// Request schema for API tokens (POST /api/tokens), as in Qwoty's developer docs:
// a name, optional permissions, an optional expiry.
import * as v from "valibot";
import { fullAccessPermissions, permissions } from "../access/permissions";
import { dateTime, requiredText } from "../http/validation";

const maxLifetimeMs = 10 * 365 * 24 * 3600 * 1000;

export const createToken = v.strictObject({
  name: requiredText(100),
  // Default: read and write contacts, customers and addresses. A token can only
  // grant permissions it holds itself, and a token without any would be useless.
  permissions: v.optional(
    v.pipe(
      v.array(v.picklist(permissions)),
      v.minLength(1, "must not be empty: name at least one permission"),
      v.maxLength(permissions.length * 2),
      v.transform((items) => [...new Set(items)]),
    ),
    () => [...fullAccessPermissions],
  ),
  // Omitted: the new token expires when the creating token does (never, if it
  // never does). A token can never outlive the token that created it.
  expires_at: v.optional(
    v.nullable(
      v.pipe(
        dateTime("must be an ISO 8601 date-time, such as 2027-01-15T10:30:00Z"),
        v.check((date) => date.getTime() > Date.now(), "must be in the future"),
        v.check((date) => date.getTime() < Date.now() + maxLifetimeMs, "must be within 10 years"),
      ),
    ),
  ),
});

export type CreateToken = v.InferOutput<typeof createToken>;
