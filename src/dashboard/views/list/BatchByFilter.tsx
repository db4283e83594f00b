/**
 * "Apply to all matching…": one operation on every instance the list's filter matches, as a batch job of
 * the server. The dry-run count comes first, for a window fixed when the dialog opened; the job started
 * then covers that same filter, and the dialog links to its progress.
 */
import { useState } from 'preact/hooks';
import { BATCH_OPERATIONS, countBatch, startBatch, type BatchJob, type BatchOperation } from '../../api/batches.js';
import { Dialog } from '../../components/Dialog.js';
import { Link } from '../../components/Link.js';
import { ErrorMessage, Loading } from '../../components/States.js';
import { useResource } from '../../hooks.js';
import { batchFilter, type ListFilter } from '../../model/filter.js';
import { batchesHref } from '../../router.js';

export function BatchByFilterDialog({ filter, hub, onClose }: { filter: ListFilter; hub: string | undefined; onClose: () => void }) {
  const [now] = useState(() => Date.now());
  const [operation, setOperation] = useState<BatchOperation>('terminate');
  const [reason, setReason] = useState('');
  // Built inside the requests, so that a filter it cannot express shows as their error.
  const count = useResource(async (signal) => countBatch(operation, batchFilter(filter, now), signal), [operation, now]);
  const [job, setJob] = useState<BatchJob>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);

  const run = async () => {
    setRunning(true);
    setError(undefined);
    try {
      setJob(await startBatch(operation, batchFilter(filter, now), reason));
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
            Started a batch job to {job.operation} <strong>{job.matched.toLocaleString()}</strong> instance{job.matched === 1 ? '' : 's'}.{' '}
            <Link href={batchesHref(hub, job.id)}>Follow its progress</Link>
          </p>
        ) : (
          <>
            <label class="field">
              <span>Operation</span>
              <select aria-label="Operation" value={operation} disabled={running} onChange={(event) => setOperation(event.currentTarget.value as BatchOperation)}>
                {BATCH_OPERATIONS.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            </label>
            {operation !== 'purge' && (
              <label class="field">
                <span>Reason (optional)</span>
                <input type="text" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
              </label>
            )}
            {count.loading ? (
              <Loading what="the count" />
            ) : count.error ? (
              <ErrorMessage error={count.error} retry={count.reload} />
            ) : (
              <p>
                This will {operation} <strong data-testid="batch-count">{matched.toLocaleString()}</strong> instance{matched === 1 ? '' : 's'} matching the filter
                {operation === 'purge' ? ', with their histories, for good' : ''}, as a batch job of the server.
              </p>
            )}
            {error && <ErrorMessage error={error} />}
            <div class="dialog-actions">
              <button type="button" class="button danger" disabled={running || count.loading || !!count.error || matched === 0} onClick={() => void run()}>
                {running ? 'Starting…' : `Start: ${operation} ${matched.toLocaleString()}`}
              </button>
            </div>
          </>
        )}
      </div>
    </Dialog>
  );
}
