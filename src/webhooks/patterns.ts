// Which events an endpoint receives: patterns over "<object>.<change>".
export const eventObjects = ["contact", "customer", "address"] as const;
export const eventChanges = ["created", "updated", "deleted"] as const;

/** "*", "contact.*", "*.deleted" or an exact type such as "customer.updated". */
export const eventPattern =
  /^(\*|(contact|customer|address|\*)\.(created|updated|deleted)|(contact|customer|address)\.\*)$/;
