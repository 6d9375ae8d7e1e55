// What a token may do. Each resource has a read and a write permission; a write
// permission also grants reading the same resource, since every write answers
// with the full object. `tokens:admin` manages the workspace's API tokens;
// `webhooks:admin` its webhook endpoints. Neither is part of full access: a
// token made for an integration (the default) can read and write records but
// cannot mint tokens, nor register a URL that will be told of every change
// and hold a signing secret (a standing channel out of the workspace).
export const permissions = [
  "contacts:read",
  "contacts:write",
  "customers:read",
  "customers:write",
  "addresses:read",
  "addresses:write",
  "tokens:admin",
  "webhooks:admin",
] as const;
export type Permission = (typeof permissions)[number];

export const readOnlyPermissions: Permission[] = ["contacts:read", "customers:read", "addresses:read"];
export const fullAccessPermissions: Permission[] = permissions.filter(
  (p) => p !== "tokens:admin" && p !== "webhooks:admin",
);

/** The permissions any one of which allows `needed`. */
export function permissionsGranting(needed: Permission): Permission[] {
  return needed.endsWith(":read") ? [needed, needed.replace(":read", ":write") as Permission] : [needed];
}

export const isPermission = (value: string): value is Permission => (permissions as readonly string[]).includes(value);
