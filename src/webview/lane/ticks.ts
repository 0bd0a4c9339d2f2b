// Axis ticks for the time lane: a "nice" step for the zoom level and absolute clock labels
// (local time), aligned to whole units of local time. Pure; the UTC offset is injected.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every step the axis may use, smallest first. */
export const TICK_STEPS_MS: readonly number[] = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

/** Local time minus UTC, in ms, at instant t (east of Greenwich is positive). */
export type UtcOffset = (t: number) => number;

/** The browser's (or Node's) local time zone. */
export const localUtcOffset: UtcOffset = (t) => -new Date(t).getTimezoneOffset() * MINUTE;

export interface Tick {
  t: number;
  label: string;
  /** On a boundary of a larger unit (a whole minute on a 10 s axis, …): drawn stronger. */
  major: boolean;
}

export interface TickOptions {
  utcOffset?: UtcOffset;
  /** Average width of one label character, in CSS pixels. */
  charWidthPx?: number;
  /** Free space between two labels, in CSS pixels. */
  gapPx?: number;
}

/** The label's text length for a step: seconds appear below a minute, milliseconds below a second. */
function labelChars(stepMs: number): number {
  if (stepMs < SECOND) return 12; // 09:12:03.250
  if (stepMs < MINUTE) return 8; // 09:12:03
  if (stepMs < DAY) return 5; // 09:12
  return 10; // 2026-11-26
}

/** The smallest step whose labels fit side by side at this zoom. */
export function chooseTickStep(spanMs: number, widthPx: number, charWidthPx = 6.5, gapPx = 16): number {
  const density = widthPx > 0 && spanMs > 0 ? widthPx / spanMs : 0;
  for (const step of TICK_STEPS_MS) {
    if (step * density >= labelChars(step) * charWidthPx + gapPx) return step;
  }
  return TICK_STEPS_MS[TICK_STEPS_MS.length - 1]!;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** Clock time of `t` in the given offset, precise enough for the step: "09:12", "09:12:03", "09:12:03.250". */
export function formatClock(t: number, stepMs: number, utcOffset: UtcOffset = localUtcOffset): string {
  const local = new Date(t + utcOffset(t));
  if (stepMs >= DAY) return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const hm = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
  if (stepMs >= MINUTE) return hm;
  const hms = `${hm}:${pad(local.getUTCSeconds())}`;
  if (stepMs >= SECOND) return hms;
  return `${hms}.${pad(local.getUTCMilliseconds(), 3)}`;
}

/** A full timestamp for tooltips: "2026-11-26 09:12:03.250". */
export function formatTimestamp(t: number, utcOffset: UtcOffset = localUtcOffset): string {
  const local = new Date(t + utcOffset(t));
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ${formatClock(t, 1, utcOffset)}`;
}

/** The next step up, whose boundaries make a tick major. */
function majorStepFor(stepMs: number): number {
  if (stepMs < SECOND) return SECOND;
  if (stepMs < MINUTE) return MINUTE;
  if (stepMs < HOUR) return HOUR;
  return DAY;
}

/** Ticks across [fromT, toT] for a lane `widthPx` wide, aligned to whole local units. */
export function generateTicks(
  fromT: number,
  toT: number,
  widthPx: number,
  options: TickOptions = {},
): { stepMs: number; ticks: Tick[] } {
  const utcOffset = options.utcOffset ?? localUtcOffset;
  const stepMs = chooseTickStep(toT - fromT, widthPx, options.charWidthPx, options.gapPx);
  if (!(toT > fromT) || !Number.isFinite(fromT) || !Number.isFinite(toT)) return { stepMs, ticks: [] };
  // Align in local time, using one offset for the range: a DST change inside it shifts
  // the later ticks by the change, which is what a wall clock shows anyway.
  const offset = utcOffset(fromT);
  const majorStep = majorStepFor(stepMs);
  const ticks: Tick[] = [];
  const first = Math.ceil((fromT + offset) / stepMs) * stepMs;
  // At most a few hundred ticks fit any lane; the bound also guards against a bad width.
  for (let local = first; local <= toT + offset && ticks.length < 1000; local += stepMs) {
    const t = local - offset;
    // A local midnight inside a sub-day axis shows the date instead of 00:00.
    const midnight = stepMs < DAY && local % DAY === 0;
    const major = midnight || local % majorStep === 0;
    const label = formatClock(t, midnight ? DAY : stepMs, () => offset);
    ticks.push({ t, label, major });
  }
  return { stepMs, ticks };
}
