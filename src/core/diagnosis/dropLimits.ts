// How much the drop analyzer keeps, however long a session runs.

/** Evidence lists keep the most recent seqs only, so a long session cannot bloat each update. */
export const MAX_EVIDENCE = 20;
/**
 * The memory bound: clustering sees the most recent this-many silent cuts and 1001s, and
 * each other per-close list (classifications, timing values) keeps this many entries. At
 * ~250 bytes per drop that is about half a megabyte, however long the session runs.
 */
export const MAX_RETAINED_DROPS = 2_000;
