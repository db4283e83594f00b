/**
 * Purging every finished instance the filter matches: the count comes first, for a window fixed when the
 * dialog opened, and the purge then deletes in that same window.
 */
import { useState } from 'preact/hooks';
import { countInstances, purgeBy } from '../../api/endpoints.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorMessage, Loading } from '../../components/States.js';
import { apiQuery, purgeQuery, purgeStatuses, type ListFilter } from '../../model/filter.js';
import { useResource } from '../../hooks.js';

export function PurgeByFilterDialog({ filter, onClose }: { filter: ListFilter; onClose: (changed: boolean) => void }) {
  const [now] = useState(() => Date.now());
  const statuses = purgeStatuses(filter);
  const counts = useResource((signal) => (statuses.length ? countInstances(apiQuery(filter, now, statuses), signal) : Promise.resolve(undefined)), [now]);
  const matching = counts.data ? statuses.reduce((sum, status) => sum + counts.data![status], 0) : 0;
  const [deleted, setDeleted] = useState<number>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);

  const run = async () => {
    setRunning(true);
    setError(undefined);
    try {
      setDeleted(await purgeBy(purgeQuery(filter, now)));
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setRunning(false);
    }
  };

  return (
    <Dialog title="Purge finished instances" onClose={() => onClose(deleted !== undefined)}>
      <div class="dialog-body">
        {statuses.length === 0 ? (
          <p>The filter names only unfinished statuses: there is nothing to purge. Only Completed, Failed and Terminated instances can be purged.</p>
        ) : counts.loading ? (
          <Loading what="the count" />
        ) : counts.error ? (
          <ErrorMessage error={counts.error} retry={counts.reload} />
        ) : deleted !== undefined ? (
          <p role="status">
            Deleted <strong>{deleted.toLocaleString()}</strong> instance{deleted === 1 ? '' : 's'}.
          </p>
        ) : (
          <>
            <p>
              This deletes <strong data-testid="purge-count">{matching.toLocaleString()}</strong> {statuses.join(', ')} instance{matching === 1 ? '' : 's'}{' '}
              matching the filter, with their histories, for good.
            </p>
            {error && <ErrorMessage error={error} />}
            <div class="dialog-actions">
              <button type="button" class="button danger" disabled={running || matching === 0} onClick={() => void run()}>
                {running ? 'Purging…' : `Delete ${matching.toLocaleString()} instance${matching === 1 ? '' : 's'}`}
              </button>
            </div>
          </>
        )}
      </div>
    </Dialog>
  );
}
