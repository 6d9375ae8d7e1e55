// A local server that speaks Neon's SQL-over-HTTP protocol, so that the worker's
// production code (@neondatabase/serverless + drizzle-orm/neon-http) runs
// unchanged against PGlite or a real PostgreSQL.
// The protocol is the one @neondatabase/serverless speaks (POST /sql, the
// Neon-Connection-String, Neon-Raw-Text-Output, Neon-Array-Mode and
// Neon-Batch-* headers, JSON answers with fields and rows); the fidelity tests in
// test/local-db/ pin it down with the real driver.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Backend,
  type IsolationLevel,
  isolationLevels,
  type PgErrorField,
  PostgresError,
  pgErrorFields,
  type Statement,
  type TextResult,
} from "./backend.ts";
import type { Fault, FaultMode, LocalDbStats, RecordedStatement } from "./control.ts";

export type { Fault, FaultMode, LocalDbStats };

const maxRequestBytes = 10 * 1024 * 1024;
const maxResponseBytes = 10 * 1024 * 1024;

const corsHeaders = { "Access-Control-Allow-Origin": "*" };

export interface LocalDbServerOptions {
  backend: Backend;
  host?: string;
  /** 0 (the default) picks a free port */
  port?: number;
  /** fixed delay added to every SQL request, standing in for the distance to the database region */
  delayMs?: number;
}

export interface LocalDbServer {
  readonly backend: Backend;
  /** e.g. http://127.0.0.1:4444 */
  readonly origin: string;
  readonly port: number;
  /** a connection string for the worker: its host and port point here */
  readonly databaseUrl: string;
  stats(): LocalDbStats;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startLocalDbServer(options: LocalDbServerOptions): Promise<LocalDbServer> {
  const { backend } = options;
  const host = options.host ?? "127.0.0.1";
  let delayMs = options.delayMs ?? 0;
  const stats: LocalDbStats = { requests: 0, statements: 0, batches: 0 };
  let fault: Fault | undefined;
  // Statements (single, and batches) recorded while a test asks for them (PUT /_local/record).
  let recording: { statements: RecordedStatement[]; batches: RecordedStatement[][] } | undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(String(error)));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    if (path === "/sql" && req.method === "OPTIONS") {
      res.writeHead(200, {
        ...corsHeaders,
        Allow: "OPTIONS, POST",
        "Access-Control-Allow-Headers":
          "Authorization, Neon-Connection-String, Neon-Raw-Text-Output, Neon-Array-Mode, Neon-Pool-Opt-In, Neon-Batch-Read-Only, Neon-Batch-Isolation-Level",
        "Access-Control-Max-Age": "86400",
      });
      res.end();
      return;
    }
    if (path === "/sql" && req.method === "POST") return handleSql(req, res);
    if (path.startsWith("/_local/")) return handleControl(path, req, res);
    sendJson(res, 404, errorBody(`no route for ${req.method} ${path}`));
  }

  // Control routes for tests and benchmarks; they are not part of Neon's protocol.
  async function handleControl(path: string, req: IncomingMessage, res: ServerResponse) {
    if (path === "/_local/stats" && req.method === "GET") {
      return sendJson(res, 200, { ...stats, delayMs, backend: backend.kind });
    }
    if (path === "/_local/stats/reset" && req.method === "POST") {
      Object.assign(stats, { requests: 0, statements: 0, batches: 0 });
      return sendJson(res, 200, stats);
    }
    if (path === "/_local/fault" && req.method === "PUT") {
      const body = JSON.parse((await readBody(req)).toString("utf8") || "null") as Fault | null;
      fault = body?.mode ? body : undefined;
      return sendJson(res, 200, { fault: fault ?? null });
    }
    if (path === "/_local/record" && req.method === "PUT") {
      const body = JSON.parse((await readBody(req)).toString("utf8")) as { on: boolean };
      recording = body.on ? { statements: [], batches: [] } : undefined;
      return sendJson(res, 200, { recording: Boolean(recording) });
    }
    if (path === "/_local/record" && req.method === "GET") {
      return sendJson(res, 200, recording ?? { statements: [], batches: [] });
    }
    if (path === "/_local/delay" && req.method === "PUT") {
      const body = JSON.parse((await readBody(req)).toString("utf8")) as { ms: number };
      delayMs = Math.max(0, Number(body.ms) || 0);
      return sendJson(res, 200, { delayMs });
    }
    sendJson(res, 404, errorBody(`no control route ${req.method} ${path}`));
  }

  function takeFault(): Fault | undefined {
    if (!fault) return undefined;
    const taken = { ...fault };
    if (fault.count !== undefined && --fault.count <= 0) fault = undefined;
    return taken;
  }

  async function handleSql(req: IncomingMessage, res: ServerResponse) {
    stats.requests++;
    const taken = takeFault();
    const injected = taken?.mode;
    if (injected === "refuse") return void req.socket.destroy();
    if (injected === "hang") return; // the socket stays open until the client leaves
    if (delayMs > 0) await sleep(delayMs);
    if (injected === "server-error") {
      return sendJson(res, 500, errorBody("injected fault: could not connect to the compute node"));
    }
    if (injected === "postgres-error") {
      return sendJson(res, 400, {
        ...errorBody("terminating connection due to administrator command"),
        code: "57P01",
        severity: "FATAL",
      });
    }

    let body: unknown;
    let headers: ReturnType<typeof readNeonHeaders>;
    try {
      headers = readNeonHeaders(req);
      const raw = await readBody(req, maxRequestBytes);
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch (error) {
        throw new HttpError(400, `could not parse the HTTP request body: ${(error as Error).message}`);
      }
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, errorBody(error.message));
      throw error;
    }

    let payload: unknown;
    try {
      payload = await execute(body, headers, beforeCommitFor(taken));
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, errorBody(error.message));
      if (error instanceof PostgresError) return sendJson(res, 400, postgresErrorBody(error));
      // Not a PostgreSQL error: the server could not be reached, or the like.
      return sendJson(res, 500, errorBody(error instanceof Error ? error.message : String(error)));
    }

    const text = JSON.stringify(payload);
    if (Buffer.byteLength(text) > maxResponseBytes) {
      return sendJson(res, 507, errorBody(`response is too large (max is ${maxResponseBytes} bytes)`));
    }
    if (injected === "drop") {
      // Headers and half the body, then the connection is cut.
      res.writeHead(200, { "Content-Type": "application/json", ...corsHeaders });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      setTimeout(() => res.destroy(), 5);
      return;
    }
    const echoed: Record<string, string> = {};
    if (headers.readOnly) echoed["Neon-Batch-Read-Only"] = "true";
    if (headers.deferrable) echoed["Neon-Batch-Deferrable"] = "true";
    if (headers.isolationLevel) echoed["Neon-Batch-Isolation-Level"] = headers.isolationLevel;
    sendText(res, 200, text, isBatch(body) ? echoed : {});
  }

  async function execute(
    body: unknown,
    headers: ReturnType<typeof readNeonHeaders>,
    beforeCommit: (() => Promise<void>) | undefined,
  ) {
    if (isBatch(body)) {
      const queries = body.queries.map(parseQuery);
      if (recording && recording.batches.length < 1000) {
        recording.batches.push(queries.map(({ statement }) => ({ query: statement.query, params: statement.params })));
      }
      stats.batches++;
      stats.statements += queries.length;
      const results = await backend.transaction(
        queries.map((q) => q.statement),
        headers,
        beforeCommit,
      );
      return { results: results.map((r, i) => toJson(r, queries[i]?.arrayMode ?? headers.arrayMode)) };
    }
    if (body && typeof body === "object" && typeof (body as { query?: unknown }).query === "string") {
      const { statement, arrayMode } = parseQuery(body);
      stats.statements++;
      if (recording && recording.statements.length < 1000) {
        recording.statements.push({ query: statement.query, params: statement.params });
      }
      return toJson(await backend.query(statement), arrayMode ?? headers.arrayMode);
    }
    throw new HttpError(400, "could not parse the HTTP request body: expected {query, params} or {queries: [...]}");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host}:${port}`;
  return {
    backend,
    origin,
    port,
    // Any user, password and database name will do: the host and port are what
    // route the worker's queries here (see src/db/client.ts).
    databaseUrl: `postgres://local:local@${host}:${port}/local`,
    stats: () => ({ ...stats }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a batch does after its last statement, for the faults that act inside its transaction. */
function beforeCommitFor(fault: Fault | undefined): (() => Promise<void>) | undefined {
  if (fault?.mode === "hold") {
    return async () => {
      await sleep(fault.ms ?? 500);
    };
  }
  if (fault?.mode === "abort-batch") {
    return async () => {
      const fields = Object.fromEntries(pgErrorFields.map((key) => [key, null])) as Record<PgErrorField, null>;
      throw new PostgresError("terminating connection due to administrator command", {
        ...fields,
        code: "57P01",
        severity: "FATAL",
      } as unknown as Record<PgErrorField, string | null>);
    };
  }
  return undefined;
}

function isBatch(body: unknown): body is { queries: unknown[] } {
  return !!body && typeof body === "object" && Array.isArray((body as { queries?: unknown }).queries);
}

function parseQuery(item: unknown): { statement: Statement; arrayMode: boolean | undefined } {
  const q = item as { query?: unknown; params?: unknown; arrayMode?: unknown };
  if (!q || typeof q !== "object" || typeof q.query !== "string") {
    throw new HttpError(400, "could not parse the HTTP request body: each query needs a string `query`");
  }
  const params = q.params === undefined ? [] : q.params;
  if (!Array.isArray(params))
    throw new HttpError(400, "could not parse the HTTP request body: `params` must be an array");
  return {
    statement: { query: q.query, params: params.map(jsonToPgText) },
    arrayMode: typeof q.arrayMode === "boolean" ? q.arrayMode : undefined,
  };
}

/** Neon's json_to_pg_text: how a JSON parameter becomes the text PostgreSQL receives. */
export function jsonToPgText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `{${value.map(arrayElementText).join(",")}}`;
  return JSON.stringify(value);
}

function arrayElementText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (Array.isArray(value)) return jsonToPgText(value) as string;
  if (typeof value === "object") return JSON.stringify(JSON.stringify(value));
  return JSON.stringify(value);
}

function readNeonHeaders(req: IncomingMessage) {
  const connectionString = req.headers["neon-connection-string"];
  if (typeof connectionString !== "string" || connectionString === "") {
    throw new HttpError(400, "invalid header: neon-connection-string");
  }
  checkConnectionString(connectionString);
  if (req.headers["neon-raw-text-output"] !== "true") {
    // @neondatabase/serverless always asks for raw text; JSON-typed output is not emulated.
    throw new HttpError(400, "this local server supports only Neon-Raw-Text-Output: true");
  }
  const level = req.headers["neon-batch-isolation-level"];
  if (level !== undefined && !(typeof level === "string" && level in isolationLevels)) {
    throw new HttpError(400, "invalid isolation level");
  }
  return {
    arrayMode: req.headers["neon-array-mode"] === "true",
    isolationLevel: level as IsolationLevel | undefined,
    readOnly: req.headers["neon-batch-read-only"] === "true",
    deferrable: req.headers["neon-batch-deferrable"] === "true",
  };
}

/** The checks Neon's proxy makes on the connection string (http_util.rs get_conn_info). */
function checkConnectionString(value: string) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HttpError(400, "invalid header: neon-connection-string");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new HttpError(400, "incorrect scheme");
  if (!url.username) throw new HttpError(400, "missing username");
  if (url.pathname.replace(/^\//, "") === "") throw new HttpError(400, "missing database name");
}

function toJson(result: TextResult, arrayMode: boolean) {
  const names = result.fields.map((f) => f.name);
  return {
    rowAsArray: arrayMode,
    fields: result.fields,
    // Object mode keeps the last of duplicate names, as a JSON parse of Neon's output would.
    rows: arrayMode ? result.rows : result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))),
    command: result.command,
    rowCount: result.rowCount,
  };
}

function errorBody(message: string): Record<string, string | null> {
  const body: Record<string, string | null> = { message };
  for (const key of pgErrorFields) body[key] = null;
  // Non-PostgreSQL errors carry "" (Rust's Default for &str), not null.
  body.code = "";
  body.severity = "";
  return body;
}

function postgresErrorBody(error: PostgresError) {
  return { message: error.message, ...error.fields };
}

async function readBody(req: IncomingMessage, limit = maxRequestBytes): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request is too large (max is ${limit} bytes)`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  sendText(res, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) {
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...corsHeaders,
    ...extra,
  });
  res.end(text);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
