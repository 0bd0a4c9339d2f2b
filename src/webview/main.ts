// Placeholder entry point; the timeline app replaces it.
export {};
