// Human durations for the CLI, settings and every view: 500ms, 30s, 2m, 1h (decimals allowed)
// in, "850 ms", "1 m 30 s" and "90 s" out. One wording everywhere, so a figure in the
// timeline reads the same as in the tree, the CLI and the advice.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "500ms", "30s", "2m", "1.5h"; throws an Error that says what is accepted. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/i.exec(text);
  if (!match) {
    throw new Error(`invalid duration "${text}": use a number and a unit, e.g. 500ms, 30s, 2m or 1h`);
  }
  const value = Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
  return Math.round(value);
}

/** Formats milliseconds for people: "850 ms", "2.0 s", "1 m 30 s", "2 h 5 m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  if (abs < 3_600_000) {
    const minutes = Math.floor(abs / 60_000);
    const seconds = Math.round((abs % 60_000) / 1000);
    return seconds ? `${sign}${minutes} m ${seconds} s` : `${sign}${minutes} m`;
  }
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.round((abs % 3_600_000) / 60_000);
  return minutes ? `${sign}${hours} h ${minutes} m` : `${sign}${hours} h`;
}

/**
 * Seconds for sentences about timeouts: "90 s", "2 s", "1.5 s", "540 s". Timeouts are
 * configured in seconds, so that is the unit people will search their configs for; whole
 * seconds from 10 s up, because measured intervals carry milliseconds of jitter.
 */
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  const text = seconds >= 10 ? String(Math.round(seconds)) : seconds.toFixed(1);
  return `${text.endsWith('.0') ? text.slice(0, -2) : text} s`;
}
