// The race suite's runner. Each test fires two requests at once through the
// worker (Promise.all), round after round, each round on a workspace of its
// own; after each round it reads the database directly and checks that both
// answers agree with what is stored. Violations are collected rather than
// thrown at the first one, so that the outcome table (printed once per pair)
// shows every round; the test then fails listing them.
//
// Only a real PostgreSQL server gives real concurrency: PGlite runs one
// transaction at a time, so two requests never interleave there.
import { SELF } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { hashToken, mintToken, tokenHint } from "../../src/access/token";
import { apiTokens } from "../../src/db/schema";
import { type ApiRequest, db, seedWorkspace, type TestWorkspace } from "./harness";
import { checkConformance } from "./openapi-conformance";

export const backend = inject("backend");

/** Rounds per pair: enough to see the interleavings, few enough for the suite to stay well under a minute. */
export const roundsPerPair = 25;

/** The message and header of a request that lost a race (409). */
export const conflictMessage = "The request conflicts with a concurrent change: retry it";

export interface Answer {
  /** what the request was, for the outcome table: "DELETE", "POST" … */
  label: string;
  status: number;
  headers: Headers;
  /** the parsed JSON body (undefined for an empty or non-JSON body) */
  body: { success?: boolean; error?: string; data?: Record<string, unknown> & { id?: string } } | undefined;
  /** why the answer does not match the OpenAPI document, if it does not */
  undocumented?: string;
}

/**
 * A request through the worker's fetch, as the harness's `api` sends it, except
 * that an answer the OpenAPI document does not list is recorded, not thrown, so
 * that the round still counts and is checked.
 */
export async function send(label: string, path: string, request: ApiRequest = {}): Promise<Answer> {
  const headers = new Headers(request.headers);
  if (request.token !== undefined) headers.set("Authorization", `Bearer ${request.token}`);
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  if (body !== undefined) headers.set("Content-Type", "application/json");
  const method = request.method ?? "GET";
  const url = `https://api.test${path}`;
  const response = await SELF.fetch(url, { method, headers, body });
  let undocumented: string | undefined;
  try {
    await checkConformance(method, url, response);
  } catch (error) {
    undocumented = String(error).split("\n")[0];
  }
  const text = await response.text();
  let parsed: Answer["body"];
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { label, status: response.status, headers: response.headers, body: parsed, undocumented };
}

/** An answer's outcome in the table: its status, and its error message if it is a refusal. */
const outcomeOf = (answer: Answer) =>
  `${answer.label} ${answer.status}${answer.body?.error ? ` (${answer.body.error.slice(0, 60)})` : ""}`;

/** How long the second request of a round waits before it is sent (negative: the first waits), by round. */
const staggers = [0, 0, 1, -1, 2, -2, 3, -3, 0, 4, -4, 1, 5, -5, 2, -2, 6, -6, 3, -3, 0, 7, -7, 1, -1];

/** Records what a round violated. */
export type Fail = (message: string) => void;

export interface Pair<S> {
  /** the heading of the outcome table */
  name: string;
  rounds?: number;
  /** a fresh workspace (and whatever else the round needs) */
  setup(round: number): Promise<S>;
  first(state: S): Promise<Answer>;
  second(state: S): Promise<Answer>;
  /** checks the answers against the database, after both requests have finished */
  check(state: S, first: Answer, second: Answer, fail: Fail): Promise<void>;
}

/**
 * Runs `pair.rounds` rounds, then prints the outcome table and fails with the
 * violations, if any. Checks common to every answer: no 5xx, an answer the
 * OpenAPI document lists, and a 409 that says it lost a race, with Retry-After.
 */
export async function runPair<S>(pair: Pair<S>): Promise<void> {
  const rounds = pair.rounds ?? roundsPerPair;
  const outcomes = new Map<string, number>();
  const violations = new Map<string, number[]>();
  for (let round = 1; round <= rounds; round++) {
    const state = await pair.setup(round);
    // Alternate which request is sent first, and hold one back by a few
    // milliseconds, a different amount each round: the two transactions last a
    // few milliseconds each, and this sweeps the ways they can overlap.
    const offset = staggers[round % staggers.length] as number;
    const later = (ms: number, request: () => Promise<Answer>) =>
      ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)).then(request) : request();
    const [a, b] =
      round % 2 === 1
        ? await Promise.all([later(-offset, () => pair.first(state)), later(offset, () => pair.second(state))])
        : await Promise.all([later(offset, () => pair.second(state)), later(-offset, () => pair.first(state))]).then(
            ([y, x]) => [x, y] as const,
          );
    const fail: Fail = (message) => {
      const key = `${outcomeOf(a)} + ${outcomeOf(b)}: ${message}`;
      violations.set(key, [...(violations.get(key) ?? []), round]);
    };
    for (const answer of [a, b]) {
      if (answer.status >= 500) fail(`${answer.label} answered ${answer.status}`);
      if (answer.undocumented) fail(answer.undocumented);
      if (answer.status === 409) {
        if (answer.headers.get("Retry-After") === null) fail(`${answer.label} 409 without Retry-After`);
        if (answer.body?.error !== conflictMessage) fail(`${answer.label} 409 message is not "${conflictMessage}"`);
      }
    }
    await pair.check(state, a, b, fail);
    const key = `${outcomeOf(a)} + ${outcomeOf(b)}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  const table = [...outcomes].sort((x, y) => y[1] - x[1]).map(([key, n]) => `  ${String(n).padStart(3)}  ${key}`);
  console.log(`${pair.name}: ${rounds} rounds, ${backend}\n${table.join("\n")}`);
  const found = [...violations].map(([key, at]) => `${key} (rounds ${at.join(", ")})`);
  expect(found, `${pair.name}: answers inconsistent with the database`).toEqual([]);
}

/**
 * The suite of one file: on PostgreSQL, the pairs; on PGlite, one skipped test
 * that says why.
 */
export function raceSuite(name: string, body: () => void): void {
  if (backend === "postgres") describe(name, body);
  else
    describe(name, () => {
      it.skip("runs on PostgreSQL only (LOCAL_POSTGRES_URL): PGlite runs one transaction at a time, so requests never race", () => {});
    });
}

/** Timeout of one pair's test: well above what its rounds take. */
export const pairTimeout = 60_000;

/**
 * A workspace of its own for one round, its tokens marked as used just now. A
 * token's first request in a minute records its use (an UPDATE of its row, see
 * src/access/scoped.ts), and two such requests queue on that row lock: the second
 * transaction would wait for the first to commit, and nothing would race. In
 * steady use a token is not touched again for a minute, so this is the usual case.
 */
export async function seedRaceWorkspace(): Promise<TestWorkspace> {
  const ws = await seedWorkspace();
  await markTokensUsed(ws);
  return ws;
}

export const markTokensUsed = (ws: TestWorkspace) =>
  db().update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.workspaceId, ws.workspaceId));

/** Tokens of the workspace with known ids (the fixture's newToken does not tell them), marked as used just now. */
export async function tokensWithIds(
  ws: TestWorkspace,
  ...permissionSets: string[][]
): Promise<{ id: string; secret: string }[]> {
  const tokens = permissionSets.map((permissions) => ({ id: crypto.randomUUID(), secret: mintToken(), permissions }));
  const rows = await Promise.all(
    tokens.map(async ({ id, secret, permissions }) => ({
      id,
      workspaceId: ws.workspaceId,
      name: "race token",
      tokenHash: await hashToken(secret),
      tokenHint: tokenHint(secret),
      permissions: permissions as never,
      lastUsedAt: new Date(),
    })),
  );
  await db().insert(apiTokens).values(rows);
  return tokens;
}

/** The body of a new contact of the workspace's customer, with a name the checks look for. */
export const racerContact = (ws: TestWorkspace) => ({
  customer_id: ws.customerId,
  first_name: "Racer",
  last_name: "Round",
  email: "racer@example.com",
});
