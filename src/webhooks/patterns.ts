// Which events an endpoint receives: patterns over "<object>.<change>".
/** "*", "contact.*", "*.deleted" or an exact type such as "customer.updated". */
export const eventPattern =
  /^(\*|(contact|customer|address|\*)\.(created|updated|deleted)|(contact|customer|address)\.\*)$/;
