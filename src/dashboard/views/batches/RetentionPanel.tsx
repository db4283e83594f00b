/** The hub's retention policy, what its last run purged, and a form that replaces the policy. */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { getRetention, setRetention, type RetentionView } from '../../api/batches.js';
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
  const [saved, setSaved] = useState<RetentionView>();
  const view = saved ?? retention.data;
  return (
    <section class="panel" aria-label="Retention">
      <h2>Retention</h2>
      {retention.error ? (
        <ErrorMessage error={retention.error} retry={retention.reload} />
      ) : !view ? (
        <Loading what="the retention policy" />
      ) : (
        <>
          <RetentionFigures view={view} />
          <RetentionForm key={JSON.stringify(view.policy)} policy={view.policy} onSaved={setSaved} />
        </>
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

/** Every setting as a number field; an empty one is not set. The server checks the values. */
function RetentionForm({ policy, onSaved }: { policy: RetentionView['policy']; onSaved: (view: RetentionView) => void }) {
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(SETTINGS.map((setting) => [setting.key, policy[setting.key]?.toString() ?? ''])));
  const [error, setError] = useState<Error>();
  const [saving, setSaving] = useState(false);
  const save = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      const next = Object.fromEntries(SETTINGS.filter((setting) => values[setting.key] !== '').map((setting) => [setting.key, Number(values[setting.key])]));
      onSaved(await setRetention(next));
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <form class="retention-form" onSubmit={(event) => void save(event)}>
      {SETTINGS.map((setting) => (
        <label class="field" key={setting.key}>
          <span>{setting.label}</span>
          <input type="number" value={values[setting.key]} onInput={(event) => setValues({ ...values, [setting.key]: event.currentTarget.value })} />
        </label>
      ))}
      {error && <ErrorMessage error={error} />}
      <button type="submit" class="button primary" disabled={saving}>
        {saving ? 'Saving…' : 'Save retention policy'}
      </button>
    </form>
  );
}
