/**
 * Actions on the selected instances: each instance is asked separately (four at a time) and its own
 * answer shown — one refused instance does not stop the others.
 */
import { useState } from 'preact/hooks';
import { operate, purge } from '../../api/endpoints.js';
import { Dialog } from '../../components/Dialog.js';

export type BulkAction = 'terminate' | 'suspend' | 'resume' | 'purge';

const ACTIONS: { action: BulkAction; label: string; done: string; danger?: boolean }[] = [
  { action: 'suspend', label: 'Suspend', done: 'suspension queued' },
  { action: 'resume', label: 'Resume', done: 'resumption queued' },
  { action: 'terminate', label: 'Terminate', done: 'termination queued', danger: true },
  { action: 'purge', label: 'Purge', done: 'purged', danger: true },
];
const CONCURRENCY = 4;

interface Outcome {
  instanceId: string;
  ok: boolean;
  message: string;
}

export function BulkBar({ selected, onClear, onDone }: { selected: string[]; onClear: () => void; onDone: () => void }) {
  const [action, setAction] = useState<BulkAction>();
  return (
    <div class="bulk-bar" role="region" aria-label="Selected instances">
      <span>
        <strong>{selected.length}</strong> selected
      </span>
      {ACTIONS.map((item) => (
        <button key={item.action} type="button" class={item.danger ? 'button danger' : 'button'} onClick={() => setAction(item.action)}>
          {item.label}…
        </button>
      ))}
      <button type="button" class="button ghost" onClick={onClear}>
        Clear selection
      </button>
      {action && (
        <BulkDialog
          action={action}
          instanceIds={selected}
          onClose={(changed) => {
            setAction(undefined);
            if (changed) onDone();
          }}
        />
      )}
    </div>
  );
}

function BulkDialog({ action, instanceIds, onClose }: { action: BulkAction; instanceIds: string[]; onClose: (changed: boolean) => void }) {
  const item = ACTIONS.find((entry) => entry.action === action)!;
  const [reason, setReason] = useState('');
  const [outcomes, setOutcomes] = useState<Outcome[]>();
  const [running, setRunning] = useState(false);

  const run = async () => {
    setRunning(true);
    const results: Outcome[] = [];
    const queue = [...instanceIds];
    const worker = async () => {
      for (let instanceId = queue.shift(); instanceId !== undefined; instanceId = queue.shift()) {
        try {
          if (action === 'purge') await purge(instanceId);
          else await operate(instanceId, action, reason);
          results.push({ instanceId, ok: true, message: item.done });
        } catch (error) {
          results.push({ instanceId, ok: false, message: (error as Error).message });
        }
        setOutcomes(instanceIds.flatMap((id) => results.filter((result) => result.instanceId === id)));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    setRunning(false);
  };

  const failed = outcomes?.filter((outcome) => !outcome.ok).length ?? 0;
  return (
    <Dialog title={`${item.label} ${instanceIds.length} instance${instanceIds.length === 1 ? '' : 's'}`} onClose={() => onClose(outcomes !== undefined)} wide>
      {outcomes === undefined ? (
        <form
          method="dialog"
          class="dialog-body"
          onSubmit={(event) => {
            event.preventDefault();
            void run();
          }}
        >
          <p>
            {action === 'purge'
              ? 'Purging deletes each finished instance with its history for good; unfinished ones are refused.'
              : `Each selected instance is asked to ${action}; those in another state say why they cannot.`}
          </p>
          {action !== 'purge' && (
            <label class="field">
              <span>Reason (optional)</span>
              <input type="text" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
            </label>
          )}
          <div class="dialog-actions">
            <button type="submit" class={item.danger ? 'button danger' : 'button primary'} disabled={running}>
              {item.label} {instanceIds.length}
            </button>
          </div>
        </form>
      ) : (
        <div class="dialog-body">
          <p role="status">
            {running ? 'Working…' : `${outcomes.length - failed} done, ${failed} refused.`}
          </p>
          <ul class="outcomes" aria-label="Results">
            {outcomes.map((outcome) => (
              <li key={outcome.instanceId} class={outcome.ok ? 'ok' : 'refused'}>
                <code>{outcome.instanceId}</code>
                <span>{outcome.ok ? `✓ ${outcome.message}` : `✗ ${outcome.message}`}</span>
              </li>
            ))}
          </ul>
          <div class="dialog-actions">
            <button type="button" class="button primary" disabled={running} onClick={() => onClose(true)}>
              Close
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
