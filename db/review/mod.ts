/**
 * The review wing's SQL: the queue and its state machine, reads, figures,
 * export and shadow mode. Other layers import from here.
 */
export * from "./state.ts";
export * from "./read.ts";
export * from "./stats.ts";
export * from "./export.ts";
export * from "./shadow.ts";
