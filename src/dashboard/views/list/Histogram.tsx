/**
 * Instances created over time, by status, for the current filter (stacked bars). Hovering a bar names
 * its interval and counts; clicking it narrows the filter to that interval.
 */
import type { Histogram as HistogramData } from '../../api/types.js';
import { formatDuration, formatLocal, formatUtc } from '../../model/format.js';
import { RUNTIME_STATUSES } from '../../model/statuses.js';

const BAR_WIDTH = 10;
const GAP = 2;
const HEIGHT = 80;

export function Histogram({ data, onSelect }: { data: HistogramData; onSelect: (from: string, to: string) => void }) {
  const totals = data.intervals.map((interval) => Object.values(interval.counts).reduce((sum, n) => sum + n, 0));
  const largest = Math.max(1, ...totals);
  const total = totals.reduce((sum, n) => sum + n, 0);
  const width = Math.max(1, data.intervals.length) * (BAR_WIDTH + GAP);
  const intervalMs = data.intervalSeconds * 1000;
  const first = data.intervals[0];
  const last = data.intervals[data.intervals.length - 1];
  return (
    <figure class="histogram">
      <figcaption>
        <span>
          {total.toLocaleString()} created{first && last ? ` · one bar per ${formatDuration(intervalMs)}` : ''}
        </span>
        {first && last && (
          <span class="muted" title={`${formatUtc(first.start)} – ${formatUtc(Date.parse(last.start) + intervalMs)}`}>
            {formatLocal(first.start)} – {formatLocal(new Date(Date.parse(last.start) + intervalMs).toISOString())}
          </span>
        )}
      </figcaption>
      <svg viewBox={`0 0 ${width} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={`Instances created over time: ${total} in ${data.intervals.length} intervals`}>
        {data.intervals.map((interval, index) => {
          let y = HEIGHT;
          const start = Date.parse(interval.start);
          const end = new Date(start + intervalMs).toISOString();
          const parts = RUNTIME_STATUSES.filter((status) => interval.counts[status]).map((status) => `${interval.counts[status]} ${status}`);
          return (
            <g key={interval.start} class="bar" onClick={() => totals[index] && onSelect(interval.start, end)}>
              <title>{`${formatLocal(interval.start)} – ${formatLocal(end)}: ${parts.length ? parts.join(', ') : 'none'}`}</title>
              <rect x={index * (BAR_WIDTH + GAP)} y={0} width={BAR_WIDTH + GAP} height={HEIGHT} class="bar-hit" />
              {RUNTIME_STATUSES.map((status) => {
                const count = interval.counts[status] ?? 0;
                if (count === 0) return null;
                const height = Math.max(1, (count / largest) * (HEIGHT - 2));
                y -= height;
                return <rect key={status} x={index * (BAR_WIDTH + GAP)} y={y} width={BAR_WIDTH} height={height} class={`fill-${status}`} />;
              })}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
