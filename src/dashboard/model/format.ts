/** Times and durations as people read them: local time on screen, UTC (ISO 8601) on hover. */

/** "1.2 s", "3 min 4 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const units: [number, string][] = [[86_400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];
  const whole = Math.round(seconds);
  for (let index = 0; index < units.length - 1; index++) {
    const [size, label] = units[index]!;
    if (whole >= size) {
      const [nextSize, nextLabel] = units[index + 1]!;
      const rest = Math.floor((whole % size) / nextSize);
      return rest > 0 ? `${Math.floor(whole / size)} ${label} ${rest} ${nextLabel}` : `${Math.floor(whole / size)} ${label}`;
    }
  }
  return `${whole} s`;
}

const thisYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const otherYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** In the user's time zone; the year only when it is not this one. */
export function formatLocal(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return (new Date(time).getFullYear() === new Date().getFullYear() ? thisYear : otherYear).format(time);
}

export function formatLocalTime(time: number): string {
  return timeOnly.format(time);
}

/** The ISO form, always UTC, for titles and copying. */
export function formatUtc(iso: string | number): string {
  const time = typeof iso === 'number' ? iso : Date.parse(iso);
  return Number.isNaN(time) ? String(iso) : new Date(time).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** A value for <input type="datetime-local"> (local time, minutes) from ISO, and back. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const time = new Date(iso);
  const local = new Date(time.getTime() - time.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** A short one-line preview of a JSON value for tables. */
export function previewJson(value: unknown, max = 80): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
