// Clock times for people, in local time as the machine's clock shows it: every list, log line
// and "since …" reads the same in the timeline, the tree and the CLI.

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** "09:12:00": local time of day to the second (when a finding was resolved, since when). */
export function formatTimeOfDay(t: number): string {
  const date = new Date(t);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "09:12:00.004": local time of day with milliseconds (event times). */
export function formatClock(t: number): string {
  return `${formatTimeOfDay(t)}.${pad(new Date(t).getMilliseconds(), 3)}`;
}
