// The local database server's control routes (/_local/*), reached from inside
// workerd: the exclusive project counts round trips and injects faults with them.
import { env } from "cloudflare:test";
import type { Fault, LocalDbStatus } from "../../scripts/local-db/control";

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
