// The queue consumer: each batch of messages costs two database round trips,
// whatever it holds (the statements are functions of drizzle/0005_webhooks.sql).
// The first claims what to send (webhook_claim): new (event, endpoint)
// deliveries for the events of `events` messages (a row each, inserted once:
// the dispatch record the sweep looks for), and the due deliveries that
// `deliveries` messages name (retries, pings, redeliveries, sweeps). Then each
// is POSTed, signed; the second round trip records every outcome
// (webhook_record), and disables an endpoint whose every delivery failed for 3
// days. A failure is retried by a new message, delayed per the backoff schedule.
import { sql } from "drizzle-orm";
import { getDb } from "../db/client";
import type { Bindings } from "../env";
import { deliveryMessages, sendMessages } from "./dispatch";
import type { WebhookMessage } from "./message";
import { signatureHeader } from "./signing";

/** Seconds to wait after the nth failed attempt (before jitter); after the last, the delivery has failed. */
export const backoffSeconds = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200, 43200, 43200, 43200, 43200];
export const maxAttempts = backoffSeconds.length + 1;
/** Queues delays a message by at most 12 hours. */
const maxDelaySeconds = 43200;
/** Deliveries sent by one invocation; more are passed on to other invocations through the queue. */
const maxInline = 20;
const defaultTimeoutMs = 10_000;

/** The delay after `attempts` failed attempts, ±20% of jitter; undefined when none is left. */
export function retryDelay(attempts: number, random = Math.random()): number | undefined {
  const base = backoffSeconds[attempts - 1];
  if (base === undefined) return undefined;
  return Math.min(maxDelaySeconds, Math.max(1, Math.round(base * (0.8 + 0.4 * random))));
}

export interface Due {
  event_id: string;
  endpoint_id: string;
  event_type: string;
  object_id: string;
  attempts: number;
  url: string;
  secret: string;
  previous_secret: string | null;
}

export interface Attempt {
  ok: boolean;
  status: number | null;
  ms: number;
  error: string | null;
}

/** One POST, signed; 2xx within the timeout is a success, anything else (a redirect included) a failure. */
export async function attempt(due: Due, timeoutMs = defaultTimeoutMs): Promise<Attempt> {
  const body = JSON.stringify({ event_type: due.event_type, id: due.object_id });
  const timestamp = Math.floor(Date.now() / 1000);
  const secrets = due.previous_secret ? [due.secret, due.previous_secret] : [due.secret];
  const started = Date.now();
  try {
    const response = await fetch(due.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Qwoty-Webhooks",
        "webhook-id": due.event_id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await signatureHeader(secrets, due.event_id, timestamp, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    const { status } = response;
    const ok = status >= 200 && status < 300;
    const error = ok ? null : status >= 300 && status < 400 ? `redirect (${status}) not followed` : `HTTP ${status}`;
    return { ok, status, ms: Date.now() - started, error };
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    const message =
      name === "TimeoutError" || name === "AbortError"
        ? `no answer within ${timeoutMs / 1000} s`
        : `request failed: ${String((error as Error | null)?.message ?? error)}`.slice(0, 300);
    return { ok: false, status: null, ms: Date.now() - started, error: message };
  }
}

interface Outcome extends Attempt {
  due: Due;
  /** seconds to the next attempt; undefined: delivered, or no attempt left */
  delay: number | undefined;
}

/**
 * Dispatches `events` and sends the due `deliveries`; records each attempt and
 * enqueues the retries. Resolves to the outcomes (for the tests).
 */
export async function deliver(env: Bindings, events: string[], deliveries: [string, string][]): Promise<Outcome[]> {
  if (events.length === 0 && deliveries.length === 0) return [];
  const db = getDb(env.DATABASE_URL);
  const queue = env.WEBHOOK_QUEUE;
  // A Worker's subrequests are limited: past maxInline, deliveries go back to the
  // queue, to other invocations (without a queue, in a test, all are sent here).
  // Named deliveries past it are passed on unclaimed; the claim lists the named
  // ones first, so that only new ones (due at once) are passed on after it.
  const cap = queue ? maxInline : Number.POSITIVE_INFINITY;
  const pairs = deliveries.slice(0, cap).map(([e, w]) => ({ e, w }));
  const claimed = (
    await db.execute(
      sql`select * from webhook_claim(${JSON.stringify(events)}::jsonb, ${JSON.stringify(pairs)}::jsonb)`,
    )
  ).rows as unknown as Due[];
  const inline = claimed.slice(0, cap);
  const passed = [...deliveries.slice(cap), ...claimed.slice(cap).map((due) => [due.event_id, due.endpoint_id])];
  if (queue && passed.length) await sendMessages(queue, deliveryMessages(passed as [string, string][]));
  if (inline.length === 0) return [];
  const timeoutMs = Number(env.WEBHOOK_TIMEOUT_MS) || defaultTimeoutMs;
  const outcomes: Outcome[] = await Promise.all(
    inline.map(async (due) => {
      const result = await attempt(due, timeoutMs);
      // A ping is sent once.
      const delay = result.ok || due.event_type === "ping" ? undefined : retryDelay(due.attempts + 1);
      return { ...result, due, delay };
    }),
  );
  const rows = outcomes.map(({ due, ok, status, ms, error, delay }) => {
    return { e: due.event_id, w: due.endpoint_id, ok, status, ms, error, delay: delay ?? null };
  });
  await db.execute(sql`select webhook_record(${JSON.stringify(rows)}::jsonb)`);
  // Each retry, a message delayed per the schedule; all in one sendBatch (at most maxInline).
  const retries = outcomes.flatMap(({ due, delay }) =>
    delay === undefined ? [] : [{ body: { deliveries: [[due.event_id, due.endpoint_id]] }, delaySeconds: delay }],
  );
  if (queue && retries.length) await queue.sendBatch(retries as { body: WebhookMessage; delaySeconds: number }[]);
  return outcomes;
}

/** The worker's queue() handler. */
export async function consume(batch: MessageBatch<WebhookMessage>, env: Bindings) {
  const events = new Set<string>();
  const deliveries = new Map<string, [string, string]>();
  for (const message of batch.messages) {
    for (const id of message.body.events ?? []) events.add(id);
    for (const pair of message.body.deliveries ?? []) deliveries.set(pair.join(" "), pair);
  }
  try {
    await deliver(env, [...events], [...deliveries.values()]);
    batch.ackAll();
  } catch (error) {
    // The database or the queue failed: the batch comes back later (Queues' own retry).
    console.error(JSON.stringify({ level: "error", message: "webhook delivery batch failed", error: String(error) }));
    batch.retryAll({ delaySeconds: 30 });
  }
}
