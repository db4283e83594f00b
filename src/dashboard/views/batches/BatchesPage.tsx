/**
 * The batch jobs page: the hub's jobs, the one picked (`job` in the URL) with its progress, failure sample
 * and cancel, and the hub's retention policy. It re-reads every second while a job runs: a job's progress
 * is not an instance change the live feed would report for the list.
 */
import { useEffect, useState } from 'preact/hooks';
import { cancelBatch, getBatch, listBatches, operationLabel, type BatchJob } from '../../api/batches.js';
import { Dialog } from '../../components/Dialog.js';
import { Link } from '../../components/Link.js';
import { Empty, ErrorMessage, Loading } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { useResource } from '../../hooks.js';
import { batchesHref } from '../../router.js';
import { RetentionPanel } from './RetentionPanel.js';

const POLL_MS = 1000;

export function BatchesPage({ search, hub }: { search: URLSearchParams; hub: string | undefined }) {
  const jobId = search.get('job') ?? undefined;
  const jobs = useResource((signal) => listBatches(signal), [hub]);
  const job = useResource((signal) => (jobId ? getBatch(jobId, signal) : Promise.resolve(undefined)), [hub, jobId]);
  const anyRunning = job.data?.state === 'running' || (jobs.data ?? []).some((each) => each.state === 'running');
  const reloadJobs = jobs.reload;
  const reloadJob = job.reload;
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => {
      reloadJobs();
      reloadJob();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [anyRunning, reloadJobs, reloadJob]);

  return (
    <div class="batches-page">
      <h1>Batch jobs</h1>
      {jobId && (
        <section class="panel" aria-label="Batch job">
          {job.error ? <ErrorMessage error={job.error} retry={job.reload} /> : job.data ? <JobDetail job={job.data} onChanged={job.reload} /> : <Loading what="the job" />}
        </section>
      )}
      <section class="panel table-panel" aria-label="Batch job list">
        {jobs.error ? (
          <ErrorMessage error={jobs.error} retry={jobs.reload} />
        ) : !jobs.data ? (
          <Loading what="batch jobs" />
        ) : jobs.data.length === 0 ? (
          <Empty>
            <p>No batch job yet. Start one from the instance list with “Apply to all matching…”.</p>
          </Empty>
        ) : (
          <table class="batches">
            <thead>
              <tr>
                <th>Job</th>
                <th>Operation</th>
                <th>State</th>
                <th>Progress</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.map((each) => (
                <tr key={each.id}>
                  <td class="batch-id">
                    <Link href={batchesHref(hub, each.id)}>{each.id}</Link>
                  </td>
                  <td class="batch-operation">{operationLabel(each.operation)}</td>
                  <td class="batch-state">{each.state}</td>
                  <td>
                    {(each.done + each.failed).toLocaleString()} / {each.matched.toLocaleString()}
                  </td>
                  <td>
                    <Time iso={each.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <RetentionPanel hub={hub} />
    </div>
  );
}

function JobDetail({ job, onChanged }: { job: BatchJob; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<Error>();
  const handled = job.done + job.failed;
  const cancel = async () => {
    setError(undefined);
    try {
      await cancelBatch(job.id);
      setConfirming(false);
      onChanged();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <div class="batch-detail">
      <h2>
        <span data-testid="batch-operation">{operationLabel(job.operation)}</span> · <span data-testid="batch-state">{job.state}</span>
      </h2>
      <p class="muted">{job.id}</p>
      <progress max={Math.max(job.matched, handled, 1)} value={handled} aria-label="Progress" />
      <dl class="batch-figures">
        <dt>Matched</dt>
        <dd data-testid="batch-matched">{job.matched.toLocaleString()}</dd>
        <dt>Done</dt>
        <dd data-testid="batch-done">{job.done.toLocaleString()}</dd>
        <dt>Failed</dt>
        <dd data-testid="batch-failed">{job.failed.toLocaleString()}</dd>
        <dt>Last update</dt>
        <dd>
          <Time iso={job.lastUpdatedAt} />
        </dd>
      </dl>
      {job.failures.length > 0 && (
        <>
          <h3>First failures</h3>
          <ul class="batch-failures">
            {job.failures.map((failure) => (
              <li key={failure.instanceId}>
                <code>{failure.instanceId}</code>: {failure.error}
              </li>
            ))}
          </ul>
        </>
      )}
      {job.state === 'running' && (
        <button type="button" class="button danger-outline" onClick={() => setConfirming(true)}>
          Cancel job…
        </button>
      )}
      {confirming && (
        <Dialog title="Cancel the batch job" onClose={() => setConfirming(false)}>
          <div class="dialog-body">
            <p>The job stops after the chunk in hand; instances it already handled stay as they are.</p>
            {error && <ErrorMessage error={error} />}
            <div class="dialog-actions">
              <button type="button" class="button danger" onClick={() => void cancel()}>
                Cancel the job
              </button>
            </div>
          </div>
        </Dialog>
      )}
    </div>
  );
}
