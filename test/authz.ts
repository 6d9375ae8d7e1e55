// The authorisation matrix (OWASP API1 broken object level authorisation, API5
// broken function level authorisation), generated from test/endpoints.ts:
// every endpoint × the kind of ids it names × the kind of token it is sent with,
// each cell with the status the API's contract gives it.
//
// An endpoint's "ids" are those it names in its path, its ?customer_id= filter
// or its body's customer_id/contact_id. A cell's request is built by handing the
// endpoint a pseudo-target: the caller's workspace with its three ids all of the
// cell's kind. Endpoints that name no id (plain lists, create customer) only get
// the token dimension.
import type { Endpoint } from "./endpoints";
import { seedWorkspace, type TestWorkspace } from "./support/harness";

export const tokenKinds = ["full", "read-only", "revoked", "expired", "missing"] as const;
export type TokenKind = (typeof tokenKinds)[number];

export const idKinds = ["own", "other", "unknown", "malformed"] as const;
export type IdKind = (typeof idKinds)[number];

export const tokenKindLabel: Record<TokenKind, string> = {
  full: "full-access token",
  "read-only": "read-only token",
  revoked: "revoked token",
  expired: "expired token",
  missing: "no token",
};

export const idKindLabel: Record<IdKind, string> = {
  own: "its own workspace's ids",
  other: "another workspace's ids",
  unknown: "unknown ids",
  malformed: "malformed ids",
};

/** An id that is not a UUID: refused with 400 before the database is asked. */
export const malformedId = "not-a-uuid";

/** The workspace whose tokens send the requests, with a revoked and an expired token (both full-access) besides. */
export interface CallerWorkspace extends TestWorkspace {
  revokedToken: string;
  expiredToken: string;
}

/** Who asks (`caller`) and whose records the "other" cells aim at (`other`). */
export interface AuthzWorkspaces {
  caller: CallerWorkspace;
  other: TestWorkspace;
}

export interface AuthzRequest {
  method: Endpoint["method"];
  path: string;
  body?: unknown;
  /** undefined: no Authorization header at all */
  token?: string;
}

export interface AuthzCell {
  /** unique: "<endpoint> | <token kind> | <id kind>" */
  key: string;
  endpoint: Endpoint;
  token: TokenKind;
  ids: IdKind;
  /** the status the contract gives this cell */
  expected: number;
  /** expected < 400: the request is served (and, unless a GET, writes) */
  accepted: boolean;
  /** accepted and not a GET: it changes the caller's workspace, so it needs one of its own */
  writes: boolean;
  /** the request, for `workspaces` (unknown ids are fresh random UUIDs on every call) */
  request(workspaces: AuthzWorkspaces): AuthzRequest;
}

/** Seeds a caller workspace (with revoked and expired tokens) and, unless given, another workspace. */
export async function seedAuthzWorkspaces(other?: TestWorkspace): Promise<AuthzWorkspaces> {
  const [caller, otherWorkspace] = await Promise.all([seedWorkspace(), other ?? seedWorkspace()]);
  const [revokedToken, expiredToken] = await Promise.all([
    caller.newToken({ revokedAt: new Date(Date.now() - 60_000) }),
    caller.newToken({ expiresAt: new Date(Date.now() - 60_000) }),
  ]);
  return { caller: { ...caller, revokedToken, expiredToken }, other: otherWorkspace };
}

/** Every token secret of `workspaces`. */
export const secretsOf = ({ caller, other }: AuthzWorkspaces): string[] => [
  caller.token,
  caller.readOnlyToken,
  caller.revokedToken,
  caller.expiredToken,
  other.token,
  other.readOnlyToken,
];

const isRead = (endpoint: Endpoint) => endpoint.permission.endsWith(":read");

/** Whether the endpoint's path or body names any of the target's ids. */
export function namesIds(endpoint: Endpoint): boolean {
  const marker = "00000000-0000-4000-8000-00000000abcd";
  const probe = {
    customerId: marker,
    contactId: marker,
    addressId: marker,
    webhookId: marker,
    webhookEventId: marker,
  } as TestWorkspace;
  return JSON.stringify([endpoint.path(probe), endpoint.body?.(probe) ?? null]).includes(marker);
}

/** The API's contract for one cell. */
export function expectedStatus(endpoint: Endpoint, token: TokenKind, ids: IdKind): number {
  // The auth middleware runs before anything else.
  if (token === "missing") return 401;
  // Ids are validated before the database (which checks the token) is asked.
  if (ids === "malformed") return 400;
  if (token === "revoked" || token === "expired") return 401;
  // Function level: a read-only token may not write, whatever it aims at.
  if (token === "read-only" && !isRead(endpoint)) return 403;
  // Object level: another workspace's records are answered as if they did not exist.
  return ids === "own" ? endpoint.status : endpoint.foreign;
}

function tokenFor(kind: TokenKind, caller: CallerWorkspace): string | undefined {
  switch (kind) {
    case "full":
      return caller.token;
    case "read-only":
      return caller.readOnlyToken;
    case "revoked":
      return caller.revokedToken;
    case "expired":
      return caller.expiredToken;
    case "missing":
      return undefined;
  }
}

/** The caller's workspace, with its three ids replaced by ids of `kind`. */
export function pseudoTarget(kind: IdKind, { caller, other }: AuthzWorkspaces): TestWorkspace {
  const ids = (() => {
    switch (kind) {
      case "own":
        return caller;
      case "other":
        return other;
      case "unknown":
        return {
          customerId: crypto.randomUUID(),
          contactId: crypto.randomUUID(),
          addressId: crypto.randomUUID(),
          webhookId: crypto.randomUUID(),
          webhookEventId: crypto.randomUUID(),
        };
      case "malformed":
        return {
          customerId: malformedId,
          contactId: malformedId,
          addressId: malformedId,
          webhookId: malformedId,
          webhookEventId: malformedId,
        };
    }
  })();
  const { customerId, contactId, addressId, webhookId, webhookEventId } = ids;
  return { ...caller, customerId, contactId, addressId, webhookId, webhookEventId };
}

/** The matrix: one cell per endpoint × id kind (own only, for endpoints that name no id) × token kind. */
export function authzMatrix(list: readonly Endpoint[]): AuthzCell[] {
  return list.flatMap((endpoint) =>
    (namesIds(endpoint) ? idKinds : (["own"] as const)).flatMap((ids) =>
      tokenKinds.map((token): AuthzCell => {
        const expected = expectedStatus(endpoint, token, ids);
        return {
          key: `${endpoint.name} | ${token} | ${ids}`,
          endpoint,
          token,
          ids,
          expected,
          accepted: expected < 400,
          writes: expected < 400 && endpoint.method !== "GET",
          request(workspaces) {
            const target = pseudoTarget(ids, workspaces);
            return {
              method: endpoint.method,
              path: endpoint.path(target),
              body: endpoint.body?.(target),
              token: tokenFor(token, workspaces.caller),
            };
          },
        };
      }),
    ),
  );
}
