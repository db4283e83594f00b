import { formatLocal, formatUtc } from '../model/format.js';

/** A time in the user's zone, with UTC on hover. */
export function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatLocal(iso)}
    </time>
  );
}
