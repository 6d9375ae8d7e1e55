// What the webhook queue carries, and the queue binding as this code uses it.

/** What the queue carries: events to dispatch (fan out to endpoints), or deliveries (event, endpoint) due. */
export interface WebhookMessage {
  events?: string[];
  deliveries?: [eventId: string, endpointId: string][];
}

/** The queue binding, as much of it as this code uses (Cloudflare's Queue type is the worker's only). */
export interface WebhookQueue {
  send(body: WebhookMessage, options?: { delaySeconds?: number }): Promise<unknown>;
  sendBatch(messages: Iterable<{ body: WebhookMessage; delaySeconds?: number }>): Promise<unknown>;
}
