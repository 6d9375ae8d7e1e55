// The kinds of change events, and which read permission shows each group.
import type { Permission } from "../access/permissions";

export const eventGroups = ["contact", "customer", "address"] as const;
export type EventGroup = (typeof eventGroups)[number];
export const eventKinds = ["created", "updated", "deleted"] as const;

/** The read permission (or its :write) a token needs to see a group's events. */
export const groupPermission: Record<EventGroup, Permission> = {
  contact: "contacts:read",
  customer: "customers:read",
  address: "addresses:read",
};

/** Events are kept this long; a cursor older than this answers 410. */
export const retentionDays = 30;
