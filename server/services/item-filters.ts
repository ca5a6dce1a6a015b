// The item explorer's filters: plain data (no database import), shared by the service, the router and the page.
export const ITEM_FILTERS = ["all", "overlap", "disagree", "gold", "review"] as const;
export type ItemFilter = (typeof ITEM_FILTERS)[number];
