// The feed's query string: where to start, which types, how many.
import * as v from "valibot";
import { pageQuery } from "../http/list";
import { feedCursor } from "./cursor";
import { type EventGroup, eventGroups, eventKinds } from "./types";

/** What `type` asked for: the event types of each group named (none: every group the token may read). */
export type TypeFilter = Partial<Record<EventGroup, string[]>>;

const patternMessage = `must be a comma-separated list of event types (${eventGroups.map((g) => `${g}.*`).join(", ")}, or one type such as contact.updated; * for all)`;

function parseTypes(value: string): TypeFilter | undefined {
  const filter: TypeFilter = {};
  for (const pattern of value.split(",")) {
    const [group, kind, ...rest] = pattern.trim().split(".");
    if (group === "*" && kind === undefined) return {};
    if (rest.length > 0 || !eventGroups.includes(group as EventGroup)) return undefined;
    const kinds = kind === "*" ? eventKinds : eventKinds.filter((k) => k === kind);
    if (kinds.length === 0) return undefined;
    const types = filter[group as EventGroup] ?? [];
    for (const k of kinds) if (!types.includes(`${group}.${k}`)) types.push(`${group}.${k}`);
    filter[group as EventGroup] = types;
  }
  return filter;
}

export const feedQuery = v.strictObject({
  after: v.optional(feedCursor),
  type: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(200, patternMessage),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const filter = parseTypes(dataset.value);
        if (filter) return filter;
        addIssue({ message: patternMessage });
        return NEVER;
      }),
    ),
  ),
  limit: pageQuery.limit,
});
