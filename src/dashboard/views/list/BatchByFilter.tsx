/**
 * "Apply to all matching…": one operation on every instance the list's filter matches, as a batch job of
 * the server. The dry-run count comes first, for a window fixed when the dialog opened; the job started
 * then covers that same filter, and the dialog links to its progress. A raised event's name and data are
 * part of the dry run, so the server's refusal of them shows before anything starts.
 */
import { useState } from 'preact/hooks';
import {
  BATCH_OPERATION_LABELS,
  BATCH_OPERATIONS,
  OPERATIONS_WITH_REASON,
  countBatch,
  operationLabel,
  startBatch,
  type BatchArguments,
  type BatchJob,
  type BatchOperation,
} from '../../api/batches.js';
import { Dialog } from '../../components/Dialog.js';
import { Link } from '../../components/Link.js';
import { ErrorMessage, Loading } from '../../components/States.js';
import { useDebounced, useResource } from '../../hooks.js';
import { batchFilter, type ListFilter } from '../../model/filter.js';
import { parseJsonInput } from '../../model/json-input.js';
import { EventFields } from '../EventFields.js';
import { batchesHref } from '../../router.js';

/** Typing pauses this long before the dry run is asked again with the new event. */
const EVENT_SETTLE_MS = 300;

/** What each operation does beyond its name, shown before confirming. */
const NOTES: Partial<Record<BatchOperation, string>> = {
  rewind: 'Only Failed instances can be rewound: their failed work runs again. The others count as failures of the job.',
  restart: 'Each instance starts again under a new id, with its input and tags; the instance itself stays as it is.',
  raiseEvent: 'Each unfinished instance receives the event; finished ones count as failures of the job.',
  purge: 'Only finished instances are purged, with their histories, for good. The others count as failures of the job.',
};

export function BatchByFilterDialog({ filter, hub, onClose }: { filter: ListFilter; hub: string | undefined; onClose: () => void }) {
  const [now] = useState(() => Date.now());
  const [operation, setOperation] = useState<BatchOperation>('terminate');
  const [reason, setReason] = useState('');
  const [eventName, setEventName] = useState('');
  const [eventData, setEventData] = useState('');
  const event = eventArguments(eventName, eventData);
  const settledEvent = eventArguments(useDebounced(eventName, EVENT_SETTLE_MS), useDebounced(eventData, EVENT_SETTLE_MS));
  const raising = operation === 'raiseEvent';
  const countable = !raising || settledEvent !== undefined;
  // Built inside the requests, so that a filter it cannot express shows as their error.
  const count = useResource(
    async (signal) => (countable ? countBatch(operation, batchFilter(filter, now), raising ? (settledEvent ?? {}) : {}, signal) : undefined),
    [operation, now, raising ? settledEvent : null],
  );
  const [job, setJob] = useState<BatchJob>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const label = BATCH_OPERATION_LABELS[operation];
  const args: BatchArguments | undefined = raising ? event : OPERATIONS_WITH_REASON.includes(operation) && reason ? { reason } : {};

  const run = async () => {
    if (!args) return;
    setRunning(true);
    setError(undefined);
    try {
      setJob(await startBatch(operation, batchFilter(filter, now), args));
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setRunning(false);
    }
  };

  const matched = count.data ?? 0;
  return (
    <Dialog title="Apply to all matching" onClose={onClose}>
      <div class="dialog-body">
        {job ? (
          <p role="status">
            Started a batch job to {operationLabel(job.operation)} <strong>{job.matched.toLocaleString()}</strong> instance{job.matched === 1 ? '' : 's'}.{' '}
            <Link href={batchesHref(hub, job.id)}>Follow its progress</Link>
          </p>
        ) : (
          <>
            <label class="field">
              <span>Operation</span>
              <select aria-label="Operation" value={operation} disabled={running} onChange={(change) => setOperation(change.currentTarget.value as BatchOperation)}>
                {BATCH_OPERATIONS.map((option) => (
                  <option key={option} value={option}>
                    {BATCH_OPERATION_LABELS[option]}
                  </option>
                ))}
              </select>
            </label>
            {OPERATIONS_WITH_REASON.includes(operation) && (
              <label class="field">
                <span>Reason (optional)</span>
                <input type="text" value={reason} onInput={(input) => setReason(input.currentTarget.value)} />
              </label>
            )}
            {raising && <EventFields helpId="batch-event-data-help" name={eventName} data={eventData} onName={setEventName} onData={setEventData} />}
            {NOTES[operation] && <p class="muted">{NOTES[operation]}</p>}
            {!countable ? (
              <p class="muted">Name the event (with valid JSON data, if any) to count the instances it would reach.</p>
            ) : count.loading ? (
              <Loading what="the count" />
            ) : count.error ? (
              <ErrorMessage error={count.error} retry={count.reload} />
            ) : (
              <p>
                This will {raising ? 'send the event to' : label} <strong data-testid="batch-count">{matched.toLocaleString()}</strong> instance{matched === 1 ? '' : 's'} matching the filter, as a
                batch job of the server.
              </p>
            )}
            {error && <ErrorMessage error={error} />}
            <div class="dialog-actions">
              <button
                type="button"
                class="button danger"
                disabled={running || !args || !countable || count.loading || !!count.error || matched === 0}
                onClick={() => void run()}
              >
                {running ? 'Starting…' : `Start: ${label} ${matched.toLocaleString()}`}
              </button>
            </div>
          </>
        )}
      </div>
    </Dialog>
  );
}

/** raiseEvent's arguments, or undefined while the name is empty or the data is not JSON. */
function eventArguments(name: string, dataText: string): BatchArguments | undefined {
  const data = parseJsonInput(dataText);
  if (name.trim() === '' || !data.ok) return undefined;
  return data.empty ? { eventName: name.trim() } : { eventName: name.trim(), eventData: data.value };
}

