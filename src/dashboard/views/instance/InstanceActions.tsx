/**
 * Every operation on one instance, each behind a dialog that confirms it and shows the server's own
 * message when it refuses. The operations the status allows come first; the rest stay reachable under
 * "More", since the status shown may already be out of date.
 */
import { useState } from 'preact/hooks';
import { operate, purge, raiseEvent, restart, type Operation } from '../../api/endpoints.js';
import type { InstanceStatus } from '../../api/types.js';
import { Dialog } from '../../components/Dialog.js';
import { notify } from '../../components/Notices.js';
import { ErrorMessage } from '../../components/States.js';
import { parseJsonInput } from '../../model/json-input.js';
import { EventFields } from '../EventFields.js';
import { isFinished, type RuntimeStatus } from '../../model/statuses.js';

type Action = 'raise' | Operation | 'restart' | 'purge';

const ACTIONS: { action: Action; label: string; allowed(status: RuntimeStatus): boolean; danger?: boolean }[] = [
  { action: 'raise', label: 'Raise event', allowed: (status) => !isFinished(status) },
  { action: 'suspend', label: 'Suspend', allowed: (status) => ['Pending', 'Running', 'ContinuedAsNew'].includes(status) },
  { action: 'resume', label: 'Resume', allowed: (status) => ['Pending', 'Suspended'].includes(status) },
  { action: 'terminate', label: 'Terminate', allowed: (status) => !isFinished(status), danger: true },
  { action: 'rewind', label: 'Rewind', allowed: (status) => status === 'Failed' },
  { action: 'restart', label: 'Restart', allowed: () => true },
  { action: 'purge', label: 'Purge', allowed: isFinished, danger: true },
];

export interface ActionsProps {
  status: InstanceStatus;
  onChanged: () => void;
  /** After a restart: the instance it started. */
  onRestarted: (instanceId: string) => void;
  onPurged: () => void;
}

export function InstanceActions({ status, onChanged, onRestarted, onPurged }: ActionsProps) {
  const [action, setAction] = useState<Action>();
  const allowed = ACTIONS.filter((item) => item.allowed(status.runtimeStatus));
  const others = ACTIONS.filter((item) => !item.allowed(status.runtimeStatus));
  const button = (item: (typeof ACTIONS)[number]) => (
    <button key={item.action} type="button" class={item.danger ? 'button danger' : 'button'} onClick={() => setAction(item.action)}>
      {item.label}…
    </button>
  );
  return (
    <div class="actions" role="toolbar" aria-label="Actions">
      {allowed.map(button)}
      {others.length > 0 && (
        <details class="more-actions">
          <summary class="button ghost">More</summary>
          <div class="menu">{others.map(button)}</div>
        </details>
      )}
      {action && (
        <ActionDialog
          action={action}
          status={status}
          onClose={() => setAction(undefined)}
          onDone={(message, outcome) => {
            setAction(undefined);
            notify(message);
            if (outcome?.restarted) onRestarted(outcome.restarted);
            else if (outcome?.purged) onPurged();
            else onChanged();
          }}
        />
      )}
    </div>
  );
}

interface Outcome {
  restarted?: string;
  purged?: boolean;
}

function ActionDialog({ action, status, onClose, onDone }: { action: Action; status: InstanceStatus; onClose: () => void; onDone: (message: string, outcome?: Outcome) => void }) {
  const item = ACTIONS.find((entry) => entry.action === action)!;
  const id = status.instanceId;
  const [reason, setReason] = useState('');
  const [recursive, setRecursive] = useState(false);
  const [eventName, setEventName] = useState('');
  const [eventData, setEventData] = useState('');
  const [newId, setNewId] = useState(true);
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const data = parseJsonInput(eventData);
  const invalid = action === 'raise' && (eventName.trim() === '' || !data.ok);

  const submit = async () => {
    setRunning(true);
    setError(undefined);
    try {
      if (action === 'raise') {
        await raiseEvent(id, eventName.trim(), data.ok ? data.value : undefined);
        onDone(`Event '${eventName.trim()}' sent to ${id}`);
      } else if (action === 'restart') {
        const started = await restart(id, newId);
        onDone(`Restarted ${id} as ${started}`, { restarted: started });
      } else if (action === 'purge') {
        await purge(id);
        onDone(`Purged ${id}`, { purged: true });
      } else {
        await operate(id, action, reason, { recursive });
        onDone(`${item.label} of ${id} queued`);
      }
    } catch (failure) {
      setError(failure as Error);
      setRunning(false);
    }
  };

  return (
    <Dialog title={`${item.label}: ${id}`} onClose={onClose}>
      <form
        class="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          if (!invalid) void submit();
        }}
      >
        {!item.allowed(status.runtimeStatus) && (
          <p class="warning">This instance was {status.runtimeStatus} when last read, so the server will probably refuse.</p>
        )}
        {action === 'raise' && (
          <EventFields helpId="event-data-help" name={eventName} data={eventData} onName={setEventName} onData={setEventData} />
        )}
        {(action === 'terminate' || action === 'suspend' || action === 'resume' || action === 'rewind') && (
          <label class="field">
            <span>Reason (optional)</span>
            <input type="text" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
          </label>
        )}
        {action === 'terminate' && (
          <label class="check">
            <input type="checkbox" checked={recursive} onChange={(event) => setRecursive(event.currentTarget.checked)} />
            <span>Also terminate its sub-orchestrations</span>
          </label>
        )}
        {action === 'rewind' && <p>The failed activities and sub-orchestrations run again; completed ones are kept.</p>}
        {action === 'restart' && (
          <label class="check">
            <input type="checkbox" checked={newId} onChange={(event) => setNewId(event.currentTarget.checked)} />
            <span>Under a new instance id (otherwise the same id, which needs a finished instance)</span>
          </label>
        )}
        {action === 'purge' && <p>Deletes the instance and its history for good.</p>}
        {error && <ErrorMessage error={error} />}
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class={item.danger ? 'button danger' : 'button primary'} disabled={running || invalid}>
            {running ? 'Working…' : item.label}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
