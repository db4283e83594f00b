/** The hub's retention policy and what its last run purged (read only: it is set by the client, HTTP or CLI). */
import { Fragment } from 'preact';
import { getRetention, type RetentionView } from '../../api/batches.js';
import { ErrorMessage, Loading } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { useResource } from '../../hooks.js';

const SETTINGS: { key: keyof RetentionView['policy']; label: string }[] = [
  { key: 'completedDays', label: 'Keep Completed (days)' },
  { key: 'failedDays', label: 'Keep Failed (days)' },
  { key: 'terminatedDays', label: 'Keep Terminated (days)' },
  { key: 'maxFinished', label: 'At most finished instances' },
  { key: 'intervalSeconds', label: 'Runs every (seconds)' },
];

export function RetentionPanel({ hub }: { hub: string | undefined }) {
  const retention = useResource((signal) => getRetention(signal), [hub]);
  return (
    <section class="panel" aria-label="Retention">
      <h2>Retention</h2>
      {retention.error ? (
        <ErrorMessage error={retention.error} retry={retention.reload} />
      ) : !retention.data ? (
        <Loading what="the retention policy" />
      ) : (
        <RetentionFigures view={retention.data} />
      )}
    </section>
  );
}

function RetentionFigures({ view }: { view: RetentionView }) {
  const set = SETTINGS.filter((setting) => view.policy[setting.key] !== undefined);
  const run = view.lastRun;
  return (
    <>
      {set.length === 0 ? (
        <p data-testid="retention-policy">No retention policy: finished instances are kept until purged.</p>
      ) : (
        <dl class="batch-figures" data-testid="retention-policy">
          {set.map((setting) => (
            <Fragment key={setting.key}>
              <dt>{setting.label}</dt>
              <dd>{view.policy[setting.key]!.toLocaleString()}</dd>
            </Fragment>
          ))}
        </dl>
      )}
      <p>
        {run ? (
          <>
            Last run <Time iso={run.at} />: purged {run.completed} Completed, {run.failed} Failed, {run.terminated} Terminated, {run.overLimit} over the limit.{' '}
          </>
        ) : (
          'Not run yet. '
        )}
        {view.purgedTotal.toLocaleString()} purged in all.
      </p>
    </>
  );
}
