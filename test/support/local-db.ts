// The local database server's control routes (/_local/*), reached from inside
// workerd: the exclusive project counts round trips and injects faults with them.
import { env } from "cloudflare:test";
import type { Fault, LocalDbStatus, RecordedStatement } from "../../scripts/local-db/control";

export async function localDbStatus(): Promise<LocalDbStatus> {
  return (await (await fetch(`${env.LOCAL_DB_ORIGIN}/_local/stats`)).json()) as LocalDbStatus;
}

export async function roundTrips(): Promise<number> {
  return (await localDbStatus()).requests;
}

/** How many database round trips `action` costs. */
export async function countRoundTrips(action: () => Promise<unknown>): Promise<number> {
  const before = await roundTrips();
  await action();
  return (await roundTrips()) - before;
}

export async function injectFault(fault: Fault | null): Promise<void> {
  await fetch(`${env.LOCAL_DB_ORIGIN}/_local/fault`, { method: "PUT", body: JSON.stringify(fault) });
}

/** The statements (outside batches) the server runs while `action` runs. */
export async function recordStatements(action: () => Promise<unknown>): Promise<RecordedStatement[]> {
  return (await record(action)).statements;
}

/** The transactions (db.batch) the worker sent while `action` ran, each as its statements. */
export async function recordBatches(action: () => Promise<unknown>): Promise<RecordedStatement[][]> {
  return (await record(action)).batches;
}

async function record(
  action: () => Promise<unknown>,
): Promise<{ statements: RecordedStatement[]; batches: RecordedStatement[][] }> {
  const record = (on: boolean) =>
    fetch(`${env.LOCAL_DB_ORIGIN}/_local/record`, { method: "PUT", body: JSON.stringify({ on }) });
  await record(true);
  try {
    await action();
    return (await (await fetch(`${env.LOCAL_DB_ORIGIN}/_local/record`)).json()) as {
      statements: RecordedStatement[];
      batches: RecordedStatement[][];
    };
  } finally {
    await record(false);
  }
}
