// Data batching for every trainer: seeded shuffling, right-padded collation with response-only loss masks, loaders.
export * from "./collate";
export * from "./loader";
