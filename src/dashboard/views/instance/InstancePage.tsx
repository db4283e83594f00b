/**
 * One instance: every status field, its payloads as folding JSON, its parent and children, the actions,
 * and its history as a timeline and as a paged table; it re-reads itself on live changes.
 */
import { useMemo, useState } from 'preact/hooks';
import { getInstance, historyPage } from '../../api/endpoints.js';
import { ApiError } from '../../api/http.js';
import type { FailureDetails, InstanceStatus, RawEvent } from '../../api/types.js';
import { CopyButton } from '../../components/CopyButton.js';
import { JsonPanel } from '../../components/JsonView.js';
import { Link } from '../../components/Link.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { ErrorMessage, Loading } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { useLiveChanges, useResource } from '../../hooks.js';
import { formatDuration } from '../../model/format.js';
import { isFinished } from '../../model/statuses.js';
import { buildTimeline } from '../../model/timeline.js';
import { instanceHref, listHref, navigate } from '../../router.js';
import { HistoryTable } from './HistoryTable.js';
import { InstanceActions } from './InstanceActions.js';
import { Timeline } from './Timeline.js';

/** The timeline reads the history in pages of this size, up to the cap; the table pages it all. */
const TIMELINE_PAGE = 1000;
const TIMELINE_MAX_EVENTS = 10_000;

export function InstancePage({ instanceId, hub }: { instanceId: string; hub: string | undefined }) {
  const status = useResource((signal) => getInstance(instanceId, signal), [instanceId, hub]);
  const history = useResource((signal) => wholeHistory(instanceId, signal), [instanceId, hub]);
  const [tab, setTab] = useState<'timeline' | 'history'>('timeline');
  useLiveChanges(() => {
    status.reload();
    history.reload();
  });
  const backToList = listHref(new URLSearchParams(hub ? { taskHub: hub } : {}));

  if (status.error) {
    const missing = status.error instanceof ApiError && status.error.status === 404;
    return (
      <div class="instance-page">
        <Link href={backToList} class="back">
          ‹ Instances
        </Link>
        <h1 class="instance-title">{instanceId}</h1>
        <ErrorMessage error={missing ? `There is no instance '${instanceId}' in this task hub (it may have been purged).` : status.error} retry={missing ? undefined : status.reload} />
      </div>
    );
  }
  if (!status.data) return <Loading what="the instance" />;
  const instance = status.data;
  return (
    <div class="instance-page">
      <Link href={backToList} class="back">
        ‹ Instances
      </Link>
      <header class="instance-header">
        <h1 class="instance-title">
          <span class="instance-id-text">{instance.instanceId}</span>
          <CopyButton text={instance.instanceId} label="instance id" />
        </h1>
        <StatusBadge status={instance.runtimeStatus} />
      </header>
      <InstanceActions
        status={instance}
        onChanged={() => {
          status.reload();
          history.reload();
        }}
        onRestarted={(started) => navigate(instanceHref(started, hub))}
        onPurged={() => navigate(backToList)}
      />
      <Summary instance={instance} events={history.data?.events} hub={hub} />
      <div class="payloads">
        <JsonPanel title="Input" value={instance.input} />
        {instance.runtimeStatus === 'Failed' ? (
          <FailurePanel failure={instance.failureDetails} />
        ) : (
          <JsonPanel title={instance.runtimeStatus === 'Terminated' || instance.runtimeStatus === 'Suspended' ? 'Reason' : 'Output'} value={instance.output} />
        )}
        <JsonPanel title="Custom status" value={instance.customStatus} />
      </div>
      <Children events={history.data?.events} hub={hub} />
      <section class="panel" aria-label="History">
        <div class="tabs" role="tablist" aria-label="History views">
          <button type="button" role="tab" id="tab-timeline" aria-selected={tab === 'timeline'} aria-controls="panel-timeline" onClick={() => setTab('timeline')}>
            Timeline
          </button>
          <button type="button" role="tab" id="tab-history" aria-selected={tab === 'history'} aria-controls="panel-history" onClick={() => setTab('history')}>
            History{history.data ? ` (${history.data.events.length}${history.data.truncated ? '+' : ''} events)` : ''}
          </button>
        </div>
        {tab === 'timeline' ? (
          <div role="tabpanel" id="panel-timeline" aria-labelledby="tab-timeline">
            <TimelineTab instance={instance} history={history.data} error={history.error} hub={hub} />
          </div>
        ) : (
          <div role="tabpanel" id="panel-history" aria-labelledby="tab-history">
            <HistoryTable instanceId={instanceId} />
          </div>
        )}
      </section>
    </div>
  );
}

interface WholeHistory {
  events: RawEvent[];
  /** More events than the timeline reads. */
  truncated: boolean;
}

async function wholeHistory(instanceId: string, signal: AbortSignal): Promise<WholeHistory> {
  const events: RawEvent[] = [];
  let next: number | null = 0;
  while (next !== null && events.length < TIMELINE_MAX_EVENTS) {
    const page = await historyPage(instanceId, next, TIMELINE_PAGE, signal);
    events.push(...page.events);
    next = page.nextSequence;
  }
  return { events, truncated: next !== null };
}

function TimelineTab({ instance, history, error, hub }: { instance: InstanceStatus; history: WholeHistory | undefined; error: Error | undefined; hub: string | undefined }) {
  const finished = isFinished(instance.runtimeStatus);
  const timeline = useMemo(() => (history ? buildTimeline(history.events, Date.now(), finished) : undefined), [history, finished]);
  if (error) return <ErrorMessage error={error} />;
  if (!timeline || !history) return <Loading what="the timeline" />;
  return (
    <>
      {history.truncated && <p class="muted">The timeline shows the first {history.events.length.toLocaleString()} events; the History tab pages through all of them.</p>}
      <Timeline timeline={timeline} hub={hub} />
    </>
  );
}

function Summary({ instance, events, hub }: { instance: InstanceStatus; events: RawEvent[] | undefined; hub: string | undefined }) {
  const started = events?.find((event) => event.type === 'ExecutionStarted');
  const end = isFinished(instance.runtimeStatus) ? Date.parse(instance.lastUpdatedTime) : Date.now();
  const parent = started?.parentInstance;
  return (
    <section class="panel summary" aria-label="Status">
      <dl>
        <div>
          <dt>Orchestrator</dt>
          <dd>{instance.name}</dd>
        </div>
        <div>
          <dt>Runtime status</dt>
          <dd>{instance.runtimeStatus}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <Time iso={instance.createdTime} />
          </dd>
        </div>
        <div>
          <dt>Last updated</dt>
          <dd>
            <Time iso={instance.lastUpdatedTime} />
          </dd>
        </div>
        <div>
          <dt>{isFinished(instance.runtimeStatus) ? 'Duration' : 'Running for'}</dt>
          <dd>{formatDuration(end - Date.parse(instance.createdTime))}</dd>
        </div>
        {started?.executionId && (
          <div>
            <dt>Execution id</dt>
            <dd>
              <code>{started.executionId}</code>
            </dd>
          </div>
        )}
        {started?.scheduledStartTime && (
          <div>
            <dt>Scheduled start</dt>
            <dd>
              <Time iso={started.scheduledStartTime} />
            </dd>
          </div>
        )}
        <div>
          <dt>Parent</dt>
          <dd>
            {parent ? (
              <Link href={instanceHref(parent.instanceId, hub)}>
                {parent.instanceId} ({parent.name})
              </Link>
            ) : (
              <span class="muted">none</span>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function Children({ events, hub }: { events: RawEvent[] | undefined; hub: string | undefined }) {
  const children = (events ?? []).filter((event) => event.type === 'SubOrchestrationInstanceCreated' && event.instanceId);
  if (children.length === 0) return null;
  return (
    <section class="panel" aria-label="Sub-orchestrations">
      <h3>Sub-orchestrations</h3>
      <ul class="children">
        {children.map((child) => (
          <li key={child.instanceId}>
            <Link href={instanceHref(child.instanceId!, hub)}>{child.instanceId}</Link> <span class="muted">{child.name}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function FailurePanel({ failure }: { failure: FailureDetails | null }) {
  if (!failure) return <JsonPanel title="Failure" value={failure} />;
  return (
    <section class="panel json-panel failure" aria-label="Failure">
      <header class="panel-header">
        <h3>Failure</h3>
        <CopyButton text={JSON.stringify(failure, null, 2)} label="failure details" />
      </header>
      <p class="failure-message">
        <strong>{failure.errorType}</strong>: {failure.errorMessage}
      </p>
      {failure.stackTrace && (
        <details>
          <summary>Stack trace</summary>
          <pre class="stack">{failure.stackTrace}</pre>
        </details>
      )}
      <details>
        <summary>All failure details</summary>
        <JsonPanel title="Failure details" value={failure} />
      </details>
    </section>
  );
}
