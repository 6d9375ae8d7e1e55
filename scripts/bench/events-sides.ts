// The two sides of the change events bench (events.ts): two fresh databases,
// opened, migrated and served as setup.ts does the bench's, "on" with its event
// triggers as migrated and "off" with them disabled once. (Not the bench's own
// database: what earlier parts wrote there would weigh on one side only.) Each
// side has its own local server and its own workerd, and each request is
// measured against its own side only.
import { getDb } from "../../src/db/client.ts";
import { openTestBackend } from "../../test/support/node/test-backend.ts";
import type { Backend } from "../local-db/backend.ts";
import { migrationsFolder } from "../local-db/open.ts";
import { type LocalDbServer, startLocalDbServer } from "../local-db/server.ts";
import { type Answer, type Call, send } from "./load.ts";
import type { Bench } from "./setup.ts";
import { postgresBackendPids, processCpuSecondsPrecise, type RunningWorker, startWorkerd } from "./workerd.ts";

export type SideName = "on" | "off";
export const sideNames: SideName[] = ["on", "off"];

/** The tables whose (user) triggers record the change events. */
const eventTables = ["contacts", "customers", "addresses"];
const ms = (seconds: number) => seconds * 1000;

/** A database behind its local server. */
export interface SideDatabase {
  server: LocalDbServer;
  db: ReturnType<typeof getDb>;
  /** the PostgreSQL database's name; undefined on PGlite */
  databaseName: string | undefined;
}

/** What one request cost, measured on its own. */
export interface Sample {
  workerMs: number;
  dbCpuMs: number;
  sqlMs: number;
  latencyMs: number;
}

/** A side, running: its database, its workerd, and the clocks that measure its requests. */
export interface Side extends SideDatabase {
  name: SideName;
  worker: RunningWorker;
  /** Sends one request to this side's worker and measures it. */
  measure(call: Call): Promise<{ answer: Answer; sample: Sample }>;
  /** Finds the database's backend processes anew (their CPU is the database CPU, on PostgreSQL). */
  findBackends(): void;
}

/**
 * A side's database: a fresh one, opened as setup.ts opens the bench's; on the
 * "off" side, with the event triggers of the three tables disabled (`DISABLE
 * TRIGGER USER`: user triggers only, the foreign keys' stay). `close` drops it.
 */
export async function openSideDatabase(name: SideName): Promise<SideDatabase & { close(): Promise<void> }> {
  const { backend, name: databaseName, dispose } = await openTestBackend();
  try {
    await backend.migrate(migrationsFolder);
    if (name === "off") {
      await backend.exec(eventTables.map((t) => `ALTER TABLE ${t} DISABLE TRIGGER USER;`).join("\n"));
    }
    const server = await startLocalDbServer({ backend });
    return {
      server,
      db: getDb(server.databaseUrl),
      databaseName,
      async close() {
        await server.close();
        await dispose();
      },
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** The wall time the backend spends in SQL, summed: wraps its query and transaction until `restore`. */
function sqlClock(backend: Backend) {
  const { query, transaction } = backend;
  let seconds = 0;
  const timed = async <T>(run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      seconds += (performance.now() - started) / 1000;
    }
  };
  backend.query = (statement) => timed(() => query(statement));
  backend.transaction = (statements, options, beforeCommit) =>
    timed(() => transaction(statements, options, beforeCommit));
  return {
    seconds: () => seconds,
    restore() {
      backend.query = query;
      backend.transaction = transaction;
    },
  };
}

/**
 * A reader of the database's CPU seconds so far: on PostgreSQL, the backends serving that
 * database (found now: the local server's pool keeps its connections); on PGlite, this
 * process (both sides' PGlite run in it, but the requests are sent one at a time).
 */
function databaseCpuClock(databaseName: string | undefined): () => number {
  if (databaseName === undefined) {
    return () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    };
  }
  const pids = postgresBackendPids(databaseName);
  return () => pids.reduce((seconds, pid) => seconds + processCpuSecondsPrecise(pid), 0);
}

/** Events recorded so far in these workspaces of a side's database. */
export async function countEvents(side: SideDatabase, workspaceIds: string[]): Promise<number> {
  const result = await side.server.backend.query({
    query: "SELECT count(*) FROM events WHERE workspace_id = ANY($1::uuid[])",
    params: [`{${workspaceIds.join(",")}}`],
  });
  return Number(result.rows[0]?.[0]);
}

/** Starts one workerd per side (the deployed bundle, the bench's rate-limit binding) and its clocks. */
export async function startSides(
  bench: Bench,
  databases: Record<SideName, SideDatabase>,
): Promise<Side[] & { dispose(): Promise<void> }> {
  const sides: Side[] = [];
  const restores: (() => void)[] = [];
  const dispose = async () => {
    for (const restore of restores) restore();
    for (const side of sides) await side.worker.dispose();
  };
  try {
    for (const name of sideNames) {
      const database = databases[name];
      const worker = await startWorkerd(bench.app, {
        vars: { DATABASE_URL: database.server.databaseUrl },
        ratelimits: bench.benchRateLimits,
      });
      const clock = sqlClock(database.server.backend);
      restores.push(clock.restore);
      let databaseCpu = databaseCpuClock(database.databaseName);
      sides.push({
        ...database,
        name,
        worker,
        findBackends() {
          databaseCpu = databaseCpuClock(database.databaseName);
        },
        async measure(call) {
          // Read around the request, the worker's CPU outermost: reading it costs this process some.
          const worker0 = processCpuSecondsPrecise(worker.pid);
          const [db0, sql0, started] = [databaseCpu(), clock.seconds(), performance.now()];
          const answer = await send(worker.origin, call);
          const [ended, sql1, db1] = [performance.now(), clock.seconds(), databaseCpu()];
          const workerMs = ms(processCpuSecondsPrecise(worker.pid) - worker0);
          return {
            answer,
            sample: { workerMs, dbCpuMs: ms(db1 - db0), sqlMs: ms(sql1 - sql0), latencyMs: ended - started },
          };
        },
      });
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return Object.assign(sides, { dispose });
}
