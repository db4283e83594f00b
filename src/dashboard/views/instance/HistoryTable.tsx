/** The raw history a page at a time (`GET …/instances/{id}/history`): huge histories never load whole. */
import { useState } from 'preact/hooks';
import { historyPage } from '../../api/endpoints.js';
import type { RawEvent } from '../../api/types.js';
import { JsonNode } from '../../components/JsonView.js';
import { describeTagChanges, formatTags } from '../../model/tag-changes.js';
import { ErrorMessage, Loading } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { useLiveChanges, useResource } from '../../hooks.js';

const PAGE_SIZE = 100;

export function HistoryTable({ instanceId }: { instanceId: string }) {
  const [starts, setStarts] = useState<number[]>([0]);
  const from = starts[starts.length - 1] ?? 0;
  const page = useResource((signal) => historyPage(instanceId, from, PAGE_SIZE, signal), [instanceId, from]);
  useLiveChanges(() => page.reload());
  if (page.error) return <ErrorMessage error={page.error} retry={page.reload} />;
  if (!page.data) return <Loading what="the history" />;
  const next = page.data.nextSequence;
  return (
    <div class="history">
      <table class="history-table">
        <caption class="visually-hidden">History events {from + 1} to {from + page.data.events.length}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {page.data.events.map((event) => (
            <tr key={event.sequence} class={`event-${event.type}`}>
              <td data-label="#">{event.sequence}</td>
              <td data-label="Time">
                <Time iso={event.timestamp} />
              </td>
              <td data-label="Event">
                <code>{event.type}</code>
                {event.eventId >= 0 ? <span class="muted"> #{event.eventId}</span> : null}
              </td>
              <td data-label="Details">
                <EventDetails event={event} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="History pages">
        <button type="button" class="button" disabled={starts.length <= 1} onClick={() => setStarts(starts.slice(0, -1))}>
          ‹ Earlier
        </button>
        <span>
          Events {page.data.events.length ? `${from + 1}–${from + page.data.events.length}` : 'none'}
        </span>
        <button type="button" class="button" disabled={next === null} onClick={() => next !== null && setStarts([...starts, next])}>
          Later ›
        </button>
      </nav>
    </div>
  );
}

/** What distinguishes the event, with its payloads folded. */
function EventDetails({ event }: { event: RawEvent }) {
  const facts: string[] = [];
  if (event.name) facts.push(event.name);
  if (event.taskScheduledId !== undefined) facts.push(`task #${event.taskScheduledId}`);
  if (event.timerId !== undefined) facts.push(`timer #${event.timerId}`);
  if (event.fireAt) facts.push(`fires ${new Date(event.fireAt).toLocaleString()}`);
  if (event.instanceId) facts.push(`instance ${event.instanceId}`);
  if (event.orchestrationStatus) facts.push(event.orchestrationStatus);
  if (event.reason) facts.push(`reason: ${event.reason}`);
  if (event.failureDetails) facts.push(`${event.failureDetails.errorType}: ${event.failureDetails.errorMessage}`);
  if (event.type === 'TagsChanged') facts.push(`tags: ${describeTagChanges(event.set, event.remove) || 'no change'}`);
  if (event.tags && Object.keys(event.tags).length > 0) facts.push(`tags ${formatTags(event.tags)}`);
  const payloads = (['input', 'result'] as const).filter((key) => event[key] !== undefined && event[key] !== null);
  return (
    <div class="event-details">
      {facts.length > 0 && <span>{facts.join(' · ')}</span>}
      {payloads.map((key) => (
        <div key={key} class="json-tree compact">
          <JsonNode name={key} value={event[key]} depth={1} />
        </div>
      ))}
    </div>
  );
}
