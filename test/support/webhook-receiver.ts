// What the webhook receiver (node/webhook-receiver.ts) is told and tells: shared by both sides.

export interface ReceiverConfig {
  /** whsec_… secrets: each delivery's `verified` says which of them verify it */
  secrets?: string[];
  /** fail (500) the first `fail` deliveries, then answer 200 */
  fail?: number;
  /** "redirect": answer 302 to /moved/<key>; "hang": never answer */
  mode?: "ok" | "redirect" | "hang";
}

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** per configured secret, in order: whether standardwebhooks verified the delivery with it */
  verified: boolean[];
  /** what standardwebhooks' verify returned with the first secret that verified it */
  payload: unknown;
  /** the status answered */
  status: number;
}
