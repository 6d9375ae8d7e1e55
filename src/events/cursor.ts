// A position in the events feed: the (xid, seq) of the last event read, and when
// it occurred (to tell a cursor older than the retention period, 410). Opaque to
// clients: base64url of "e1.<xid>.<seq>.<epoch ms>".
import * as v from "valibot";
import { fromBase64Url, toBase64Url } from "../lib/base64url";

export interface FeedPosition {
  xid: number;
  seq: number;
  /** epoch milliseconds of the event's occurred_at */
  at: number;
}

export const encodeFeedCursor = (position: FeedPosition): string =>
  toBase64Url(`e1.${position.xid}.${position.seq}.${position.at}`);

function decodeFeedCursor(value: string): FeedPosition | undefined {
  const decoded = value.length > 80 ? undefined : fromBase64Url(value);
  if (decoded === undefined) return undefined;
  const match = /^e1\.(\d{1,15})\.(\d{1,15})\.(\d{1,15})$/.exec(decoded);
  if (!match) return undefined;
  const [xid, seq, at] = match.slice(1).map(Number) as [number, number, number];
  return { xid, seq, at };
}

/** `after`: a cursor the feed answered (its next_cursor). */
export const feedCursor = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const position = decodeFeedCursor(dataset.value);
    if (position) return position;
    addIssue({ message: "is invalid: pass the next_cursor of a previous answer of GET /api/events" });
    return NEVER;
  }),
);
