/** The history as a Gantt chart: activities, timers and sub-orchestrations as bars, events as markers. */
import type { Timeline as TimelineData, TimelineSpan } from '../../model/timeline.js';
import { Link } from '../../components/Link.js';
import { formatDuration, formatLocalTime, formatUtc } from '../../model/format.js';
import { instanceHref } from '../../router.js';

const KIND_LABELS: Record<TimelineSpan['kind'], string> = {
  activity: 'activity',
  timer: 'timer',
  'retry-timer': 'retry timer',
  suborchestration: 'sub-orchestration',
};

const OUTCOME_LABELS: Record<TimelineSpan['outcome'], string> = {
  completed: 'completed',
  failed: 'failed',
  running: 'running',
  waiting: 'waiting',
  fired: 'fired',
};

export function Timeline({ timeline, hub }: { timeline: TimelineData; hub: string | undefined }) {
  const length = Math.max(1, timeline.end - timeline.start);
  const fraction = (time: number) => Math.min(Math.max(time - timeline.start, 0), length) / length;
  const position = (time: number) => `${fraction(time) * 100}%`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((fraction) => timeline.start + fraction * length);
  if (timeline.spans.length === 0 && timeline.markers.length <= 1) return <p class="muted">Nothing scheduled yet.</p>;
  return (
    <div class="timeline" role="table" aria-label="Timeline">
      <div class="timeline-row timeline-axis" role="row">
        <span class="timeline-label" role="columnheader">
          {formatDuration(length)} in all
        </span>
        <div class="timeline-track" role="columnheader" aria-label="time">
          {ticks.map((tick, index) => (
            <span key={index} class="tick" style={{ left: position(tick) }} title={`${formatLocalTime(tick)} (${formatUtc(tick)})`}>
              {index === 0 ? formatLocalTime(tick) : `+${formatDuration(tick - timeline.start)}`}
            </span>
          ))}
        </div>
      </div>
      <div class="timeline-row timeline-markers" role="row">
        <span class="timeline-label" role="rowheader">
          events
        </span>
        <div class="timeline-track" role="cell">
          {timeline.markers.map((marker, index) => (
            <span key={index} class={`marker marker-${marker.kind}`} style={{ left: position(marker.time) }} title={`${marker.label} · ${formatUtc(marker.time)}`}>
              <span class="visually-hidden">{marker.label}</span>
            </span>
          ))}
        </div>
      </div>
      {timeline.spans.map((span) => (
        <div key={`${span.kind}-${span.taskId}`} class="timeline-row" role="row">
          <span class="timeline-label" role="rowheader">
            {span.instanceId ? <Link href={instanceHref(span.instanceId, hub)}>{span.label}</Link> : <span>{span.label}</span>}
            <span class="muted">
              {' '}
              {KIND_LABELS[span.kind]} #{span.taskId}
              {span.attempt > 1 ? ` · attempt ${span.attempt}` : ''}
            </span>
          </span>
          <div class="timeline-track" role="cell">
            <span
              class={`span span-${span.kind} outcome-${span.outcome}`}
              style={{ left: position(span.start), width: `max(3px, calc(${position(span.end)} - ${position(span.start)}))` }}
              title={`${span.label}: ${OUTCOME_LABELS[span.outcome]}, ${formatDuration(span.end - span.start)}${span.fireAt ? `, due ${formatUtc(span.fireAt)}` : ''}${span.error ? ` — ${span.error}` : ''}`}
            />
            {/* The text goes after the bar, or before it when the bar ends near the right edge. */}
            <span class="span-text" style={fraction(span.end) < 0.65 ? { left: position(span.end) } : { right: `${(1 - fraction(span.start)) * 100}%`, textAlign: 'right' }}>
              {OUTCOME_LABELS[span.outcome]} · {formatDuration(span.end - span.start)}
              {span.error ? ` · ${span.error}` : ''}
            </span>
          </div>
        </div>
      ))}
    </div>
  );
}
