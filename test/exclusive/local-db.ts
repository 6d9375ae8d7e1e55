// The local database server's control routes, reached from inside workerd.
import { env } from "cloudflare:test";
import type { Fault, LocalDbStats } from "../../scripts/local-db/control";

export async function roundTrips(): Promise<number> {
  const response = await fetch(`${env.LOCAL_DB_ORIGIN}/_local/stats`);
  return ((await response.json()) as LocalDbStats).requests;
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
